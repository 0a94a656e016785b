"""The sentences of the bulletin, shared by the Word document and the printable page, so that
both say the same thing in the same words."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def intro_text(*, quarter_title: str, node_name: str, cutoff: dt.date) -> str:
    return _(
        "按照三级问题库分级督导、按季度通报晾晒整改成果的要求，现将%(quarter)s%(node)s"
        "问题整改情况通报如下（统计截至%(cutoff)s）。"
    ) % {"quarter": quarter_title, "node": node_name, "cutoff": chinese_date(cutoff)}


def overview_text(*, found, carried, due, rectified, rate: str, cutoff: dt.date, overdue) -> str:
    return _(
        "本季度共发现问题%(found)s个，连同以前季度结转未整改的%(carried)s个，应整改问题"
        "%(due)s个；本季度已整改%(rectified)s个，整改率%(rate)s；截至%(cutoff)s，"
        "逾期未整改问题%(overdue)s个。"
    ) % {
        "found": found,
        "carried": carried,
        "due": due,
        "rectified": rectified,
        "rate": rate,
        "cutoff": chinese_date(cutoff),
        "overdue": overdue,
    }


def rate_definition() -> str:
    return _("整改率＝本季度已整改问题数÷应整改问题数（本季度发现问题数＋季初未整改问题数）。")


def inspections_text(*, count, findings) -> str:
    if not count:
        return _("本季度未录入检查记录。")
    return _("本季度共开展检查%(count)s次，检查发现问题%(findings)s个，具体如下：") % {
        "count": count,
        "findings": findings,
    }


def ranking_text() -> str:
    return _("各单位按整改率由高到低排名，整改率相同的，逾期未改问题少的在前。")


def overdue_text(*, total, cutoff: dt.date) -> str:
    if not total:
        return _("本季度无逾期未整改问题。")
    return _("截至%(cutoff)s，以下问题已超过整改时限仍未整改完成，予以通报：") % {
        "cutoff": chinese_date(cutoff)
    }


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
SECTIONS = [  # marked for translation here, translated where shown
    gettext_noop("一、总体情况"),
    gettext_noop("二、检查开展情况"),
    gettext_noop("三、各单位整改情况"),
    gettext_noop("四、问题类别分布"),
    gettext_noop("五、逾期未整改问题"),
    gettext_noop("六、工作要求"),
]


def issuer_name(name: str) -> str:
    """“市公司党委” → “中共市公司委员会”: the red head names the committee in full."""
    for short, full in (("党总支", "总支部委员会"), ("党支部", "支部委员会"), ("党委", "委员会")):
        if name.endswith(short):
            return "中共" + name.removesuffix(short) + full
    return name if name.startswith("中共") else "中共" + name
