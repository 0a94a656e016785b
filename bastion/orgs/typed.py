"""Typed values of people and organizations made plain, as the importers make them.

The forms and the API serializers both call these (rules in ``bastion.core.text``), so "周　杰",
"１３８００１３８０００" and a 15-digit ID number typed in a form are stored as an import of the
same roster would store them.
"""

from __future__ import annotations

from bastion.core.idcard import canonical
from bastion.core.text import plain_values

PERSON_RULES = {"names": ("name",), "codes": ("id_number", "employee_no"), "phones": ("phone",)}
ORGANIZATION_RULES = {"names": (), "codes": ("code",), "phones": ("phone",)}


def plain_person(values: dict) -> dict:
    """In place; ValidationError by field for a bad phone number. A 15-digit ID number becomes
    its 18 digits (the model's own check then applies to the result)."""
    plain_values(values, **PERSON_RULES)
    if values.get("id_number") and "*" not in values["id_number"]:
        values["id_number"] = canonical(values["id_number"])
    return values


def plain_organization(values: dict) -> dict:
    return plain_values(values, **ORGANIZATION_RULES)
