"""Arrears (欠缴): the unpaid months a member owes and the longest run of them.

The red alarm (自行脱党 risk) is raised by *any* run of consecutive unpaid months as long as the
``dues_missed_months`` threshold, anywhere between the month the member started owing
(``owed_from``, see ``services.dues_fulfilment``) and the reference month, not only by the run
that ends with the reference month: paying the latest month leaves the ten before it unpaid,
and the alarm stays. Both figures are pure functions of the paid months (``unpaid_runs``) and
the same as SQL annotations for lists of any length (``with_arrears``).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value, Window
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Greatest, Lag, Least

from .models import DuesPayment
from .services.dues_fulfilment import owed_from_expr


def month_index(day: dt.date) -> int:
    """Months since year 0: consecutive months differ by one (pure)."""
    return day.year * 12 + day.month - 1


def unpaid_runs(paid_months: set[dt.date], owed_from: dt.date, until: dt.date) -> tuple[int, int]:
    """(longest run of consecutive unpaid months, unpaid months in all) among the months owed
    from ``owed_from``'s month to ``until``'s (both counted; pure)."""
    paid = {month_index(month) for month in paid_months}
    longest = run = owed = 0
    for index in range(month_index(owed_from), month_index(until) + 1):
        if index in paid:
            run = 0
            continue
        run += 1
        owed += 1
        longest = max(longest, run)
    return longest, owed


def _index_sql(expression):
    return ExtractYear(expression) * 12 + ExtractMonth(expression) - 1


def _payment_indexes(person_ref: str):
    return DuesPayment.objects.filter(person=OuterRef(person_ref)).annotate(
        index=_index_sql("month")
    )


def with_arrears(people, reference: dt.date):
    """``people`` annotated with ``owed_from`` (a date), ``months_owed`` (unpaid months owed up
    to ``reference``) and ``longest_unpaid_run`` (the longest run of them). One query; the
    runs are found from the gaps between a member's payments, so the cost follows the number
    of payments, never the number of months."""
    ref = month_index(reference)
    after_ref = Value(ref + 1, output_field=IntegerField())
    people = people.annotate(owed_from=owed_from_expr())
    people = people.annotate(owed_index=_index_sql(F("owed_from")))
    # Every payment lies in the months owed (a paid month starts the dues, see owed_from_expr),
    # so no subquery below needs the member's owed-from day: each is a plain index range.
    owed_paid = (
        DuesPayment.objects.filter(person=OuterRef("pk"), month__lte=reference)
        .order_by()
        .values("person")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    first_paid = _payment_indexes("pk").order_by("month").values("index")[:1]
    last_paid = (
        _payment_indexes("pk").filter(month__lte=reference).order_by("-month").values("index")[:1]
    )
    # The gap before each payment, from the one before it (LAG over the member's payments):
    # one pass over them, no lookup per payment.
    previous = Window(Lag(_index_sql("month")), order_by=F("month").asc())
    widest_gap = (
        _payment_indexes("pk")
        .filter(month__lte=reference)
        .annotate(gap=F("index") - Coalesce(previous, F("index") - 1) - 1)
        .order_by("-gap")
        .values("gap")[:1]
    )
    trailing = Value(ref, output_field=IntegerField()) - Subquery(last_paid)
    leading = Least(Coalesce(Subquery(first_paid), after_ref), after_ref) - F("owed_index")
    zero = Value(0, output_field=IntegerField())
    return people.annotate(
        months_owed=Greatest(
            after_ref
            - F("owed_index")
            - Coalesce(Subquery(owed_paid, output_field=IntegerField()), zero),
            zero,
        ),
        longest_unpaid_run=Greatest(
            leading,
            Coalesce(trailing, zero),
            Coalesce(Subquery(widest_gap, output_field=IntegerField()), zero),
            zero,
        ),
    )
