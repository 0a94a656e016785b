"""The 二十四节气 dates the 一表 is laid out on, and the seeded calendar spread over them."""

import datetime as dt

import pytest

from bastion.agenda.calendar_view import year_calendar
from bastion.agenda.models import CalendarRule
from bastion.agenda.periods import due_date
from bastion.agenda.services.obligations import rule_due_date, rule_versions
from bastion.agenda.solar_terms import NAMES, month_terms, solar_terms, term_moment, term_name
from bastion.core.periods import Period

D = dt.date
# Published for 2026 (中国天文年历; the dates every calendar prints).
PUBLISHED_2026 = [
    D(2026, 1, 5),
    D(2026, 1, 20),
    D(2026, 2, 4),
    D(2026, 2, 18),
    D(2026, 3, 5),
    D(2026, 3, 20),
    D(2026, 4, 5),
    D(2026, 4, 20),
    D(2026, 5, 5),
    D(2026, 5, 21),
    D(2026, 6, 5),
    D(2026, 6, 21),
    D(2026, 7, 7),
    D(2026, 7, 23),
    D(2026, 8, 7),
    D(2026, 8, 23),
    D(2026, 9, 7),
    D(2026, 9, 23),
    D(2026, 10, 8),
    D(2026, 10, 23),
    D(2026, 11, 7),
    D(2026, 11, 22),
    D(2026, 12, 7),
    D(2026, 12, 22),
]
# Published instants (CST) of 2018 (jieqi.supfree.net), to the second.
PUBLISHED_2018 = {
    "立春": dt.datetime(2018, 2, 4, 5, 28, 25),
    "雨水": dt.datetime(2018, 2, 19, 1, 17, 57),
    "惊蛰": dt.datetime(2018, 3, 5, 23, 28, 6),
    "春分": dt.datetime(2018, 3, 21, 0, 15, 24),
    "清明": dt.datetime(2018, 4, 5, 4, 12, 43),
    "谷雨": dt.datetime(2018, 4, 20, 11, 12, 29),
    "立夏": dt.datetime(2018, 5, 5, 21, 25, 18),
}
# Terms within minutes of midnight, where a rougher formula lands on the wrong day.
CLOSE_TO_MIDNIGHT = {
    (2021, "冬至"): D(2021, 12, 21),  # 23:59:09
    (2020, "大雪"): D(2020, 12, 7),  # 00:09
    (2019, "夏至"): D(2019, 6, 21),  # 23:54
    (2026, "雨水"): D(2026, 2, 18),  # 23:52
    (2026, "芒种"): D(2026, 6, 5),  # 23:48
}


def test_the_2026_terms_are_the_published_dates():
    assert list(solar_terms(2026)) == PUBLISHED_2026
    assert term_name(2026, D(2026, 2, 4)) == "立春" and term_name(2026, D(2026, 4, 5)) == "清明"
    assert term_name(2026, D(2026, 4, 6)) is None


@pytest.mark.parametrize("name,published", PUBLISHED_2018.items())
def test_instants_agree_with_published_times_within_a_minute(name, published):
    index = [str(n) for n in NAMES].index(name)
    assert abs((term_moment(2018, index) - published).total_seconds()) < 60


@pytest.mark.parametrize("key,expected", CLOSE_TO_MIDNIGHT.items())
def test_terms_close_to_midnight_fall_on_the_right_day(key, expected):
    year, name = key
    assert solar_terms(year)[[str(n) for n in NAMES].index(name)] == expected


@pytest.mark.parametrize("year", range(2020, 2036))
def test_every_year_2020_2035_has_two_terms_a_month_in_order(year):
    dates = solar_terms(year)
    assert len(dates) == 24 and all(d.year == year for d in dates)
    for month in range(1, 13):
        jie, zhongqi = month_terms(year, month)
        assert (jie.month, zhongqi.month) == (month, month)
        assert 3 <= jie.day <= 9 and 18 <= zhongqi.day <= 24
    gaps = {(b - a).days for a, b in zip(dates, dates[1:], strict=False)}
    assert gaps <= {14, 15, 16}
    assert dates[6] in (D(year, 4, 4), D(year, 4, 5))  # 清明
    assert dates[23] in (D(year, 12, 21), D(year, 12, 22))  # 冬至


def test_due_dates_fall_on_the_months_solar_terms():
    march = Period.of("month", 2026, 3)
    assert due_date("monthly", march, due_month=0, due_day=0, due_term=1) == D(2026, 3, 5)
    assert due_date("monthly", march, due_month=0, due_day=0, due_term=2) == D(2026, 3, 20)
    assert due_date("monthly", march, due_month=0, due_day=0) == D(2026, 3, 31)
    q2 = Period.of("quarter", 2027, 2)
    assert due_date("quarterly", q2, due_month=0, due_day=0, due_term=2) == solar_terms(2027)[11]


@pytest.mark.django_db
def test_the_seeded_calendar_is_spread_over_the_solar_terms():
    """Both halves of every month carry work (today every item fell at the month's end)."""
    months = year_calendar(2026, rule_versions())
    for month in months:
        first, second = month.halves
        due_first = [e for e in first.entries if not e.starts]
        assert due_first, f"{month.number} 月上半月没有到期事项"
        assert second.entries
        jie, zhongqi = month_terms(2026, month.number)
        assert (first.term_day, second.first_day) == (jie.day, zhongqi.day)
        assert all(e.due_on == jie for e in due_first)
    seeded = {r.code: r for r in CalendarRule.objects.all()}
    assert rule_due_date(seeded["lecture"], Period.of("quarter", 2026, 4)) == D(2026, 12, 22)
    assert rule_due_date(seeded["annual-review"], Period.whole_year(2026)) == D(2026, 12, 7)
    assert rule_due_date(seeded["member-appraisal"], Period.whole_year(2026)) == D(2026, 12, 22)
    assert rule_due_date(seeded["dues"], Period.of("month", 2026, 2)) == D(2026, 2, 28)
