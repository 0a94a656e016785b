"""The username rule: the person's 工号 by default, else the pinyin of the name plus a number.

Usernames are what people type on a phone, so they keep to letters, digits and ``._-``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.contrib.auth import get_user_model

from .models import UsernameSource

NOT_TYPABLE = re.compile(r"[^0-9A-Za-z._-]+")
MAX_LENGTH = 150


def typable(text: str) -> str:
    """Full-width letters and digits become half-width; anything else that cannot be typed goes."""
    return NOT_TYPABLE.sub("", unicodedata.normalize("NFKC", text or ""))[:MAX_LENGTH]


class UsernamePicker:
    """Picks unique usernames for many people at once: one query for the names already taken."""

    def __init__(self, source: str, taken: Iterable[str] | None = None):
        self.source = source
        if taken is None:
            taken = get_user_model().objects.values_list("username", flat=True)
        self.taken = {name.lower() for name in taken}

    def pick(self, person) -> str:
        if self.source == UsernameSource.EMPLOYEE_NO:
            candidate = typable(person.employee_no or "")
            if candidate and candidate.lower() not in self.taken:
                return self._take(candidate)
        return self._take(self._numbered(typable(person.name_pinyin) or "user"))

    def _numbered(self, base: str) -> str:
        if base.lower() not in self.taken:
            return base
        number = 2
        while f"{base}{number}".lower() in self.taken:
            number += 1
        return f"{base}{number}"

    def _take(self, username: str) -> str:
        self.taken.add(username.lower())
        return username
