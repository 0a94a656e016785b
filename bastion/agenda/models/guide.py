"""The operation guide (一书, 党务操作指引): pages in Markdown with attachments, searchable."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bastion.core.evidence import EvidenceFile, evidence_upload_to


class GuidePage(models.Model):
    """Guide pages are company-wide reading: every signed-in user may read them; editing needs
    ``agenda.change_guidepage`` at the root of the tree."""

    slug = models.SlugField(_("页面编码"), max_length=60, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    body = models.TextField(_("正文（Markdown）"), blank=True)
    source = models.CharField(_("依据来源"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("操作指引")
        verbose_name_plural = _("操作指引")
        ordering = ["sort_order", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("agenda:guide_detail", args=[self.slug])


guide_upload_to = evidence_upload_to  # named by migration 0001


class GuideAttachment(EvidenceFile):
    upload_folder = "agenda/guide/{page_id}"

    page = models.ForeignKey(
        GuidePage, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("指引")
    )

    class Meta(EvidenceFile.Meta):
        verbose_name = _("指引附件")
        verbose_name_plural = _("指引附件")
