"""Dataset builders for the domain modules (agenda, tasks, problems), split from
``bench/dataset.py`` which builds the organization tree and the people they stand on.

Each builder takes the ``Build`` of ``bench.dataset`` and uses its helpers through the module
(``base.insert_rows``...), so the two files import each other without a cycle at load time.
"""

from __future__ import annotations

import datetime as dt

from bench import dataset as base

# --- obligations (agenda) -----------------------------------------------------------------------


def build_obligations(build: base.Build):
    """A year of obligations from the seeded calendar (base.REFERENCE_DAY's year), as the service
    makes them, then a deterministic share marked done: 60 % on time, 20 % late, the rest open,
    so every colour shows and roll-ups have something to count."""
    from django.db.models import F
    from django.db.models.functions import Mod

    from bastion.agenda.models import Obligation
    from bastion.agenda.services.obligations import generate_year
    from bastion.agenda.services.tallies import tallies_deferred

    year = base.REFERENCE_DAY.year
    # The roll-up's tallies are recounted once, after the generation and both updates, instead
    # of after each (a national company's recount takes a minute).
    with tallies_deferred():
        generate_year(year)
        due = Obligation.objects.filter(due_on__lte=base.REFERENCE_DAY)
        due = due.alias(share=Mod("id", 10))
        due.filter(share__lt=6).update(fulfilled_on=F("due_on"))
        due.filter(share__in=[6, 7]).update(fulfilled_on=F("due_on") + dt.timedelta(days=5))
    build.manifest.update(obligations_year=year, obligations=Obligation.objects.count())


# --- a task sheet pushed to the whole province (tasks) -----------------------------------------

# (state, share, share of the answers given after the due date)
TASK_STATES = [
    ("unread", 0.15, 0.0),
    ("read", 0.10, 0.0),
    ("submitted", 0.30, 0.25),
    ("returned", 0.05, 0.0),
    ("accepted", 0.40, 0.10),
]


def build_tasks(build: base.Build):
    """一事一单 at province scale: the root's task sheet dispatched to every other organization,
    due ten days before base.REFERENCE_DAY, with a typed feedback form and answers in every state
    (so the progress page has counts, a late list and a breakdown to draw)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from bastion.tasks.models import Assignment, FeedbackField, Task

    rng = build.rng
    due = base.REFERENCE_DAY - dt.timedelta(days=10)

    def at(day: dt.date, hour: int) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))

    task = Task.objects.create(
        title="关于报送2025年上半年党员教育培训情况的通知",
        body="请各党组织于截止日期前报送上半年党员教育培训开展情况，并上传佐证材料。",
        issuer_id=build.manifest["root_id"],
        due_on=due,
        priority="high",
        status="dispatched",
        created_by=get_user_model().objects.get(username=base.BENCH_USERNAME),
        dispatched_at=at(due - dt.timedelta(days=20), 9),
    )
    fields = [
        FeedbackField.objects.create(task=task, label="培训党员人数", kind="number", position=1),
        FeedbackField.objects.create(
            task=task,
            label="完成情况",
            kind="choice",
            position=2,
            choices=["已完成", "部分完成", "未开展"],
        ),
        FeedbackField.objects.create(task=task, label="培训日期", kind="date", position=3),
        FeedbackField.objects.create(
            task=task, label="存在问题", kind="text", position=4, required=False
        ),
    ]
    states, weights = [s[0] for s in TASK_STATES], [s[1] for s in TASK_STATES]
    late_share = {s[0]: s[2] for s in TASK_STATES}
    rows = []
    for node in build.nodes:
        if node.pk == build.manifest["root_id"]:
            continue
        state = rng.choices(states, weights)[0]
        row = {"task_id": task.pk, "organization_id": node.pk, "state": state}
        if state != "unread":
            row["read_at"] = at(due - dt.timedelta(days=rng.randint(5, 19)), 10)
        values = {}
        if state in ("submitted", "returned", "accepted"):
            late = rng.random() < late_share[state]
            day = due + dt.timedelta(days=rng.randint(1, 8) if late else -rng.randint(0, 4))
            row.update(submitted_at=at(day, 15), late=late, feedback="已按要求组织学习培训。")
            values = {
                str(fields[0].pk): str(rng.randint(3, 40)),
                str(fields[1].pk): rng.choice(fields[1].choices),
                str(fields[2].pk): (day - dt.timedelta(days=rng.randint(1, 30))).isoformat(),
            }
            if state == "returned":
                row["return_reason"] = "佐证材料不全，请补充签到表。"
        row["values"] = values  # insert_rows encodes JSON columns for the backend
        rows.append(row)
    base.insert_rows(Assignment, rows)
    build.manifest.update(progress_task_id=task.pk, progress_recipients=len(rows))


# --- problems (问题清单) and a quarter to publish a bulletin for --------------------------------

PROBLEM_STATES = [  # (state, weight) among problems whose deadline has passed
    ("closed", 45),
    ("verified", 15),
    ("submitted", 8),
    ("rejected", 2),
    ("in_progress", 18),
    ("planned", 12),
]
PROBLEM_TEXTS = [
    ("organization", "三会一课记录不完整，部分支委会未形成会议纪要"),
    ("organization", "主题党日活动未按月开展，缺少活动照片和签到表"),
    ("integrity", "廉洁风险点排查不全，岗位风险防控措施未更新"),
    ("safety", "现场作业未设专职监护人，安全交底签字不全"),
    ("safety", "配电房消防器材过期未更换"),
    ("business", "电费回收率低于月度目标，欠费催收台账不完整"),
    ("business", "同期线损异常台区未按期分析处理"),
    ("service", "客户诉求未在时限内回访"),
    ("other", "党建工作台账归档不规范"),
]


def build_problems(build: base.Build):
    """Problems for 问题整改 (five for every six people): found over the year before
    base.REFERENCE_DAY at every branch and group, deadlines 15–120 days after, states by whether the
    deadline has passed (some closed late, some overdue), verified ones with their event; the
    bulletin quarter is base.REFERENCE_DAY's."""
    from django.utils import timezone

    from bastion.problems.models import Problem, ProblemEvent

    rng = build.rng
    count = build.size.people * 5 // 6  # 5,000 small, 50,000 large, 500,000 national
    places = [n for n in build.nodes if n.kind in ("branch", "temporary_branch", "group")]
    committees = {n.pk: n for n in build.nodes if n.kind == "committee"}
    above: dict[int, int] = {}  # the nearest committee above each node (responsible, owner)
    for node in build.nodes:  # top-down: a parent is seen before its children
        for child in node.children:
            above[child.pk] = node.pk if node.pk in committees else above.get(node.pk, node.pk)
    start = base.REFERENCE_DAY - dt.timedelta(days=364)
    states, weights = [s for s, _w in PROBLEM_STATES], [w for _s, w in PROBLEM_STATES]
    rows, events = [], []
    for pk in range(1, count + 1):
        node = places[rng.randrange(len(places))]
        category, text = PROBLEM_TEXTS[rng.randrange(len(PROBLEM_TEXTS))]
        found = base.random_day(rng, start, base.REFERENCE_DAY)
        deadline = found + dt.timedelta(days=rng.randint(15, 120))
        tier = rng.choices([1, 2, 3, 4], [50, 30, 15, 5])[0]
        row = {
            "id": pk,
            "description": f"{node.name}：{text}（第{pk}号）",
            "organization_id": node.pk,
            "source": rng.choice(["inspection", "evaluation", "manual"]),
            "category": category,
            "tier": tier,
            "library": {1: "branch", 2: "branch", 3: "county"}.get(tier, "company"),
            "owner_id": node.pk if tier < 3 else above[node.pk],
            "found_on": found,
            "deadline": deadline,
            "measures": "制定整改方案，明确责任人和时限。",
            "responsible_org_id": node.pk if rng.random() < 0.8 else above[node.pk],
        }
        state = (
            rng.choices(states, weights)[0]
            if deadline <= base.REFERENCE_DAY
            else rng.choice(["planned", "in_progress", "in_progress", "submitted", "closed"])
        )
        row["state"] = state
        if state in ("submitted", "verified", "closed", "rejected"):
            done = min(base.REFERENCE_DAY, found + dt.timedelta(days=rng.randint(5, 140)))
            row["submitted_on"] = done
            if state == "closed":
                row["closed_on"] = min(
                    base.REFERENCE_DAY, done + dt.timedelta(days=rng.randint(0, 10))
                )
            if state == "verified":
                at = timezone.make_aware(dt.datetime.combine(done, dt.time(16)))
                events.append(
                    {
                        "problem_id": pk,
                        "from_state": "submitted",
                        "to_state": "verified",
                        "reason": "",
                        "at": at,
                    }
                )
        rows.append(row)
    base.insert_rows(Problem, rows)
    if events:
        base.insert_rows(ProblemEvent, events)
    quarter = f"{base.REFERENCE_DAY.year}Q{(base.REFERENCE_DAY.month - 1) // 3 + 1}"
    build.manifest.update(problems=count, bulletin_quarter=quarter)


# --- an evaluation round over every organization (考核评价) ------------------------------------

BENCH_SCHEME = "bench_monthly"
SCORED_ITEMS = 16  # + 2 computed + bonus + deduction = 20 indicators


def build_evaluation(build: base.Build):
    """A monthly round of a 20-indicator scheme over every organization of the tree (3,000 on
    the large dataset): 16 items scored by the committee above, the obligation completion and
    rectification rates from the data built above, a bonus and a deduction. Every target has its
    18 manual scores (54,000 on the large dataset); the round is computed and published so the
    results page has a ranking to show, and the job ``round_3000`` computes it again."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from bastion.evaluation.models import Round, Scheme, Score, Target
    from bastion.evaluation.selectors_schemes import scheme_snapshot
    from bastion.evaluation.services.rounds import round_results_compute, round_titles_award

    scheme = _bench_scheme(Scheme)
    period_start = base.REFERENCE_DAY.replace(day=1)
    round_ = Round.objects.create(
        scheme=scheme,
        organization_id=build.manifest["root_id"],
        name="压测月度考评",
        period_label=f"{period_start:%Y-%m}",
        period_start=period_start,
        period_end=base.REFERENCE_DAY,
        opens_on=base.REFERENCE_DAY,
        closes_on=base.REFERENCE_DAY,
        state="published",
        snapshot=scheme_snapshot(scheme),
    )
    base.insert_rows(
        Target,
        [{"round_id": round_.pk, "organization_id": node.pk, "rank": None} for node in build.nodes],
    )
    evaluator = get_user_model().objects.get(username=build.manifest["bench_username"])
    codes = [f"item{i:02d}" for i in range(1, SCORED_ITEMS + 1)]
    rng, now, scores = build.rng, timezone.now(), []
    for target_id in Target.objects.filter(round=round_).values_list("pk", flat=True):
        for code in codes:
            scores.append(_score(round_.pk, target_id, code, rng.randint(55, 100), evaluator, now))
        scores.append(
            _score(round_.pk, target_id, "bonus", rng.choice([0, 0, 1, 2]), evaluator, now)
        )
        scores.append(
            _score(round_.pk, target_id, "safety", rng.choice([0, 0, 0, 2, 5]), evaluator, now)
        )
    base.insert_rows(Score, scores)
    round_results_compute(actor=None, round_=round_)
    round_titles_award(actor=None, round_=round_, today=base.REFERENCE_DAY)
    build.manifest.update(
        evaluation_round_id=round_.pk,
        evaluation_targets=len(build.nodes),
        evaluation_scores=len(scores),
    )


def _score(round_id, target_id, code, value, evaluator, now) -> dict:
    return {
        "round_id": round_id,
        "target_id": target_id,
        "indicator": code,
        "group": "higher",
        "evaluator_id": evaluator.pk,
        "value": value,
        "comment": "",
        "updated_at": now,
    }


def _bench_scheme(Scheme):  # noqa: N803 - the model class
    from bastion.evaluation.models import EvaluatorGroup, Indicator, TitleRule

    scheme = Scheme.objects.create(
        code=BENCH_SCHEME,
        name="压测月度考评方案",
        target_kind="branch",
        period_kind="month",
        bonus_cap=5,
        deduction_cap=10,
        missing_policy="exclude",
    )
    EvaluatorGroup.objects.create(scheme=scheme, kind="higher", weight=1)
    party = Indicator.objects.create(
        scheme=scheme, code="party", name="党建工作", kind="group", weight=60, order=0
    )
    work = Indicator.objects.create(
        scheme=scheme, code="work", name="业务工作", kind="group", weight=40, order=1
    )
    for i in range(1, SCORED_ITEMS + 1):
        Indicator.objects.create(
            scheme=scheme,
            parent=party if i <= 8 else work,
            code=f"item{i:02d}",
            name=f"评分项{i}",
            kind="scored",
            weight=1,
            max_score=100,
            order=10 + i,
        )
    computed = (("obligations", "obligation_rate"), ("rectification", "rectification_rate"))
    for order, (code, source) in enumerate(computed):
        Indicator.objects.create(
            scheme=scheme,
            parent=party,
            code=code,
            name=code,
            kind="computed",
            source=source,
            weight=2,
            order=40 + order,
        )
    Indicator.objects.create(scheme=scheme, code="bonus", name="加分", kind="bonus", max_score=5)
    Indicator.objects.create(
        scheme=scheme, code="safety", name="安全底线", kind="deduction", max_score=10
    )
    for stars, low in ((5, 95), (4, 90), (3, 80), (2, 70), (1, 60)):
        TitleRule.objects.create(
            scheme=scheme,
            code=f"star{stars}",
            name=f"{stars}星",
            kind="star",
            basis="band",
            min_score=low,
            stars=stars,
        )
    TitleRule.objects.create(
        scheme=scheme,
        code="red_flag",
        name="流动红旗",
        kind="red_flag",
        basis="top",
        count=1,
        within="parent",
    )
    TitleRule.objects.create(
        scheme=scheme,
        code="watch",
        name="不放心支部",
        kind="watch",
        basis="bottom",
        count=3,
        max_score=70,
        lift_score=75,
    )
    return scheme
