"""The Word bulletin (通报) in the usual form of a party document (GB/T 9704 layout).

A4 with the standard margins; red head (发文机关 in red over a red rule), 文号, title in 小标宋,
salutation, six sections in 仿宋_GB2312 三号 with 黑体 headings, four tables with fixed column
widths (header row repeated on every page), the signature and date kept on the page of the last
paragraph, page numbers “— 1 —” at the foot. Chinese fonts are named through ``w:rFonts
w:eastAsia`` (the reader's Word supplies them; nothing is embedded).
"""

from __future__ import annotations

import datetime as dt
import io

from django.utils.translation import gettext as _

from .bulletin_texts import (
    REQUIREMENTS,
    SECTIONS,
    chinese_date,
    inspections_text,
    intro_text,
    issuer_name,
    overdue_text,
    overview_text,
    ranking_text,
    rate_definition,
)
from .selectors_bulletin import (
    CATEGORY_HEADERS,
    INSPECTION_HEADERS,
    OVERDUE_HEADERS,
    UNIT_HEADERS,
    BulletinData,
    category_table,
    inspection_table,
    overdue_table,
    quiet_line,
    unit_table,
)

BODY_FONT, HEADING_FONT, TITLE_FONT = "仿宋_GB2312", "黑体", "方正小标宋简体"
SUBHEADING_FONT = "楷体_GB2312"
RED = "FF0000"
DOCX_OVERDUE_LIMIT = 300  # the Word document names the worst ones; the workbook lists all
TABLE_SIZE = 10.5  # 五号
# Column widths in cm; each table fills the 15.6 cm text width of A4 less 2.8 + 2.6 cm margins.
# Dates (“2025-06-30”) need 2.3 cm at 五号, four-character headers 1.9 cm, 序号 1.2 cm.
UNIT_WIDTHS = [1.2, 4.9, 1.9, 1.9, 1.9, 1.9, 1.9]
CATEGORY_WIDTHS = [3.6, 2.4, 2.4, 2.4, 2.4, 2.4]
OVERDUE_WIDTHS = [1.2, 2.8, 4.1, 1.7, 2.3, 1.3, 2.2]
INSPECTION_WIDTHS = [1.2, 2.3, 1.9, 3.3, 5.0, 1.9]
NUMERIC_ALIGN = "CENTER"


def default_number(name: str, year: int, serial: int) -> str:
    """A 文号 when none was given: “市公党通〔2026〕12号”."""
    short = name.removesuffix("党委").removesuffix("党支部").removesuffix("党总支")[:3]
    return f"{short}党通〔{year}〕{serial}号"


def _font(run, name: str, size: float, *, bold=False, color: str | None = None):
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _paragraph(
    doc,
    text="",
    *,
    font=BODY_FONT,
    size=16,
    bold=False,
    color=None,
    align=None,
    indent=True,
    space_after=0,
):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_after = Pt(space_after)
    fmt.line_spacing = Pt(28)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align:
        paragraph.alignment = getattr(WD_ALIGN_PARAGRAPH, align)
    fmt.widow_control = True
    if text:
        _font(paragraph.add_run(text), font, size, bold=bold, color=color)
    return paragraph


def _red_rule(paragraph):
    """A red bottom border under the 文号 line: the 红头 rule."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "18"), ("space", "4"), ("color", RED)):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _cell_text(cell, text: str, font: str, *, align: str | None = None):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph = cell.paragraphs[0]
    if align:
        paragraph.alignment = getattr(WD_ALIGN_PARAGRAPH, align)
    _font(paragraph.add_run(text), font, TABLE_SIZE)


def _repeat_header(row):
    """Repeat the header row at the top of every page the table runs onto."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def _table(doc, headers: list[str], rows: list[list], widths: list[float]):
    """A grid with fixed column widths: text left, numbers, rates and dates centred."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm

    table = doc.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)  # Word reads the cell widths, LibreOffice the grid
    _repeat_header(table.rows[0])
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _cell_text(cell, text, HEADING_FONT, align="CENTER")
    for row, values in zip(table.rows[1:], rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            text = value.isoformat() if isinstance(value, dt.date) else str(value)
            align = None if isinstance(value, str) and value != "—" else NUMERIC_ALIGN
            _cell_text(cell, text, BODY_FONT, align=align)
    return table


def _page_numbers(section):
    """“— 1 —” centred at the foot of every page (宋体 四号)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run("— "), "宋体", 14)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = paragraph.add_run("1")
    _font(run, "宋体", 14)
    field.append(run._r)
    paragraph._p.append(field)
    _font(paragraph.add_run(" —"), "宋体", 14)


def _setup_page(doc):
    """A4 portrait with the GB/T 9704 margins (python-docx starts from US Letter)."""
    from docx.shared import Cm

    for section in doc.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
        section.footer_distance = Cm(2.0)
        _page_numbers(section)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", BODY_FONT
    )


def _head(doc, data: BulletinData, number: str) -> str:
    issuer = issuer_name(data.node.name)
    _paragraph(
        doc,
        issuer,
        font=TITLE_FONT,
        size=30,
        color=RED,
        align="CENTER",
        indent=False,
        space_after=12,
    )
    _red_rule(_paragraph(doc, number, align="CENTER", indent=False, space_after=18))
    title = _("关于%(quarter)s问题整改情况的通报") % {"quarter": data.quarter.title}
    _paragraph(doc, title, font=TITLE_FONT, size=22, align="CENTER", indent=False, space_after=12)
    _paragraph(doc, _("各下属党组织："), indent=False)
    return issuer


def _overview(doc, data: BulletinData):
    t = data.total
    intro = intro_text(
        quarter_title=data.quarter.title, node_name=data.node.name, cutoff=data.cutoff
    )
    _paragraph(doc, intro)
    _paragraph(doc, _(SECTIONS[0]), font=HEADING_FONT)
    overview = overview_text(
        found=t.found,
        carried=t.carried,
        due=t.due,
        rectified=t.rectified,
        rate=t.rate_text,
        cutoff=data.cutoff,
        overdue=t.overdue,
    )
    _paragraph(doc, overview)
    _paragraph(doc, rate_definition(), size=12)


def _inspections(doc, data: BulletinData):
    _paragraph(doc, _(SECTIONS[1]), font=HEADING_FONT)
    text = inspections_text(count=data.inspections_total, findings=data.inspection_findings)
    if not data.inspections_total:
        _paragraph(doc, text)
        return
    shown = min(len(data.inspections), DOCX_OVERDUE_LIMIT)
    if shown < data.inspections_total:
        text += _("（列出前%(shown)s次，完整清单见Excel附件）") % {"shown": shown}
    _paragraph(doc, text)
    _table(doc, INSPECTION_HEADERS, inspection_table(data, DOCX_OVERDUE_LIMIT), INSPECTION_WIDTHS)


def _units(doc, data: BulletinData):
    _paragraph(doc, _(SECTIONS[2]), font=HEADING_FONT)
    rows = unit_table(data)
    if rows:
        _paragraph(doc, ranking_text())
        _table(doc, UNIT_HEADERS, rows, UNIT_WIDTHS)
    quiet = quiet_line(data)
    if quiet:
        _paragraph(doc, quiet)
    _paragraph(doc, _(SECTIONS[3]), font=HEADING_FONT)
    _table(doc, CATEGORY_HEADERS, category_table(data), CATEGORY_WIDTHS)


def _overdue(doc, data: BulletinData):
    _paragraph(doc, _(SECTIONS[4]), font=HEADING_FONT)
    text = overdue_text(total=data.overdue_total, cutoff=data.cutoff)
    if not data.overdue_total:
        _paragraph(doc, text)
        return
    shown = min(len(data.overdue), DOCX_OVERDUE_LIMIT)
    if shown < data.overdue_total:
        text += _("（共%(total)s个，列出逾期时间最长的%(shown)s个，完整清单见Excel附件）") % {
            "total": data.overdue_total,
            "shown": shown,
        }
    _paragraph(doc, text)
    _table(doc, OVERDUE_HEADERS, overdue_table(data, DOCX_OVERDUE_LIMIT), OVERDUE_WIDTHS)


def _closing(doc, issuer: str, issued_on: dt.date):
    """工作要求, then the signature and date, which never stand alone on a page: the last
    requirement and every paragraph down to the date keep with the next and stay whole."""
    _paragraph(doc, _(SECTIONS[5]), font=HEADING_FONT)
    closing = [_paragraph(doc, text) for text in REQUIREMENTS]
    closing.append(_paragraph(doc, "", space_after=24))
    closing.append(_paragraph(doc, issuer, align="RIGHT", indent=False))
    closing.append(_paragraph(doc, chinese_date(issued_on), align="RIGHT", indent=False))
    from docx.shared import Pt

    for paragraph in closing[-4:]:
        fmt = paragraph.paragraph_format
        fmt.keep_together = True
        fmt.keep_with_next = paragraph is not closing[-1]
    for paragraph in closing[-2:]:
        paragraph.paragraph_format.right_indent = Pt(32)  # 右空二字


def build_docx(data: BulletinData, *, number: str, issued_on: dt.date, progress=None) -> bytes:
    """The bulletin as .docx bytes; ``progress(percent)`` is told as the tables are written."""
    from docx import Document

    doc = Document()
    _setup_page(doc)
    issuer = _head(doc, data, number)
    _overview(doc, data)
    _inspections(doc, data)
    if progress:
        progress(45)
    _units(doc, data)
    if progress:
        progress(55)
    _overdue(doc, data)
    if progress:
        progress(70)
    _closing(doc, issuer, issued_on)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
