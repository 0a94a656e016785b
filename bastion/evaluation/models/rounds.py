"""Rounds (考评轮次): one period of one scheme over one subtree, its targets, scores and appeals."""

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bastion.core.scope import ScopedQuerySet

from .schemes import EvaluatorKind, Scheme, UsedBelowQuerySet


class RoundState(models.TextChoices):
    SCORING = "scoring", _("评分中")
    COMPUTED = "computed", _("已计算待发布")
    PUBLISHED = "published", _("已发布")
    CLOSED = "closed", _("已归档")


class Round(models.Model):
    """``organization`` is the root of the round: its targets lie in that subtree."""

    scope_path_field = "organization__path"

    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("考评方案")
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="evaluation_rounds",
        verbose_name=_("考评范围"),
    )
    name = models.CharField(_("轮次名称"), max_length=120)
    # Filled when the name is the scheme's name and period: the English interface shows it.
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    period_label = models.CharField(_("考评期间"), max_length=20)
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    opens_on = models.DateField(_("评分开始"))
    closes_on = models.DateField(_("评分截止"))
    appeal_days = models.PositiveSmallIntegerField(_("申诉期（天）"), default=5)
    appeal_until = models.DateField(_("申诉截止"), null=True, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=RoundState.choices, default=RoundState.SCORING
    )
    snapshot = models.JSONField(_("方案快照"), default=dict, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    # What the last computation saw of the data and applied of the decisions
    # (``selectors_readiness.Readiness.fingerprint``): publishing refuses results computed on
    # data or decisions that have changed since.
    data_check = models.JSONField(_("计算时的数据情况"), default=dict, blank=True, editable=False)
    # What the results pages show of the whole round, stored by each computation (the results
    # change only then): ``results`` (the summary cards) and ``scoring`` (the scores still
    # missing when scoring closed). Empty until computed: the pages then count the rows.
    summary = models.JSONField(_("结果汇总"), default=dict, blank=True, editable=False)

    objects = UsedBelowQuerySet.as_manager()

    class Meta:
        verbose_name = _("考评轮次")
        verbose_name_plural = _("考评轮次")
        ordering = ["-period_start", "scheme", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "organization", "period_label"], name="one_round_per_period"
            )
        ]
        indexes = [models.Index(fields=["scheme", "state", "period_start"])]
        permissions = [
            ("publish_round", "Can publish evaluation results"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("evaluation:round_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.state in (RoundState.PUBLISHED, RoundState.CLOSED)


class TargetQuerySet(ScopedQuerySet):
    def published(self):
        return self.filter(round__state__in=[RoundState.PUBLISHED, RoundState.CLOSED])


class Target(models.Model):
    """One organization or person evaluated in a round, with the computed result.

    ``organization`` is the target itself for branch and station schemes and the person's branch
    for member schemes: it places the row in the tree for the scope door. ``contributions`` holds,
    per indicator code, the raw value, the ratio, the points earned and whether it was missing.
    """

    scope_path_field = "organization__path"
    scope_owner_field = "person__user"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="targets")
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="evaluation_targets",
        verbose_name=_("组织"),
    )
    person = models.ForeignKey(
        "orgs.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluation_targets",
        verbose_name=_("党员"),
    )
    total = models.DecimalField(_("总分"), max_digits=7, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    rank_within_parent = models.PositiveIntegerField(_("组内名次"), null=True, blank=True)
    vetoed = models.BooleanField(_("一票否决"), default=False)
    missing = models.PositiveSmallIntegerField(_("缺评指标数"), default=0)
    contributions = models.JSONField(_("各指标得分"), default=dict, blank=True)
    titles = models.JSONField(_("本轮称号"), default=list, blank=True)
    data_incomplete = models.BooleanField(
        _("数据不全"),
        default=False,
        help_text=_(
            "有数据项缺数或不全（且未决定全员剔除），不参与前N名、后N名和流动红旗等名次称号。"
        ),
    )

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("考评对象")
        verbose_name_plural = _("考评对象")
        ordering = ["round", "rank", "organization__path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organization"],
                condition=models.Q(person__isnull=True),
                name="org_target_once_per_round",
            ),
            models.UniqueConstraint(
                fields=["round", "person"],
                condition=models.Q(person__isnull=False),
                name="person_target_once_per_round",
            ),
        ]
        indexes = [models.Index(fields=["round", "rank"])]
        permissions = [
            ("score_target", "Can score evaluation targets"),
            ("view_published_target", "Can see published results and rankings"),
            ("score_as_committee", "Can score as the party organization above"),
            ("score_as_business", "Can score as a business department"),
        ]

    def __str__(self):
        return str(self.person or self.organization)

    @property
    def label(self) -> str:
        return self.person.name if self.person_id else self.organization.display_name


class Score(models.Model):
    """One evaluator's score of one indicator of one target, as one evaluator group."""

    scope_path_field = "target__organization__path"
    scope_owner_field = "evaluator"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="scores")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="scores")
    indicator = models.SlugField(_("指标代码"), max_length=40)
    group = models.CharField(_("评价主体"), max_length=10, choices=EvaluatorKind.choices)
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="evaluation_scores",
        verbose_name=_("评价人"),
    )
    value = models.DecimalField(_("分值"), max_digits=7, decimal_places=2)
    comment = models.CharField(_("评语"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("评分时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        ordering = ["target", "indicator", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "indicator", "group", "evaluator"], name="one_score_per_item"
            )
        ]
        indexes = [models.Index(fields=["round", "target"])]

    def __str__(self):
        return f"{self.target} {self.indicator} {self.value}"


def key_event_upload_to(instance, filename):
    return f"evaluation/events/{instance.round_id}/{filename}"


class KeyEvent(models.Model):
    """打擂台: a member's key event (关键事件) of the quarter, which the other members rate."""

    scope_path_field = "target__organization__path"
    scope_owner_field = "target__person__user"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="key_events")
    target = models.OneToOneField(Target, on_delete=models.CASCADE, related_name="key_event")
    title = models.CharField(_("事件标题"), max_length=100)
    happened_on = models.DateField(_("发生日期"))
    description = models.TextField(_("事件经过与成效"))
    attachment = models.FileField(_("佐证材料"), upload_to=key_event_upload_to, blank=True)
    attachment_name = models.CharField(_("文件名"), max_length=255, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("关键事件")
        verbose_name_plural = _("关键事件")
        ordering = ["-submitted_at", "id"]

    def __str__(self):
        return self.title


class AppealState(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("已采纳并重算")
    DISMISSED = "dismissed", _("已驳回")


class Appeal(models.Model):
    """A target's objection to its published result, raised within the appeal window."""

    scope_path_field = "target__organization__path"
    scope_owner_field = "raised_by"

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="appeals")
    reason = models.TextField(_("申诉理由"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申诉人"),
    )
    raised_at = models.DateTimeField(_("申诉时间"), auto_now_add=True)
    state = models.CharField(
        _("处理状态"), max_length=10, choices=AppealState.choices, default=AppealState.OPEN
    )
    answer = models.TextField(_("处理意见"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    answered_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("申诉")
        verbose_name_plural = _("申诉")
        ordering = ["-raised_at", "-id"]

    def __str__(self):
        return f"{self.target} {self.get_state_display()}"


class TitleAward(models.Model):
    """A title a published round gave. A watch-list title stays open until ``lifted_by``."""

    scope_path_field = "organization__path"
    scope_owner_field = "person__user"

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="awards")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="awards")
    rule_code = models.SlugField(_("称号代码"), max_length=40)
    kind = models.CharField(_("称号类型"), max_length=10)
    name = models.CharField(_("称号"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    stars = models.PositiveSmallIntegerField(_("星级"), null=True, blank=True)
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="evaluation_titles",
        verbose_name=_("组织"),
    )
    person = models.ForeignKey(
        "orgs.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluation_titles",
        verbose_name=_("党员"),
    )
    total = models.DecimalField(_("得分"), max_digits=7, decimal_places=2, null=True)
    awarded_on = models.DateField(_("授予日期"))
    lifted_by = models.ForeignKey(
        Round,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lifted_awards",
        verbose_name=_("摘牌轮次"),
    )
    lifted_on = models.DateField(_("摘牌日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("称号")
        verbose_name_plural = _("称号")
        ordering = ["-awarded_on", "kind", "organization__path"]
        indexes = [
            models.Index(fields=["kind", "lifted_on"]),
            models.Index(fields=["scheme", "awarded_on"]),
        ]

    def __str__(self):
        return f"{self.name} {self.person or self.organization}"


class DataDecision(models.TextChoices):
    EXCLUDE = "exclude", _("全员剔除该指标")
    WAIT = "wait", _("等待数据")


class RoundDataDecision(models.Model):
    """What a round's manager decided about one data-fed indicator whose data is missing or
    partial for some targets: exclude it for every target (its siblings share its weight), or
    wait for the data (publishing stays blocked until it comes)."""

    scope_path_field = "round__organization__path"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="data_decisions")
    indicator = models.SlugField(_("指标代码"), max_length=40)
    indicator_name = models.CharField(_("指标"), max_length=100)
    decision = models.CharField(_("决定"), max_length=10, choices=DataDecision.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    # The gaps the decision was taken on, as listed then (indicator → organizations).
    gaps = models.JSONField(_("决定时的缺数情况"), default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("决定人"),
    )
    decided_at = models.DateTimeField(_("决定时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("缺数处理决定")
        verbose_name_plural = _("缺数处理决定")
        ordering = ["round", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["round", "indicator"], name="one_data_decision")
        ]

    def __str__(self):
        return f"{self.indicator_name} {self.get_decision_display()}"


auditlog.register(RoundDataDecision)
