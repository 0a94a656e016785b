"""Template filters for the operation guide: ``{% load agenda_guide %}``.

``{{ page.body|guide_markdown }}`` renders sanitized Markdown;
``{{ page.body|guide_snippet:q }}`` quotes the body around the first match of ``q``.
"""

from django import template

from bastion.agenda.guide_render import highlight, render_markdown, search_terms, snippet
from bastion.core.sources import readable_source

register = template.Library()


@register.filter
def guide_markdown(text):
    return render_markdown(readable_source(text))  # seed shorthand (S1…) as document titles


@register.filter
def guide_snippet(text, query):
    return snippet(readable_source(text), query)


@register.filter
def guide_highlight(text, query):
    return highlight(text or "", search_terms(query))
