"""Template filters for the operation guide: ``{% load agenda_guide %}``.

``{{ page.body|guide_markdown }}`` renders sanitized Markdown;
``{{ page.body|guide_snippet:q }}`` quotes the body around the first match of ``q``.
"""

from django import template

from bastion.agenda.guide_render import highlight, render_markdown, search_terms, snippet

register = template.Library()


@register.filter
def guide_markdown(text):
    return render_markdown(text)


@register.filter
def guide_snippet(text, query):
    return snippet(text, query)


@register.filter
def guide_highlight(text, query):
    return highlight(text or "", search_terms(query))
