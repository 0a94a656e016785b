"""Pinyin keys for searching names: 张三 → ("zhangsan", "zs")."""

from pypinyin import lazy_pinyin


def pinyin_keys(name: str) -> tuple[str, str]:
    syllables = [s.lower() for s in lazy_pinyin(name or "", errors="ignore") if s]
    return "".join(syllables)[:200], "".join(s[0] for s in syllables)[:50]
