"""``{{ obj|local_name }}``: a seeded row's name in the reader's language (see
``bastion.core.local_names``); ``{{ obj|local_name:"label" }}`` for another field pair."""

from django import template

from bastion.core.local_names import local_name as _local_name

register = template.Library()


@register.filter
def local_name(obj, field: str = "name") -> str:
    return _local_name(obj, field)
