"""One-time activation codes: short enough to read aloud, kept only as a keyed digest.

A code is eight characters from an alphabet without look-alikes (no 0/O, 1/I/L). Guessing is
bounded by the attempt limit on each code, so a fast keyed hash is enough: opening 60,000
accounts must not cost 60,000 password hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8
MAX_ATTEMPTS = 5


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(code: str) -> str:
    """What a person types: spaces, dashes and lower case are forgiven."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def digest(code: str) -> str:
    key = f"bastion-activation:{settings.SECRET_KEY}".encode()
    return hmac.new(key, normalise(code).encode(), hashlib.sha256).hexdigest()


def readable(code: str) -> str:
    """``ABCD-EFGH``: easier to copy from a printed list."""
    return f"{code[:4]}-{code[4:]}"
