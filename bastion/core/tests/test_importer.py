"""The importer skeleton (``ExcelImport``): bounds, progress, preview, all-or-nothing commit."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.utils import translation

from bastion.core import excel
from bastion.core.excel import Column, ExcelImport, Importer, Row, build_workbook
from bastion.core.excel.cells import MAX_ERRORS
from bastion.core.jobs import import_job_create
from bastion.core.models import ImportJob

NAME = Column("name", "名称", required=True, max_length=20)
COLUMNS = (NAME,)


class GroupsImport(ExcelImport):
    """One auth group per row: a stand-in for a domain importer."""

    columns = COLUMNS
    progress_every = 2

    def prepare(self):
        self.names: list[str] = []

    def validate_row(self, row: Row) -> None:
        name = row.data.get("name")
        if name == "坏":
            self.errors.add(row.number, NAME.header, "不能叫“坏”。")
        if row.number in self.errors.bad_rows:
            return self.add_preview(row.number, "error", row.data)
        self.names.append(name)
        self.add_preview(row.number, "create", row.data)

    def counts(self):
        return {"created": len(self.names)}

    def commit_rows(self):
        for name in self.names:
            Group.objects.create(name=name)
            if name == "冲突":
                raise IntegrityError("duplicate")
            if name == "拒绝":
                raise ValidationError("名称被拒绝。")


def upload(*names, filename="名册.xlsx"):
    data = build_workbook(title="表", columns=COLUMNS, rows=[[n] for n in names])
    return SimpleUploadedFile(filename, data)


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.mark.django_db
def test_a_good_file_is_previewed_then_written_whole():
    calls = []
    preview = GroupsImport.run(
        actor=None,
        file=upload("甲", "乙", "丙", "丁", "戊"),
        dry_run=True,
        progress=lambda *a: calls.append(a),
    )
    assert preview.ok and preview.created == 5 and preview.total_rows == 5
    assert calls == [(0, 5), (2, 5), (4, 5), (5, 5)]
    assert [(r["_row"], r["_action"], r["名称"]) for r in preview.preview][:2] == [
        (2, "create", "甲"),
        (3, "create", "乙"),
    ]
    assert not Group.objects.exists()
    result = GroupsImport.run(actor=None, file=upload("甲", "乙"))
    assert result.ok and sorted(Group.objects.values_list("name", flat=True)) == ["乙", "甲"]


@pytest.mark.django_db
def test_one_bad_row_and_nothing_is_written_with_its_row_and_column():
    result = GroupsImport.run(actor=None, file=upload("甲", "坏", "长" * 21))
    assert not result.ok and not Group.objects.exists()
    assert [(e["row"], e["column"]) for e in result.errors] == [(3, "名称"), (4, "名称")]
    assert [r["_action"] for r in result.preview] == ["create", "error", "error"]


@pytest.mark.django_db
@pytest.mark.parametrize("name,words", [("冲突", "数据冲突"), ("拒绝", "名称被拒绝")])
def test_a_refusal_while_writing_rolls_everything_back(name, words):
    result = GroupsImport.run(actor=None, file=upload("甲", name))
    assert not result.ok and result.created == 0
    assert words in result.errors[0]["message"] and result.errors[0]["row"] == 0
    assert not Group.objects.exists()


def test_too_many_rows_are_refused_before_any_row_is_checked():
    class Small(GroupsImport):
        max_rows = 2

    result = Small.run(actor=None, file=upload("甲", "乙", "丙"))
    assert "2行的上限" in result.errors[0]["message"] and result.total_rows == 0
    assert Small.run(actor=None, file=upload("甲", "乙"), dry_run=True).ok


def test_errors_stop_being_listed_past_the_limit():
    errors = excel.RowErrors()
    for row in range(MAX_ERRORS + 5):
        errors.add(row + 2, "名称", "错")
    errors.add(2, "名称", "错")  # the same refusal twice is listed once
    listed = errors.sorted()
    assert len(listed) == MAX_ERRORS + 1 and "其余未列出" in listed[0]["message"]
    assert len(errors.bad_rows) == MAX_ERRORS + 5


@pytest.fixture
def groups_importer():
    excel.register_importer(
        Importer("groups", "组", "orgs.import_person", GroupsImport.run, COLUMNS, lambda: b"")
    )
    yield
    excel._importers.pop("groups")


def test_a_job_names_the_users_own_file(personas, groups_importer):
    bad = SimpleUploadedFile("我的名册.xlsx", b"not a workbook")
    job = import_job_create(actor=personas.secretary_a, kind="groups", uploaded_file=bad)
    assert job.status == ImportJob.Status.INVALID
    assert "我的名册.xlsx" in job.errors[0]["message"]
    assert job.original_name not in job.file.name
