"""Dues payments (党费缴纳) in Excel: template, export of a ledger, and the all-or-nothing import.

Each row is one member's payment for one month. The member is found by 工号, else by 身份证号,
among the members of the branches the importer may import for; anyone else reads as unknown.
Every row is checked before anything is written; one bad row and nothing is written.
"""

from __future__ import annotations

import datetime as dt

from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from bastion.core.excel import Column, ExcelImport, Row, build_workbook, chunks
from bastion.core.idcard import canonical, mask_id_number, normalize, upgrade_legacy
from bastion.core.scope import grant
from bastion.core.services import audit_bulk
from bastion.orgs.models import Organization, Person
from bastion.orgs.models.organization import OrganizationKind

from ..models import DuesPayment
from ..services import dues as dues_services
from ..services.dues_fulfilment import collecting_paths, refresh_dues_obligations

PERMISSION = "agenda.import_duespayment"
SHEET_TITLE = "党费缴纳"

COLUMNS = (
    Column(
        "name",
        "姓名",
        kind="name",
        max_length=50,
        width=10,
        help=_l("用于核对：填写时须与系统中的姓名一致。"),
    ),
    Column(
        "id_number",
        "身份证号",
        kind="code",
        max_length=30,
        width=22,
        help=_l("18位身份证号码（15位旧号码自动换算）；填了工号时可留空。请将该列设为“文本”格式。"),
    ),
    Column(
        "employee_no",
        "工号",
        kind="code",
        max_length=30,
        width=12,
        help=_l("按工号查找党员；没有工号时按身份证号查找。"),
    ),
    Column(
        "month",
        "所属月份",
        required=True,
        kind="number",
        max_length=20,
        width=10,
        help=_l("党费所属的月份，按 YYYY-MM 填写，如 2025-03。"),
    ),
    Column(
        "amount",
        "金额",
        required=True,
        kind="number",
        max_length=20,
        width=10,
        help=_l("当月缴纳的金额（元），大于 0，最多两位小数。"),
    ),
    Column("paid_on", "缴纳日期", required=True, kind="date", width=12, help=_l("不能晚于今天。")),
    Column(
        "organization_name",
        "收缴组织",
        informative=True,
        width=24,
        help=_l("收缴党费的党支部，仅供阅读；导入时按党员所在支部确定。"),
    ),
)
HEADERS = {c.key: c.header for c in COLUMNS}
NOTES = (
    _l(
        "第1行为表头（上方可留标题行），表头文字请勿修改；表头下每行为一名党员一个月的党费。"
        "带 * 的列必须填写。"
    ),
    _l("工号和身份证号至少填写一项；按季度缴纳时请为该季度的每个月各填一行，缴纳日期相同。"),
    _l("同一党员同一月份只能登记一次：文件中重复或系统中已登记的月份都会报错。"),
    _l(
        "接受 .xlsx 文件和 .csv 文件（UTF-8 或 GBK 编码），不能含公式或合并的表头；"
        "任何一行有错误时整个文件都不会导入。"
    ),
)


def template() -> bytes:
    return build_workbook(title=SHEET_TITLE, columns=COLUMNS, rows=(), notes=NOTES)


def export(payments, *, actor) -> bytes:
    """``payments`` must already be restricted; the file imports back as it is. ID numbers are
    masked unless the actor may see them (工号 then identifies the member)."""
    sensitive = grant(actor, "orgs.view_sensitive_person")
    rows = payments.order_by("person__organization__path", "person__name", "person_id", "month")
    rows = rows.values_list(
        "person__name",
        "person__id_number",
        "person__employee_no",
        "month",
        "amount",
        "paid_on",
        "organization__name",
        "person__organization__path",
    )

    def line(values):
        name, id_number, employee_no, month, amount, paid_on, org_name, path = values
        if id_number and not sensitive.covers(path):
            id_number = mask_id_number(id_number)
        return [
            name,
            id_number or "",
            employee_no or "",
            f"{month:%Y-%m}",
            f"{amount:.2f}",
            paid_on,
            org_name,
        ]

    return build_workbook(
        title=SHEET_TITLE,
        columns=COLUMNS,
        rows=(line(v) for v in rows.iterator(chunk_size=2000)),
        notes=NOTES,
    )


class PaymentsImport(ExcelImport):
    """Validates every row against the database read once, then writes in bulk."""

    columns = COLUMNS
    conflict_reason = _l("可能有人同时登记了党费")

    def prepare(self) -> None:
        self.scope = grant(self.actor, PERMISSION)
        self.planned: list[DuesPayment] = []
        self.seen: dict[tuple[int, dt.date], int] = {}
        people: dict[int, Person] = {}
        base = Person.objects.select_related("organization")
        for chunk in chunks(self.column_values("employee_no")):
            people.update((p.pk, p) for p in base.filter(employee_no__in=chunk))
        ids = [n for n in self.column_values("id_number", canonical) if "*" not in n]
        for chunk in chunks(ids):
            people.update((p.pk, p) for p in base.filter(id_number__in=chunk))
        self.branches = self._branches(people.values())
        people = {pk: p for pk, p in people.items() if self._in_scope(p)}
        self.by_employee_no = {p.employee_no: p for p in people.values() if p.employee_no}
        self.by_id_number = {p.id_number: p for p in people.values() if p.id_number}
        self.existing = self._existing(sorted(people))

    def _existing(self, people: list[int]) -> set[tuple[int, dt.date]]:
        """(person, month) already paid, for the people and months of the file."""
        months = set()
        for text in self.column_values("month"):
            try:
                months.add(dues_services.parse_month(text))
            except ValidationError:
                continue
        existing: set[tuple[int, dt.date]] = set()
        for chunk in chunks(people):
            rows = DuesPayment.objects.filter(person_id__in=chunk, month__in=sorted(months))
            existing.update(rows.values_list("person_id", "month"))
        return existing

    def _branches(self, people) -> dict[int, Organization]:
        """Each person's collecting branch: their organization, or the nearest non-group above."""
        paths = set()
        for person in people:
            org = person.organization
            if org.kind == OrganizationKind.GROUP:
                paths.update(collecting_paths(org.path, org.depth)[1:])
        above = {}
        for chunk in chunks(sorted(paths)):
            query = Organization.objects.filter(path__in=chunk).exclude(kind=OrganizationKind.GROUP)
            above.update((o.path, o) for o in query)
        branches = {}
        for person in people:
            org = person.organization
            if org.kind == OrganizationKind.GROUP:
                candidates = collecting_paths(org.path, org.depth)[1:]
                org = next((above[p] for p in candidates if p in above), org)
            branches[person.pk] = org
        return branches

    def _in_scope(self, person: Person) -> bool:
        return self.scope.covers(self.branches[person.pk])

    # --- validation ----------------------------------------------------------------------------

    def validate_row(self, row: Row) -> None:
        number, data = row.number, row.data
        person = self._person(number, data)
        month = self._parsed(number, "month", dues_services.parse_month, data)
        amount = self._parsed(number, "amount", dues_services.parse_amount, data)
        paid_on = self._parsed(number, "paid_on", dues_services.check_paid_on, data)
        if person is not None and month is not None:
            self._check_month(number, person, month)
        if number in self.errors.bad_rows:
            self.add_preview(number, "error", data, person)
            return
        self.planned.append(
            DuesPayment(
                person=person,
                organization=self.branches[person.pk],
                month=month,
                amount=amount,
                paid_on=paid_on,
                recorded_by=self.actor,
            )
        )
        self.add_preview(number, "create", data, person)

    def _parsed(self, number: int, key: str, parse, data: dict):
        if key not in data or data[key] in (None, ""):
            return None  # already reported as missing by convert_row
        try:
            return parse(data[key])
        except ValidationError as exc:
            self.errors.add_validation(number, HEADERS[key], exc)
            return None

    def _person(self, number: int, data: dict) -> Person | None:
        employee_no = data.get("employee_no") or ""
        id_number = normalize(data.get("id_number") or "")
        upgraded = upgrade_legacy(id_number)
        if upgraded:
            message = _("15位旧号码已按18位（%(number)s）查找党员，请核对。")
            self.warnings.add(
                number, HEADERS["id_number"], message % {"number": mask_id_number(upgraded)}
            )
            id_number = data["id_number"] = upgraded
        masked = "*" in id_number
        if not employee_no and (not id_number or masked):
            message = (
                _("身份证号是脱敏号码，无法识别党员；请填写工号或完整的身份证号。")
                if masked
                else _("工号和身份证号至少填写一项。")
            )
            self.errors.add(number, HEADERS["employee_no"], message)
            return None
        by_no = self.by_employee_no.get(employee_no) if employee_no else None
        by_id = self.by_id_number.get(id_number) if id_number and not masked else None
        if employee_no and by_no is None:
            return self._unknown(number, "employee_no", employee_no)
        if not employee_no and by_id is None:
            return self._unknown(number, "id_number", id_number)
        person = by_no or by_id
        if by_no and id_number and not masked and by_id is not by_no:
            self.errors.add(
                number,
                HEADERS["id_number"],
                _("身份证号与工号“%(no)s”对应的党员“%(name)s”不一致，请核对。")
                % {"no": employee_no, "name": by_no.name},
            )
            return None
        return self._check_person(number, person, data)

    def _unknown(self, number: int, key: str, value: str) -> None:
        shown = mask_id_number(value) if key == "id_number" else value
        self.errors.add(
            number,
            HEADERS[key],
            _("%(column)s“%(value)s”对应的党员不存在或不在您的管理范围内。")
            % {"column": HEADERS[key], "value": shown},
        )
        return None

    def _check_person(self, number: int, person: Person, data: dict) -> Person | None:
        name = data.get("name")
        if name and name != person.name:
            self.errors.add(
                number,
                HEADERS["name"],
                _("姓名“%(name)s”与系统中该党员的姓名“%(actual)s”不一致，请核对。")
                % {"name": name, "actual": person.name},
            )
            return None
        if not dues_services.is_member(person):
            message = _("“%(name)s”不是党员或预备党员，无需缴纳党费。") % {"name": person.name}
            self.errors.add(number, HEADERS["name"], message)
            return None
        return person

    def _check_month(self, number: int, person: Person, month: dt.date) -> None:
        header = HEADERS["month"]
        values = {"name": person.name, "month": f"{month:%Y-%m}"}
        try:
            dues_services.check_month_owed(person, month)
        except ValidationError as exc:
            self.errors.add_validation(number, header, exc)
            return
        if (person.pk, month) in self.existing:
            message = _("“%(name)s”%(month)s的党费已登记，不能重复登记。")
            self.errors.add(number, header, message % values)
            return
        first = self.seen.setdefault((person.pk, month), number)
        if first != number:
            message = _("“%(name)s”%(month)s的党费在第%(a)d行和第%(b)d行重复。")
            message %= {**values, "a": first, "b": number}
            self.errors.add(first, header, message)
            self.errors.add(number, header, message)

    def preview_values(self, data: dict, person=None) -> dict[str, str]:
        values = super().preview_values(data)
        if values.get(HEADERS["id_number"]):
            values[HEADERS["id_number"]] = mask_id_number(normalize(values[HEADERS["id_number"]]))
        if person is not None and person.pk in self.branches:
            values[HEADERS["organization_name"]] = self.branches[person.pk].name
            values[HEADERS["name"]] = values.get(HEADERS["name"]) or person.name
        return values

    def counts(self) -> dict:
        return {"created": 0 if self.errors else len(self.planned)}

    # --- writing -------------------------------------------------------------------------------

    def commit_rows(self) -> None:
        """The payments, their audit entries, the branches' obligations."""
        created = DuesPayment.objects.bulk_create(self.planned, batch_size=1000)
        audit_bulk(
            actor=self.actor,
            model=DuesPayment,
            changes_by_object=[(p, _created_changes(p), LogEntry.Action.CREATE) for p in created],
        )
        refresh_dues_obligations({(p.organization_id, p.month) for p in created})


def _created_changes(payment: DuesPayment) -> dict:
    return {
        "person": (None, payment.person_id),
        "organization": (None, payment.organization_id),
        "month": (None, payment.month.isoformat()),
        "amount": (None, str(payment.amount)),
        "paid_on": (None, payment.paid_on.isoformat()),
    }
