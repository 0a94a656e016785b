"""The shipped evaluation data: 同业对标 indicators, map bands, the points handbook and schemes.

Plain data (no Django imports) so the seeding migration, the tests and the demo all name the
same codes. Every row says which seed document it comes from (``source``). Numbers are strings
so they reach the database as exact decimals. Keep codes stable: migrations import this module.

Schemes are dicts of ``Scheme`` fields plus ``groups`` ((kind, weight) pairs), ``indicators``
(dicts of ``Indicator`` fields, ``parent`` given as a code, parents listed before children) and
``titles`` (dicts of ``TitleRule`` fields).
"""

SRC_S0_EFFECT = "S0 茂名供电局：党建工作成效评价（党建管理、生产经营业绩、安全底线、廉洁底线）"
SRC_S0_COMPLIANCE = "S0 茂名供电局：党支部基础管理评价，支部基础管理达标率100%"
SRC_S0_FIVE_STAR = "S0 茂名供电局：五星党支部（累计36个支部获评）"
SRC_S0_ARENA = "S0 茂名供电局：打擂台（关键事件，政治素质、岗位技能、群众评价、工作业绩）"
SRC_S1_BENCHMARK = "S1 同业对标：喀什供电公司6项同业对标指标，86个供电所按月对标"
SRC_S1_FLAG = "S1 喀什供电公司：流动红旗正向激励、不放心支部挂牌督办"
SRC_S1_POINTS = "S1 喀什供电公司：党员积分手册（从计划、执行到结果检查细化评分标准）、安全积分"
SRC_S1_STAR = "S1 喀什供电公司：星级党员评价体系，每月一次评选"
SRC_S1_THREE = "S1 喀什供电公司：党员三亮三比（亮身份、亮职责、亮承诺，比技能、比作风、比业绩）"
SRC_S1_MODEL = "S1 喀什供电公司：每月开展党员示范岗、党员责任区对标评比，与个人绩效挂钩"
SRC_S3 = "S3 广西电网：第一书记月度绩效评价（工作计划考评、工作成效考评、扣分项考评、多维度评价）"
SRC_STARS = "DOMAIN.md 星级分段（典型）"
SRC_MAP = "S1 同业对标；DOMAIN.md 五色地图分段（典型）"
SRC_INDEX = "DOMAIN.md 堡垒指数 / 先锋指数（综合得分）"

# --- 同业对标 (S1): six indicators per station per month -------------------------------------
# All six are phrased as rates, levels or indices where a larger value is better; direction is
# data all the same, so an indicator measured the other way round can be turned.
_BENCHMARKS = [
    ("fee_recovery", "电费回收率", "%"),
    ("data_collection", "全量数据采集质量", "%"),
    ("line_loss", "同期线损达标率", "%"),
    ("customer_demand", "客户诉求管控水平", "分"),
    ("distribution_om", "配网运检管理指数", "分"),
    ("reliability", "供电可靠性管理指数", "分"),
]
BENCHMARKS = [
    {
        "code": code,
        "name": name,
        "unit": unit,
        "direction": "higher",
        "order": order,
        "source": SRC_S1_BENCHMARK,
    }
    for order, (code, name, unit) in enumerate(_BENCHMARKS, start=1)
]
BENCHMARK_CODES = [row["code"] for row in BENCHMARKS]

# --- 五色地图: a station's composite benchmark score (0–100) picks its colour ---------------------
MAP_BANDS = [
    {"name": "绿（标杆）", "colour": "#2fb344", "min_score": "85", "source": SRC_MAP},
    {"name": "蓝（良好）", "colour": "#206bc4", "min_score": "70", "source": SRC_MAP},
    {"name": "黄（一般）", "colour": "#f59f00", "min_score": "55", "source": SRC_MAP},
    {"name": "橙（预警）", "colour": "#f76707", "min_score": "40", "source": SRC_MAP},
    {"name": "红（落后）", "colour": "#d63939", "min_score": "0", "source": SRC_MAP},
]

# --- 党员积分手册 (S1): from plan through execution to result, with safety points ----------------
# code, name, category, points, evidence required (a photo, a document, a notice)
_POINTS = [
    ("three_meetings", "按时参加“三会一课”", "plan", "2", False),
    ("theme_day", "参加主题党日活动", "plan", "2", False),
    ("service_team", "参加共产党员服务队活动", "execution", "3", True),
    ("power_guarantee", "完成保电任务", "execution", "5", True),
    ("safety_guard", "现场安全监护（党建保安）", "execution", "3", True),
    ("area_breakthrough", "认领并完成党员责任区攻坚任务", "result", "10", True),
    ("model_post_excellent", "党员示范岗月度考核优秀", "result", "8", False),
    ("customer_praise", "获得客户表扬", "result", "3", True),
    ("suggestion_adopted", "提出合理化建议被采纳", "result", "5", True),
    ("stop_violation", "发现并制止违章", "safety", "5", True),
    ("quarter_no_violation", "安全积分：季度无违章", "safety", "5", False),
    # A violation costs safety points, so the safety balance tells the whole story.
    ("violation", "发生违章", "safety", "-10", True),
    ("customer_complaint", "客户有效投诉", "deduction", "-5", True),
    ("absent", "无故缺席组织生活", "deduction", "-3", False),
]
POINTS_ITEMS = [
    {
        "code": code,
        "name": name,
        "category": category,
        "points": points,
        "evidence_required": evidence,
        "source": SRC_S1_POINTS,
    }
    for code, name, category, points, evidence in _POINTS
]


def _stars(noun: str, source: str = SRC_STARS) -> list[dict]:
    """★5 from 95, ★4 from 90, ★3 from 80, ★2 from 70, ★1 from 60: one title per target."""
    names = {5: "五星", 4: "四星", 3: "三星", 2: "二星", 1: "一星"}
    floors = {5: "95", 4: "90", 3: "80", 2: "70", 1: "60"}
    return [
        {
            "code": f"star{n}",
            "name": names[n] + noun,
            "kind": "star",
            "basis": "band",
            "min_score": floors[n],
            "stars": n,
            "source": source,
        }
        for n in (5, 4, 3, 2, 1)
    ]


def _band(code: str, name: str, floor: str, source: str, **extra) -> dict:
    return {
        "code": code,
        "name": name,
        "kind": extra.pop("kind", "honour"),
        "basis": "band",
        "min_score": floor,
        "source": source,
        **extra,
    }


def _scored(code, name, weight, *, max_score="100", parent=None, scored_by=(), guidance=""):
    return {
        "code": code,
        "name": name,
        "kind": "scored",
        "weight": str(weight),
        "max_score": max_score,
        "parent": parent,
        "scored_by": list(scored_by),
        "guidance": guidance,
    }


def _computed(
    code, name, weight, source, *, param="", full_marks_at=None, parent=None, guidance=""
):
    return {
        "code": code,
        "name": name,
        "kind": "computed",
        "weight": str(weight),
        "source": source,
        "source_param": param,
        "full_marks_at": full_marks_at,
        "parent": parent,
        "guidance": guidance,
    }


def _group(code, name, weight, *, parent=None):
    return {"code": code, "name": name, "kind": "group", "weight": str(weight), "parent": parent}


def _capped(code, name, kind, max_score, *, scored_by=(), guidance=""):
    """A bonus, deduction or veto item: not weighted, scored up to ``max_score``."""
    return {
        "code": code,
        "name": name,
        "kind": kind,
        "max_score": max_score,
        "scored_by": list(scored_by),
        "guidance": guidance,
    }


OBLIGATIONS_GUIDANCE = "组织生活应办事项按期完成率，完成率达到满分值得满分。"
BENCHMARK_GUIDANCE = "按本期同业对标排名折算：第一名满分，末名不得分。"
RECTIFICATION_GUIDANCE = "期内到期问题按期整改完成率，完成率达到满分值得满分。"

COMPLIANCE = {
    "code": "compliance",
    "name": "支部基础管理评价（达标率）",
    "description": "按季度评价党支部基础管理：组织生活按期完成、问题按期整改和台账资料规范，"
    "得分达到80分即为达标，用于统计支部基础管理达标率。",
    "source": SRC_S0_COMPLIANCE,
    "target_kind": "branch",
    "period_kind": "quarter",
    "missing_policy": "exclude",
    "groups": [("higher", "1")],
    "indicators": [
        _computed(
            "obligation_rate",
            "组织生活按期完成",
            50,
            "obligation_rate",
            full_marks_at="100",
            guidance=OBLIGATIONS_GUIDANCE,
        ),
        _computed(
            "rectification_rate",
            "问题按期整改",
            20,
            "rectification_rate",
            full_marks_at="100",
            guidance=RECTIFICATION_GUIDANCE,
        ),
        _scored(
            "ledger",
            "台账资料规范",
            30,
            scored_by=["higher"],
            guidance="会议记录、党员信息、党费台账等资料齐全规范，按100分制评分。",
        ),
    ],
    "titles": [_band("compliant", "达标", "80", SRC_S0_COMPLIANCE, kind="compliant")],
}

FOUR_FACTOR = {
    "code": "four_factor",
    "name": "党建工作成效评价（双A制）",
    "description": "按月评价供电所党支部的党建管理与生产经营业绩（双A），安全底线扣分、"
    "廉洁底线一票否决；各县公司得分最高且不低于80分者获流动红旗，全部供电所中得分最低"
    "且低于70分的两个列为不放心支部挂牌督办，以后考评达到75分摘牌。",
    "source": SRC_S0_EFFECT + "，双A制考核",
    "target_kind": "station",
    "period_kind": "month",
    "missing_policy": "exclude",
    "veto_cap": "0",
    "groups": [("higher", "0.6"), ("business", "0.4")],
    "indicators": [
        _group("party", "党建管理", 50),
        _computed(
            "obligation_rate",
            "组织生活按期完成",
            25,
            "obligation_rate",
            full_marks_at="100",
            parent="party",
            guidance=OBLIGATIONS_GUIDANCE,
        ),
        _computed(
            "task_rate",
            "工作单按期反馈",
            10,
            "task_rate",
            full_marks_at="100",
            parent="party",
            guidance="上级下发工作单的按期反馈率。",
        ),
        _computed(
            "rectification_rate",
            "问题按期整改",
            15,
            "rectification_rate",
            full_marks_at="100",
            parent="party",
            guidance=RECTIFICATION_GUIDANCE,
        ),
        _group("business", "生产经营业绩", 50),
        *[
            _computed(
                row["code"],
                row["name"],
                1,
                "benchmark",
                param=row["code"],
                parent="business",
                guidance=BENCHMARK_GUIDANCE,
            )
            for row in BENCHMARKS
        ],
        _capped(
            "safety",
            "安全底线",
            "deduction",
            "20",
            scored_by=["higher", "business"],
            guidance="发生安全事件、违章按规定扣分",
        ),
        _capped(
            "integrity",
            "廉洁底线",
            "veto",
            "100",
            scored_by=["higher"],
            guidance="发生违纪违法问题一票否决",
        ),
    ],
    "titles": [
        {
            "code": "red_flag",
            "name": "流动红旗",
            "kind": "red_flag",
            "basis": "top",
            "count": 1,
            "within": "parent",
            "min_score": "80",
            "source": SRC_S1_FLAG,
        },
        {
            "code": "watch",
            "name": "不放心支部",
            "kind": "watch",
            "basis": "bottom",
            "count": 2,
            "within": "round",
            "max_score": "70",
            "lift_score": "75",
            "source": SRC_S1_FLAG,
        },
        _band("party_a", "党建A", "90", SRC_S0_EFFECT, indicator_code="party"),
        _band("business_a", "业绩A", "90", SRC_S0_EFFECT, indicator_code="business"),
        {
            "code": "double_a",
            "name": "双A",
            "kind": "honour",
            "basis": "all_of",
            "requires": ["party_a", "business_a"],
            "source": SRC_S0_EFFECT,
        },
    ],
}

FIVE_STAR = {
    "code": "five_star",
    "name": "五星党支部评定",
    "description": "年度评定党支部星级：综合全年基础管理评价、党建工作成效评价结果和上级党组织"
    "对组织建设与作用发挥的评分，按分数段评为一至五星。",
    "source": SRC_S0_FIVE_STAR,
    "target_kind": "branch",
    "period_kind": "year",
    "missing_policy": "exclude",
    "groups": [("higher", "1")],
    "indicators": [
        _computed(
            "compliance",
            "支部基础管理评价",
            40,
            "scheme_result",
            param="compliance",
            guidance="年内各季度基础管理评价得分的平均。",
        ),
        _computed(
            "four_factor",
            "党建工作成效评价",
            30,
            "scheme_result",
            param="four_factor",
            guidance="年内各月党建工作成效评价得分的平均。",
        ),
        _scored(
            "organization",
            "组织建设与作用发挥",
            30,
            scored_by=["higher"],
            guidance="班子建设、党员队伍、战斗堡垒作用发挥情况，按100分制评分。",
        ),
    ],
    "titles": _stars("党支部", SRC_S0_FIVE_STAR + "；" + SRC_STARS),
}

STAR_MEMBER = {
    "code": "star_member",
    "name": "星级党员（月度）",
    "description": "每月评定党员星级：党员积分手册的当月积分与上级党组织、支部党员对岗位表现"
    "的评分相结合，按分数段评为一至五星党员。",
    "source": SRC_S1_STAR,
    "target_kind": "member",
    "period_kind": "month",
    "groups": [("higher", "0.7"), ("peers", "0.3")],
    "indicators": [
        _computed(
            "points",
            "党员积分",
            60,
            "points",
            full_marks_at="30",
            guidance="当月已认定的积分合计，达到30分得满分。",
        ),
        _scored(
            "performance",
            "岗位表现",
            40,
            guidance="履职尽责、遵章守纪、服务群众情况，按100分制评分。",
        ),
    ],
    "titles": _stars("党员"),
}


def _bright(code, name, parent):
    return _scored(code, name, 1, max_score="10", parent=parent, guidance="按10分制评分。")


THREE_BRIGHT = {
    "code": "three_bright",
    "name": "三亮三比（月度）",
    "description": "每月组织党员向群众亮身份、亮职责、亮承诺，比技能、比作风、比业绩，"
    "由上级党组织和支部党员评分，各支部第一名为三亮三比标兵。",
    "source": SRC_S1_THREE,
    "target_kind": "member",
    "period_kind": "month",
    "groups": [("higher", "0.5"), ("peers", "0.5")],
    "indicators": [
        _group("bright", "三亮", 40),
        _bright("identity", "亮身份", "bright"),
        _bright("duty", "亮职责", "bright"),
        _bright("pledge", "亮承诺", "bright"),
        _group("compare", "三比", 60),
        _bright("skill", "比技能", "compare"),
        _bright("conduct", "比作风", "compare"),
        _bright("results", "比业绩", "compare"),
    ],
    "titles": [
        {
            "code": "pacesetter",
            "name": "三亮三比标兵",
            "kind": "honour",
            "basis": "top",
            "count": 1,
            "within": "parent",
            "source": SRC_S1_THREE,
        },
    ],
}

MODEL_POST = {
    "code": "model_post",
    "name": "党员示范岗·责任区评比（月度）",
    "description": "每月评比党员示范岗履职和党员责任区攻坚情况，与党员业绩积分挂钩，"
    "攻坚任务完成加分、责任区内发生违章扣分。",
    "source": SRC_S1_MODEL,
    "target_kind": "member",
    "period_kind": "month",
    "groups": [("higher", "1")],
    "indicators": [
        _scored("post", "示范岗履职", 40, guidance="示范岗标准执行、帮带队伍情况，按100分制评分。"),
        _scored("area", "责任区攻坚", 40, guidance="责任区攻坚难题推进情况，按100分制评分。"),
        _computed(
            "result_points",
            "业绩积分",
            20,
            "points",
            param="result",
            full_marks_at="20",
            guidance="当月已认定的结果类积分，达到20分得满分。",
        ),
        _capped(
            "breakthrough",
            "攻坚任务完成加分",
            "bonus",
            "5",
            guidance="当月完成责任区攻坚任务的加分。",
        ),
        _capped(
            "violation",
            "责任区内发生违章",
            "deduction",
            "10",
            guidance="责任区内发生违章按规定扣分。",
        ),
    ],
    "titles": [_band("excellent_post", "优秀示范岗", "90", SRC_S1_MODEL)],
}

ARENA = {
    "code": "arena",
    "name": "打擂台（季度）",
    "description": "每季度党员分享关键事件，支部其他党员从政治素质、岗位技能、群众评价、"
    "工作业绩四方面评分（不评本人），各支部得分最高者为擂主。",
    "source": SRC_S0_ARENA,
    "target_kind": "member",
    "period_kind": "quarter",
    "style": "arena",
    "missing_policy": "zero",
    "groups": [("peers", "1")],
    "indicators": [
        _scored(code, name, 25, max_score="10", guidance="按10分制评分。")
        for code, name in (
            ("political", "政治素质"),
            ("skill", "岗位技能"),
            ("public", "群众评价"),
            ("performance", "工作业绩"),
        )
    ],
    "titles": [
        {
            "code": "champion",
            "name": "擂主",
            "kind": "champion",
            "basis": "top",
            "count": 1,
            "within": "parent",
            "source": SRC_S0_ARENA,
        },
    ],
}

BASTION_INDEX = {
    "code": "bastion_index",
    "name": "堡垒指数",
    "description": "党支部的年度综合得分：汇总基础管理评价、党建工作成效评价结果和组织生活、"
    "问题整改的完成率，反映支部战斗堡垒作用。",
    "source": SRC_INDEX,
    "target_kind": "branch",
    "period_kind": "year",
    "missing_policy": "exclude",
    "groups": [("higher", "1")],
    "indicators": [
        _computed("compliance", "支部基础管理评价", 30, "scheme_result", param="compliance"),
        _computed("four_factor", "党建工作成效评价", 40, "scheme_result", param="four_factor"),
        _computed(
            "obligation_rate",
            "组织生活按期完成",
            15,
            "obligation_rate",
            full_marks_at="100",
            guidance=OBLIGATIONS_GUIDANCE,
        ),
        _computed(
            "rectification_rate",
            "问题按期整改",
            15,
            "rectification_rate",
            full_marks_at="100",
            guidance=RECTIFICATION_GUIDANCE,
        ),
    ],
    "titles": [_band("index_a", "堡垒指数A级", "90", SRC_INDEX)],
}

VANGUARD_INDEX = {
    "code": "vanguard_index",
    "name": "先锋指数",
    "description": "党员的年度综合得分：汇总星级党员、三亮三比和打擂台的全年结果，"
    "反映党员先锋模范作用。",
    "source": SRC_INDEX,
    "target_kind": "member",
    "period_kind": "year",
    "missing_policy": "exclude",
    "groups": [("higher", "1")],
    "indicators": [
        _computed("star_member", "星级党员", 40, "scheme_result", param="star_member"),
        _computed("three_bright", "三亮三比", 30, "scheme_result", param="three_bright"),
        _computed("arena", "打擂台", 30, "scheme_result", param="arena"),
    ],
    "titles": [_band("vanguard", "先锋党员", "90", SRC_INDEX)],
}

FIRST_SECRETARY = {
    "code": "first_secretary",
    "name": "第一书记考评（月度）",
    "description": "按月考评选派到供电所的第一书记：综合管理部门、业务管理部门和县级供电企业"
    "三个层级分别评价工作计划、工作成效和多维度表现，并考评扣分项。",
    "source": SRC_S3,
    "target_kind": "first_secretary",
    "period_kind": "month",
    # 综合管理部门 and 县级供电企业 score as the committee above, 业务管理部门 as business,
    # the station's public through the survey.
    "groups": [("higher", "0.4"), ("business", "0.4"), ("public", "0.2")],
    "indicators": [
        _scored("plan", "工作计划考评", 30, guidance="月度工作计划的制定与执行，按100分制评分。"),
        _scored("effect", "工作成效考评", 50, guidance="党建和业务工作取得的成效，按100分制评分。"),
        _scored("multi", "多维度评价", 20, guidance="党员群众、服务对象的多维度评价，按100分制。"),
        _capped(
            "deduction",
            "扣分项考评",
            "deduction",
            "20",
            scored_by=["higher"],
            guidance="未履职、违反纪律等扣分项按规定扣分。",
        ),
    ],
    "titles": [_band("excellent", "优秀", "90", SRC_S3)],
}

SCHEMES = [
    COMPLIANCE,
    FOUR_FACTOR,
    FIVE_STAR,
    STAR_MEMBER,
    THREE_BRIGHT,
    MODEL_POST,
    ARENA,
    BASTION_INDEX,
    VANGUARD_INDEX,
    FIRST_SECRETARY,
]
SCHEME_CODES = [scheme["code"] for scheme in SCHEMES]
