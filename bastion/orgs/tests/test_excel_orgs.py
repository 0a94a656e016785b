"""Organization tree import and export: new subtrees, refused moves, scope, the no-op round trip."""

import datetime as dt
import io

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.utils import translation

from bastion.orgs.importers import export_organizations_xlsx, run_import, template_xlsx
from bastion.orgs.models import Organization
from bastion.orgs.tests.test_excel_people import counts, upload, workbook

ORG_HEADERS = [
    "组织编码*",
    "组织名称*",
    "简称",
    "组织类型*",
    "单位类别*",
    "上级组织编码",
    "成立日期",
    "本届班子任期开始",
    "本届班子任期届满",
    "联系电话",
    "地址",
]


@pytest.fixture(autouse=True)
def chinese():
    """Messages are asserted in Chinese, whatever language an earlier test left active."""
    with translation.override("zh-hans"):
        yield


def org_row(**values) -> list:
    values = {"组织类型": "党支部", "单位类别": "基层供电所", **values}
    return [values.get(h.rstrip("*")) for h in ORG_HEADERS]


def import_orgs(actor, rows, **kwargs):
    return run_import(
        kind="organizations", actor=actor, file=upload(workbook(rows, ORG_HEADERS)), **kwargs
    )


def refused(actor, rows):
    before = counts()
    result = import_orgs(actor, rows)
    assert not result.ok
    assert counts() == before
    return [(e["row"], e["column"], e["message"]) for e in result.errors]


def test_new_subtree_is_created_under_an_organization_in_scope(personas, tree):
    county = personas.county
    rows = [
        org_row(
            组织编码="C-A-3-G1", 组织名称="A3第一党小组", 组织类型="党小组", 上级组织编码="C-A-3"
        ),
        org_row(
            组织编码="C-A-3",
            组织名称="A3供电所党支部",
            上级组织编码="C-A",
            成立日期="2019-05-04",
            本届班子任期开始=dt.date(2021, 1, 1),
            本届班子任期届满="2024/1/1",
        ),
    ]
    before = LogEntry.objects.count()
    result = import_orgs(county, rows)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    station = Organization.objects.get(code="C-A-3")
    group = Organization.objects.get(code="C-A-3-G1")
    assert Organization.objects.get_parent(station) == tree.county_a
    assert Organization.objects.get_parent(group) == station
    assert station.established_on == dt.date(2019, 5, 4)
    assert station.term_ends_on == dt.date(2024, 1, 1)
    entries = LogEntry.objects.order_by("pk")[before:]
    assert {(e.object_id, e.action, e.actor_id) for e in entries} == {
        (station.pk, LogEntry.Action.CREATE, county.pk),
        (group.pk, LogEntry.Action.CREATE, county.pk),
    }
    assert Organization.objects.find_problems() == ([], [], [], [], [])


def test_existing_organization_is_updated_with_an_audit_entry(personas, tree):
    rows = [
        org_row(组织编码="C-A-1", 组织名称="A1供电所党支部", 简称="A1所", 联系电话="0731 84561234")
    ]
    result = import_orgs(personas.county, rows)
    assert (result.updated, result.created) == (1, 0), result.errors
    tree.station_a1.refresh_from_db()
    assert (tree.station_a1.short_name, tree.station_a1.phone) == ("A1所", "0731-84561234")
    entry = LogEntry.objects.get_for_object(tree.station_a1).latest("pk")
    assert entry.action == LogEntry.Action.UPDATE and entry.actor == personas.county
    assert entry.changes == {"short_name": ["", "A1所"], "phone": ["", "0731-84561234"]}


def test_export_imported_back_changes_nothing(personas, tree):
    for user in (personas.company, personas.county):
        data = export_organizations_xlsx(Organization.objects.restrict(user, "export"), actor=user)
        before = counts()
        result = run_import(kind="organizations", actor=user, file=upload(data))
        assert result.ok, result.errors
        visible = Organization.objects.restrict(user, "export").count()
        assert (result.created, result.updated, result.unchanged) == (0, 0, visible)
        assert counts() == before


def test_export_leaves_a_parent_outside_the_scope_blank(personas):
    user = personas.county
    data = export_organizations_xlsx(Organization.objects.restrict(user, "export"), actor=user)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    parents = {r[0]: r[5] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert parents == {"C-A": None, "C-A-1": "C-A", "C-A-1-G1": "C-A-1", "C-A-2": "C-A"}


def test_changed_parent_is_refused_pointing_to_the_move_page(personas):
    errors = refused(
        personas.company, [org_row(组织编码="C-A-1", 组织名称="A1", 上级组织编码="C-B")]
    )
    number, column, message = errors[0]
    assert len(errors) == 1 and (number, column) == (2, "上级组织编码") and "移动组织" in message


def test_top_level_organization_needs_a_superuser(personas, db):
    rows = [org_row(组织编码="X", 组织名称="新党委", 组织类型="党委", 单位类别="市公司")]
    errors = refused(personas.company, rows)
    assert errors == [(2, "上级组织编码", "新建顶级组织需要系统管理员权限；请填写上级组织编码。")]
    root = personas.company.__class__.objects.create(username="root", is_superuser=True)
    result = import_orgs(root, rows)
    assert result.created == 1, result.errors
    assert Organization.objects.get(code="X").depth == 1


@pytest.mark.parametrize("parent", ["C-B", "NOPE"], ids=["out-of-scope", "unknown"])
def test_parent_outside_scope_or_unknown_gets_one_message(personas, parent):
    errors = refused(
        personas.county, [org_row(组织编码="N1", 组织名称="新支部", 上级组织编码=parent)]
    )
    assert errors == [(2, "上级组织编码", f"上级组织编码“{parent}”不存在或不在您的管理范围内。")]


def test_existing_code_outside_scope_is_refused(personas):
    errors = refused(
        personas.county, [org_row(组织编码="C-B-1", 组织名称="B1", 上级组织编码="C-A")]
    )
    assert errors[0][:2] == (2, "组织编码") and len(errors) == 1


def test_branch_secretary_cannot_import_organizations(personas):
    errors = refused(
        personas.secretary_a, [org_row(组织编码="N1", 组织名称="新小组", 上级组织编码="C-A-1")]
    )
    assert errors[0][:2] == (2, "上级组织编码")


def test_duplicate_codes_in_the_file_name_both_rows(personas):
    rows = [
        org_row(组织编码="N1", 组织名称="甲", 上级组织编码="C-A"),
        org_row(组织编码="N1", 组织名称="乙", 上级组织编码="C-A"),
    ]
    errors = refused(personas.county, rows)
    assert [(r, c) for r, c, _m in errors] == [(2, "组织编码"), (3, "组织编码")]
    assert "第2行和第3行重复" in errors[0][2]


def test_parent_cycle_among_new_rows_is_refused(personas):
    rows = [
        org_row(组织编码="N1", 组织名称="甲", 上级组织编码="N2"),
        org_row(组织编码="N2", 组织名称="乙", 上级组织编码="N1"),
    ]
    errors = refused(personas.county, rows)
    assert [(r, c) for r, c, _m in errors] == [(2, "上级组织编码"), (3, "上级组织编码")]
    assert "循环" in errors[0][2]


def test_term_dates_out_of_order_are_reported_by_model_validation(personas):
    rows = [
        org_row(
            组织编码="N1",
            组织名称="甲",
            上级组织编码="C-A",
            本届班子任期开始="2024-01-01",
            本届班子任期届满="2023-01-01",
        )
    ]
    assert refused(personas.county, rows) == [
        (2, "本届班子任期届满", "任期届满日期应晚于任期开始日期。")
    ]


def test_unknown_kind_label_lists_the_allowed_ones(personas):
    errors = refused(
        personas.county,
        [org_row(组织编码="N1", 组织名称="甲", 上级组织编码="C-A", 组织类型="支部")],
    )
    assert (
        errors[0][:2] == (2, "组织类型")
        and "党委、党总支、党支部、临时党支部、党小组" in errors[0][2]
    )


def test_template_for_organizations():
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx("organizations")))
    assert book.sheetnames == ["组织", "填写说明"]
    assert [c.value for c in book.worksheets[0][1]] == ORG_HEADERS
