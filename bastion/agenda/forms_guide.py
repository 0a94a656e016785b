"""Forms of the operation guide: a page (Markdown body) and an attachment upload."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bastion.core.evidence import accept_attribute, allowed_types_text, max_upload_bytes
from bastion.core.forms import BootstrapFormMixin, UploadInput

from .services.guide import GUIDE_FIELDS, GUIDE_FILE_TYPES


class GuidePageForm(BootstrapFormMixin, forms.Form):
    slug = forms.CharField(
        label=_("页面编码"),
        max_length=60,
        help_text=_("网址中使用的编码：小写字母、数字和连字符，如 party-dues；创建后不能修改。"),
    )
    title = forms.CharField(label=_("标题"), max_length=200)
    summary = forms.CharField(label=_("摘要"), max_length=300, required=False)
    body = forms.CharField(
        label=_("正文（Markdown）"),
        widget=forms.Textarea(attrs={"rows": 24, "class": "form-control font-monospace"}),
        help_text=_("支持 Markdown：## 标题、- 列表、1. 编号、| 表格 |、**加粗**、[链接](网址)。"),
    )
    source = forms.CharField(label=_("依据来源"), max_length=200, required=False)
    sort_order = forms.IntegerField(label=_("排序"), initial=100, min_value=0, max_value=32767)

    def __init__(self, *args, page=None, **kwargs):
        if page is not None:
            kwargs.setdefault("initial", {name: getattr(page, name) for name in GUIDE_FIELDS})
        super().__init__(*args, **kwargs)
        if page is not None:
            self.fields["slug"].disabled = True

    def payload(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in GUIDE_FIELDS if not self.fields[name].disabled
        }


class GuideAttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("附件"),
        widget=UploadInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = accept_attribute(GUIDE_FILE_TYPES)
        self.fields["file"].help_text = _("%(types)s，不超过 %(max)s MB。") % {
            "types": allowed_types_text(GUIDE_FILE_TYPES),
            "max": max_upload_bytes() // (1024 * 1024),
        }
