"""No stored text runs as a script: the demo company with markup typed into its text fields,
crawled page by page as each persona would click through it.

Every free-text field of the first rows of every model gets a payload that would become an
element if a template marked it safe or put it into a script unescaped. The crawl then follows
every link each demo persona can reach and fails on any page showing the payload as markup, and
on any server error.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from bastion.core.testing import login

from .crawler import crawl

MARK = "x13"
PAYLOAD = f'"><s {MARK}>'
AS_MARKUP = f"<s {MARK}>"
ESCAPED = f"&lt;s {MARK}&gt;"
ROWS_PER_MODEL = 6
PERSONAS = ("company", "county", "secretary", "member")
PAGES_PER_PERSONA = 150
# Fields whose text is machine-read (codes, keys, paths, formats), not typed by a person.
MACHINE_WORDS = (
    "code",
    "username",
    "password",
    "path",
    "slug",
    "token",
    "digest",
    "key",
    "email",
    "phone",
    "mobile",
    "number",
    "url",
    "kind",
    "status",
    "period",
    "formula",
    "expression",
    "rule",
    "month",
    "year",
    "quarter",
    "action",
    "event",
    "hash",
    "salt",
    "file",
    "name_pinyin",
    "pinyin",
    "ip",
    "agent",
    "mime",
    "content_type",
    "object_repr",
    "changes",
    "model",
    "app_label",
    "codename",
    "session",
    "channel",
    "target",
)
OWN_APPS = ("core", "orgs", "accounts", "agenda", "tasks", "problems", "evaluation")


def _typed_text_fields(model) -> list[str]:
    unique_together = {name for group in model._meta.unique_together for name in group}
    for constraint in model._meta.constraints:
        unique_together.update(getattr(constraint, "fields", ()) or ())
    names = []
    for field in model._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        if field.choices or field.unique or field.name in unique_together or field.primary_key:
            continue
        if isinstance(field, models.CharField) and (field.max_length or 0) < 20:
            continue
        if any(word in field.name for word in MACHINE_WORDS):
            continue
        names.append(field.name)
    return names


def _taint_every_model() -> int:
    tainted = 0
    for app in OWN_APPS:
        for model in apps.get_app_config(app).get_models():
            if model._meta.proxy:
                continue
            fields = _typed_text_fields(model)
            if not fields:
                continue
            for row in model._base_manager.order_by("pk")[:ROWS_PER_MODEL]:
                changes = {}
                for name in fields:
                    field = model._meta.get_field(name)
                    value = getattr(row, name) or ""
                    limit = getattr(field, "max_length", None)
                    if limit:
                        value = value[: limit - len(PAYLOAD)]
                    changes[name] = value + PAYLOAD
                model._base_manager.filter(pk=row.pk).update(**changes)
                tainted += 1
    return tainted


@pytest.mark.django_db
def test_no_page_shows_stored_text_as_markup(demo, client):
    assert _taint_every_model() > 100
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.in_bulk(PERSONAS, field_name="username")
    crawled = shown = 0
    failures = []
    for persona in PERSONAS:
        client.logout()
        login(client, users[persona])
        count = 0
        for page in crawl(client, limit=PAGES_PER_PERSONA):
            count += 1
            shown += ESCAPED in page.text
            if page.status >= 500:
                failures.append(f"{persona} {page.url}: HTTP {page.status}")
            elif AS_MARKUP in page.text:
                at = page.text.index(AS_MARKUP)
                failures.append(f"{persona} {page.url}: …{page.text[max(0, at - 80) : at + 20]}")
        assert count > 20, f"{persona} reached only {count} pages"
        crawled += count
    assert not failures, "\n".join(failures)
    print(f"crawled {crawled} pages, payload shown escaped on {shown}")
    assert crawled >= 400
    # The payload did reach the pages (escaped): the crawl looked where the text is shown.
    assert shown >= 100, f"the payload showed on only {shown} of {crawled} pages"
