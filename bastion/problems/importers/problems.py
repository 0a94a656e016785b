"""Problems of an inspection report (问题清单) in Excel: template and the all-or-nothing import.

Each row is one problem. Organizations are found by code, the responsible person by 工号 on the
responsible organization's roster, the inspection by its number; all within the importer's
scope. Every row is checked by the same rules as the form (``services.filing``); one bad row and
nothing is written. Rows are then filed in order through ``problem_create`` (library, owner,
recurrence, escalation as for a hand-filed problem) in one transaction.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from bastion.core.excel import (
    MAX_ERRORS,
    Column,
    FileRefused,
    ImportResult,
    build_workbook,
    convert_row,
    error,
    read_sheet,
)
from bastion.core.scope import granted_paths, path_within
from bastion.orgs.models import Organization, Person

from ..models import Category, Inspection, Source, Tier
from ..services import filing

PERMISSION = "problems.import_problem"
SHEET_TITLE = "问题清单"
PREVIEW_ROWS = 20

COLUMNS = (
    Column("inspection", "检查编号", kind="code", max_length=12, width=10,
           help=_l("可选：问题来源检查的编号（检查记录页面上的编号）；留空为自行录入。")),
    Column("description", "问题描述", required=True, max_length=2000, width=40),
    Column("organization", "组织编码", required=True, kind="code", max_length=60, width=14,
           help=_l("问题所在组织的编码。")),
    Column("category", "类别", required=True, kind="choice", choices=tuple(Category.choices),
           width=12),
    Column("tier", "问题层次", required=True, max_length=20, width=10,
           help=_l("1 偶发轻微、2 多发一般、3 重点难点、4 需上级研究解决；填数字或名称。")),
    Column("responsible_org", "责任组织编码", required=True, kind="code", max_length=60,
           width=14, help=_l("问题所在组织本身或其下级组织的编码。")),
    Column("responsible_person", "责任人工号", kind="code", max_length=30, width=12,
           help=_l("可选：须为责任组织名册中的人员。")),
    Column("measures", "整改措施", max_length=2000, width=30),
    Column("deadline", "整改时限", required=True, kind="date", width=12,
           help=_l("不能早于发现日期。")),
    Column("found_on", "发现日期", required=True, kind="date", width=12,
           help=_l("不能晚于今天。")),
)  # fmt: skip
HEADERS = {c.key: c.header for c in COLUMNS}
NOTES = (
    _l("第1行为表头，请勿修改；从第2行开始每行为一个问题。带 * 的列必须填写。"),
    _l("问题库按问题层次自动确定；一年内同一组织出现同类问题时自动标记为反复出现。"),
    _l("只接受 .xlsx 文件；任何一行有错误时整个文件都不会导入。"),
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


def run(*, actor, file, dry_run: bool = False, progress=None) -> ImportResult:
    try:
        sheet = read_sheet(file, COLUMNS)
    except FileRefused as exc:
        return ImportResult(errors=exc.errors, dry_run=dry_run)
    job = ProblemsImport(actor, sheet)
    job.validate(progress)
    result = job.result(dry_run)
    if result.ok and not dry_run:
        try:
            job.write()
        except (ValidationError, PermissionDenied) as exc:
            messages = getattr(exc, "messages", None) or [str(exc)]
            result.errors = [error(0, "", _("写入时出错，未写入任何数据：%(m)s")
                                   % {"m": " ".join(messages)})]  # fmt: skip
            result.created = 0
    return result


class ProblemsImport:
    def __init__(self, actor, sheet):
        self.actor = actor
        self.sheet = sheet
        self.labels = sheet.labels()
        self.granted = granted_paths(actor, PERMISSION)
        self.errors: list[dict] = []
        self.planned: list[dict] = []
        self.preview: list[dict] = []
        self._prefetch()

    def _values(self, key: str) -> set[str]:
        index = next((i for i, c in enumerate(self.sheet.columns) if c.key == key), None)
        if index is None:
            return set()
        found = set()
        for _number, raw in self.sheet.rows:
            value = raw[index]
            if value not in (None, ""):
                text = str(int(value)) if isinstance(value, float) and value.is_integer() else value
                found.add(str(text).strip())
        return found

    def _prefetch(self) -> None:
        codes = self._values("organization") | self._values("responsible_org")
        self.orgs = {
            o.code: o
            for o in Organization.objects.filter(code__in=codes)
            if path_within(o.path, self.granted)
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

    def add(self, row: int, column: str, message) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error(row, column, str(message)))

    def validate(self, progress) -> None:
        rows = self.sheet.rows
        for index, (number, raw) in enumerate(rows):
            if progress and index % 200 == 0:
                progress(index, len(rows))
            self.row(number, raw)
        if progress:
            progress(len(rows), len(rows))

    def _org(self, number, key, code):
        if not code:
            return None
        org = self.orgs.get(code)
        if org is None:
            self.add(number, HEADERS[key], _("组织编码“%(code)s”不存在或不在您的管理范围内。")
                     % {"code": code})  # fmt: skip
        return org

    def row(self, number: int, raw: tuple) -> None:
        data, problems = convert_row(self.sheet.columns, raw, self.labels)
        bad = bool(problems)
        for column, message in problems:
            self.add(number, column.header, message)
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
        if data.get("organization") and fields["organization"] is None:
            bad = True
        if data.get("responsible_org") and fields["responsible_org"] is None:
            bad = True
        if data.get("tier"):
            fields["tier"] = parse_tier(data["tier"])
            if fields["tier"] is None:
                self.add(number, HEADERS["tier"], _("“%(v)s”不是有效的问题层次，请填写 1–4。")
                         % {"v": data["tier"]})  # fmt: skip
                bad = True
        if data.get("responsible_person"):
            person = self.people.get(data["responsible_person"])
            if person is None:
                self.add(
                    number,
                    HEADERS["responsible_person"],
                    _("工号“%(no)s”对应的人员不存在。") % {"no": data["responsible_person"]},
                )
                bad = True
            fields["responsible_person"] = person
        if data.get("inspection"):
            inspection = self.inspections.get(data["inspection"])
            if inspection is None:
                self.add(number, HEADERS["inspection"],
                         _("检查编号“%(v)s”不存在或不在您的管理范围内。")
                         % {"v": data["inspection"]})  # fmt: skip
                bad = True
            fields["inspection"], fields["source"] = inspection, Source.INSPECTION
        if not bad:
            try:
                filing._check_problem(dict(fields), self.actor, PERMISSION)
            except PermissionDenied as exc:
                self.add(number, HEADERS["organization"], str(exc))
                bad = True
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    self.add(number, HEADERS.get(key, ""), " ".join(messages))
                bad = True
        if len(self.preview) < PREVIEW_ROWS:
            values = {
                c.header: (data.get(c.key).isoformat() if isinstance(data.get(c.key), dt.date)
                           else data.get(c.key) or "")
                for c in self.sheet.columns
            }  # fmt: skip
            self.preview.append({"_row": number, "_action": "error" if bad else "create", **values})
        if not bad:
            self.planned.append(fields)

    def result(self, dry_run: bool) -> ImportResult:
        return ImportResult(
            errors=sorted(self.errors, key=lambda e: e["row"]),
            total_rows=len(self.sheet.rows),
            created=0 if self.errors else len(self.planned),
            preview=self.preview,
            dry_run=dry_run,
        )

    def write(self) -> None:
        with transaction.atomic():
            for fields in self.planned:
                filing.problem_create(actor=self.actor, **fields)
