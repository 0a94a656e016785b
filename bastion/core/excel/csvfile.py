"""A roster saved as CSV: UTF-8 (with or without the BOM Excel writes) or GBK/GB18030 (what
Excel on a Chinese Windows writes by default). The rows become the same ``RawSheet`` an .xlsx
gives, so header finding, conversion and every message downstream are shared.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from .cells import refuse
from .reader import RawSheet, TooManyRows

ENCODINGS = ("utf-8-sig", "gb18030")  # gb18030 reads every GBK and GB2312 file too
SNIFF_BYTES = 4096


def looks_like_text(data: bytes) -> bool:
    """No NUL byte and the start decodes in one of the encodings (a cut character at the end of
    the sample is allowed)."""
    sample = data[:SNIFF_BYTES]
    if b"\x00" in sample:
        return False
    for encoding in ENCODINGS:
        try:
            sample.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if exc.start >= len(sample) - 4:
                return True
    return False


def decode(data: bytes, name: str) -> str:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise refuse(
        _("无法识别文件“%(name)s”的文字编码；请在 Excel 中另存为“CSV UTF-8”或 .xlsx 格式。")
        % {"name": name or "?"}
    )


def read_csv(data: bytes, *, name: str = "", max_rows: int | None = None) -> RawSheet:
    """Every non-empty record as (its number, as Excel shows it, values); ``TooManyRows`` past
    ``max_rows`` records that hold values. Empty cells are None, like an .xlsx's; cells that
    Excel would read as formulas are listed as such."""
    text = decode(data, name)
    sheet = RawSheet(rows=[])
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_dialect(text))
    try:
        for number, record in enumerate(reader, start=1):
            values = [value if value.strip() else None for value in record]
            while values and values[-1] is None:
                values.pop()
            if not values:
                continue
            sheet.rows.append((number, values))
            # Excel would compute "=..." when it opens the file: refused like a formula cell.
            sheet.formulas.extend((number, i) for i, v in enumerate(values) if v and v[0] == "=")
            if max_rows is not None and len(sheet.rows) > max_rows:
                raise TooManyRows(max_rows)
    except csv.Error as exc:
        raise refuse(
            _("CSV 文件第%(row)d行的格式有误（%(reason)s），请用 Excel 打开后重新保存。")
            % {"row": reader.line_num, "reason": exc},
            row=reader.line_num,
        ) from None
    return sheet


def _dialect(text: str):
    """Comma-separated unless the header line holds more tabs or semicolons than commas."""
    first = text[: text.find("\n")] if "\n" in text else text
    delimiter = max((",", "\t", ";"), key=first.count)
    return _Dialect if delimiter == "," else type("Dialect", (_Dialect,), {"delimiter": delimiter})


class _Dialect(csv.excel):
    strict = False
