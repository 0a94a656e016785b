"""``{% load sources %}`` then ``{{ rule.source|readable_source }}``: a source as its title."""

from django import template

from bastion.core.sources import readable_source as _readable_source

register = template.Library()


@register.filter
def readable_source(text):
    return _readable_source(text)
