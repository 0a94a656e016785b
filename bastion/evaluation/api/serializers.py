"""Serializers of the evaluation API. They validate shapes; the services validate meaning.

Every choice set is one named schema component (``RoundStateEnum``…), named once in
``SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]``.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bastion.core.api import ScopedRelatedField
from bastion.core.api_fields import (
    EnumField,
    IdField,
    OrgRefSerializer,
    PersonRefSerializer,
    ReadableSourceField,
)
from bastion.orgs.models import Organization

from ..models import (
    DataSource,
    EvaluatorGroup,
    EvaluatorKind,
    Indicator,
    IndicatorKind,
    MissingPolicy,
    PeriodKind,
    RankWithin,
    Round,
    RoundState,
    Scheme,
    SchemeStyle,
    Score,
    TargetKind,
    TitleAward,
    TitleBasis,
    TitleKind,
    TitleRule,
)
from ..selectors_scoring import scoring_open
from ..services.scheme_edit import TITLE_FIELDS
from .serializers_readiness import (
    DataDecisionSerializer,
    ReadinessSerializer,
    readiness_data,
)

# --- responses and choice sets ------------------------------------------------------------------


INDICATOR_SOURCES = [("", _("无（非数据项）")), *DataSource.choices]


def title_kind_label(kind: str) -> str:
    return str(TitleKind(kind).label) if kind in TitleKind.values else kind


# --- schemes ------------------------------------------------------------------------------------


class IndicatorSerializer(serializers.ModelSerializer):
    kind = EnumField(IndicatorKind, read_only=True)
    parent = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text=_("上级指标分组的代码；顶层指标为空"),
    )
    source = EnumField(INDICATOR_SOURCES, read_only=True, help_text=_("数据项的数据来源"))
    scored_by = serializers.ListField(
        child=EnumField(EvaluatorKind), read_only=True, help_text=_("评价主体；空表示全部评价主体")
    )

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "name_en",
            "kind",
            "parent",
            "weight",
            "max_score",
            "source",
            "source_param",
            "full_marks_at",
            "scored_by",
            "guidance",
            "order",
        ]
        read_only_fields = fields


class EvaluatorGroupSerializer(serializers.ModelSerializer):
    kind = EnumField(EvaluatorKind, read_only=True)
    name = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = EvaluatorGroup
        fields = ["kind", "name", "weight"]
        read_only_fields = fields


class TitleRuleSerializer(serializers.ModelSerializer):
    kind = EnumField(TitleKind, read_only=True)
    basis = EnumField(TitleBasis, read_only=True)
    within = EnumField(RankWithin, read_only=True)
    requires = serializers.ListField(child=serializers.CharField(), read_only=True)
    # A slug that may be blank (rank by the total): documented as text, not the slug pattern.
    indicator_code = serializers.CharField(read_only=True, help_text=_("空表示按总分。"))

    class Meta:
        model = TitleRule
        fields = list(TITLE_FIELDS)  # what the scheme editor reads and writes, no more
        read_only_fields = fields


class SchemeSerializer(serializers.ModelSerializer):
    source = ReadableSourceField(read_only=True, help_text=_("依据来源"))
    owner = OrgRefSerializer(
        read_only=True, allow_null=True, help_text=_("制定单位；空表示全公司通用的内置方案")
    )
    target_kind = EnumField(TargetKind, read_only=True)
    target_kind_display = serializers.CharField(source="get_target_kind_display", read_only=True)
    period_kind = EnumField(PeriodKind, read_only=True)
    period_kind_display = serializers.CharField(source="get_period_kind_display", read_only=True)
    style = EnumField(SchemeStyle, read_only=True)
    missing_policy = EnumField(MissingPolicy, read_only=True)
    indicators = IndicatorSerializer(
        many=True, read_only=True, help_text=_("指标树（平铺，parent 为上级分组代码）")
    )
    groups = EvaluatorGroupSerializer(many=True, read_only=True, help_text=_("评价主体及权重"))
    title_rules = TitleRuleSerializer(many=True, read_only=True, help_text=_("称号规则"))

    class Meta:
        model = Scheme
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "description",
            "source",
            "owner",
            "target_kind",
            "target_kind_display",
            "period_kind",
            "period_kind_display",
            "style",
            "full_score",
            "bonus_cap",
            "deduction_cap",
            "veto_cap",
            "missing_policy",
            "is_active",
            "updated_at",
            "indicators",
            "groups",
            "title_rules",
        ]
        read_only_fields = fields


# --- rounds -------------------------------------------------------------------------------------


class SchemeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class RoundSerializer(serializers.ModelSerializer):
    scheme = SchemeRefSerializer(read_only=True)
    organization = OrgRefSerializer(read_only=True, help_text=_("考评范围（根组织）"))
    state = EnumField(RoundState, read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    is_published = serializers.BooleanField(read_only=True, help_text=_("结果已发布（含已归档）"))
    scoring_open = serializers.SerializerMethodField(help_text=_("今天是否可以评分"))

    class Meta:
        model = Round
        fields = [
            "id",
            "name",
            "scheme",
            "organization",
            "period_label",
            "period_start",
            "period_end",
            "opens_on",
            "closes_on",
            "appeal_days",
            "appeal_until",
            "state",
            "state_display",
            "is_published",
            "scoring_open",
            "created_at",
            "computed_at",
            "published_at",
        ]
        read_only_fields = fields

    def get_scoring_open(self, round_) -> bool:
        return scoring_open(round_, self.context.get("today") or timezone.localdate())


class SnapshotIndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField(default="")
    kind = EnumField(IndicatorKind)
    parent = serializers.CharField(allow_null=True)
    weight = serializers.DecimalField(max_digits=9, decimal_places=2)
    max_score = serializers.DecimalField(max_digits=9, decimal_places=2)
    source = EnumField(INDICATOR_SOURCES)
    source_param = serializers.CharField(allow_blank=True)
    full_marks_at = serializers.DecimalField(max_digits=11, decimal_places=2, allow_null=True)
    scored_by = serializers.ListField(child=EnumField(EvaluatorKind))
    guidance = serializers.CharField(allow_blank=True)


class SnapshotGroupSerializer(serializers.Serializer):
    kind = EnumField(EvaluatorKind)
    name = serializers.CharField()
    name_en = serializers.CharField(default="")
    weight = serializers.DecimalField(max_digits=7, decimal_places=2)


class RoundDetailSerializer(RoundSerializer):
    indicators = serializers.SerializerMethodField(
        help_text=_("开轮时的方案快照中的指标（评分时 values 的键为指标代码）")
    )
    groups = serializers.SerializerMethodField(help_text=_("开轮时的评价主体及权重"))
    data_readiness = serializers.SerializerMethodField(
        help_text=_("数据项的缺数情况（只列您有权查看的对象）和已记录的处理决定")
    )
    data_decisions = serializers.SerializerMethodField(help_text=_("本轮的缺数处理决定"))

    class Meta(RoundSerializer.Meta):
        fields = [
            *RoundSerializer.Meta.fields,
            "indicators",
            "groups",
            "data_readiness",
            "data_decisions",
        ]
        read_only_fields = fields

    def _readiness(self, round_):
        """Checked once per response; gaps limited to the targets the requester may see."""
        cached = getattr(round_, "_readiness_shown", None)
        if cached is None:
            from ..models import Target
            from ..selectors_readiness import round_readiness

            request = self.context.get("request")
            seen = Target.objects.restrict(getattr(request, "user", None), "view")
            ids = set(seen.filter(round=round_).values_list("pk", flat=True))
            cached = round_readiness(round_)
            cached = (cached, cached.limited_to(ids))
            round_._readiness_shown = cached
        return cached

    @extend_schema_field(ReadinessSerializer)
    def get_data_readiness(self, round_):
        full, shown = self._readiness(round_)
        return ReadinessSerializer(readiness_data(full, shown)).data

    @extend_schema_field(DataDecisionSerializer(many=True))
    def get_data_decisions(self, round_):
        full, _shown = self._readiness(round_)
        return DataDecisionSerializer(full.decisions, many=True).data

    @extend_schema_field(SnapshotIndicatorSerializer(many=True))
    def get_indicators(self, round_):
        items = round_.snapshot.get("indicators", [])
        return SnapshotIndicatorSerializer(items, many=True).data

    @extend_schema_field(SnapshotGroupSerializer(many=True))
    def get_groups(self, round_):
        return SnapshotGroupSerializer(round_.snapshot.get("groups", []), many=True).data


class ComputeGroupSerializer(serializers.Serializer):
    group = serializers.CharField(help_text=_("评价主体代码"))
    name = serializers.CharField(help_text=_("评价主体名称"))
    missing = serializers.IntegerField(help_text=_("该评价主体尚未提交的评分份数"))


class ComputePreviewSerializer(serializers.Serializer):
    targets = serializers.IntegerField(help_text=_("将被计算的评价对象数"))
    missing_scores = serializers.IntegerField(help_text=_("尚未提交的评分份数"))
    missing_targets = serializers.IntegerField(help_text=_("尚缺评分的评价对象数"))
    groups = ComputeGroupSerializer(many=True, help_text=_("各评价主体尚缺的评分"))
    closes_scoring = serializers.BooleanField(
        help_text=_("计算后评分即关闭（评分中的轮次）：评价人不能再提交或修改评分")
    )
    message = serializers.CharField(help_text=_("计算前的提示（中文）"))
    data_readiness = ReadinessSerializer(help_text=_("计算前的数据项缺数情况及处理决定"))


class RoundComputedSerializer(RoundDetailSerializer):
    missing_scores = serializers.IntegerField(
        read_only=True, help_text=_("计算时尚未提交的评分份数（未评的按方案规定计分）")
    )
    missing_targets = serializers.IntegerField(
        read_only=True, help_text=_("计算时尚缺评分的评价对象数")
    )

    class Meta(RoundDetailSerializer.Meta):
        fields = [*RoundDetailSerializer.Meta.fields, "missing_scores", "missing_targets"]
        read_only_fields = fields


@extend_schema_field(
    {
        "oneOf": [{"type": "integer"}, {"type": "string"}],
        "description": _("考评方案的编号或代码"),
    }
)
class SchemeChoiceField(serializers.Field):
    """A scheme by id or by code, from the schemes the requester may see."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            raise serializers.ValidationError(_("请填写考评方案的编号或代码。"))
        text = str(data).strip()
        request = self.context.get("request")
        schemes = Scheme.objects.restrict(getattr(request, "user", None), "view")
        match = Q(code=text) | Q(pk=int(text)) if text.isdigit() else Q(code=text)
        found = schemes.filter(match).first() if text else None
        if found is None:
            raise serializers.ValidationError(
                _("考评方案“%(value)s”不存在或不在您的管理范围内。") % {"value": text}
            )
        return found

    def to_representation(self, value):
        return value.pk


class RoundCreateSerializer(serializers.Serializer):
    scheme = SchemeChoiceField(label=_("考评方案"))
    organization = ScopedRelatedField(
        model=Organization, label=_("考评范围"), help_text=_("考评范围的根组织编号")
    )
    period_label = serializers.CharField(
        label=_("考评期间"), max_length=20, help_text=_("如 2026-10、2026Q4、2026")
    )
    period_start = serializers.DateField(label=_("期间开始"))
    period_end = serializers.DateField(label=_("期间结束"))
    opens_on = serializers.DateField(label=_("评分开始"))
    closes_on = serializers.DateField(label=_("评分截止"))
    appeal_days = serializers.IntegerField(
        label=_("申诉期（天）"), min_value=0, max_value=365, required=False, default=5
    )
    name = serializers.CharField(
        label=_("轮次名称"),
        max_length=120,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("不填为“方案名称（考评期间）”"),
    )


# --- scores -------------------------------------------------------------------------------------


class ScoreSerializer(serializers.ModelSerializer):
    target_label = serializers.SerializerMethodField(help_text=_("评价对象（党员姓名或组织）"))
    indicator_name = serializers.SerializerMethodField(help_text=_("指标名称"))
    group = EnumField(EvaluatorKind, read_only=True)
    group_display = serializers.CharField(source="get_group_display", read_only=True)
    evaluator = serializers.SlugRelatedField(slug_field="username", read_only=True)
    evaluator_display_name = serializers.CharField(
        source="evaluator.display_name", read_only=True, help_text=_("评价人姓名")
    )

    class Meta:
        model = Score
        fields = [
            "id",
            "target",
            "target_label",
            "indicator",
            "indicator_name",
            "group",
            "group_display",
            "value",
            "comment",
            "evaluator",
            "evaluator_display_name",
            "updated_at",
        ]
        read_only_fields = fields

    def get_target_label(self, score) -> str:
        return score.target.label

    def get_indicator_name(self, score) -> str:
        return self.context.get("indicator_names", {}).get(score.indicator, score.indicator)


class ScoreSubmitSerializer(serializers.Serializer):
    target = IdField(label=_("评价对象"), help_text=_("本轮考评对象的编号（见 results）"))
    group = EnumField(EvaluatorKind, label=_("评价主体"), help_text=_("以哪一评价主体的身份评分"))
    values = serializers.DictField(
        child=serializers.CharField(allow_blank=True, allow_null=True),
        allow_empty=False,
        label=_("各项分值"),
        help_text=_('指标代码 → 分值，如 {"political": 8}；留空的指标不计'),
    )
    comment = serializers.CharField(
        label=_("评语"), max_length=300, required=False, allow_blank=True, default=""
    )


class ScoreSubmissionSerializer(serializers.Serializer):
    target = serializers.IntegerField(help_text=_("评价对象编号"))
    group = EnumField(EvaluatorKind)
    scores = ScoreSerializer(many=True, help_text=_("本次保存的评分"))


# --- results ------------------------------------------------------------------------------------


class TargetTitleSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField(default="")
    kind = EnumField(TitleKind)
    stars = serializers.IntegerField(allow_null=True, required=False)


class ContributionSerializer(serializers.Serializer):
    raw = serializers.CharField(allow_null=True, help_text=_("原始分或数据值"))
    ratio = serializers.CharField(allow_null=True, help_text=_("得分率（0–1）"))
    points = serializers.CharField(help_text=_("折合得分"))
    share = serializers.CharField(help_text=_("该指标在满分中的分值"))
    percent = serializers.CharField(help_text=_("得分百分比"))
    missing = serializers.BooleanField(help_text=_("缺评"))


class RoundResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rank = serializers.IntegerField(allow_null=True, help_text=_("名次"))
    rank_within_parent = serializers.IntegerField(allow_null=True, help_text=_("组内名次"))
    total = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    vetoed = serializers.BooleanField(help_text=_("一票否决"))
    missing = serializers.IntegerField(help_text=_("缺评指标数"))
    data_incomplete = serializers.BooleanField(
        help_text=_("数据不全：不参与名次称号（前N名、后N名、流动红旗）")
    )
    titles = TargetTitleSerializer(many=True, help_text=_("本轮称号"))
    organization = OrgRefSerializer()
    person = PersonRefSerializer(allow_null=True, help_text=_("党员；组织对象为空"))
    contributions = serializers.SerializerMethodField(
        help_text=_("各指标得分（指标代码 → 明细）；只对本人和有权查看考评对象的账号显示")
    )

    @extend_schema_field(serializers.DictField(child=ContributionSerializer(), allow_null=True))
    def get_contributions(self, target):
        shows = self.context.get("shows_contributions")
        return target.contributions if shows and shows(target) else None


class SourceRowSerializer(serializers.Serializer):
    label = serializers.CharField(help_text=_("记录"))
    detail = serializers.CharField(help_text=_("状态或说明"))
    when = serializers.DateField(allow_null=True, help_text=_("截止日期、月份或日期"))
    counted = serializers.BooleanField(
        allow_null=True, help_text=_("是否计入完成数（比率类指标）；其他为空")
    )
    value = serializers.DecimalField(
        max_digits=14, decimal_places=4, allow_null=True, help_text=_("数值（对标值、积分、总分）")
    )
    url = serializers.CharField(
        allow_null=True, help_text=_("该记录的详情页；无权查看或无详情页时为空")
    )


class ContributionSourcesSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("指标代码"))
    name = serializers.CharField(help_text=_("指标名称"))
    source = serializers.CharField(help_text=_("数据来源"))
    source_label = serializers.CharField(help_text=_("数据来源名称"))
    formula = serializers.CharField(
        help_text=_("由记录得出原始值的算式，如“已完成 7 ÷ 应完成 8 = 87.50%”")
    )
    stored = serializers.CharField(allow_null=True, help_text=_("计算时的原始值"))
    recomputed = serializers.CharField(allow_null=True, help_text=_("按现有记录重算的原始值"))
    agrees = serializers.BooleanField(help_text=_("现有记录是否仍得出计算时的原始值"))
    excluded = serializers.BooleanField(help_text=_("本期经决定对所有考评对象不计入"))
    hidden = serializers.IntegerField(help_text=_("已计入但不在您查看范围内、未列出的记录数"))
    rows = SourceRowSerializer(many=True, help_text=_("您有权查看的记录"))


class TargetResultSerializer(RoundResultSerializer):
    sources = serializers.SerializerMethodField(
        help_text=_(
            "各数据项指标的来源记录（本期的应办事项、问题、任务反馈、对标值、积分、其他方案结果）；"
            "只对能看各指标得分的账号显示"
        )
    )

    @extend_schema_field(ContributionSourcesSerializer(many=True, allow_null=True))
    def get_sources(self, target):
        found = self.context.get("sources")
        return None if found is None else ContributionSourcesSerializer(found, many=True).data


# --- benchmarks ---------------------------------------------------------------------------------


class RoundRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    period_label = serializers.CharField()


class TitleAwardSerializer(serializers.ModelSerializer):
    scheme = SchemeRefSerializer(read_only=True)
    round = RoundRefSerializer(read_only=True, help_text=_("授予称号的轮次"))
    kind = EnumField(TitleKind, read_only=True)
    kind_display = serializers.SerializerMethodField(help_text=_("称号类型的中文名称"))
    organization = OrgRefSerializer(read_only=True)
    person = PersonRefSerializer(read_only=True, allow_null=True, help_text=_("党员称号的获得者"))
    lifted_by = RoundRefSerializer(
        read_only=True, allow_null=True, help_text=_("摘牌轮次（不放心支部）")
    )
    current_total = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text=_("获得者在该方案最近一轮（您可查看的）考评中的得分；total 为获评时得分"),
    )
    current_period_label = serializers.CharField(
        source="current_label", read_only=True, allow_null=True, help_text=_("最近一轮的考评期间")
    )
    current_published = serializers.SerializerMethodField(help_text=_("最近一轮是否已发布"))

    class Meta:
        model = TitleAward
        fields = [
            "id",
            "scheme",
            "round",
            "rule_code",
            "kind",
            "kind_display",
            "name",
            "name_en",
            "stars",
            "organization",
            "person",
            "total",
            "awarded_on",
            "lifted_by",
            "lifted_on",
            "current_total",
            "current_period_label",
            "current_published",
        ]
        read_only_fields = fields

    def get_kind_display(self, award) -> str:
        return title_kind_label(award.kind)

    def get_current_published(self, award) -> bool:
        return getattr(award, "current_state", None) in (RoundState.PUBLISHED, RoundState.CLOSED)
