"""Pinyin keys for searching names: 张三 → ("zhangsan", "zs")."""

from pypinyin import Style, lazy_pinyin


def pinyin_keys(name: str) -> tuple[str, str]:
    syllables = [s for s in lazy_pinyin(name or "", errors="ignore") if s]
    full = "".join(syllables).lower()
    initials = "".join(
        s[0] for s in lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors="ignore") if s
    ).lower()
    return full[:200], initials[:50]
