"""Crafted workbooks that are small on disk and huge once unpacked, for the tests and the bench.

``xlsx_bomb`` writes a genuine .xlsx (a header row the people template would accept) whose sheet
continues with a million empty ``<row/>`` elements (Excel's whole sheet) and whose shared-strings
table holds 1.65 million entries: about 78 KB on disk with the defaults, 64 MB unpacked.
Written in chunks, so building one costs no memory.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CHUNK = 100_000

OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{OFFICE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OFFICE}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{OFFICE}.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_RELS}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
    '<sheets><sheet name="人员" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_RELS}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
HEADER = ["姓名", "组织编码", "政治面貌"]


def _header_row() -> str:
    cells = "".join(
        f'<c r="{letter}1" t="inlineStr"><is><t>{text}</t></is></c>'
        for letter, text in zip("ABC", HEADER, strict=True)
    )
    return f'<row r="1">{cells}</row>'


def _write_repeated(archive, name, head: str, unit: bytes, count: int, tail: str) -> None:
    with archive.open(name, "w", force_zip64=True) as part:
        part.write(head.encode())
        for start in range(0, count, CHUNK):
            part.write(unit * min(CHUNK, count - start))
        part.write(tail.encode())


def write_xlsx_bomb(target, *, empty_rows: int = 1_048_575, strings: int = 1_650_000) -> None:
    """Write the crafted workbook to ``target`` (a path or a binary file object)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'
        _write_repeated(
            archive, "xl/sharedStrings.xml", head, b"<si><t>x</t></si>", strings, "</sst>"
        )
        head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
        head += _header_row()
        tail = "</sheetData></worksheet>"
        _write_repeated(archive, "xl/worksheets/sheet1.xml", head, b"<row/>", empty_rows, tail)


def xlsx_bomb(**counts) -> bytes:
    buffer = io.BytesIO()
    write_xlsx_bomb(buffer, **counts)
    return buffer.getvalue()


def write_xlsx_bomb_file(path: Path, **counts) -> Path:
    with path.open("wb") as handle:
        write_xlsx_bomb(handle, **counts)
    return path
