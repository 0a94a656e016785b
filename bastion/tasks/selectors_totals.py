"""What the answers add up to (一键统计): each number field summed, each choice counted.

One definition serves the progress page (headline and per-organization rows), its API and the
Excel export. Only answers that count as given are added: 已反馈 and 已采纳 (an answer sent back
is being corrected, an unread sheet has none). The sums are computed in the database, in the
same query as the counts they sit beside, so a page costs the same for 5 recipients or 3,000.

``Assignment.values`` is keyed by field id as text ("12"). Django's key lookups read a numeric
key as an array index on PostgreSQL, so the answer is read with an explicit JSON path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Func, Q, Sum, TextField, Value
from django.db.models.lookups import Exact, IsNull

from .models import AssignmentState, FeedbackField, FieldKind, Task

ANSWERED_STATES = [AssignmentState.SUBMITTED, AssignmentState.ACCEPTED]
TOTALLED_KINDS = (FieldKind.NUMBER, FieldKind.CHOICE)
NUMBER_PATTERN = r"^\s*-?[0-9]+(\.[0-9]+)?\s*$"


class AnswerText(Func):
    """The answer to one field as text (NULL when not answered)."""

    output_field = TextField()

    def __init__(self, key: str, **extra):
        self.key = str(key)
        super().__init__(F("values"), **extra)

    def as_sql(self, compiler, connection, **extra_context):  # SQLite and others
        lhs, params = compiler.compile(self.source_expressions[0])
        return f"json_extract({lhs}, %s)", (*params, f'$."{self.key}"')

    def as_postgresql(self, compiler, connection, **extra_context):
        lhs, params = compiler.compile(self.source_expressions[0])
        return f"({lhs} ->> %s)", (*params, self.key)


class AnswerNumber(AnswerText):
    """The answer to a number field as a number; anything that is not a number is NULL."""

    output_field = DecimalField()

    def as_sql(self, compiler, connection, **extra_context):
        text, params = super().as_sql(compiler, connection)
        return f"CAST({text} AS NUMERIC)", params

    def as_postgresql(self, compiler, connection, **extra_context):
        text, params = super().as_postgresql(compiler, connection)
        return (
            f"CASE WHEN {text} ~ %s THEN CAST({text} AS NUMERIC) END",
            (*params, NUMBER_PATTERN, *params),
        )


@dataclass
class FieldTotal:
    """One field's total: ``total`` for a number field, ``counts`` (option, n) for a choice."""

    field_id: int
    label: str
    kind: str
    answers: int = 0  # answers that gave this field
    total: Decimal | None = None
    counts: list[tuple[str, int]] = field(default_factory=list)

    @property
    def is_number(self) -> bool:
        return self.kind == FieldKind.NUMBER

    @property
    def counts_text(self) -> str:
        return "；".join(f"{choice} {n}" for choice, n in self.counts)


def totalled_fields(task: Task) -> list[FeedbackField]:
    """The task's number and choice fields, in form order (prefetched fields are reused)."""
    return [f for f in task.fields.all() if f.kind in TOTALLED_KINDS]


def _answered_q() -> Q:
    return Q(state__in=ANSWERED_STATES)


def total_aggregates(fields: list[FeedbackField]) -> dict:
    """The aggregate expressions of ``fields``, to add to a ``values().annotate()`` grouping or
    to an ``aggregate()``: ``f<id>_n`` answers, ``f<id>_sum`` or ``f<id>_c<i>`` per option."""
    answered = _answered_q()
    result = {}
    for f in fields:
        result[f"f{f.pk}_n"] = Count("id", filter=answered & _has_answer(f))
        if f.kind == FieldKind.NUMBER:
            result[f"f{f.pk}_sum"] = Sum(AnswerNumber(f.pk), filter=answered)
        else:
            for i, choice in enumerate(_choices(f)):
                match = Exact(AnswerText(f.pk), Value(choice))
                result[f"f{f.pk}_c{i}"] = Count("id", filter=answered & Q(match))
    return result


def _has_answer(f: FeedbackField) -> Q:
    return Q(IsNull(AnswerText(f.pk), False))


def _choices(f: FeedbackField) -> list[str]:
    return [str(c) for c in (f.choices or [])]


def read_totals(row: dict, fields: list[FeedbackField]) -> list[FieldTotal]:
    """The :class:`FieldTotal` of each field from one row of :func:`total_aggregates`."""
    totals = []
    for f in fields:
        item = FieldTotal(field_id=f.pk, label=f.label, kind=f.kind, answers=row[f"f{f.pk}_n"])
        if f.kind == FieldKind.NUMBER:
            item.total = _decimal(row[f"f{f.pk}_sum"])
        else:
            item.counts = [(c, row[f"f{f.pk}_c{i}"]) for i, c in enumerate(_choices(f))]
        totals.append(item)
    return totals


def field_totals(assignments, fields: list[FeedbackField]) -> list[FieldTotal]:
    """Each field's total over ``assignments`` (already scoped and filtered): one query, none
    when the form has no number or choice field."""
    if not fields:
        return []
    row = assignments.order_by().aggregate(**total_aggregates(fields))
    return read_totals(row, fields)


def _decimal(value) -> Decimal:
    """A sum as an exact decimal: SQLite adds in floating point, so round away its noise."""
    if value is None:
        return Decimal(0)
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    number = round(number, 6)
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()
