"""Recurrence edge cases: month ends, leap years, quarter and year boundaries, terms."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from bastion.agenda.periods import (
    alert_windows,
    due_date,
    obligation_label,
    periods_in_year,
    term_period,
)
from bastion.core.alerts import alert_level
from bastion.core.periods import add_years, day_in_month, months_before

years = st.integers(min_value=1990, max_value=2100)


def test_monthly_periods_cover_the_year_and_end_on_month_ends():
    periods = periods_in_year("monthly", 2024)
    assert len(periods) == 12
    assert periods[1].end == dt.date(2024, 2, 29)  # leap year
    assert periods_in_year("monthly", 2026)[1].end == dt.date(2026, 2, 28)
    assert periods[-1].end == dt.date(2024, 12, 31)
    assert periods[3].label == "2024-04"


def test_quarters_start_and_end_on_their_boundaries():
    q = periods_in_year("quarterly", 2025)
    assert [(p.start, p.end) for p in q] == [
        (dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
        (dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
        (dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
        (dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
    ]
    assert q[2].label == "2025Q3"


def test_due_day_zero_is_the_month_end_and_large_days_clip():
    feb = periods_in_year("monthly", 2024)[1]
    assert due_date("monthly", feb, due_month=0, due_day=0) == dt.date(2024, 2, 29)
    assert due_date("monthly", feb, due_month=0, due_day=31) == dt.date(2024, 2, 29)
    assert due_date("monthly", feb, due_month=0, due_day=15) == dt.date(2024, 2, 15)
    assert day_in_month(2023, 4, 31) == dt.date(2023, 4, 30)


def test_quarterly_due_month_counts_within_the_quarter():
    q2 = periods_in_year("quarterly", 2026)[1]
    assert due_date("quarterly", q2, due_month=0, due_day=0) == dt.date(2026, 6, 30)
    assert due_date("quarterly", q2, due_month=1, due_day=10) == dt.date(2026, 4, 10)
    assert due_date("quarterly", q2, due_month=2, due_day=0) == dt.date(2026, 5, 31)


def test_yearly_due_month_and_one_off():
    year = periods_in_year("yearly", 2026)[0]
    assert due_date("yearly", year, due_month=0, due_day=0) == dt.date(2026, 12, 31)
    assert due_date("yearly", year, due_month=2, due_day=0) == dt.date(2026, 2, 28)
    assert periods_in_year("once", 2026, due_on=dt.date(2027, 1, 5)) == []
    (once,) = periods_in_year("once", 2027, due_on=dt.date(2027, 1, 5))
    assert due_date("once", once, due_month=0, due_day=0) == dt.date(2027, 1, 5)
    assert obligation_label("once", once) == "2027-01-05"
    assert obligation_label("yearly", year) == "2026"


def test_terms_starting_mid_year_and_on_leap_days():
    term = term_period(dt.date(2023, 7, 15), None, 3)
    assert (term.start, term.end) == (dt.date(2023, 7, 15), dt.date(2026, 7, 14))
    assert obligation_label("per_term", term) == "2023-2026届"
    leap = term_period(dt.date(2024, 2, 29), None, 5)
    assert leap.end == dt.date(2029, 2, 27)  # 2029-02-28 minus one day
    derived = term_period(None, dt.date(2026, 3, 31), 3)
    assert derived.start == dt.date(2023, 4, 1)
    assert term_period(None, None, 3) is None
    assert add_years(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)
    assert months_before(dt.date(2026, 8, 31), 6) == dt.date(2026, 2, 28)


@given(years, st.sampled_from(["monthly", "quarterly", "yearly"]))
def test_periods_tile_the_year_without_gap_or_overlap(year, recurrence):
    periods = periods_in_year(recurrence, year)
    assert periods[0].start == dt.date(year, 1, 1)
    assert periods[-1].end == dt.date(year, 12, 31)
    for earlier, later in zip(periods, periods[1:], strict=False):
        assert later.start == earlier.end + dt.timedelta(days=1)


@given(
    years,
    st.sampled_from(["monthly", "quarterly", "yearly"]),
    st.integers(0, 12),
    st.integers(0, 31),
)
def test_the_due_date_lies_inside_its_period(year, recurrence, due_month, due_day):
    for period in periods_in_year(recurrence, year):
        due = due_date(recurrence, period, due_month=due_month, due_day=due_day)
        assert period.start <= due <= period.end


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(9000, 12, 31)), st.integers(1, 10))
def test_a_term_lasts_its_years_to_the_day_before(start, years_):
    term = term_period(start, None, years_)
    assert add_years(start, years_) - dt.timedelta(days=1) == term.end
    assert term.start == start


def test_colour_at_every_boundary():
    due = dt.date(2026, 3, 31)
    green_from, yellow_from = alert_windows(due, 10, 5)
    assert (green_from, yellow_from) == (dt.date(2026, 3, 21), dt.date(2026, 3, 26))

    def colour(today, fulfilled=None):
        return alert_level(
            today=today,
            due_on=due,
            green_from=green_from,
            yellow_from=yellow_from,
            fulfilled_on=fulfilled,
        )

    assert colour(dt.date(2026, 3, 20)) == "upcoming"
    assert colour(dt.date(2026, 3, 21)) == "green"
    assert colour(dt.date(2026, 3, 25)) == "green"
    assert colour(dt.date(2026, 3, 26)) == "yellow"
    assert colour(due) == "yellow"
    assert colour(dt.date(2026, 4, 1)) == "red"
    assert colour(dt.date(2026, 4, 1), fulfilled=due) == "done"
    assert colour(dt.date(2026, 4, 1), fulfilled=dt.date(2026, 4, 1)) == "late"


def test_a_yellow_window_wider_than_green_starts_both_together():
    green_from, yellow_from = alert_windows(dt.date(2026, 3, 31), 3, 7)
    assert green_from == yellow_from == dt.date(2026, 3, 24)
