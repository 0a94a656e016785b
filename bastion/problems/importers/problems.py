"""Problems of an inspection report (问题清单) in Excel: template and the all-or-nothing import.

Each row is one problem. Organizations are found by code, the responsible person by 工号 on the
responsible organization's roster, the inspection by its number; all within the importer's
scope. Every row is checked by the same rules as the form (``services.filing``); one bad row and
nothing is written. Rows are then filed in order through ``problem_create`` (library, owner,
recurrence, escalation as for a hand-filed problem) in one transaction.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from bastion.core.excel import Column, ExcelImport, Row, build_workbook
from bastion.orgs.models import Organization, Person

from ..models import Category, Inspection, Source, Tier
from ..services import filing
from ..services.notify import notify_assigned

PERMISSION = "problems.import_problem"
SHEET_TITLE = "问题清单"

COLUMNS = (
    Column(
        "inspection",
        "检查编号",
        kind="code",
        max_length=12,
        width=10,
        help=_l("可选：问题来源检查的编号（检查记录页面上的编号）；留空为自行录入。"),
    ),
    Column("description", "问题描述", required=True, max_length=2000, width=40),
    Column(
        "organization",
        "组织编码",
        required=True,
        kind="code",
        max_length=60,
        width=14,
        help=_l("问题所在组织的编码。"),
    ),
    Column(
        "category", "类别", required=True, kind="choice", choices=tuple(Category.choices), width=12
    ),
    Column(
        "tier",
        "问题层次",
        required=True,
        max_length=20,
        width=10,
        help=_l("1 偶发轻微、2 多发一般、3 重点难点、4 需上级研究解决；填数字或名称。"),
    ),
    Column(
        "responsible_org",
        "责任组织编码",
        required=True,
        kind="code",
        max_length=60,
        width=14,
        help=_l("问题所在组织本身或其下级组织的编码。"),
    ),
    Column(
        "responsible_person",
        "责任人工号",
        kind="code",
        max_length=30,
        width=12,
        help=_l("可选：须为责任组织名册中的人员。"),
    ),
    Column("measures", "整改措施", max_length=2000, width=30),
    Column(
        "deadline", "整改时限", required=True, kind="date", width=12, help=_l("不能早于发现日期。")
    ),
    Column("found_on", "发现日期", required=True, kind="date", width=12, help=_l("不能晚于今天。")),
)
HEADERS = {c.key: c.header for c in COLUMNS}
NOTES = (
    _l(
        "第1行为表头（上方可留标题行），表头文字请勿修改；表头下每行为一个问题。带 * 的列必须填写。"
    ),
    _l("问题库按问题层次自动确定；一年内同一组织出现同类问题时自动标记为反复出现。"),
    _l("接受 .xlsx 文件和 .csv 文件（UTF-8 或 GBK 编码）；任何一行有错误时整个文件都不会导入。"),
)


def template() -> bytes:
    return build_workbook(title=SHEET_TITLE, columns=COLUMNS, rows=(), notes=NOTES)


def parse_tier(text: str) -> int | None:
    text = (text or "").strip()
    if text[:1] in {"1", "2", "3", "4"} and (len(text) == 1 or text[1] == " "):
        return int(text[0])
    for value, label in Tier.choices:
        if text == str(label):
            return value
    return None


class ProblemsImport(ExcelImport):
    """Each row through the form's checks; then every row filed, in order, in one transaction."""

    columns = COLUMNS
    progress_every = 200  # each row costs a few queries (the form's checks)

    def prepare(self) -> None:
        self.planned: list[dict] = []
        codes = self._values("organization") | self._values("responsible_org")
        self.orgs = {
            o.code: o
            for o in Organization.objects.permitted(self.actor, PERMISSION).filter(code__in=codes)
        }
        self.people = {}
        for person in Person.objects.filter(
            employee_no__in=self._values("responsible_person")
        ).select_related("organization"):
            self.people[person.employee_no] = person
        ids = [int(i) for i in self._values("inspection") if i.isdigit()]
        self.inspections = {
            str(i.pk): i for i in Inspection.objects.restrict(self.actor, "view").filter(pk__in=ids)
        }

    def _values(self, key: str) -> set[str]:
        return set(self.column_values(key))

    def _org(self, number, key, code):
        if not code:
            return None
        org = self.orgs.get(code)
        if org is None:
            message = _("组织编码“%(code)s”不存在或不在您的管理范围内。")
            self.errors.add(number, HEADERS[key], message % {"code": code})
        return org

    def validate_row(self, row: Row) -> None:
        number, data = row.number, row.data
        fields = {
            "description": data.get("description"),
            "category": data.get("category"),
            "measures": data.get("measures") or "",
            "deadline": data.get("deadline"),
            "found_on": data.get("found_on"),
            "organization": self._org(number, "organization", data.get("organization")),
            "responsible_org": self._org(number, "responsible_org", data.get("responsible_org")),
            "responsible_person": None,
            "inspection": None,
            "source": Source.MANUAL,
            "library": None,
        }
        self._tier(number, data, fields)
        fields["responsible_person"] = self._person(number, data)
        self._inspection(number, data, fields)
        if number not in self.errors.bad_rows:
            self._check(number, fields)
        bad = number in self.errors.bad_rows
        self.add_preview(number, "error" if bad else "create", data)
        if not bad:
            self.planned.append(fields)

    def _tier(self, number: int, data: dict, fields: dict) -> None:
        if data.get("tier"):
            fields["tier"] = parse_tier(data["tier"])
            if fields["tier"] is None:
                message = _("“%(v)s”不是有效的问题层次，请填写 1–4。")
                self.errors.add(number, HEADERS["tier"], message % {"v": data["tier"]})

    def _person(self, number: int, data: dict):
        if not data.get("responsible_person"):
            return None
        person = self.people.get(data["responsible_person"])
        if person is None:
            message = _("工号“%(no)s”对应的人员不存在。")
            self.errors.add(
                number, HEADERS["responsible_person"], message % {"no": data["responsible_person"]}
            )
        return person

    def _inspection(self, number: int, data: dict, fields: dict) -> None:
        if data.get("inspection"):
            inspection = self.inspections.get(data["inspection"])
            if inspection is None:
                message = _("检查编号“%(v)s”不存在或不在您的管理范围内。")
                self.errors.add(number, HEADERS["inspection"], message % {"v": data["inspection"]})
            fields["inspection"], fields["source"] = inspection, Source.INSPECTION

    def _check(self, number: int, fields: dict) -> None:
        """The form's rules (``services.filing``), each refusal under its column."""
        try:
            filing._check_problem(dict(fields), self.actor, PERMISSION)
        except PermissionDenied as exc:
            self.errors.add(number, HEADERS["organization"], str(exc))
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                self.errors.add(number, HEADERS.get(key, ""), " ".join(messages))

    def counts(self) -> dict:
        return {"created": 0 if self.errors else len(self.planned)}

    def commit_rows(self) -> None:
        filed = [
            filing.problem_create(actor=self.actor, notify=False, **fields)
            for fields in self.planned
        ]
        notify_assigned(filed, actor=self.actor)  # one message per person for the whole file
