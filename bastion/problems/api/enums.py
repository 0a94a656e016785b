"""The problem API's own choice sets (not model choices): the moves a transition may ask for and
the bulletin formats. Their schema names are given in ``ENUM_NAME_OVERRIDES``."""

from django.utils.translation import gettext_lazy as _

from ..models import State

MOVE_CHOICES = [(value, label) for value, label in State.choices if value != State.PLANNED] + [
    ("reopen", _("重新打开（回到整改中）"))
]
FORMAT_CHOICES = [("docx", _("Word 通报")), ("xlsx", _("Excel 清单"))]
