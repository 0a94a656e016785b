from .benchmarks import BenchmarkIndicator, BenchmarkValue, Direction, MapBand
from .points import EntryState, PointsCategory, PointsEntry, PointsItem
from .rounds import Appeal, AppealState, KeyEvent, Round, RoundState, Score, Target, TitleAward
from .schemes import (
    MANUAL_KINDS,
    PERSON_TARGETS,
    WEIGHTED_KINDS,
    DataSource,
    EvaluatorGroup,
    EvaluatorKind,
    Indicator,
    IndicatorKind,
    MissingPolicy,
    PeriodKind,
    RankWithin,
    Scheme,
    SchemeStyle,
    TargetKind,
    TitleBasis,
    TitleKind,
    TitleRule,
)  # fmt: skip

__all__ = [
    "MANUAL_KINDS", "PERSON_TARGETS", "WEIGHTED_KINDS", "Appeal", "AppealState",
    "BenchmarkIndicator", "BenchmarkValue", "DataSource", "Direction", "EntryState",
    "EvaluatorGroup", "EvaluatorKind", "Indicator", "IndicatorKind", "KeyEvent", "MapBand",
    "MissingPolicy", "PeriodKind", "PointsCategory", "PointsEntry", "PointsItem", "RankWithin",
    "Round", "RoundState", "Scheme", "SchemeStyle", "Score", "Target", "TargetKind",
    "TitleAward", "TitleBasis", "TitleKind", "TitleRule",
]  # fmt: skip
