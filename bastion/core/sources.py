"""Where a rule comes from, as a reader names it: the seed documents by their own titles.

The seeded rules, schemes, points items and guide pages cite their sources with the project's
shorthand — ``S0``…``S4`` for the five source documents and ``DOMAIN.md`` for the project's own
rules of thumb. That shorthand is for developers; every page and the API show a source through
``readable_source``, the one mapping from shorthand to what a reader understands: the
document's title in 《》, and "系统默认规则" for the project's own defaults.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# The five seed documents (``/seeds``), by their own titles (simplified characters).
SEED_TITLES = {
    "S0": "《茂名供电局：做深做实“一看就是党员”党建品牌》",
    "S1": "《国网新疆喀什供电公司：“党建+”业务领航 推动全面融合发展》",
    "S2": "《国网咸宁供电公司：红心结对强管理 支部共建促提升》",
    "S3": "《以选派供电所“第一书记”为抓手提升供电所党建工作水平的探索与实践》",
    "S4": "《国网福州供电公司：“新时代红色堡垒工程”卓越实践》",
}
# The place (and brand) the shorthand is often followed by, which the title already says.
_ALREADY_IN_TITLE = {
    "S0": r"(?:茂名供电局|茂名)(?:\s*“一看就是党员”)?",
    "S1": r"喀什供电公司|喀什",
    "S2": r"咸宁供电公司|咸宁",
    "S3": r"广西",
    "S4": r"(?:福州供电公司|福州)(?:\s*“?新时代红色堡垒工程”?)?",
}
_SEED_CODE = re.compile(
    r"(?<![A-Za-z0-9_])(S[0-4])(?![A-Za-z0-9_])"
    r"(?P<place>\s*(?:" + "|".join(_ALREADY_IN_TITLE.values()) + r"))?"
)
_DOMAIN_RULES = re.compile(r"\s*[；;，,]?\s*DOMAIN\.md\s*(?:规则|“Rules”|Rules)?\s*[：:]?\s*")


def _title(match: re.Match) -> str:
    code, place = match.group(1), match.group("place")
    title = SEED_TITLES[code]
    if place and not re.fullmatch(rf"\s*(?:{_ALREADY_IN_TITLE[code]})", place):
        return title + place  # another document's place: keep it
    return title


def readable_source(text) -> str:
    """``"S1 同业对标；DOMAIN.md 五色地图分段"`` →
    ``"《…喀什…》 同业对标；系统默认规则：五色地图分段"``."""
    if not text:
        return text or ""
    text = str(text)
    if "DOMAIN.md" in text:
        text = _DOMAIN_RULES.sub(lambda m: _domain_rule(m, text), text).strip()
    return _SEED_CODE.sub(_title, text)


def _domain_rule(match: re.Match, text: str) -> str:
    """After another source the project's note adds nothing; alone, it is the system default."""
    before = text[: match.start()].strip()
    after = text[match.end() :].strip()
    default = _("系统默认规则")
    if not before and not after:
        return default
    if not before:
        return default + "："
    return "；" + default + "：" if after else ""
