"""No developer words in the interface: the demo company crawled page by page as each persona
would click through it, failing on any page whose text shows

- ``DOMAIN.md`` (the project's own notes) or "outside scope" (an English internal message);
- a seed document's code ``S0``…``S4`` instead of the document's title;
- a seeded evaluation scheme's code (``arena``, ``five_star`` …) instead of its name;
- a demo persona's username (``company``, ``member`` …) where the person's name belongs: a
  username may follow the holder's name as a secondary label, or follow the words 账号/用户名.

Only what a person reads is checked: the text of the page and the attributes that show as text
(title, placeholder, aria-label, alt), not URLs, class names or test ids.
"""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.auth import get_user_model

from bastion.core.testing import login

from .crawler import crawl

PERSONAS = ("company", "county", "secretary", "member")
PAGES_PER_PERSONA = 120
_SCRIPT = re.compile(r"<(script|style|template)\b.*?</\1\s*>", re.S | re.I)
_SHOWN_ATTRIBUTE = re.compile(r"""\b(?:title|placeholder|aria-label|alt)\s*=\s*"([^"]*)\"""", re.I)
_TAG = re.compile(r"<[^>]*>")
_EVERYWHERE = ("DOMAIN.md", "outside scope", "outside the scope")
_SOURCE_CODE = re.compile(r"(?<![A-Za-z0-9_])S[0-4](?![A-Za-z0-9_])")
USERNAME_LABELS = ("账号", "用户名", "登录名")


def shown_text(page_html: str) -> str:
    """What a reader sees: element text and the attributes that display as text."""
    body = _SCRIPT.sub(" ", page_html)
    attributes = " ".join(_SHOWN_ATTRIBUTE.findall(body))
    return html.unescape(_TAG.sub(" ", body) + " " + attributes)


def _token(word: str) -> re.Pattern:
    return re.compile(rf"(?<![A-Za-z0-9_\-/.]){re.escape(word)}(?![A-Za-z0-9_\-/.])", re.I)


def developer_words(text: str, *, scheme_codes, usernames: dict[str, str]) -> list[str]:
    """Every developer word found in ``text`` (a page's shown text), with some context."""
    found = []

    def note(match: re.Match, what: str):
        start = max(0, match.start() - 30)
        context = " ".join(text[start : match.end() + 30].split())
        found.append(f"{what} “{match.group(0)}”: …{context}…")

    for word in _EVERYWHERE:
        for match in re.finditer(re.escape(word), text, re.I):
            note(match, "internal words")
    for match in _SOURCE_CODE.finditer(text):
        note(match, "seed code")
    for code in scheme_codes:
        for match in _token(code).finditer(text):
            note(match, "scheme code")
    for username, name in usernames.items():
        for match in _token(username).finditer(text):
            before = text[max(0, match.start() - 40) : match.start()]
            if (name and name in before) or any(label in before[-12:] for label in USERNAME_LABELS):
                continue  # a secondary label after the name, or the account field itself
            note(match, "username")
    return found


def test_the_checker_finds_each_class():
    """The checker can fail: each class of word is caught, the allowed forms pass."""
    usernames = {"member": "周杰"}
    codes = ["arena"]
    bad = [
        "来源：S1 同业对标",
        "见 DOMAIN.md 规则",
        "organisation outside scope",
        "方案 ARENA",
        "创建人 member",
    ]
    for text in bad:
        assert developer_words(text, scheme_codes=codes, usernames=usernames), text
    fine = [
        "来源：《国网新疆喀什供电公司：“党建+”业务领航 推动全面融合发展》",
        "周杰 member",
        "账号：member",
        "S10 变电站",
        "/evaluation/arena/",
    ]
    for text in fine:
        assert not developer_words(text, scheme_codes=codes, usernames=usernames), text
    page = '<p title="来源 S2">x</p><script>var a = "S3";</script><a href="/S4/">打开</a>'
    assert [
        w.split("“")[1][:2]
        for w in developer_words(shown_text(page), scheme_codes=[], usernames={})
    ] == ["S2"]


@pytest.mark.django_db
def test_no_page_shows_developer_words(demo, client):
    from bastion.evaluation.models import Scheme

    scheme_codes = list(Scheme.objects.filter(owner__isnull=True).values_list("code", flat=True))
    assert "arena" in scheme_codes
    users = get_user_model().objects.in_bulk(PERSONAS, field_name="username")
    usernames = {username: user.display_name for username, user in users.items()}
    failures, crawled = [], 0
    for persona in PERSONAS:
        client.logout()
        login(client, users[persona])
        count = 0
        for page in crawl(client, limit=PAGES_PER_PERSONA):
            count += 1
            if not page.text:
                continue
            for word in developer_words(
                shown_text(page.text), scheme_codes=scheme_codes, usernames=usernames
            ):
                failures.append(f"{persona} {page.url}: {word}")
        assert count > 20, f"{persona} reached only {count} pages"
        crawled += count
    assert not failures, f"{len(failures)} hits in {crawled} pages:\n" + "\n".join(
        sorted(set(failures))[:200]
    )


KASHGAR = "《国网新疆喀什供电公司：“党建+”业务领航 推动全面融合发展》"
FUZHOU = "《国网福州供电公司：“新时代红色堡垒工程”卓越实践》"
RULES = "《中国共产党支部工作条例（试行）》（第三方整理）"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("S1 喀什供电公司：党员积分手册", f"{KASHGAR}：党员积分手册"),
        ("S4 福州 新时代红色堡垒工程：二十四节气表", f"{FUZHOU}：二十四节气表"),
        (f"{RULES}；DOMAIN.md 规则", RULES),
        ("DOMAIN.md 规则：30天无活动", "系统默认规则：30天无活动"),
        ("党小组会（S1、S4）", f"党小组会（{KASHGAR}、{FUZHOU}）"),
        ("S10 变电站；GS1", "S10 变电站；GS1"),
        ("", ""),
    ],
)
def test_a_source_reads_as_the_documents_title(stored, shown):
    from bastion.core.sources import readable_source

    assert readable_source(stored) == shown


def test_a_scope_refusal_speaks_chinese(tree, personas):
    from bastion.core.api import _permission_message
    from bastion.core.scope import OutsideScope, ensure_in_scope

    with pytest.raises(OutsideScope) as caught:
        ensure_in_scope(personas.county, tree.company, "change")
    message = str(caught.value)
    assert "outside" not in message and "管理范围" in message
    assert caught.value.permission == "orgs.change_organization"
    assert "管理范围" in str(_permission_message(caught.value))  # what the API answers


def test_the_api_shows_a_source_as_its_title():
    from bastion.core.api_fields import ReadableSourceField

    field = ReadableSourceField(read_only=True)
    assert field.to_representation("S1 喀什供电公司：党员积分手册") == f"{KASHGAR}：党员积分手册"
