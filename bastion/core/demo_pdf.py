"""Small hand-made PDFs for the demo's evidence files (record sheets, meeting minutes).

No PDF library is installed, so the file is written by hand with the standard Chinese font
STSong-Light, which every PDF viewer supplies: a one-page file of a few hundred bytes to a few
kilobytes that needs no embedded font. Only the demo builders use it.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

LEFT, LINE = 56, 17  # points: left margin, line height
COLUMNS = (0, 100, 190)  # points: offsets of a table's columns from the margin
TOP, BOTTOM = 750, 30  # points: where the facts start, below which nothing is written


def _hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def sheet_pdf(
    *,
    title: str,
    facts: list[str],
    table: list[tuple[str, ...]] = (),
    columns: tuple[int, ...] = COLUMNS,
) -> bytes:
    """A one-page A4 PDF in STSong-Light: a title, a few facts, then a table in columns.
    Lines that would run off the page are dropped (callers keep their tables short)."""
    text = ["BT", f"/F1 16 Tf 1 0 0 1 {LEFT} 780 Tm <{_hex(title)}> Tj", "/F1 11 Tf"]
    top = TOP
    for line in facts:
        if top < BOTTOM:
            break
        text.append(f"1 0 0 1 {LEFT} {top} Tm <{_hex(line)}> Tj")
        top -= LINE
    for row in table:
        if top < BOTTOM:
            break
        for x, cell in zip(columns, row, strict=False):
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


def save_demo_file(name: str, body: bytes) -> str:
    """Store ``body`` under exactly ``name`` (a rebuilt demo writes the same file again);
    returns the stored name."""
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(body))
