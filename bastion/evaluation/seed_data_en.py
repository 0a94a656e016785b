"""English names of the shipped evaluation data in ``seed_data``: what the English interface
shows for each benchmark indicator, map band, points item, scheme, indicator and title rule.

Kept beside the rows, not inside them: migration 0003 creates rows from ``seed_data``'s dicts with
the fields of its time, which had no English name; migration ``0005_english_names`` fills these
in. Plain data, keyed by the same codes (map bands, which have none, by their Chinese name).
"""

BENCHMARKS_EN = {
    "fee_recovery": "Electricity bill recovery rate",
    "data_collection": "Metering data collection quality",
    "line_loss": "Line loss compliance rate",
    "customer_demand": "Customer request handling",
    "distribution_om": "Distribution O&M index",
    "reliability": "Supply reliability index",
}
# Map bands have no code: keyed by their Chinese name.
MAP_BANDS_EN = {
    "绿（标杆）": "Green (leading)",
    "蓝（良好）": "Blue (good)",
    "黄（一般）": "Yellow (fair)",
    "橙（预警）": "Orange (warning)",
    "红（落后）": "Red (lagging)",
}
POINTS_ITEMS_EN = {
    "three_meetings": "Attended branch meetings and lectures on time",
    "theme_day": "Took part in the theme day",
    "service_team": "Joined a service team activity",
    "power_guarantee": "Completed a power-guarantee task",
    "safety_guard": "On-site safety guard duty",
    "area_breakthrough": "Completed a responsibility-area task",
    "model_post_excellent": "Model post rated excellent",
    "customer_praise": "Praised by a customer",
    "suggestion_adopted": "Suggestion adopted",
    "stop_violation": "Spotted and stopped a violation",
    "quarter_no_violation": "Safety points: no violation in the quarter",
    "violation": "Safety violation",
    "customer_complaint": "Valid customer complaint",
    "absent": "Missed party activities without reason",
}
_STARS_EN = {5: "Five-star", 4: "Four-star", 3: "Three-star", 2: "Two-star", 1: "One-star"}
_OBLIGATIONS_EN = "Organisational life on time"
_RECTIFICATION_EN = "Problems rectified on time"
_COMPLIANCE_EN = "Branch basic management"
_FOUR_FACTOR_EN = "Party-building effectiveness"


def _stars_en(noun: str) -> dict[str, str]:
    return {f"star{n}": f"{label} {noun}" for n, label in _STARS_EN.items()}


# scheme code → its English name, its indicators' and its titles' (by code).
SCHEMES_EN = {
    "compliance": {
        "name": "Branch basic management (compliance rate)",
        "indicators": {
            "obligation_rate": _OBLIGATIONS_EN,
            "rectification_rate": _RECTIFICATION_EN,
            "ledger": "Records and ledgers",
        },
        "titles": {"compliant": "Compliant"},
    },
    "four_factor": {
        "name": "Party-building effectiveness (dual A)",
        "indicators": {
            "party": "Party-building management",
            "obligation_rate": _OBLIGATIONS_EN,
            "task_rate": "Task sheets answered on time",
            "rectification_rate": _RECTIFICATION_EN,
            "business": "Business performance",
            **BENCHMARKS_EN,
            "safety": "Safety bottom line",
            "integrity": "Integrity bottom line",
        },
        "titles": {
            "red_flag": "Rotating red flag",
            "watch": "Watch-listed branch",
            "party_a": "Party-building A",
            "business_a": "Business A",
            "double_a": "Dual A",
        },
    },
    "five_star": {
        "name": "Five-star branch rating",
        "indicators": {
            "compliance": _COMPLIANCE_EN,
            "four_factor": _FOUR_FACTOR_EN,
            "organization": "Organisation and leading role",
        },
        "titles": _stars_en("branch"),
    },
    "star_member": {
        "name": "Star members (monthly)",
        "indicators": {"points": "Member points", "performance": "Job performance"},
        "titles": _stars_en("member"),
    },
    "three_bright": {
        "name": "Show and compare (monthly)",
        "indicators": {
            "bright": "Three shows",
            "identity": "Show identity",
            "duty": "Show duty",
            "pledge": "Show pledge",
            "compare": "Three comparisons",
            "skill": "Compare skill",
            "conduct": "Compare conduct",
            "results": "Compare results",
        },
        "titles": {"pacesetter": "Show-and-compare pacesetter"},
    },
    "model_post": {
        "name": "Model posts and responsibility areas (monthly)",
        "indicators": {
            "post": "Model post duties",
            "area": "Responsibility area work",
            "result_points": "Result points",
            "breakthrough": "Area task completed (bonus)",
            "violation": "Violation in the area",
        },
        "titles": {"excellent_post": "Excellent model post"},
    },
    "arena": {
        "name": "Arena contest (quarterly)",
        "indicators": {
            "political": "Political quality",
            "skill": "Job skills",
            "public": "Public opinion",
            "performance": "Work results",
        },
        "titles": {"champion": "Champion"},
    },
    "bastion_index": {
        "name": "Bastion index",
        "indicators": {
            "compliance": _COMPLIANCE_EN,
            "four_factor": _FOUR_FACTOR_EN,
            "obligation_rate": _OBLIGATIONS_EN,
            "rectification_rate": _RECTIFICATION_EN,
        },
        "titles": {"index_a": "Bastion index A"},
    },
    "vanguard_index": {
        "name": "Vanguard index",
        "indicators": {
            "star_member": "Star member",
            "three_bright": "Show and compare",
            "arena": "Arena contest",
        },
        "titles": {"vanguard": "Vanguard member"},
    },
    "first_secretary": {
        "name": "First secretary evaluation (monthly)",
        "indicators": {
            "plan": "Work plan",
            "effect": "Work results",
            "multi": "All-round review",
            "deduction": "Deductions",
        },
        "titles": {"excellent": "Excellent"},
    },
}
