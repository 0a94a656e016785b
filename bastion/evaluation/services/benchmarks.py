"""同业对标: save a batch of benchmark values (manual entry, the Excel import and the API).

Every row names an indicator code, a station's organization code, a month and a value. All rows
are checked before anything is written (``benchmark_rows_check``); one bad row and nothing is
saved. The checker returns structured errors so the Excel importer can name the sheet's row and
column; the service itself answers with one "第 N 行：…" message per problem.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.periods import parse_month
from bastion.core.scope import grant, has_permission_anywhere
from bastion.core.services import service
from bastion.orgs.models import Organization
from bastion.orgs.models.organization import UnitKind

from ..models import BenchmarkIndicator, BenchmarkValue

ADD = "evaluation.add_benchmarkvalue"
CHANGE = "evaluation.change_benchmarkvalue"
PERCENT = "%"
PLACES = Decimal("0.0001")
LIMIT = Decimal(10) ** 8  # the column holds 12 digits, 4 of them decimals
FIELDS = ("indicator", "organization", "month", "value")


@dataclass
class RowError:
    index: int  # 1-based position in ``rows``
    field: str  # one of FIELDS, or "" for the row as a whole
    message: str


@dataclass
class Planned:
    index: int
    indicator: BenchmarkIndicator
    organization: Organization
    month: dt.date
    value: Decimal
    existing: BenchmarkValue | None = None

    @property
    def unchanged(self) -> bool:
        """The value saved already (a re-import of the same figures writes nothing)."""
        return self.existing is not None and self.existing.value == self.value


@dataclass
class Checked:
    planned: list[Planned] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(1 for p in self.planned if p.existing is None)

    @property
    def unchanged(self) -> int:
        return sum(1 for p in self.planned if p.unchanged)

    @property
    def updated(self) -> int:
        return len(self.planned) - self.created - self.unchanged

    def counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def _parse_value(raw, indicator: BenchmarkIndicator) -> Decimal:
    """The value as a Decimal of 4 places; ValueError with the Chinese reason otherwise."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValueError(_("请填写指标值。"))
    if isinstance(raw, bool):
        raise ValueError(_("“%(v)s”不是数字。") % {"v": raw})
    text = str(raw).strip()
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValueError(_("“%(v)s”不是数字。") % {"v": text[:30]}) from None
    if not value.is_finite():
        raise ValueError(_("指标值必须是有限的数字。"))
    if abs(value) >= LIMIT:
        raise ValueError(_("指标值“%(v)s”超出了可保存的范围。") % {"v": text[:30]})
    if indicator.unit == PERCENT and not Decimal(0) <= value <= Decimal(100):
        raise ValueError(
            _("“%(name)s”是百分比指标，取值应在 0–100 之间，“%(v)s”不在此范围。")
            % {"name": indicator.name, "v": text[:30]}
        )
    return value.quantize(PLACES, rounding=ROUND_HALF_UP)


class _Checker:
    """Validates rows with three queries whatever their number."""

    def __init__(self, actor, rows):
        self.actor = actor
        self.rows = [row if isinstance(row, dict) else None for row in rows]
        self.result = Checked()
        self.indicators = {i.code: i for i in BenchmarkIndicator.objects.all()}
        codes = {self._text(row, "organization") for row in self.rows if row}
        self.orgs = {
            o.code: o
            for o in Organization.objects.restrict(actor, "view").filter(code__in=codes - {""})
        }
        self.adds = grant(actor, ADD)
        self.changes = grant(actor, CHANGE)

    @staticmethod
    def _text(row, key) -> str:
        value = row.get(key)
        return "" if value is None else str(value).strip()

    def error(self, index, field_name, message) -> None:
        self.result.errors.append(RowError(index, field_name, str(message)))

    def run(self) -> Checked:
        seen: dict[tuple, int] = {}
        candidates = []
        for index, row in enumerate(self.rows, start=1):
            if row is None:
                self.error(index, "", _("格式不正确，应为包含指标、供电所、月份和指标值的记录。"))
                continue
            planned = self.row(index, row)
            if planned is None:
                continue
            key = (planned.indicator.pk, planned.organization.pk, planned.month)
            if key in seen:
                self.error(
                    index,
                    "",
                    _("与第 %(other)d 行重复（同一指标、供电所和月份）。") % {"other": seen[key]},
                )
                continue
            seen[key] = index
            candidates.append(planned)
        self._attach_existing(candidates)
        return self.result

    def row(self, index: int, row: dict) -> Planned | None:
        indicator = self._indicator(index, self._text(row, "indicator"))
        organization = self._organization(index, self._text(row, "organization"))
        month = parse_month(row.get("month"))
        if month is None:
            self.error(
                index,
                "month",
                _("月份“%(v)s”应按 YYYY-MM 填写，如 2026-03。")
                % {"v": self._text(row, "month")[:20]},
            )
        value = None
        if indicator is not None:
            try:
                value = _parse_value(row.get("value"), indicator)
            except ValueError as exc:
                self.error(index, "value", exc)
        if None in (indicator, organization, month, value):
            return None
        return Planned(index, indicator, organization, month, value)

    def _indicator(self, index, code):
        indicator = self.indicators.get(code)
        if indicator is None:
            message = _("对标指标“%(code)s”不存在。") if code else _("请填写对标指标。")
            self.error(index, "indicator", message % {"code": code[:40]})
        return indicator

    def _organization(self, index, code):
        if not code:
            self.error(index, "organization", _("请填写供电所编码。"))
            return None
        org = self.orgs.get(code)
        if org is None:
            self.error(
                index,
                "organization",
                _("供电所编码“%(code)s”不存在或不在您的管理范围内。") % {"code": code[:40]},
            )
            return None
        if org.unit_kind != UnitKind.STATION:
            message = _("“%(name)s”不是基层供电所，同业对标指标只按供电所录入。")
            self.error(index, "organization", message % {"name": org.name})
            return None
        if not self.adds.covers(org):
            self.error(
                index,
                "organization",
                _("您无权录入“%(name)s”的同业对标指标。") % {"name": org.name},
            )
            return None
        return org

    def _attach_existing(self, candidates: list[Planned]) -> None:
        if not candidates:
            return
        found = BenchmarkValue.objects.filter(
            indicator_id__in={p.indicator.pk for p in candidates},
            organization_id__in={p.organization.pk for p in candidates},
            month__in={p.month for p in candidates},
        )
        existing = {(v.indicator_id, v.organization_id, v.month): v for v in found}
        for planned in candidates:
            key = (planned.indicator.pk, planned.organization.pk, planned.month)
            planned.existing = existing.get(key)
            if planned.existing is not None and not self.changes.covers(planned.organization):
                message = _("您无权修改“%(name)s”已有的同业对标指标。")
                self.error(
                    planned.index, "organization", message % {"name": planned.organization.name}
                )
            else:
                self.result.planned.append(planned)


def benchmark_rows_check(*, actor, rows) -> Checked:
    """Validate ``rows`` without writing: the planned writes and every error found (the Excel
    import previews with it, the entry form checks with it)."""
    if not has_permission_anywhere(actor, ADD):
        raise PermissionDenied(_("您没有录入同业对标指标的权限。"))
    return _Checker(actor, list(rows)).run()


def _row_messages(errors: list[RowError]) -> list[str]:
    return [_("第 %(row)d 行：%(reason)s") % {"row": e.index, "reason": e.message} for e in errors]


@service
def benchmark_values_save(*, actor, rows: list[dict], source: str = "manual") -> dict:
    """Create or update benchmark values; all rows or none. ``source`` (manual / import / api)
    is kept on the audit entries. A value equal to the one saved is left as it is (who recorded
    it and when stay). Returns ``{"created": n, "updated": m, "unchanged": k}``."""
    rows = list(rows or [])
    if not rows:
        raise ValidationError(_("没有要保存的指标值。"))
    checked = benchmark_rows_check(actor=actor, rows=rows)
    if checked.errors:
        raise ValidationError(_row_messages(sorted(checked.errors, key=lambda e: e.index)))
    counts = checked.counts()  # before writing: the write moves the values it changes
    _write(actor, [p for p in checked.planned if not p.unchanged], source)
    return counts


def _write(actor, planned: list[Planned], source: str) -> None:
    now = timezone.now()
    new, changed, audit = [], [], []
    for p in planned:
        if p.existing is None:
            new.append(
                BenchmarkValue(
                    indicator=p.indicator,
                    organization=p.organization,
                    month=p.month,
                    value=p.value,
                    recorded_by=actor,
                    recorded_at=now,
                )
            )
        else:
            before = p.existing.value
            p.existing.value, p.existing.recorded_by, p.existing.recorded_at = p.value, actor, now
            changed.append(p.existing)
            audit.append((p.existing, {"value": [before, p.value]}, LogEntry.Action.UPDATE))
    BenchmarkValue.objects.bulk_create(new, batch_size=1000)
    BenchmarkValue.objects.bulk_update(
        changed, ["value", "recorded_by", "recorded_at"], batch_size=1000
    )
    audit += [(v, {"value": [None, v.value]}, LogEntry.Action.CREATE) for v in new]
    _audit(actor, audit, source)


def _audit(actor, entries, source: str) -> None:
    """Bulk writes fire no signals: one audit entry per row, marked with where it came from."""
    content_type = ContentType.objects.get_for_model(BenchmarkValue)
    now = timezone.now()
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type=content_type,
                object_pk=str(obj.pk),
                object_id=obj.pk,
                object_repr=f"{obj.organization.code} {obj.indicator.code} {obj.month:%Y-%m}",
                action=action,
                changes={k: [str(a), str(b)] for k, (a, b) in changes.items()},
                changes_text=json.dumps(changes, default=str)[:1000],
                actor=actor,
                timestamp=now,
                additional_data={"source": source},
            )
            for obj, changes, action in entries
        ],
        batch_size=2000,
    )
