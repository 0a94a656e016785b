"""Test data for 同业对标: indicators and bands of the tests' own (the seeded ones may exist too,
so codes and names here never collide with them), values written straight to the table."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from bastion.evaluation.models import BenchmarkIndicator, BenchmarkValue, MapBand

MARCH = dt.date(2026, 3, 1)
SPECS = (
    # code, name, unit, direction
    ("t_fee", "测试电费回收", "%", "higher"),
    ("t_loss", "测试线损", "%", "lower"),
    ("t_index", "测试运检指数", "", "higher"),
)
BANDS = (
    ("优", "#2fb344", 80),
    ("良", "#74b816", 60),
    ("中", "#f59f00", 40),
    ("差", "#f76707", 20),
    ("劣", "#d63939", 0),
)


def make_indicators() -> dict[str, BenchmarkIndicator]:
    found = {}
    for order, (code, name, unit, direction) in enumerate(SPECS, start=100):
        found[code], _created = BenchmarkIndicator.objects.get_or_create(
            code=code,
            defaults={"name": name, "unit": unit, "direction": direction, "order": order},
        )
    return found


def make_bands() -> list[MapBand]:
    """Replace whatever bands exist (the seed's) by five the tests know."""
    MapBand.objects.all().delete()
    return [
        MapBand.objects.create(name=name, colour=colour, min_score=Decimal(score))
        for name, colour, score in BANDS
    ]


def put(indicator, organization, value, month=MARCH) -> BenchmarkValue:
    return BenchmarkValue.objects.update_or_create(
        indicator=indicator,
        organization=organization,
        month=month,
        defaults={"value": Decimal(str(value))},
    )[0]


def xlsx(headers, rows, name="benchmarks.xlsx") -> io.BytesIO:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = name
    return data
