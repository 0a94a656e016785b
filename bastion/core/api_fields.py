"""Serializer fields every app's API shares: references to organizations and people.

A reference reads as ``{"id": 12, "name": "城关供电所党支部"}`` (the ``OrgRef`` / ``PersonRef``
schema components) and, where it is writable, is written as the bare id, chosen among the
objects the requester may see: an id outside the scope reads as "does not exist".

Choice sets are plain ``serializers.ChoiceField``s; their schema component names
(``TaskStatusEnum`` …) are given once, in ``SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]``.
"""

from __future__ import annotations

from django.db import models
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import ISO_8601, serializers

from .api import ScopedRelatedField
from .orgtree import organization_model, person_model

# Ids are BigAutoField: past 64 bits SQLite raises OverflowError and PostgreSQL DataError.
ID_MAX = 2**63 - 1


class IdField(serializers.IntegerField):
    """An object's id given as a number (a list of recipients, a person to open an account
    for): 1 to the largest id a column holds, so an out-of-range number is a 400 naming the
    field, never a database error. Lookups then answer "does not exist" as for any other id."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)


class OrgRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class _RefField(ScopedRelatedField):
    """Id in (through the scope door), ``{id, name}`` out."""

    def use_pk_only_optimization(self):
        return False

    def to_representation(self, value):
        return {"id": value.pk, "name": value.name}


class OrganizationRefField(_RefField):
    """An organization: written as its id among those the requester may ``action``, read as
    ``{id, name}``."""

    ref_serializer = OrgRefSerializer

    def __init__(self, *, action: str = "view", **kwargs):
        super().__init__(model=organization_model(), action=action, **kwargs)


class PersonRefField(_RefField):
    """A person: written as their id among the people the requester may ``action``, read as
    ``{id, name}``."""

    ref_serializer = PersonRefSerializer

    def __init__(self, *, action: str = "view", **kwargs):
        super().__init__(model=person_model(), action=action, **kwargs)


class RefFieldSchema(OpenApiSerializerFieldExtension):
    """Requests carry the id; responses the ``OrgRef`` / ``PersonRef`` component."""

    target_class = _RefField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return build_basic_type(OpenApiTypes.INT)
        component = auto_schema.resolve_serializer(self.target.ref_serializer, direction)
        return component.ref


class FormattedDateSchema(OpenApiSerializerFieldExtension):
    """A date written in a format of its own (``DateField(format="%Y-%m")`` answers ``2026-10``)
    is documented as the text it is, not as an ISO date the answer would not match."""

    target_class = serializers.DateField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        own_format = getattr(self.target, "format", None)  # set only when given
        if direction == "request" or own_format in (None, ISO_8601, "%Y-%m-%d"):
            return build_basic_type(OpenApiTypes.DATE)
        schema = {"type": "string"}
        if own_format in DATE_FORMAT_PATTERNS:
            schema["pattern"] = DATE_FORMAT_PATTERNS[own_format]
        return schema


DATE_FORMAT_PATTERNS = {"%Y-%m": r"^\d{4}-\d{2}$", "%Y": r"^\d{4}$"}


class EnumField(serializers.ChoiceField):
    """One choice set: a ``TextChoices``/``IntegerChoices`` class or a list of pairs. Its schema
    component name comes from ``ENUM_NAME_OVERRIDES``, never from the field's name."""

    def __init__(self, choices, **kwargs):
        if isinstance(choices, type) and issubclass(choices, models.Choices):
            choices = choices.choices
        super().__init__(choices=list(choices), **kwargs)


class ReadableSourceField(serializers.CharField):
    """A rule's source (依据来源) as people read it: the seed shorthand (S1, DOMAIN.md) shown
    as the documents' titles through ``bastion.core.sources``, the one mapping."""

    def to_representation(self, value):
        from .sources import readable_source

        return readable_source(super().to_representation(value))
