"""Period labels and their dates for every period kind."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from bastion.evaluation import periods

D = dt.date


@pytest.mark.parametrize(
    "kind,label,start,end",
    [
        ("month", "2026-10", D(2026, 10, 1), D(2026, 10, 31)),
        ("month", "2024-2", D(2024, 2, 1), D(2024, 2, 29)),
        ("quarter", "2026Q3", D(2026, 7, 1), D(2026, 9, 30)),
        ("quarter", "2026q1", D(2026, 1, 1), D(2026, 3, 31)),
        ("year", "2026", D(2026, 1, 1), D(2026, 12, 31)),
        ("term", "2024-03~2026-02", D(2024, 3, 1), D(2026, 2, 28)),
        ("term", "20240315~20260314", D(2024, 3, 15), D(2026, 3, 14)),
    ],
)
def test_a_label_names_its_first_and_last_day(kind, label, start, end):
    period = periods.parse(kind, label)
    assert (period.start, period.end) == (start, end)
    assert periods.parse(kind, period.label) == period  # the canonical label round-trips


def test_labels_are_canonical():
    assert periods.parse("month", "2024-2").label == "2024-02"
    assert periods.parse("quarter", "2026q1").label == "2026Q1"
    assert periods.term(D(2024, 3, 1), D(2026, 2, 28)).label == "2024-03~2026-02"
    assert periods.term(D(2024, 3, 15), D(2026, 3, 14)).label == "20240315~20260314"
    assert len(periods.term(D(2024, 3, 15), D(2026, 3, 14)).label) <= 20


@pytest.mark.parametrize(
    "kind,label",
    [("month", "2026-13"), ("month", "2026/10"), ("month", ""), ("quarter", "2026Q5"),
     ("year", "26"), ("year", "1900"), ("term", "20250230~20250301"),
     ("term", "20260301~20250301"), ("term", "2024"), ("week", "2026-10")],
)  # fmt: skip
def test_a_bad_label_is_refused_in_chinese(kind, label):
    with pytest.raises(ValidationError) as caught:
        periods.parse(kind, label)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in " ".join(caught.value.messages))


def test_previous_period_is_the_last_whole_one():
    today = D(2026, 1, 15)
    assert periods.previous("month", today).label == "2025-12"
    assert periods.previous("quarter", today).label == "2025Q4"
    assert periods.previous("year", today).label == "2025"
    assert periods.previous("term", today) is None
    assert periods.containing("quarter", D(2026, 11, 1)).label == "2026Q4"
