"""Dues arithmetic against the seeded brackets: every boundary, garbage in, monotone out."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bastion.agenda import dues_math
from bastion.agenda.models import DuesBracket

ON = dt.date(2025, 6, 1)
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "category,base,amount",
    [
        ("employed", "0", "0.00"),
        ("employed", "2999.99", "15.00"),
        ("employed", "3000", "15.00"),
        ("employed", "3000.01", "30.00"),
        ("employed", "4000", "40.00"),
        ("employed", "5000", "50.00"),
        ("employed", "5000.01", "75.00"),
        ("employed", "10000", "150.00"),
        ("employed", "10000.01", "200.00"),
        ("employed", "12345.67", "246.91"),
        ("retired", "0", "0.00"),
        ("retired", "5000", "25.00"),
        ("retired", "5000.01", "50.00"),
        ("fixed", "", "0.20"),
        ("fixed", None, "0.20"),
        ("fixed", "8000", "0.20"),
    ],
)
def test_amount_at_each_bracket_boundary(category, base, amount):
    value, bracket = dues_math.quote(category, base, ON)
    assert value == Decimal(amount)
    assert bracket.category == category


def test_the_boundary_belongs_to_the_lower_band():
    _amount, at = dues_math.quote("employed", "3000", ON)
    _amount, above = dues_math.quote("employed", "3000.01", ON)
    assert (at.upper, above.lower) == (Decimal("3000"), Decimal("3000"))
    assert at.rate == Decimal("0.5") and above.rate == Decimal("1")


@pytest.mark.parametrize(
    "base,message",
    [
        ("-1", "不能为负数"),
        ("-0.01", "不能为负数"),
        ("abc", "不是有效金额"),
        ("NaN", "不是有效金额"),
        ("Infinity", "不是有效金额"),
        ("12.345", "两位小数"),
        ("1e12", "过大"),
        ("", "请填写月缴费基数"),
        (None, "请填写月缴费基数"),
    ],
)
def test_bad_base_is_refused_in_chinese(base, message):
    with pytest.raises(ValidationError) as caught:
        dues_math.quote("employed", base, ON)
    assert message in " ".join(caught.value.messages)


def test_unknown_category_is_refused():
    with pytest.raises(ValidationError, match="党员类别"):
        dues_math.quote("student", "100", ON)


def test_thousands_separator_is_accepted():
    assert dues_math.quote("employed", "4,000", ON)[0] == Decimal("40.00")


def test_a_newer_bracket_version_applies_from_its_date():
    DuesBracket.objects.create(
        category="fixed", lower=0, fixed_amount=Decimal("0.50"), effective_from=dt.date(2026, 1, 1)
    )
    assert dues_math.quote("fixed", None, dt.date(2025, 12, 31))[0] == Decimal("0.20")
    assert dues_math.quote("fixed", None, dt.date(2026, 1, 1))[0] == Decimal("0.50")


def test_no_bracket_in_force_is_a_clear_error():
    with pytest.raises(ValidationError, match="没有适用于该基数的党费档次"):
        dues_math.quote("employed", "4000", dt.date(2019, 12, 31))


def test_bracket_table_reads_once(django_assert_num_queries):
    with django_assert_num_queries(1):
        table = dues_math.bracket_table(ON)
    with django_assert_num_queries(0):
        assert dues_math.quote_from(table, "retired", "6000")[0] == Decimal("60.00")


bases = st.decimals(min_value=0, max_value=Decimal("50000"), places=2, allow_nan=False)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(category=st.sampled_from(["employed", "retired"]), a=bases, b=bases)
def test_amount_never_falls_as_the_base_rises(category, a, b):
    table = dues_math.bracket_table(ON)
    low, high = sorted((a, b))
    assert (
        dues_math.quote_from(table, category, low)[0]
        <= (dues_math.quote_from(table, category, high)[0])
    )
