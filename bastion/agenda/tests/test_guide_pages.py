"""The operation guide: seeded pages, search, sanitized Markdown, attachments, who edits."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bastion.agenda.guide_render import plain_text, render_markdown, snippet
from bastion.agenda.models import CalendarRule, GuideAttachment, GuidePage
from bastion.core.testing import PERSONAS, count_queries

from .calendar_helpers import department_below_root

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types><Override PartName="/word/document.xml" ContentType="{DOCX_MAIN}"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


# --- seeded content ----------------------------------------------------------------------


@pytest.mark.django_db
def test_seeded_pages_are_linked_from_the_seeded_rules():
    assert GuidePage.objects.count() == 8
    linked = dict(CalendarRule.objects.values_list("code", "guide__slug"))
    assert linked == {
        "branch-assembly": "branch-assembly",
        "committee": "committee-and-group-meetings",
        "group-meeting": "committee-and-group-meetings",
        "lecture": "party-lecture",
        "theme-day": "theme-day",
        "annual-review": "annual-review-and-appraisal",
        "member-appraisal": "annual-review-and-appraisal",
        "dues": "party-dues",
        "election": "branch-election",
    }
    for page in GuidePage.objects.all():
        assert page.source and len(page.body) > 800, page.slug


# --- rendering ---------------------------------------------------------------------------


def test_markdown_is_rendered_and_sanitized():
    html = render_markdown(
        "## 流程\n\n<script>alert('x')</script>\n\n"
        "| 事项 | 要求 |\n|---|---|\n| 会议 | 过半数 |\n\n"
        "[点我](javascript:alert(1)) <img src=a.png onerror=alert(2)> "
        '<a href="https://example.org" onclick="steal()">链接</a>'
    )
    assert "<h2>流程</h2>" in html and "<td>过半数</td>" in html
    assert "<script" not in html and "alert('x')" not in html
    assert "javascript:" not in html and "onerror" not in html and "onclick" not in html
    assert 'href="https://example.org"' in html


def test_snippet_quotes_around_the_match_and_escapes():
    body = "# 标题\n\n" + "前文" * 80 + "**连续六个月**不交纳党费 <b>粗</b>" + "后文" * 80
    assert plain_text("## 一、[流程](https://x.org)\n\n> 引用\n\n- 项目\n| a | b |\n|---|---|") == (
        "一、流程 引用 项目 a b"
    )
    text = snippet(body, "六个月 党费")
    assert "<mark>六个月</mark>" in text and "<mark>党费</mark>" in text
    assert "&lt;b&gt;" in text and "**" not in text
    assert text.startswith("…") and text.endswith("…")
    assert len(text) < 260


# --- pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.django_db
def test_every_signed_in_user_reads_and_searches_the_guide(client, personas, persona):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("agenda:guide_list"), {"q": "五分之四"})
    assert response.status_code == 200
    found = {page.slug for page in response.context["page"]}
    assert found == {"branch-assembly", "branch-election"}
    assert "<mark>五分之四</mark>" in response.content.decode()
    detail = client.get(reverse("agenda:guide_detail", args=["party-dues"]))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "<table>" in text and "自行脱党" in text
    assert [rule.code for rule in detail.context["linked_rules"]] == ["dues"]
    assert client.get(reverse("agenda:guide_detail", args=["nope"])).status_code == 404
    can_edit = persona == "company"
    assert (reverse("agenda:guide_edit", args=["party-dues"]) in text) == can_edit


@pytest.mark.django_db
def test_search_needs_every_word_and_says_when_nothing_matches(client, personas):
    client.force_login(personas.member)
    both = client.get(reverse("agenda:guide_list"), {"q": "党费 换届"})
    expected = {
        page.slug
        for page in GuidePage.objects.all()
        if all(word in page.title + page.summary + page.body for word in ("党费", "换届"))
    }
    assert {p.slug for p in both.context["page"]} == expected
    assert 0 < len(expected) < GuidePage.objects.filter(body__contains="党费").count()
    ranked = client.get(reverse("agenda:guide_list"), {"q": "党费"})
    assert list(ranked.context["page"])[0].slug == "party-dues"  # title matches come first
    none = client.get(reverse("agenda:guide_list"), {"q": "不存在的词"})
    assert list(none.context["page"]) == []
    assert "没有找到包含“不存在的词”的指引" in none.content.decode()
    everything = client.get(reverse("agenda:guide_list"))
    assert everything.context["page"].paginator.count == 8


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("agenda:guide_list"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.django_db
def test_editing_belongs_to_the_department(client, personas, persona):
    client.force_login(getattr(personas, persona))
    expected = 200 if persona == "company" else 403
    assert client.get(reverse("agenda:guide_create")).status_code == expected
    assert client.get(reverse("agenda:guide_edit", args=["theme-day"])).status_code == expected
    upload = SimpleUploadedFile("模板.png", PNG)
    response = client.post(
        reverse("agenda:guide_attachment_upload", args=["theme-day"]), {"file": upload}
    )
    assert response.status_code == (302 if persona == "company" else 403)


@pytest.mark.django_db
def test_a_county_department_cannot_edit(client, tree):
    client.force_login(department_below_root(tree))
    assert client.get(reverse("agenda:guide_create")).status_code == 403
    assert client.get(reverse("agenda:guide_edit", args=["theme-day"])).status_code == 403


@pytest.mark.django_db
def test_create_and_edit_a_page(client, personas):
    client.force_login(personas.company)
    data = {
        "slug": "safety-case",
        "title": "安全案例库",
        "summary": "每月一例",
        "body": "## 案例\n\n<script>steal()</script>\n\n- 一例",
        "source": "S0",
        "sort_order": "90",
    }
    response = client.post(reverse("agenda:guide_create"), data)
    assert response.status_code == 302
    page = GuidePage.objects.get(slug="safety-case")
    assert page.updated_by == personas.company
    shown = client.get(page.get_absolute_url()).content.decode()
    assert "steal()" not in shown and "<h2>案例</h2>" in shown
    again = client.post(reverse("agenda:guide_create"), {**data, "title": "重复"})
    assert "已被其他指引使用" in again.content.decode()
    reserved = client.post(reverse("agenda:guide_create"), {**data, "slug": "add"})
    assert "保留字" in reserved.content.decode()
    edit = client.post(
        reverse("agenda:guide_edit", args=["safety-case"]),
        {**data, "slug": "changed", "title": "安全案例库（修订）"},
    )
    assert edit.status_code == 302
    page.refresh_from_db()
    assert (page.slug, page.title) == ("safety-case", "安全案例库（修订）")
    empty = client.post(reverse("agenda:guide_edit", args=["safety-case"]), {**data, "body": " "})
    assert empty.status_code == 200
    assert GuidePage.objects.get(slug="safety-case").body.startswith("## 案例")


# --- attachments -------------------------------------------------------------------------


def upload(client, name, content, slug="party-dues"):
    return client.post(
        reverse("agenda:guide_attachment_upload", args=[slug]),
        {"file": SimpleUploadedFile(name, content)},
    )


@pytest.mark.django_db
def test_accepted_files_are_stored_and_downloaded_by_everyone(client, personas):
    client.force_login(personas.company)
    assert upload(client, "党费台账模板.docx", docx_bytes()).status_code == 302
    assert upload(client, "流程图.png", PNG).status_code == 302
    stored = GuideAttachment.objects.get(original_name="流程图.png")
    assert stored.file.name.endswith(".png") and "流程图" not in stored.file.name
    for persona in PERSONAS:
        client.force_login(getattr(personas, persona))
        response = client.get(reverse("agenda:guide_attachment_download", args=[stored.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PNG
        assert response["Content-Type"] == "image/png"
        assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize(
    "name,content,words",
    [
        ("通知.pdf", b"just text pretending", "不是允许的类型"),
        ("台账.xlsx", docx_bytes(), "与扩展名不符"),
        ("旧版.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "不是允许的类型"),
        ("程序.exe", b"MZ\x90\x00" + b"\x00" * 64, "不是允许的类型"),
        ("空.png", b"", "空"),
    ],
)
@pytest.mark.django_db
def test_refused_files_say_why_and_store_nothing(client, personas, name, content, words):
    client.force_login(personas.company)
    response = upload(client, name, content)
    assert response.status_code == 200
    assert words in response.content.decode()
    assert not GuideAttachment.objects.exists()


@pytest.mark.django_db
def test_files_above_the_limit_are_refused(client, personas, settings):
    settings.BASTION_MAX_ATTACHMENT_BYTES = 1024
    client.force_login(personas.company)
    response = upload(client, "大图.png", PNG + b"\x00" * 2048)
    assert "超过上限" in response.content.decode()
    assert not GuideAttachment.objects.exists()


@pytest.mark.django_db
def test_deleting_an_attachment(client, personas):
    client.force_login(personas.company)
    upload(client, "流程图.png", PNG)
    stored = GuideAttachment.objects.get()
    client.force_login(personas.county)
    url = reverse("agenda:guide_attachment_delete", args=[stored.pk])
    assert client.post(url).status_code == 403
    client.force_login(personas.company)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not GuideAttachment.objects.exists()


# --- constant queries --------------------------------------------------------------------


@pytest.mark.django_db
def test_guide_pages_cost_the_same_for_few_and_many(client, personas):
    client.force_login(personas.member)
    urls = [
        (reverse("agenda:guide_list"), None),
        (reverse("agenda:guide_list"), {"q": "会议"}),
        (reverse("agenda:guide_detail", args=["party-dues"]), None),
    ]
    small = [count_queries(client, url, params) for url, params in urls]
    page = GuidePage.objects.get(slug="party-dues")
    for i in range(30):
        GuidePage.objects.create(slug=f"extra-{i}", title=f"会议附录{i}", body="会议 内容")
        GuideAttachment.objects.create(
            page=page, file=f"agenda/guide/x{i}.png", original_name=f"附件{i}.png", size=10
        )
    CalendarRule.objects.filter(code="committee").update(guide=page)
    assert [count_queries(client, url, params) for url, params in urls] == small
