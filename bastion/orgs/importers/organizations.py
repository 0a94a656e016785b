"""The organization tree in Excel: template, export and the all-or-nothing import.

Rows are matched by 组织编码. An existing organization keeps its place in the tree: a different
上级组织编码 is refused (moving is the 移动组织 page's job, with its own checks); a blank one
means "leave it where it is". New organizations go under an existing organization in the actor's
scope, or under another new row of the same file; only a superuser creates a top-level one.
"""

from __future__ import annotations

from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from bastion.core.excel import Column, ExcelImport, Row, build_workbook, chunks
from bastion.core.scope import grant
from bastion.core.services import audit_bulk

from ..models import Organization
from ..models.organization import OrganizationKind, UnitKind
from ..models.signals import organizations_bulk_updated

COLUMNS = (
    Column(
        "code",
        "组织编码",
        required=True,
        kind="code",
        max_length=40,
        width=14,
        help=_l("组织的唯一编码；已有编码表示更新该组织，新编码表示新增。"),
    ),
    Column("name", "组织名称", required=True, max_length=100, width=28, help=_l("组织全称。")),
    Column("short_name", "简称", max_length=50, width=14, help=_l("可留空。")),
    Column(
        "kind",
        "组织类型",
        required=True,
        kind="choice",
        choices=tuple(OrganizationKind.choices),
        width=12,
        help=_l("党组织的类型。"),
    ),
    Column(
        "unit_kind",
        "单位类别",
        required=True,
        kind="choice",
        choices=tuple(UnitKind.choices),
        width=16,
        help=_l("组织所在单位的类别。"),
    ),
    Column(
        "parent",
        "上级组织编码",
        kind="code",
        max_length=40,
        width=14,
        help=_l(
            "新增组织必填（顶级组织除外）；可以是同一文件中先后任意一行的新组织。已有组织"
            "留空或与现上级一致表示不调整；调整上级请使用“移动组织”页面。"
        ),
    ),
    Column("established_on", "成立日期", kind="date", width=12, help=_l("可留空。")),
    Column("term_started_on", "本届班子任期开始", kind="date", width=18, help=_l("可留空。")),
    Column(
        "term_ends_on", "本届班子任期届满", kind="date", width=18, help=_l("应晚于任期开始日期。")
    ),
    Column(
        "phone",
        "联系电话",
        kind="phone",
        max_length=30,
        width=14,
        help=_l("带区号的固定电话（如 0731-84561234）或11位手机号码；可留空。"),
    ),
    Column("address", "地址", max_length=200, width=30, help=_l("可留空。")),
)
NOTES = (
    _l("第1行为表头（上方可留标题行），表头文字请勿修改；表头下每行一个组织。带 * 的列必须填写。"),
    _l("文件中没有的列不会修改；文件中有但留空的单元格会清空对应信息。"),
    _l(
        "接受 .xlsx 文件和 .csv 文件（UTF-8 或 GBK 编码），不能含公式或合并的表头；"
        "任何一行有错误时整个文件都不会导入。"
    ),
)
SHEET_TITLE = "组织"
HEADERS = {c.key: c.header for c in COLUMNS}
FIELDS = (
    "code",
    "name",
    "short_name",
    "kind",
    "unit_kind",
    "established_on",
    "term_started_on",
    "term_ends_on",
    "phone",
    "address",
)
NOT_CLEANED = ["path", "depth", "numchild", "code"]  # code uniqueness is checked against the file


def template() -> bytes:
    return build_workbook(title=SHEET_TITLE, columns=COLUMNS, rows=(), notes=NOTES)


def export(queryset, *, actor) -> bytes:
    """Tree order (parents first); a parent the actor cannot see is left blank."""
    orgs = list(queryset.order_by("path"))
    steplen = Organization.steplen
    parent_paths = sorted({o.path[:-steplen] for o in orgs if o.depth > 1})
    visible = Organization.objects.restrict(actor, "view")
    parent_codes = {}
    for chunk in chunks(parent_paths):
        parent_codes.update(visible.filter(path__in=chunk).values_list("path", "code"))
    choice = {c.key: c for c in COLUMNS if c.kind == "choice"}

    def line(org):
        return [
            org.code,
            org.name,
            org.short_name,
            choice["kind"].label_of(org.kind),
            choice["unit_kind"].label_of(org.unit_kind),
            parent_codes.get(org.path[:-steplen], "") if org.depth > 1 else "",
            org.established_on,
            org.term_started_on,
            org.term_ends_on,
            org.phone,
            org.address,
        ]

    return build_workbook(
        title=SHEET_TITLE, columns=COLUMNS, rows=(line(o) for o in orgs), notes=NOTES
    )


class OrganizationImport(ExcelImport):
    columns = COLUMNS
    conflict_reason = _l("可能有人同时修改了组织")
    updated_what = _l("组织")

    def prepare(self) -> None:
        orgs = list(Organization.objects.all())
        self.by_code = {org.code: org for org in orgs}
        self.by_path = {org.path: org for org in orgs}
        self.granted = grant(self.actor, "orgs.import_organization")
        self.new: dict[str, tuple[int, Organization, str]] = {}  # code → (row, org, parent code)
        self.updates: list[tuple[Organization, dict]] = []
        self.unchanged = 0
        self.seen: dict[str, int] = {}

    def validate_row(self, row: Row) -> None:
        number, data = row.number, row.data
        code = data.get("code")
        if not code or not self._first_time(number, code):
            return self.add_preview(number, "error", data)
        existing = self.by_code.get(code)
        if existing is not None and not self.granted.covers(existing):
            message = _("组织编码“%(code)s”不可用：已被其他组织使用或不在您的管理范围内。")
            self.errors.add(number, HEADERS["code"], message % {"code": code})
            return self.add_preview(number, "error", data)
        if existing is not None:
            self._update(number, existing, data)
        else:
            self._create(number, data)

    def after_rows(self) -> None:
        """Every new row must hang, through other new rows, from an organization in scope."""
        for code, (number, _org, parent_code) in list(self.new.items()):
            problem = self._parent_problem(code, parent_code)
            if problem:
                self.errors.add(number, HEADERS["parent"], problem)
                self.mark_preview_error(number)

    def _first_time(self, number: int, code: str) -> bool:
        first = self.seen.setdefault(code, number)
        if first == number:
            return True
        message = _("组织编码“%(code)s”在第%(a)d行和第%(b)d行重复。") % {
            "code": code,
            "a": first,
            "b": number,
        }
        self.errors.add(first, HEADERS["code"], message)
        self.errors.add(number, HEADERS["code"], message)
        return False

    def _update(self, number: int, org: Organization, data: dict) -> None:
        parent_code = data.get("parent")
        if parent_code and parent_code != self._parent_code(org):
            message = _(
                "导入不能调整已有组织的上级组织（第%(row)d行）；如需调整，请使用“移动组织”页面。"
            )
            self.errors.add(number, HEADERS["parent"], message % {"row": number})
        if number in self.errors.bad_rows:
            return self.add_preview(number, "error", data)
        old = {name: getattr(org, name) for name in FIELDS}
        self._assign(org, data)
        if not self._clean(number, org):
            for name, value in old.items():
                setattr(org, name, value)
            return self.add_preview(number, "error", data)
        changes = {k: (old[k], getattr(org, k)) for k in FIELDS if old[k] != getattr(org, k)}
        if changes:
            self.updates.append((org, changes))
        else:
            self.unchanged += 1
        self.add_preview(number, "update" if changes else "unchanged", data)

    def _create(self, number: int, data: dict) -> None:
        org = Organization(code=data["code"])
        self._assign(org, data)
        if number in self.errors.bad_rows or not self._clean(number, org):
            return self.add_preview(number, "error", data)
        self.new[org.code] = (number, org, data.get("parent") or "")
        self.add_preview(number, "create", data)

    def _assign(self, org: Organization, data: dict) -> None:
        for name in FIELDS:
            if name in data and name != "code":
                setattr(org, name, data[name])

    def _clean(self, number: int, org: Organization) -> bool:
        try:
            org.clean_fields(exclude=NOT_CLEANED)
            org.clean()
        except ValidationError as exc:
            self.errors.add_model_errors(number, exc, HEADERS)
            return False
        return True

    def _parent_code(self, org: Organization) -> str:
        if org.depth <= 1:
            return ""
        parent = self.by_path.get(org.path[: -Organization.steplen])
        return parent.code if parent else ""

    def _parent_problem(self, code: str, parent_code: str) -> str | None:
        visited = {code}
        while parent_code in self.new:
            if parent_code in visited:
                return _("上级组织编码形成了循环（%(code)s），请核对。") % {"code": parent_code}
            visited.add(parent_code)
            parent_code = self.new[parent_code][2]
        if not parent_code:
            if self.actor.is_superuser:
                return None
            return _("新建顶级组织需要系统管理员权限；请填写上级组织编码。")
        parent = self.by_code.get(parent_code)
        if parent is None or not self.granted.covers(parent):
            return _("上级组织编码“%(code)s”不存在或不在您的管理范围内。") % {"code": parent_code}
        return None

    def counts(self) -> dict:
        return {"created": len(self.new), "updated": len(self.updates), "unchanged": self.unchanged}

    def fingerprint(self) -> str:
        """The fields and place of every organization a row matched, and which codes exist:
        read afresh, so an edit by someone else after the preview makes the commit refuse."""
        codes = sorted(self.seen)
        state = []
        for chunk in chunks(codes):
            query = Organization.objects.filter(code__in=chunk).values_list("path", *FIELDS)
            state.extend(tuple(str(v) for v in values) for values in query)
        return self.digest(state)

    def commit_rows(self) -> None:
        """Bulk update of changed rows, then new nodes parents first.

        New nodes go through treebeard's add_child so their materialized paths stay sorted by
        code; those saves fire the audit signals, attributed to the actor by ``set_actor``.
        """
        with set_actor(self.actor):
            if self.updates:
                fields = sorted({k for _o, changes in self.updates for k in changes})
                Organization.objects.bulk_update([o for o, _c in self.updates], fields, 500)
                organizations_bulk_updated.send(
                    sender=Organization, changes=[(o, set(c)) for o, c in self.updates]
                )
                audit_bulk(
                    actor=self.actor,
                    model=Organization,
                    changes_by_object=[(o, c, LogEntry.Action.UPDATE) for o, c in self.updates],
                )
            created: dict[str, Organization] = {}
            for code in self._creation_order():
                _number, org, parent_code = self.new[code]
                parent = created.get(parent_code) or self.by_code.get(parent_code)
                if parent is None:
                    created[code] = Organization.objects.add_root(instance=org)
                else:
                    created[code] = Organization.objects.add_child(parent, instance=org)

    def _creation_order(self) -> list[str]:
        order: list[str] = []
        placed: set[str] = set()

        def place(code: str) -> None:
            parent_code = self.new[code][2]
            if parent_code in self.new and parent_code not in placed:
                place(parent_code)
            if code not in placed:
                placed.add(code)
                order.append(code)

        for code in self.new:
            place(code)
        return order
