"""Evidence: upload checks (type from the content, size from a setting, every refusal names the
file), the abstract model's stored name and folder, and the one scoped download."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from bastion.agenda.models import GuideAttachment, GuidePage
from bastion.agenda.tests.meetings_factories import (
    jpeg_bytes,
    ole_bytes,
    ooxml_bytes,
    pdf_bytes,
    png_bytes,
    upload,
)
from bastion.core import evidence as checks
from bastion.problems.models import ProblemEvidence

XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
PPTX_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


@pytest.mark.parametrize(
    "name,content,code,kind",
    [
        ("合影.png", png_bytes(), "png", "photo"),
        ("会场.JPG", jpeg_bytes(), "jpeg", "photo"),
        ("会场.jpeg", jpeg_bytes(), "jpeg", "photo"),
        ("记录.pdf", pdf_bytes(), "pdf", "document"),
        ("记录.docx", ooxml_bytes(), "docx", "document"),
        ("签到表.xlsx", ooxml_bytes(XLSX_MAIN, "/xl/workbook.xml"), "xlsx", "document"),
        ("课件.pptx", ooxml_bytes(PPTX_MAIN, "/ppt/presentation.xml"), "pptx", "document"),
        ("旧记录.doc", ole_bytes(), "doc", "document"),
        ("旧签到表.xls", ole_bytes(), "xls", "document"),
    ],
)
def test_accepted_types_are_recognised_from_content(name, content, code, kind):
    checked = checks.check_upload(upload(name, content))
    assert (checked.file_type.code, checked.kind) == (code, kind)
    assert checked.size == len(content) and checked.original_name == name
    assert checked.storage_name().endswith("." + checked.file_type.extensions[0])


@pytest.mark.parametrize(
    "name,content",
    [
        ("合影.jpg", "我是一段文字，不是图片".encode()),  # a text file dressed as a photo
        ("脚本.exe", b"MZ\x90\x00" + b"\x00" * 60),
        ("压缩包.docx", ooxml_bytes("application/xml", "/data.xml")),  # zip, not a document
        ("宏.docx", ooxml_bytes(DOCM_MAIN)),  # macro-enabled Word is refused
        ("坏的.docx", b"PK\x03\x04garbage"),
        ("旧课件.ppt", ole_bytes()),
        ("页面.html", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_other_content_is_refused_with_the_file_named(name, content):
    with pytest.raises(ValidationError) as exc:
        checks.check_upload(upload(name, content))
    assert f"“{name}”" in exc.value.messages[0]
    assert "不是允许的类型" in exc.value.messages[0]


def test_extension_must_match_the_content():
    with pytest.raises(ValidationError) as exc:
        checks.check_upload(upload("合影.jpg", png_bytes()))
    assert exc.value.messages == [
        "文件“合影.jpg”的内容是 PNG 文件，与扩展名不符，请核对后重新上传。"
    ]


def test_oversized_file_is_refused_with_both_sizes(settings):
    settings.BASTION_MAX_ATTACHMENT_BYTES = 1024
    content = png_bytes() + b"\x00" * 2048
    with pytest.raises(ValidationError) as exc:
        checks.check_upload(upload("大图.png", content))
    assert exc.value.messages == ["文件“大图.png”大小为 2 KB，超过上限 1 KB。"]


def test_default_limit_is_twenty_megabytes(settings):
    del settings.BASTION_MAX_ATTACHMENT_BYTES
    assert checks.max_upload_bytes() == 20 * 1024 * 1024


def test_empty_file_is_refused():
    with pytest.raises(ValidationError) as exc:
        checks.check_upload(upload("空.pdf", b""))
    assert "空文件" in exc.value.messages[0]


def test_every_bad_file_is_listed_at_once():
    files = [
        upload("好.png", png_bytes()),
        upload("坏1.jpg", b"text"),
        upload("坏2.pdf", b"not a pdf"),
    ]
    with pytest.raises(ValidationError) as exc:
        checks.check_uploads(files)
    assert len(exc.value.messages) == 2
    assert "坏1.jpg" in exc.value.messages[0] and "坏2.pdf" in exc.value.messages[1]


def test_names_lose_folders_and_control_characters():
    checked = checks.check_upload(upload("x.png", png_bytes()))
    assert checked.original_name == "x.png"
    assert checks.clean_name("..\\..\\etc/合\x00影.png") == "合影.png"
    assert checks.clean_name("") == "未命名文件"


# --- the abstract model and the download ---------------------------------------------------------


@pytest.fixture
def guide_files(db):
    page = GuidePage.objects.create(slug="dues", title="党费")
    photo = GuideAttachment.from_checked(
        checks.check_upload(upload("合影.png", png_bytes())), page=page
    )
    photo.save()
    report = GuideAttachment.from_checked(
        checks.check_upload(upload("../记录.pdf", pdf_bytes())), page=page
    )
    report.save()
    return page, photo, report


def test_a_stored_file_keeps_its_name_and_lands_in_its_records_folder(guide_files):
    page, photo, _report = guide_files
    assert (photo.original_name, photo.size) == ("合影.png", len(png_bytes()))
    assert photo.file.name.startswith(f"agenda/guide/{page.pk}/")
    assert photo.file.name.endswith(".png") and "合影" not in photo.file.name
    assert photo.is_photo and str(photo) == "合影.png"


def test_download_serves_the_original_name_sandboxed(guide_files):
    _page, photo, report = guide_files
    response = checks.download(GuideAttachment.objects.all(), report.pk)
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_only_a_photo_is_shown_inline(guide_files):
    _page, photo, report = guide_files
    assert "inline" in photo.response(inline=True)["Content-Disposition"]
    assert "attachment" in report.response(inline=True)["Content-Disposition"]


def test_a_file_outside_the_rows_is_not_found(guide_files):
    _page, photo, _report = guide_files
    with pytest.raises(Http404):
        checks.download(GuideAttachment.objects.exclude(pk=photo.pk), photo.pk)
    with pytest.raises(Http404):
        checks.download(GuideAttachment.objects.all(), "x")


def test_a_missing_stored_file_is_not_found(guide_files):
    _page, photo, _report = guide_files
    photo.file.delete(save=False)
    with pytest.raises(Http404):
        checks.download(GuideAttachment.objects.all(), photo.pk)


def test_every_evidence_model_shares_the_fields():
    names = {"file", "original_name", "size", "uploaded_at"}
    assert names <= {f.name for f in ProblemEvidence._meta.get_fields()}
    assert issubclass(ProblemEvidence, checks.EvidenceFile)
