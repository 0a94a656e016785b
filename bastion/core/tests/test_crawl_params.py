"""No page answers 500 to parameters a person can type into the address bar.

Every page the demo's company officer and branch secretary reach by clicking is asked again with
out-of-range and malformed values for the parameters pages read (years, months, quarters, pages,
ids of twenty digits, dates): each must answer with a page or a 4xx, never a server error.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model

from bastion.core.testing import login

from .crawler import crawl

PERSONAS = ("company", "secretary")
PAGES_PER_PERSONA = 120
HUGE = "9" * 20
HOSTILE = [
    {"year": "0", "month": "2026-13", "quarter": "2026Q9", "page": HUGE},
    {"org": HUGE, "organization": HUGE, "person": HUGE, "round": HUGE, "task": HUGE},
    {"year": HUGE, "page": "-1", "date": "2026-02-30", "on": "0000-00-00", "q": "\x00"},
    {"period": "2026-99", "start": "9999-99-99", "end": "abc", "status": "<x>", "kind": HUGE},
]


@pytest.mark.django_db
def test_typed_parameters_never_answer_a_server_error(demo, client):
    users = get_user_model().objects.in_bulk(PERSONAS, field_name="username")
    failures, asked = [], 0
    for persona in PERSONAS:
        client.logout()
        login(client, users[persona])
        pages = [p.url for p in crawl(client, limit=PAGES_PER_PERSONA) if p.text]
        for url in pages:
            path = urlsplit(url).path
            for params in HOSTILE:
                response = client.get(path, params)
                asked += 1
                if response.status_code >= 500:
                    failures.append(f"{persona} {path} {params}: HTTP {response.status_code}")
    assert asked > 400
    assert not failures, "\n".join(failures)
