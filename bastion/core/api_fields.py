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
from rest_framework import serializers

from .api import ScopedRelatedField
from .orgtree import organization_model, person_model


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


class EnumField(serializers.ChoiceField):
    """One choice set: a ``TextChoices``/``IntegerChoices`` class or a list of pairs. Its schema
    component name comes from ``ENUM_NAME_OVERRIDES``, never from the field's name."""

    def __init__(self, choices, **kwargs):
        if isinstance(choices, type) and issubclass(choices, models.Choices):
            choices = choices.choices
        super().__init__(choices=list(choices), **kwargs)
