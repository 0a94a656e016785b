"""Problems (问题清单) with their responsibility (责任清单), rectification and library level.

Four tiers (S4): 1 偶发轻微, 2 多发一般, 3 重点难点, 4 需上级研究解决. The library level
(三级问题库: 公司党委、县公司党委、基层支部) is suggested from the tier and editable; a tier-4
problem escalates to the committee above, which then owns the answer (``owner``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bastion.core.evidence import EvidenceFile
from bastion.core.evidence import evidence_upload_to as evidence_upload_to  # migration 0001
from bastion.core.scope import ScopedQuerySet


class Source(models.TextChoices):
    INSPECTION = "inspection", _("检查发现")
    EVALUATION = "evaluation", _("考评发现")
    MANUAL = "manual", _("自行录入")


class Category(models.TextChoices):
    ORGANIZATION = "organization", _("组织建设")
    INTEGRITY = "integrity", _("廉洁从业")
    SAFETY = "safety", _("安全生产")
    BUSINESS = "business", _("生产经营")
    SERVICE = "service", _("优质服务")
    OTHER = "other", _("其他")


class Tier(models.IntegerChoices):
    MINOR = 1, _("偶发轻微问题")
    GENERAL = 2, _("多发一般问题")
    KEY = 3, _("重点难点问题")
    ESCALATE = 4, _("需上级研究解决问题")


class Library(models.TextChoices):
    COMPANY = "company", _("公司党委问题库")
    COUNTY = "county", _("县公司党委问题库")
    BRANCH = "branch", _("基层支部问题库")


class State(models.TextChoices):
    PLANNED = "planned", _("待整改")
    IN_PROGRESS = "in_progress", _("整改中")
    SUBMITTED = "submitted", _("待验收")
    REJECTED = "rejected", _("验收未通过")
    VERIFIED = "verified", _("验收通过")
    CLOSED = "closed", _("已销号")


OPEN_STATES = [State.PLANNED, State.IN_PROGRESS, State.SUBMITTED, State.REJECTED]


class Problem(models.Model):
    scope_path_field = "organization__path"

    description = models.TextField(_("问题描述"))
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("问题所在组织"),
    )
    inspection = models.ForeignKey(
        "problems.Inspection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("来源检查"),
    )
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    category = models.CharField(_("类别"), max_length=14, choices=Category.choices)
    tier = models.PositiveSmallIntegerField(_("问题层次"), choices=Tier.choices)
    library = models.CharField(_("问题库"), max_length=10, choices=Library.choices)
    owner = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="owned_problems",
        verbose_name=_("问题库归属组织"),
    )
    recurring = models.BooleanField(_("反复出现"), default=False)
    found_on = models.DateField(_("发现日期"))
    # 责任清单
    responsible_org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="responsible_problems",
        verbose_name=_("责任组织"),
    )
    responsible_person = models.ForeignKey(
        "orgs.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsible_problems",
        verbose_name=_("责任人"),
    )
    measures = models.TextField(_("整改措施"), blank=True)
    deadline = models.DateField(_("整改时限"))
    state = models.CharField(
        _("整改状态"), max_length=12, choices=State.choices, default=State.PLANNED
    )
    escalated_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    submitted_on = models.DateField(_("提交验收日期"), null=True, blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        ordering = ["-found_on", "-id"]
        indexes = [
            models.Index(fields=["state", "deadline"]),
            models.Index(fields=["organization", "category", "found_on"]),
            models.Index(fields=["owner", "library"]),
            # The lists' order: a company-wide list reads its first page from this index.
            models.Index(fields=["-found_on", "-id"], name="problem_list_order"),
        ]
        permissions = [
            ("verify_problem", "Can verify rectification"),
            ("import_problem", "Can import problems"),
            ("export_problem", "Can export problems"),
        ]

    def __str__(self):
        return self.description[:40]

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("problems:problem_detail", args=[self.pk])


class ProblemEvent(models.Model):
    """One step of the rectification: who moved it from what to what, why, with what."""

    scope_path_field = "problem__organization__path"

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("原状态"), max_length=12, choices=State.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12, choices=State.choices)
    reason = models.CharField(_("说明"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.problem_id} {self.from_state}→{self.to_state}"


class ProblemEvidence(EvidenceFile):
    scope_path_field = "problem__organization__path"
    upload_folder = "problems/{problem_id}"

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="evidence")
    event = models.ForeignKey(
        ProblemEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="evidence"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta(EvidenceFile.Meta):
        verbose_name = _("整改佐证")
        verbose_name_plural = _("整改佐证")
