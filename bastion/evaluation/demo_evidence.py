"""The demo's evidence files for the points ledger: an item of the handbook that asks for
evidence (服务队活动, 保电, 党建保安 …) counts only with a file, so every demo entry of such an
item carries one.

One record sheet per station, item and month (the activity's sign-in sheet, as a station files
it): a one-page PDF naming the organization, the item, the month and each member's date and
points. Every entry it lists points at it. The PDF is written by hand (no PDF library is
installed) with the standard Chinese font STSong-Light, which every PDF viewer supplies, so the
file is a few hundred bytes and needs no embedded font.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from .models import PointsEntry, PointsItem

FOLDER = "evaluation/points/demo"
LINES_PER_PAGE = 40  # a sheet lists at most this many entries (a station has far fewer a month)
LEFT, LINE, COLUMNS = 56, 17, (0, 100, 190)  # points: margin, line height, column offsets


def attach_sheets(
    entries: Iterable[PointsEntry],
    items: dict[int, PointsItem],
    people: dict[int, str],
    organizations: dict[int, tuple[int, str]],
) -> int:
    """Give each entry of an evidence-required item its month's record sheet (unsaved rows).

    ``people``: person id → name; ``organizations``: person id → (organization id, name).
    Returns the number of files written."""
    sheets: dict[tuple, list[PointsEntry]] = defaultdict(list)
    for entry in entries:
        if items[entry.item_id].evidence_required:
            org_id, _name = organizations[entry.person_id]
            sheets[(org_id, entry.item_id, entry.occurred_on.replace(day=1))].append(entry)
    for (org_id, item_id, month), rows in sheets.items():
        item = items[item_id]
        rows.sort(key=lambda row: (row.occurred_on, people[row.person_id]))
        body = sheet_pdf(
            title=f"{item.name} 佐证记录",
            facts=[
                f"单位：{organizations[rows[0].person_id][1]}",
                f"月份：{month:%Y-%m}    积分项目：{item.name}（{item.points:+}）",
            ],
            table=[
                ("日期", "党员", "积分"),
                *[
                    (f"{row.occurred_on:%Y-%m-%d}", people[row.person_id], f"{row.points:+}")
                    for row in rows[:LINES_PER_PAGE]
                ],
            ],
        )
        name = f"{FOLDER}/{org_id}/{month:%Y-%m}-{item.code}.pdf"
        if default_storage.exists(name):  # a rebuilt demo writes the same sheet again
            default_storage.delete(name)
        stored = default_storage.save(name, ContentFile(body))
        shown = f"{item.name}佐证{month:%Y-%m}.pdf"
        for row in rows:
            row.evidence.name, row.evidence_name = stored, shown
    return len(sheets)


def _hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def sheet_pdf(*, title: str, facts: list[str], table: list[tuple[str, ...]]) -> bytes:
    """A one-page A4 PDF in STSong-Light: a title, a few facts, then a table in columns."""
    text = ["BT", f"/F1 16 Tf 1 0 0 1 {LEFT} 780 Tm <{_hex(title)}> Tj", "/F1 11 Tf"]
    top = 750
    for line in facts:
        text.append(f"1 0 0 1 {LEFT} {top} Tm <{_hex(line)}> Tj")
        top -= LINE
    for row in table:
        for x, cell in zip(COLUMNS, row, strict=False):
            text.append(f"1 0 0 1 {LEFT + x} {top} Tm <{_hex(cell)}> Tj")
        top -= LINE
    text.append("ET")
    stream = "\n".join(text).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        b"/FontDescriptor 7 0 R /DW 1000 /W [1 95 500] >>",  # Latin half width
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        b"/CapHeight 880 /StemV 93 >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
