"""How much one import may read, from the settings, and the refusal that names the bound passed.

``BASTION_IMPORT_MAX_ROWS`` bounds the rows of one file (a sheet's blank rows count too: a few
bytes on disk can declare a million of them) and ``BASTION_IMPORT_MAX_UNPACKED_BYTES`` the bytes
its parts unpack to. The reader (``reader.py``) derives its other bounds (cells, shared strings)
from the row bound, so that a file is refused as soon as it passes one, within seconds and a few
tens of MB, however it was crafted.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from .cells import FileRefused, refuse
from .reader import SheetTooLong, TooManyCells, TooManyStrings, UnpackedTooLarge, WorkbookTooLarge


def max_rows() -> int:
    return settings.BASTION_IMPORT_MAX_ROWS


def max_unpacked_bytes() -> int:
    return settings.BASTION_IMPORT_MAX_UNPACKED_BYTES


def too_large(exc: WorkbookTooLarge) -> FileRefused:
    """The refusal, in Chinese, of a workbook that passed one of the reader's bounds."""
    values = {"max": exc.limit, "cell": exc.where}
    if isinstance(exc, SheetTooLong):
        message = _(
            "工作表超过了%(max)d行的上限（空行也计算在内）；请删除表格末尾多余的空行，"
            "或分成多个文件导入。"
        )
    elif isinstance(exc, UnpackedTooLarge):
        values["size"] = _size_text(exc.limit)
        message = _(
            "文件解压后超过了%(size)s的上限；请删除多余的工作表、空行和格式后重新保存，"
            "或分成多个文件导入。"
        )
    elif isinstance(exc, TooManyStrings):
        message = _(
            "文件中的文字条目过多（所有工作表合计超过%(max)d条）；请删除多余的工作表和内容后"
            "重新保存，或分成多个文件导入。"
        )
    elif isinstance(exc, TooManyCells) and exc.where:
        message = _("单元格 %(cell)s 超出了导入的范围（最多%(max)d列）；请删除该列及其右侧的内容。")
    else:
        message = _("文件的内容过多或结构异常，无法读取；请删除多余的内容，或分成多个文件导入。")
    return refuse(message % values)


def _size_text(count: int) -> str:
    if count >= 1048576:
        return f"{round(count / 1048576)} MB"
    return f"{max(1, round(count / 1024))} KB"
