"""The Word bulletin (通报) in the usual form of a party document.

Red head (发文机关 in red over a red rule), 文号, title in 小标宋, salutation, five sections in
仿宋_GB2312 with 黑体 headings, three tables, signature and date. Chinese fonts are named through
``w:rFonts w:eastAsia`` (the reader's Word supplies them; nothing is embedded).
"""

from __future__ import annotations

import datetime as dt
import io

from django.utils.translation import gettext as _

from .selectors_bulletin import (
    CATEGORY_HEADERS,
    OVERDUE_HEADERS,
    UNIT_HEADERS,
    BulletinData,
    category_table,
    overdue_table,
    unit_table,
)

BODY_FONT, HEADING_FONT, TITLE_FONT = "仿宋_GB2312", "黑体", "方正小标宋简体"
SUBHEADING_FONT = "楷体_GB2312"
RED = "FF0000"
DOCX_OVERDUE_LIMIT = 300  # the Word document names the worst ones; the workbook lists all

REQUIREMENTS = [
    "（一）提高思想认识。各单位要把问题整改作为检验“战斗堡垒”作用发挥的重要标尺，"
    "党组织书记切实履行第一责任人职责，对本单位问题整改亲自部署、亲自督办。",
    "（二）抓紧逾期整改。对本通报列出的逾期未整改问题，责任单位要逐项明确整改措施、"
    "责任人和完成时限，于下季度首月底前完成整改并上传佐证材料，逾期仍未完成的将挂牌督办。",
    "（三）举一反三防反弹。各单位要对照问题类别分布开展自查，深挖问题根源，"
    "防止同类问题反复出现，对反复出现的问题从严从重处理。",
    "（四）强化结果运用。整改情况纳入党建工作责任制考核和党支部基础管理评价，"
    "整改率排名靠后的单位要在下季度作专题说明。",
]


def issuer_name(name: str) -> str:
    """“市公司党委” → “中共市公司委员会”: the red head names the committee in full."""
    for short, full in (("党总支", "总支部委员会"), ("党支部", "支部委员会"), ("党委", "委员会")):
        if name.endswith(short):
            return "中共" + name.removesuffix(short) + full
    return name if name.startswith("中共") else "中共" + name


def default_number(name: str, year: int, serial: int) -> str:
    """A 文号 when none was given: “市公党通〔2026〕12号”."""
    short = name.removesuffix("党委").removesuffix("党支部").removesuffix("党总支")[:3]
    return f"{short}党通〔{year}〕{serial}号"


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


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


def _table(doc, headers: list[str], rows: list[list]):
    table = doc.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), HEADING_FONT, 10.5)
    for row, values in zip(table.rows[1:], rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            text = value.isoformat() if isinstance(value, dt.date) else str(value)
            _font(cell.paragraphs[0].add_run(text), BODY_FONT, 10.5)
    return table


def build_docx(data: BulletinData, *, number: str, issued_on: dt.date, progress=None) -> bytes:
    """The bulletin as .docx bytes; ``progress(percent)`` is told as the tables are written."""
    from docx import Document
    from docx.shared import Cm

    doc = Document()
    for section in doc.sections:
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", BODY_FONT
    )
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
    t = data.total
    _paragraph(
        doc,
        _(
            "按照三级问题库分级督导、按季度通报晾晒整改成果的要求，现将%(quarter)s%(node)s"
            "问题整改情况通报如下（统计截至%(cutoff)s）。"
        )
        % {
            "quarter": data.quarter.title,
            "node": data.node.name,
            "cutoff": chinese_date(data.cutoff),
        },
    )
    _paragraph(doc, _("一、总体情况"), font=HEADING_FONT)
    _paragraph(
        doc,
        _(
            "本季度共发现问题%(found)s个，连同以前季度结转未整改的%(carried)s个，应整改问题"
            "%(due)s个；本季度已整改%(rectified)s个，整改率%(rate)s；截至%(cutoff)s，"
            "逾期未整改问题%(overdue)s个。"
        )
        % {
            "found": t.found,
            "carried": t.carried,
            "due": t.due,
            "rectified": t.rectified,
            "rate": t.rate_text,
            "cutoff": chinese_date(data.cutoff),
            "overdue": t.overdue,
        },
    )
    _paragraph(
        doc,
        _("整改率＝本季度已整改问题数÷应整改问题数（本季度发现问题数＋季初未整改问题数）。"),
        size=12,
    )
    if progress:
        progress(45)
    _paragraph(doc, _("二、各单位整改情况"), font=HEADING_FONT)
    _paragraph(doc, _("各单位按整改率由高到低排名，整改率相同的，逾期未改问题少的在前。"))
    _table(doc, UNIT_HEADERS, unit_table(data))
    _paragraph(doc, _("三、问题类别分布"), font=HEADING_FONT)
    _table(doc, CATEGORY_HEADERS, category_table(data))
    if progress:
        progress(55)
    _paragraph(doc, _("四、逾期未整改问题"), font=HEADING_FONT)
    if data.overdue_total:
        shown = min(len(data.overdue), DOCX_OVERDUE_LIMIT)
        text = _("截至%(cutoff)s，以下问题已超过整改时限仍未整改完成，予以通报：") % {
            "cutoff": chinese_date(data.cutoff)
        }
        if shown < data.overdue_total:
            text += _("（共%(total)s个，列出逾期时间最长的%(shown)s个，完整清单见Excel附件）") % {
                "total": data.overdue_total,
                "shown": shown,
            }
        _paragraph(doc, text)
        _table(doc, OVERDUE_HEADERS, overdue_table(data, DOCX_OVERDUE_LIMIT))
    else:
        _paragraph(doc, _("本季度无逾期未整改问题。"))
    if progress:
        progress(70)
    _paragraph(doc, _("五、工作要求"), font=HEADING_FONT)
    for text in REQUIREMENTS:
        _paragraph(doc, text)
    _paragraph(doc, "", space_after=24)
    _paragraph(doc, issuer, align="RIGHT", indent=False)
    _paragraph(doc, chinese_date(issued_on), align="RIGHT", indent=False)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
