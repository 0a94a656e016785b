"""Schemes (考评方案): who is evaluated, how often, on which indicators, by whom, for what titles.

A scheme is data an administrator edits. When a round opens it copies the scheme into the round
(``Round.snapshot``), so a later edit never changes a round already open or published: the
round's opening date is the date a version of the scheme takes effect.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from bastion.core.scope import ScopedQuerySet, grant, permission_name
from bastion.orgs.models.organization import Organization

STEP = Organization.steplen  # every ancestor's path is a prefix whose length is a multiple


class TargetKind(models.TextChoices):
    BRANCH = "branch", _("党支部")
    STATION = "station", _("供电所")
    MEMBER = "member", _("党员")
    FIRST_SECRETARY = "first_secretary", _("第一书记")


PERSON_TARGETS = {TargetKind.MEMBER, TargetKind.FIRST_SECRETARY}


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")
    TERM = "term", _("任期")


class SchemeStyle(models.TextChoices):
    INDICATORS = "indicators", _("指标评分")
    ARENA = "arena", _("打擂台（关键事件互评）")


class MissingPolicy(models.TextChoices):
    ZERO = "zero", _("缺评按零分计")
    EXCLUDE = "exclude", _("缺评指标不计，权重按其余指标折算")


class UsedBelowQuerySet(ScopedQuerySet):
    """Rows that apply below the organization that owns them (schemes, rounds): a user sees one
    with a grant within that organization's subtree *or* on any organization below it. Every
    other action needs a grant covering the owner, as usual.

    A scheme without an owner is shipped for the whole company: anyone who may view schemes
    sees it, and changing it needs the permission on a root organization (as for the calendar).
    """

    def restrict(self, user, action: str = "view"):
        held = grant(user, permission_name(self.model, action))
        if held.everywhere:
            return self
        paths = held.paths
        field = self.model.scope_path_field
        scoped = super().restrict(user, action)
        if action == "view":
            above = {path[:end] for path in paths for end in range(STEP, len(path) + 1, STEP)}
            scoped = scoped | self.filter(**{f"{field}__in": above})
        owner = field.split("__")[0]
        if paths and (action == "view" or any(len(path) == STEP for path in paths)):
            scoped = scoped | self.filter(**{f"{owner}__isnull": True})
        return scoped


class Scheme(models.Model):
    scope_path_field = "owner__path"

    code = models.SlugField(_("方案代码"), max_length=40, unique=True)
    name = models.CharField(_("方案名称"), max_length=100)
    name_en = models.CharField(
        _("英文名称"), max_length=150, blank=True, help_text=_("英文界面显示；留空则显示中文名称。")
    )
    description = models.TextField(_("说明"), blank=True)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    owner = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluation_schemes",
        verbose_name=_("制定单位"),
        help_text=_("空表示全公司通用的内置方案。"),
    )
    target_kind = models.CharField(_("考评对象"), max_length=20, choices=TargetKind.choices)
    period_kind = models.CharField(_("考评周期"), max_length=10, choices=PeriodKind.choices)
    style = models.CharField(
        _("评价方式"), max_length=12, choices=SchemeStyle.choices, default=SchemeStyle.INDICATORS
    )
    full_score = models.DecimalField(_("满分"), max_digits=7, decimal_places=2, default=100)
    bonus_cap = models.DecimalField(
        _("加分上限"),
        max_digits=7,
        decimal_places=2,
        default=0,
        help_text=_("加分项合计不超过此数；0 表示只受各加分项自身上限约束。"),
    )
    deduction_cap = models.DecimalField(
        _("扣分上限"),
        max_digits=7,
        decimal_places=2,
        default=0,
        help_text=_("扣分项合计不超过此数；0 表示只受各扣分项自身上限约束。"),
    )
    veto_cap = models.DecimalField(
        _("否决后得分上限"),
        max_digits=7,
        decimal_places=2,
        default=0,
        help_text=_("触发一票否决时，总分不高于此数。"),
    )
    missing_policy = models.CharField(
        _("缺评处理"), max_length=10, choices=MissingPolicy.choices, default=MissingPolicy.ZERO
    )
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = UsedBelowQuerySet.as_manager()

    class Meta:
        verbose_name = _("考评方案")
        verbose_name_plural = _("考评方案")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("evaluation:scheme_detail", args=[self.pk])

    @property
    def targets_people(self) -> bool:
        return self.target_kind in PERSON_TARGETS


class IndicatorKind(models.TextChoices):
    SCORED = "scored", _("评分项")
    COMPUTED = "computed", _("数据项")
    BONUS = "bonus", _("加分项")
    DEDUCTION = "deduction", _("扣分项")
    VETO = "veto", _("否决项")
    GROUP = "group", _("指标分组")


WEIGHTED_KINDS = {IndicatorKind.SCORED, IndicatorKind.COMPUTED, IndicatorKind.GROUP}
MANUAL_KINDS = {
    IndicatorKind.SCORED,
    IndicatorKind.BONUS,
    IndicatorKind.DEDUCTION,
    IndicatorKind.VETO,
}


class DataSource(models.TextChoices):
    OBLIGATION_RATE = "obligation_rate", _("组织生活应办事项完成率")
    RECTIFICATION_RATE = "rectification_rate", _("问题整改按期完成率")
    TASK_RATE = "task_rate", _("工作单按期反馈率")
    BENCHMARK = "benchmark", _("同业对标指标排名")
    BENCHMARK_ALL = "benchmark_all", _("六项同业对标指标综合排名")
    POINTS = "points", _("党员积分")
    SCHEME_RESULT = "scheme_result", _("其他方案的考评结果")


class Indicator(models.Model):
    """A node of a scheme's indicator tree.

    Weighted nodes (scored, computed, group) share the full score among siblings by ``weight``;
    a leaf earns its share times its ratio (0–1). Bonus and deduction items add or subtract their
    points up to ``max_score``; a veto item caps the total at the scheme's ``veto_cap``.
    """

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators")
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级指标"),
    )
    code = models.SlugField(_("指标代码"), max_length=40)
    name = models.CharField(_("指标名称"), max_length=100)
    name_en = models.CharField(
        _("英文名称"), max_length=150, blank=True, help_text=_("英文界面显示；留空则显示中文名称。")
    )
    kind = models.CharField(_("指标类型"), max_length=10, choices=IndicatorKind.choices)
    weight = models.DecimalField(_("权重"), max_digits=7, decimal_places=2, default=0)
    max_score = models.DecimalField(
        _("最高分"),
        max_digits=7,
        decimal_places=2,
        default=100,
        help_text=_("评分项的打分上限；加分项、扣分项的分值上限。"),
    )
    source = models.CharField(_("数据来源"), max_length=20, choices=DataSource.choices, blank=True)
    source_param = models.CharField(
        _("数据参数"),
        max_length=40,
        blank=True,
        help_text=_("对标指标代码、方案代码或积分类别。"),
    )
    full_marks_at = models.DecimalField(
        _("满分值"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("数据项达到此值得满分，如完成率 100、积分 100。"),
    )
    scored_by = models.JSONField(
        _("评价主体"), default=list, blank=True, help_text=_("空表示方案的全部评价主体。")
    )
    guidance = models.CharField(_("评分标准"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("考评指标")
        verbose_name_plural = _("考评指标")
        ordering = ["scheme", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="indicator_code_per_scheme")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.kind == IndicatorKind.COMPUTED and not self.source:
            raise ValidationError({"source": _("数据项必须选择数据来源。")})
        if self.kind != IndicatorKind.COMPUTED and self.source:
            raise ValidationError({"source": _("只有数据项才有数据来源。")})
        if self.kind in WEIGHTED_KINDS and self.weight <= 0:
            raise ValidationError({"weight": _("评分项、数据项和指标分组的权重必须大于 0。")})
        if self.max_score is not None and self.max_score <= 0:
            raise ValidationError({"max_score": _("最高分必须大于 0。")})
        if self.parent_id and self.parent.kind != IndicatorKind.GROUP:
            raise ValidationError({"parent": _("上级指标必须是指标分组。")})


class EvaluatorKind(models.TextChoices):
    SELF = "self", _("自评")
    PEERS = "peers", _("互评")
    HIGHER = "higher", _("上级党组织")
    BUSINESS = "business", _("业务部门")
    PUBLIC = "public", _("服务对象（群众）")


class EvaluatorGroup(models.Model):
    """Who scores the scheme's manual items, and how much their mean counts."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="groups")
    kind = models.CharField(_("评价主体"), max_length=10, choices=EvaluatorKind.choices)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("评价主体")
        verbose_name_plural = _("评价主体")
        ordering = ["scheme", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "kind"], name="evaluator_group_once")
        ]

    def __str__(self):
        return f"{self.get_kind_display()}（{self.weight}）"

    def clean(self):
        if self.weight is not None and self.weight <= 0:
            raise ValidationError({"weight": _("评价主体的权重必须大于 0。")})


class TitleKind(models.TextChoices):
    COMPLIANT = "compliant", _("达标")
    STAR = "star", _("星级")
    RED_FLAG = "red_flag", _("流动红旗")
    WATCH = "watch", _("不放心支部")
    CHAMPION = "champion", _("擂主")
    HONOUR = "honour", _("其他称号")


class TitleBasis(models.TextChoices):
    BAND = "band", _("按分数段")
    TOP = "top", _("按名次（前 N 名）")
    BOTTOM = "bottom", _("按名次（后 N 名）")
    ALL_OF = "all_of", _("同时获得若干称号")


class RankWithin(models.TextChoices):
    ROUND = "round", _("全部对象")
    PARENT = "parent", _("同一上级组织内")


class TitleRule(models.Model):
    """One title a round gives. Bands are rows (★5 from 95, ★4 from 90 …), not literals.

    ``band``: the score (or one indicator's percentage) is at least ``min_score``; among a
    scheme's band rules of one kind the highest band a target reaches wins. ``top``/``bottom``:
    the first or last ``count`` ranks, ties included, optionally only below ``max_score``.
    A watch title stays until a later round gives the target at least ``lift_score``.
    """

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="title_rules")
    code = models.SlugField(_("称号代码"), max_length=40)
    name = models.CharField(_("称号"), max_length=50)
    name_en = models.CharField(
        _("英文名称"), max_length=80, blank=True, help_text=_("英文界面显示；留空则显示中文名称。")
    )
    kind = models.CharField(_("称号类型"), max_length=10, choices=TitleKind.choices)
    basis = models.CharField(_("授予方式"), max_length=10, choices=TitleBasis.choices)
    min_score = models.DecimalField(
        _("最低分"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    max_score = models.DecimalField(
        _("低于此分才授予"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    count = models.PositiveSmallIntegerField(_("名额"), null=True, blank=True)
    within = models.CharField(
        _("排名范围"), max_length=10, choices=RankWithin.choices, default=RankWithin.ROUND
    )
    indicator_code = models.SlugField(
        _("按指标"), max_length=40, blank=True, help_text=_("空表示按总分。")
    )
    requires = models.JSONField(_("需同时获得的称号代码"), default=list, blank=True)
    stars = models.PositiveSmallIntegerField(_("星级"), null=True, blank=True)
    lift_score = models.DecimalField(
        _("摘牌分数"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("不放心支部在以后的考评中达到此分即摘牌。"),
    )
    source = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("称号规则")
        verbose_name_plural = _("称号规则")
        ordering = ["scheme", "kind", "-min_score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="title_code_per_scheme")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.basis == TitleBasis.BAND and self.min_score is None:
            errors["min_score"] = _("按分数段授予的称号必须填写最低分。")
        if self.basis in (TitleBasis.TOP, TitleBasis.BOTTOM) and not self.count:
            errors["count"] = _("按名次授予的称号必须填写名额。")
        if self.basis == TitleBasis.ALL_OF and not self.requires:
            errors["requires"] = _("请填写需同时获得的称号代码。")
        if self.kind == TitleKind.STAR and not self.stars:
            errors["stars"] = _("星级称号必须填写星级（1–5）。")
        if self.stars is not None and not 1 <= self.stars <= 5:
            errors["stars"] = _("星级应在 1 到 5 之间。")
        if errors:
            raise ValidationError(errors)
