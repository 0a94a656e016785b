"""The twenty-four solar terms (二十四节气) of a year, as dates in China Standard Time.

S4's 《党建工作二十四节气表》 spreads the year's work over the solar terms, so the calendar needs
their real dates, which move by a day from year to year (立春 2026 is 4 February, 清明 2026 is
5 April). A term begins when the Sun's apparent ecliptic longitude reaches a multiple of 15°
(小寒 285°, 大寒 300°, 立春 315° … 冬至 270°); the date is that instant's day in UTC+8.

The Sun's longitude comes from the truncated VSOP87 series of the Earth (J. Meeus,
*Astronomical Algorithms*, 2nd ed., ch. 25 and 32, appendix III), with nutation, aberration and
ΔT. Against published tables the instants agree within about ten seconds; from 2020 to 2035
the term closest to midnight is 冬至 2021 (computed 23:59:22 CST, published 23:59:09), still
on 21 December. Pure functions, no database; a year is computed once.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache

from django.utils.translation import gettext_lazy

# In calendar order from January; each month holds two: its 节 (first) and 中气 (second).
NAMES = [
    gettext_lazy("小寒"),
    gettext_lazy("大寒"),
    gettext_lazy("立春"),
    gettext_lazy("雨水"),
    gettext_lazy("惊蛰"),
    gettext_lazy("春分"),
    gettext_lazy("清明"),
    gettext_lazy("谷雨"),
    gettext_lazy("立夏"),
    gettext_lazy("小满"),
    gettext_lazy("芒种"),
    gettext_lazy("夏至"),
    gettext_lazy("小暑"),
    gettext_lazy("大暑"),
    gettext_lazy("立秋"),
    gettext_lazy("处暑"),
    gettext_lazy("白露"),
    gettext_lazy("秋分"),
    gettext_lazy("寒露"),
    gettext_lazy("霜降"),
    gettext_lazy("立冬"),
    gettext_lazy("小雪"),
    gettext_lazy("大雪"),
    gettext_lazy("冬至"),
]
CHINA = dt.timedelta(hours=8)
J2000 = 2451545.0
TROPICAL_YEAR = 365.2422

# Earth's heliocentric longitude, VSOP87 (Meeus appendix III): (A, B, C) terms A·cos(B + C·τ).
_L0 = [
    (175347046, 0, 0),
    (3341656, 4.6692568, 6283.07585),
    (34894, 4.6261, 12566.1517),
    (3497, 2.7441, 5753.3849),
    (3418, 2.8289, 3.5231),
    (3136, 3.6277, 77713.7715),
    (2676, 4.4181, 7860.4194),
    (2343, 6.1352, 3930.2097),
    (1324, 0.7425, 11506.7698),
    (1273, 2.0371, 529.691),
    (1199, 1.1096, 1577.3435),
    (990, 5.233, 5884.927),
    (902, 2.045, 26.298),
    (857, 3.508, 398.149),
    (780, 1.179, 5223.694),
    (753, 2.533, 5507.553),
    (505, 4.583, 18849.228),
    (492, 4.205, 775.523),
    (357, 2.92, 0.067),
    (317, 5.849, 11790.629),
    (284, 1.899, 796.298),
    (271, 0.315, 10977.079),
    (243, 0.345, 5486.778),
    (206, 4.806, 2544.314),
    (205, 1.869, 5573.143),
    (202, 2.458, 6069.777),
    (156, 0.833, 213.299),
    (132, 3.411, 2942.463),
    (126, 1.083, 20.775),
    (115, 0.645, 0.98),
    (103, 0.636, 4694.003),
    (102, 0.976, 15720.839),
    (102, 4.267, 7.114),
    (99, 6.21, 2146.17),
    (98, 0.68, 155.42),
    (86, 5.98, 161000.69),
    (85, 1.3, 6275.96),
    (85, 3.67, 71430.7),
    (80, 1.81, 17260.15),
    (79, 3.04, 12036.46),
    (75, 1.76, 5088.63),
    (74, 3.5, 3154.69),
    (74, 4.68, 801.82),
    (70, 0.83, 9437.76),
    (62, 3.98, 8827.39),
    (61, 1.82, 7084.9),
    (57, 2.78, 6286.6),
    (56, 4.39, 14143.5),
    (56, 3.47, 6279.55),
    (52, 0.19, 12139.55),
    (52, 1.33, 1748.02),
    (51, 0.28, 5856.48),
    (49, 0.49, 1194.45),
    (41, 5.37, 8429.24),
    (41, 2.4, 19651.05),
    (39, 6.17, 10447.39),
    (37, 6.04, 10213.29),
    (37, 2.57, 1059.38),
    (36, 1.71, 2352.87),
    (36, 1.78, 6812.77),
    (33, 0.59, 17789.85),
    (30, 0.44, 83996.85),
    (30, 2.74, 1349.87),
    (25, 3.16, 4690.48),
]
_L1 = [
    (628331966747, 0, 0),
    (206059, 2.678235, 6283.07585),
    (4303, 2.6351, 12566.1517),
    (425, 1.59, 3.523),
    (119, 5.796, 26.298),
    (109, 2.966, 1577.344),
    (93, 2.59, 18849.23),
    (72, 1.14, 529.69),
    (68, 1.87, 398.15),
    (67, 4.41, 5507.55),
    (59, 2.89, 5223.69),
    (56, 2.17, 155.42),
    (45, 0.4, 796.3),
    (36, 0.47, 775.52),
    (29, 2.65, 7.11),
    (21, 5.34, 0.98),
    (19, 1.85, 5486.78),
    (19, 4.97, 213.3),
    (17, 2.99, 6275.96),
    (16, 0.03, 2544.31),
    (16, 1.43, 2146.17),
    (15, 1.21, 10977.08),
    (12, 2.83, 1748.02),
    (12, 3.26, 5088.63),
    (12, 5.27, 1194.45),
    (12, 2.08, 4694.0),
    (11, 0.77, 553.57),
    (10, 1.3, 6286.6),
    (10, 4.24, 1349.87),
    (9, 2.7, 242.73),
    (9, 5.64, 951.72),
    (8, 5.3, 2352.87),
    (6, 2.65, 9437.76),
    (6, 4.67, 4690.48),
]
_L2 = [
    (52919, 0, 0),
    (8720, 1.0721, 6283.0758),
    (309, 0.867, 12566.152),
    (27, 0.05, 3.52),
    (16, 5.19, 26.3),
    (16, 3.68, 155.42),
    (10, 0.76, 18849.23),
    (9, 2.06, 77713.77),
    (7, 0.83, 775.52),
    (5, 4.66, 1577.34),
    (4, 1.03, 7.11),
    (4, 3.44, 5573.14),
    (3, 5.14, 796.3),
    (3, 6.05, 5507.55),
    (3, 1.19, 242.73),
    (3, 6.12, 529.69),
    (3, 0.31, 398.15),
    (3, 2.28, 553.57),
    (2, 4.38, 5223.69),
    (2, 3.75, 0.98),
]
_L3 = [
    (289, 5.844, 6283.076),
    (35, 0, 0),
    (17, 5.49, 12566.15),
    (3, 5.2, 155.42),
    (1, 4.72, 3.52),
    (1, 5.3, 18849.23),
    (1, 5.97, 242.73),
]
_L4 = [(114, 3.142, 0), (8, 4.13, 6283.08), (1, 3.84, 12566.15)]
_L5 = [(1, 3.14, 0)]
_LONGITUDE = [_L0, _L1, _L2, _L3, _L4, _L5]
# Earth–Sun distance, main terms only: it enters through the aberration (20.5″ / R).
_R0 = [(100013989, 0, 0), (1670700, 3.0984635, 6283.07585), (13956, 3.05525, 12566.1517)]
_R1 = [(103019, 1.10749, 6283.07585)]


def _series(terms, tau: float) -> float:
    return sum(a * math.cos(b + c * tau) for a, b, c in terms)


def sun_longitude(jde: float) -> float:
    """The Sun's apparent geocentric longitude in degrees at Julian Ephemeris Day ``jde``."""
    tau = (jde - J2000) / 365250
    earth = sum(_series(terms, tau) * tau**power for power, terms in enumerate(_LONGITUDE))
    distance = (_series(_R0, tau) + _series(_R1, tau) * tau) / 1e8
    longitude = math.degrees(earth / 1e8) + 180 - 0.09033 / 3600  # to FK5
    t = tau * 10
    node = math.radians(125.04452 - 1934.136261 * t)
    sun = math.radians(280.4665 + 36000.7698 * t)
    moon = math.radians(218.3165 + 481267.8813 * t)
    nutation = (
        -17.2 * math.sin(node)
        - 1.32 * math.sin(2 * sun)
        - 0.23 * math.sin(2 * moon)
        + 0.21 * math.sin(2 * node)
    )
    return (longitude + (nutation - 20.4898 / distance) / 3600) % 360


def julian_day(moment: dt.datetime) -> float:
    """Julian Day of a naive UTC datetime (Gregorian calendar)."""
    return (moment - dt.datetime(2000, 1, 1, 12)).total_seconds() / 86400 + J2000


def delta_t(year: int) -> float:
    """TT − UT in seconds: about 69 s in 2000–2030, growing slowly (an hour's error in it
    would still move no term by a day)."""
    return 64.0 + 0.3 * (year - 2000) if year < 2020 else 69.2 + 0.3 * (year - 2020)


def _instant(year: int, longitude: float) -> dt.datetime:
    """The UTC moment in (or just around) ``year`` when the Sun reaches ``longitude``."""
    guess = dt.datetime(year, 3, 20) + dt.timedelta(days=(longitude % 360) / 360 * TROPICAL_YEAR)
    jde = julian_day(guess)
    for _step in range(50):  # Newton steps at the Sun's mean speed; 3-4 are enough
        gap = (longitude - sun_longitude(jde) + 180) % 360 - 180
        jde += gap / 360 * TROPICAL_YEAR
        if abs(gap) < 1e-8:
            break
    seconds = (jde - J2000) * 86400 - delta_t(year)
    return dt.datetime(2000, 1, 1, 12) + dt.timedelta(seconds=seconds)


def term_moment(year: int, index: int) -> dt.datetime:
    """The moment (naive, UTC+8) of ``year``'s solar term ``index`` (0 = 小寒 … 23 = 冬至)."""
    longitude = (285 + 15 * index) % 360
    moment = _instant(year, longitude) + CHINA
    if moment.year != year:  # terms before 春分, searched from March, land in the next year
        moment = _instant(year - 1, longitude) + CHINA
    return moment


@lru_cache(maxsize=64)
def solar_terms(year: int) -> tuple[dt.date, ...]:
    """The 24 dates of ``year``'s solar terms in calendar order (小寒 … 冬至), in UTC+8."""
    return tuple(term_moment(year, index).date() for index in range(24))


def month_terms(year: int, month: int) -> tuple[dt.date, dt.date]:
    """The month's two solar terms: its 节 (about the 4th-8th) and its 中气 (19th-23rd)."""
    dates = solar_terms(year)
    return dates[2 * month - 2], dates[2 * month - 1]


def term_name(year: int, day: dt.date) -> str | None:
    """The solar term that begins on ``day``, or None."""
    dates = solar_terms(year)
    return str(NAMES[dates.index(day)]) if day in dates else None
