"""The one period type: labels, their dates, parsing (old forms too), neighbours and series."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from bastion.core.periods import (
    CALENDAR_KINDS,
    HALF,
    MONTH,
    QUARTER,
    TERM,
    YEAR,
    Period,
    add_months,
    months_before,
    parse_month,
)

D = dt.date


@pytest.mark.parametrize(
    "kind,label,start,end",
    [
        (MONTH, "2026-10", D(2026, 10, 1), D(2026, 10, 31)),
        (MONTH, "2024-2", D(2024, 2, 1), D(2024, 2, 29)),
        (QUARTER, "2026Q3", D(2026, 7, 1), D(2026, 9, 30)),
        (QUARTER, "2026q1", D(2026, 1, 1), D(2026, 3, 31)),
        (HALF, "2026H2", D(2026, 7, 1), D(2026, 12, 31)),
        (YEAR, "2026", D(2026, 1, 1), D(2026, 12, 31)),
        (TERM, "2024-03~2026-02", D(2024, 3, 1), D(2026, 2, 28)),
        (TERM, "20240315~20260314", D(2024, 3, 15), D(2026, 3, 14)),
    ],
)
def test_a_label_names_its_first_and_last_day(kind, label, start, end):
    period = Period.parse(label, kind)
    assert (period.kind, period.start, period.end) == (kind, start, end)
    assert Period.parse(period.label) == period  # the canonical label round-trips


def test_labels_have_one_format():
    assert Period.parse("2024-2").label == "2024-02"
    assert Period.parse(" 2026 q 3 ").label == "2026Q3"
    assert Period.half(2026, 1).label == "2026H1"
    assert Period.whole_year(2026).label == "2026"
    assert Period.term(D(2024, 3, 1), D(2026, 2, 28)).label == "2024-03~2026-02"
    assert len(Period.term(D(2024, 3, 15), D(2026, 3, 14)).label) <= 20


def test_the_old_dashed_quarter_and_half_still_parse():
    assert Period.parse("2026-Q3") == Period.quarter(2026, 3)
    assert Period.parse("2026-h1", HALF) == Period.half(2026, 1)
    assert str(Period.parse("2026-Q3")) == "2026Q3"


@pytest.mark.parametrize(
    "kind,label",
    [
        (MONTH, "2026-13"),
        (MONTH, "2026/10"),
        (MONTH, ""),
        (QUARTER, "2026Q5"),
        (QUARTER, "2026-3"),
        (YEAR, "26"),
        (YEAR, "1900"),
        (TERM, "20250230~20250301"),
        (TERM, "20260301~20250301"),
        (TERM, "2024"),
        ("week", "2026-10"),
        (None, "三季度"),
    ],
)
def test_a_bad_label_is_refused_in_chinese(kind, label):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        Period.parse(label, kind)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in " ".join(caught.value.messages))
    assert Period.parse_or_none(label, kind) is None


def test_neighbours_containing_and_series():
    today = D(2026, 1, 15)
    assert Period.containing(MONTH, today).previous().label == "2025-12"
    assert Period.containing(QUARTER, today).previous().label == "2025Q4"
    assert Period.containing(HALF, today).previous().label == "2025H2"
    assert Period.containing(YEAR, today).next().label == "2027"
    assert Period.containing(QUARTER, D(2026, 11, 1)).label == "2026Q4"
    quarters = Period.series(Period.parse("2025Q4"), Period.parse("2026Q2"))
    assert [q.label for q in quarters] == ["2025Q4", "2026Q1", "2026Q2"]
    assert [m.label for m in Period.parse("2026Q1").months()] == ["2026-01", "2026-02", "2026-03"]
    assert D(2026, 2, 28) in Period.parse("2026Q1") and D(2026, 4, 1) not in Period.parse("2026Q1")
    assert sorted([Period.parse("2026"), Period.parse("2025-12")])[0].label == "2025-12"


def test_titles_are_chinese():
    with translation.override("zh-hans"):
        assert Period.parse("2026Q3").title == "2026年第三季度"
        assert Period.parse("2026-03").title == "2026年3月"
        assert Period.parse("2026H2").title == "2026年下半年"
        assert Period.parse("2026").title == "2026年"


def test_a_term_has_no_neighbours_and_must_not_end_before_it_starts():
    with pytest.raises(ValidationError):
        Period.term(D(2026, 3, 1), D(2025, 3, 1))
    with pytest.raises(ValueError):
        Period.term(D(2024, 3, 1), D(2026, 2, 28)).next()


def test_month_arithmetic():
    assert add_months(D(2026, 1, 31), -1) == D(2025, 12, 1)
    assert months_before(D(2026, 8, 31), 6) == D(2026, 2, 28)
    assert parse_month("2026-3") == D(2026, 3, 1)
    assert parse_month(dt.datetime(2026, 3, 9, 8)) == D(2026, 3, 1)
    assert parse_month("1999-01") is None and parse_month(None) is None


@given(
    st.sampled_from(CALENDAR_KINDS),
    st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31)),
)
def test_every_calendar_period_round_trips_and_tiles_time(kind, day):
    period = Period.containing(kind, day)
    assert day in period
    assert Period.parse(period.label) == period
    assert Period.parse(period.label, kind) == period
    assert period.next().start == period.end + dt.timedelta(days=1)
    assert period.next().previous() == period


@given(
    st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31)),
    st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31)),
)
def test_every_term_round_trips(first, second):
    term = Period.term(min(first, second), max(first, second))
    assert Period.parse(term.label) == term
