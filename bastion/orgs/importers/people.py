"""The people roster (人员名册) in Excel: template, export, and the all-or-nothing import.

Rows are matched to existing people by 工号, else by 身份证号码, else (neither given) by name
within the organization, so an exported roster imported back changes nothing.
"""

from __future__ import annotations

from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from bastion.core.excel import Column, ExcelImport, Row, build_workbook, chunks
from bastion.core.idcard import (
    canonical,
    mask_id_number,
    normalize,
    upgrade_legacy,
    validate_id_number,
)
from bastion.core.pinyin import pinyin_keys
from bastion.core.scope import grant
from bastion.core.services import audit_bulk

from ..counts import people_counted
from ..models import Organization, Person
from ..models.organization import OrganizationKind
from ..models.person import Gender, MembershipStatus, Post

COLUMNS = (
    Column(
        "name", "姓名", required=True, kind="name", max_length=50, help=_l("人员姓名。"), width=10
    ),
    Column(
        "gender",
        "性别",
        kind="choice",
        choices=tuple(Gender.choices),
        width=6,
        help=_l("留空时按身份证号码推算。"),
    ),
    Column(
        "id_number",
        "身份证号码",
        kind="code",
        width=22,
        help=_l(
            "18位居民身份证号码，请将该列设为“文本”格式；15位旧号码自动换算为18位。"
            "导出文件中的脱敏号码（如440902********123X）原样导回表示不修改。"
        ),
    ),
    Column(
        "employee_no",
        "工号",
        kind="code",
        max_length=30,
        width=12,
        help=_l("按工号匹配已有人员；没有工号时按身份证号码匹配。"),
    ),
    Column(
        "organization",
        "组织编码",
        required=True,
        kind="code",
        max_length=40,
        width=14,
        help=_l("人员所在党组织的组织编码，必须在您的管理范围内。"),
    ),
    Column(
        "organization_name",
        "所在党组织",
        informative=True,
        width=24,
        help=_l("所在党组织名称，仅供阅读，导入时以“组织编码”为准。"),
    ),
    Column(
        "party_group",
        "党小组编码",
        kind="code",
        max_length=40,
        width=14,
        help=_l("所在党小组的组织编码，须是所在党组织下属的党小组；可留空。"),
    ),
    Column("work_unit", "工作单位", max_length=100, width=20, help=_l("可留空。")),
    Column(
        "post", "岗位", kind="choice", choices=tuple(Post.choices), width=10, help=_l("可留空。")
    ),
    Column(
        "membership_status",
        "政治面貌",
        required=True,
        kind="choice",
        choices=tuple(MembershipStatus.choices),
        width=10,
        help=_l("党员和预备党员须填入党日期；正式党员还须填转正日期。"),
    ),
    Column("applied_on", "申请入党日期", kind="date", width=14, help=_l("可留空。")),
    Column("admitted_on", "入党日期", kind="date", width=12, help=_l("不早于申请入党日期。")),
    Column(
        "confirmed_on",
        "转正日期",
        kind="date",
        width=12,
        help=_l("只有正式党员填写，不早于入党日期。"),
    ),
    Column(
        "phone",
        "手机号码",
        kind="phone",
        max_length=20,
        width=14,
        help=_l("11位手机号码，或带区号的固定电话（如 0731-84561234）；可留空。"),
    ),
    Column("email", "电子邮箱", max_length=254, width=22, help=_l("可留空。")),
)
NOTES = (
    _l("第1行为表头（上方可留标题行），表头文字请勿修改；表头下每行一人。带 * 的列必须填写。"),
    _l(
        "已有人员按“工号”匹配，没有工号时按“身份证号码”匹配；匹配到的人员按文件内容更新，其余新增。"
    ),
    _l("文件中没有的列不会修改；文件中有但留空的单元格会清空对应信息。"),
    _l(
        "接受 .xlsx 文件和 .csv 文件（UTF-8 或 GBK 编码），不能含公式或合并的表头；"
        "任何一行有错误时整个文件都不会导入。"
    ),
)
SHEET_TITLE = "人员名册"
HEADERS = {c.key: c.header for c in COLUMNS}
FIELD_HEADERS = {**HEADERS, "birth_date": ""}
DIRECT = (
    "name",
    "gender",
    "work_unit",
    "post",
    "membership_status",
    "applied_on",
    "admitted_on",
    "confirmed_on",
    "phone",
    "email",
)
COMPARED = (*DIRECT, "birth_date", "id_number", "employee_no", "organization_id", "party_group_id")
# Columns already check length, choices and dates; of the model's field rules only the e-mail
# validator is left, and skipping the rest saves seconds on a 60,000-row file.
NOT_CLEANED = [f.name for f in Person._meta.fields if f.name != "email"]


def template() -> bytes:
    return build_workbook(title=SHEET_TITLE, columns=COLUMNS, rows=(), notes=NOTES)


def export(queryset, *, actor) -> bytes:
    """The roster as the import template; ID numbers masked unless the actor may see them."""
    sensitive = grant(actor, "orgs.view_sensitive_person")
    rows = (
        queryset.order_by("organization__path", "name", "id")
        .values_list(
            "name",
            "gender",
            "id_number",
            "employee_no",
            "organization__code",
            "organization__name",
            "party_group__code",
            "work_unit",
            "post",
            "membership_status",
            "applied_on",
            "admitted_on",
            "confirmed_on",
            "phone",
            "email",
            "organization__path",
        )
        .iterator(chunk_size=2000)
    )
    labels = {c.key: dict(_zh_choices(c)) for c in COLUMNS if c.kind == "choice"}

    def line(values):
        values = list(values)
        path = values.pop()
        if values[2] and not sensitive.covers(path):
            values[2] = mask_id_number(values[2])
        for index, key in ((1, "gender"), (8, "post"), (9, "membership_status")):
            values[index] = labels[key].get(values[index], values[index] or "")
        return values

    return build_workbook(
        title=SHEET_TITLE, columns=COLUMNS, rows=(line(v) for v in rows), notes=NOTES
    )


def _zh_choices(column: Column):
    return [(value, column.label_of(value)) for value, _label in column.choices]


class PeopleImport(ExcelImport):
    """Validates every row against the database once prefetched, then writes in bulk."""

    columns = COLUMNS
    conflict_reason = _l("可能有人同时修改了人员")
    updated_what = _l("人员")

    def prepare(self) -> None:
        orgs = list(Organization.objects.all())
        self.orgs_by_code = {org.code: org for org in orgs}
        self.orgs_by_id = {org.pk: org for org in orgs}
        self.import_scope = grant(self.actor, "orgs.import_person")
        self.view_scope = grant(self.actor, "orgs.view_person")
        self.creates: list[Person] = []
        self.updates: list[tuple[Person, dict]] = []
        self.unchanged = 0
        self.seen_employee_no: dict[str, int] = {}
        self.seen_id_number: dict[str, int] = {}
        self.claimed: dict[int, int] = {}  # person pk → row that matched it
        self._prefetch()

    def _prefetch(self) -> None:
        people: dict[int, Person] = {}
        employee_nos = self.column_values("employee_no")
        id_numbers = [n for n in self.column_values("id_number", canonical) if "*" not in n]
        for chunk in chunks(employee_nos):
            people.update((p.pk, p) for p in Person.objects.filter(employee_no__in=chunk))
        for chunk in chunks(id_numbers):
            people.update((p.pk, p) for p in Person.objects.filter(id_number__in=chunk))
        keyless: dict[tuple[int, str], list[Person]] = {}
        for chunk in chunks(self.column_values("name")):
            query = Person.objects.filter(
                name__in=chunk, employee_no__isnull=True, id_number__isnull=True
            ).order_by("pk")
            for person in query:
                person = people.setdefault(person.pk, person)
                keyless.setdefault((person.organization_id, person.name), []).append(person)
        self.by_employee_no = {p.employee_no: p for p in people.values() if p.employee_no}
        self.by_id_number = {p.id_number: p for p in people.values() if p.id_number}
        self.keyless = keyless

    # --- validation ------------------------------------------------------------------------

    def validate_row(self, row: Row) -> None:
        number, data = row.number, row.data
        organization = self._organization(number, data)
        group = self._party_group(number, data)
        id_number, masked = self._id_number(number, data)
        employee_no = data.get("employee_no") or None
        self._check_in_file(number, employee_no, id_number)
        person = self._match(number, data, employee_no, id_number, masked)
        if person is False or number in self.errors.bad_rows:
            self.add_preview(number, "error", data, organization)
            return
        self._apply(number, person, data, organization, group, employee_no, id_number, masked)

    def _organization(self, number: int, data: dict):
        code = data.get("organization")
        if not code:
            return None
        org = self.orgs_by_code.get(code)
        if org is None or not self.import_scope.covers(org):
            self.errors.add(number, HEADERS["organization"], _not_in_scope(code))
            return None
        return org

    def _party_group(self, number: int, data: dict):
        code = data.get("party_group")
        if not code:
            return None
        group = self.orgs_by_code.get(code)
        if group is None or not self.import_scope.covers(group):
            self.errors.add(number, HEADERS["party_group"], _not_in_scope(code))
            return None
        if group.kind != OrganizationKind.GROUP:
            self.errors.add(
                number,
                HEADERS["party_group"],
                _("“%(code)s”不是党小组，请填写党小组的组织编码。") % {"code": code},
            )
            return None
        return group

    def _id_number(self, number: int, data: dict) -> tuple[str | None, str | None]:
        """(full normalized number, masked text); at most one is set."""
        value = normalize(data.get("id_number") or "")
        if not value:
            return None, None
        if "*" in value:
            return None, value
        upgraded = upgrade_legacy(value)
        if upgraded:
            self.warnings.add(number, HEADERS["id_number"], legacy_warning(upgraded))
            value = data["id_number"] = upgraded
        try:
            return validate_id_number(value), None
        except ValidationError as exc:
            self.errors.add(number, HEADERS["id_number"], " ".join(exc.messages))
            return None, None

    def _check_in_file(self, number: int, employee_no, id_number) -> None:
        for value, seen, header in (
            (employee_no, self.seen_employee_no, HEADERS["employee_no"]),
            (id_number, self.seen_id_number, HEADERS["id_number"]),
        ):
            if not value:
                continue
            first = seen.setdefault(value, number)
            if first != number:
                message = _("%(column)s“%(value)s”在第%(a)d行和第%(b)d行重复。") % {
                    "column": header,
                    "value": value,
                    "a": first,
                    "b": number,
                }
                self.errors.add(first, header, message)
                self.errors.add(number, header, message)

    def _match(self, number, data, employee_no, id_number, masked):
        """The existing person this row updates, None for a new one, False when refused."""
        header = HEADERS["employee_no"]
        person = None
        if employee_no:
            person = self.by_employee_no.get(employee_no)
            if person is None and id_number:
                candidate = self.by_id_number.get(id_number)
                if candidate is not None and not candidate.employee_no:
                    person, header = candidate, HEADERS["id_number"]
        elif id_number:
            person, header = self.by_id_number.get(id_number), HEADERS["id_number"]
        elif not masked and data.get("organization") in self.orgs_by_code:
            org = self.orgs_by_code[data["organization"]]
            candidates = self.keyless.get((org.pk, data.get("name")), [])
            person = candidates.pop(0) if candidates else None
        if person is None:
            return None
        value = employee_no if header == HEADERS["employee_no"] else id_number
        home = self.orgs_by_id[person.organization_id]
        if not self.import_scope.covers(home):
            self.errors.add(
                number,
                header,
                _("%(column)s“%(value)s”已被您管理范围之外的人员使用，请核对。")
                % {"column": header, "value": value},
            )
            return False
        first = self.claimed.setdefault(person.pk, number)
        if first != number:
            self.errors.add(
                number,
                header,
                _("第%(a)d行和第%(b)d行对应系统中的同一人员“%(name)s”，请核对工号和身份证号码。")
                % {"a": first, "b": number, "name": person.name},
            )
            return False
        return person

    def _apply(self, number, person, data, organization, group, employee_no, id_number, masked):
        old = None if person is None else _snapshot(person)
        person = person or Person()
        if masked is not None:
            id_number = self._unmask(number, person, masked)
        for key in DIRECT:
            if key in self.present:
                setattr(person, key, data[key])
        if "employee_no" in self.present:
            person.employee_no = employee_no
        if "id_number" in self.present:
            person.id_number = id_number
        if "party_group" in self.present:
            person.party_group = group
        person.organization = organization
        self._check_collisions(number, person)
        try:
            person.clean_fields(exclude=NOT_CLEANED)
            person.clean()
        except ValidationError as exc:
            self.errors.add_model_errors(number, exc, FIELD_HEADERS)
        if old is not None and person.id_number == old["id_number"]:
            # clean() derives birth date and gender from the ID number; when the number is
            # unchanged that derivation is not a change the file asked for (no-op round trip).
            person.birth_date = old["birth_date"]
            if not data.get("gender"):
                person.gender = old["gender"]
        if number in self.errors.bad_rows:
            if old is not None:
                _restore(person, old)
            self.add_preview(number, "error", data, organization)
            return
        self._plan(number, person, old, data, organization)

    def _unmask(self, number: int, person: Person, masked: str) -> str | None:
        if person.pk and person.id_number and mask_id_number(person.id_number) == masked:
            return person.id_number
        self.errors.add(
            number,
            HEADERS["id_number"],
            _(
                "身份证号码“%(value)s”是脱敏显示的号码，与系统中该人员的号码不一致或无法匹配人员；"
                "请填写完整的18位号码。"
            )
            % {"value": masked},
        )
        return None

    def _check_collisions(self, number: int, person: Person) -> None:
        for value, owners, field in (
            (person.id_number, self.by_id_number, "id_number"),
            (person.employee_no, self.by_employee_no, "employee_no"),
        ):
            owner = owners.get(value) if value else None
            if owner is None or owner is person:
                continue
            home = self.orgs_by_id[owner.organization_id]
            if self.view_scope.covers(home):
                who = _("“%(name)s”（%(org)s）") % {"name": owner.name, "org": home.name}
            else:
                who = _("（不在您的管理范围内）")
            self.errors.add(
                number,
                HEADERS[field],
                _("%(column)s“%(value)s”与系统中另一人员%(who)s重复。")
                % {"column": HEADERS[field], "value": _shown(field, value), "who": who},
            )

    def _plan(self, number, person, old, data, organization) -> None:
        if old is None:
            self.creates.append(person)
            action = "create"
        else:
            changes = {k: (old[k], v) for k, v in _snapshot(person).items() if old[k] != v}
            if changes:
                self.updates.append((person, changes))
                action = "update"
            else:
                self.unchanged += 1
                action = "unchanged"
        self.add_preview(number, action, data, organization)

    def preview_values(self, data: dict, organization=None) -> dict[str, str]:
        values = super().preview_values(data)
        if "organization_name" in self.present and organization is not None:
            values[HEADERS["organization_name"]] = organization.name
        if values.get(HEADERS["id_number"]):
            values[HEADERS["id_number"]] = mask_id_number(normalize(values[HEADERS["id_number"]]))
        return values

    def counts(self) -> dict:
        return {
            "created": len(self.creates),
            "updated": len(self.updates),
            "unchanged": self.unchanged,
        }

    def fingerprint(self) -> str:
        """Every matched person's last change, read afresh: someone else's edit after the
        preview (or a person newly matching a row) makes the commit refuse."""
        state = []
        for chunk in chunks(sorted(self.claimed)):
            query = Person.objects.filter(pk__in=chunk).values_list("pk", "updated_at")
            state.extend((pk, changed.isoformat() if changed else "") for pk, changed in query)
        return self.digest(state)

    # --- writing ---------------------------------------------------------------------------

    def commit_rows(self) -> None:
        """Bulk statements, one audit entry per created or changed person."""
        now = timezone.now()
        fields: set[str] = set()
        for person in self.creates:
            person.name_pinyin, person.name_initials = pinyin_keys(person.name)
        for person, changes in self.updates:
            fields.update(k.removesuffix("_id") for k in changes)
            if "name" in changes:
                person.name_pinyin, person.name_initials = pinyin_keys(person.name)
                fields.update(("name_pinyin", "name_initials"))
            person.updated_at = now
        Person.objects.bulk_create(self.creates, batch_size=1000)
        if self.updates:
            Person.objects.bulk_update(
                [p for p, _c in self.updates], sorted(fields | {"updated_at"}), batch_size=500
            )
        people_counted(_count_changes(self.creates, self.updates))
        entries = [(p, _created_changes(p), LogEntry.Action.CREATE) for p in self.creates]
        entries += [(p, _masked(c), LogEntry.Action.UPDATE) for p, c in self.updates]
        audit_bulk(actor=self.actor, model=Person, changes_by_object=entries)


def _count_changes(creates, updates):
    """What the bulk statements did to the subtree head counts (bulk writes skip save())."""
    for person in creates:
        yield None, (person.organization_id, person.membership_status)
    for person, changes in updates:
        after = (person.organization_id, person.membership_status)
        before = (
            changes.get("organization_id", (after[0],))[0],
            changes.get("membership_status", (after[1],))[0],
        )
        if before != after:
            yield before, after


def legacy_warning(upgraded: str) -> str:
    return _("15位旧号码已转换为18位（%(number)s），请核对。") % {
        "number": mask_id_number(upgraded)
    }


def _not_in_scope(code: str) -> str:
    return _("组织编码“%(code)s”不存在或不在您的管理范围内。") % {"code": code}


def _snapshot(person: Person) -> dict:
    return {name: getattr(person, name) for name in COMPARED}


def _restore(person: Person, old: dict) -> None:
    """A refused row leaves the prefetched person as the database has it."""
    for name, value in old.items():
        setattr(person, name, value)


def _shown(field: str, value: str) -> str:
    return mask_id_number(value) if field == "id_number" else value


def _masked(changes: dict) -> dict:
    """Audit entries never hold a full ID number (history pages are widely readable)."""
    if "id_number" in changes:
        before, after = changes["id_number"]
        changes = {
            **changes,
            "id_number": (before and mask_id_number(before), after and mask_id_number(after)),
        }
    return {k.removesuffix("_id"): v for k, v in changes.items()}


def _created_changes(person: Person) -> dict:
    changes = {}
    for name in COMPARED:
        value = getattr(person, name)
        if value not in (None, ""):
            changes[name] = (None, value)
    return _masked(changes)
