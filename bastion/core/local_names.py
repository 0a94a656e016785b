"""The name of a seeded row in the reader's language: shipped data (indicators, titles, bands,
schemes, handbook items) carries an English name beside the Chinese one.

``local_name(obj)`` works on a model instance and on a dict (a round's snapshot, an awarded
title): ``name_en`` when the active language is English and it is set, else ``name``. Templates
use the filter of the same name (``{% load local_names %}`` then ``{{ obj|local_name }}``);
serializers and exports call the function.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import translation


def english_active() -> bool:
    return (translation.get_language() or "").lower().startswith("en")


def _get(obj, key: str):
    if isinstance(obj, Mapping):
        return obj.get(key)
    return getattr(obj, key, None)


def local_name(obj, field: str = "name") -> str:
    """``obj.<field>_en`` in the English interface when it is set, else ``obj.<field>``."""
    if obj is None:
        return ""
    if english_active():
        english = _get(obj, f"{field}_en")
        if english:
            return str(english)
    name = _get(obj, field)
    return "" if name is None else str(name)
