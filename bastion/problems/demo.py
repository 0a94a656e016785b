"""The demo company's inspections and problems: a year of company patrols and flying
inspections, county supervision visits, discipline and organization checks, station
self-inspections and mutual inspections, with 150-250 problems in every rectification state,
some overdue, some recurring, and one tier-4 problem escalated to the company's library.

Rows are written directly (bulk), with their ProblemEvent history, as a year of use would have
left them; dates are relative to ``ctx.today`` and every draw comes from ``ctx.rng``. A second
run finds the first patrol and adds nothing. The demo secretary's branch gets exactly one open
overdue problem and one waiting for verification. Every 提交验收 step carries its 整改报告 (a
PDF, ``demo_evidence``): no problem past that step lacks evidence (issue 14).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.demo import DemoContext
from bastion.orgs.models import CommitteeMember, Person

from .demo_evidence import attach_reports
from .demo_texts import CHECKLISTS, PROBLEMS, REJECT_REASONS, TEAMS
from .models import (
    Inspection,
    InspectionKind,
    Problem,
    ProblemEvent,
    ProblemEvidence,
    Source,
    State,
)
from .services.rectify import library_for_tier, owner_for

DEMO_ORDER = 60
FIRST_PATROL = "公司党委第一轮党建巡查"  # the natural key: built once
CATEGORIES = ["organization", "integrity", "safety", "business", "service"]
KIND_CATEGORIES = {
    InspectionKind.FLYING: ["safety", "safety", "integrity", "service"],
    InspectionKind.FRONTLINE_SUPERVISION: ["integrity", "integrity", "safety"],
    InspectionKind.FRONTLINE_ASSESSMENT: ["organization", "organization", "business"],
}
KIND_COUNTS = {  # problems found per inspection: (low, high)
    InspectionKind.PATROL: (6, 9),
    InspectionKind.FLYING: (3, 4),
    InspectionKind.SUPERVISION_VISIT: (4, 6),
    InspectionKind.FRONTLINE_SUPERVISION: (4, 5),
    InspectionKind.FRONTLINE_ASSESSMENT: (4, 5),
    InspectionKind.SELF: (3, 5),
    InspectionKind.MUTUAL: (3, 4),
}
ESCALATED = (
    "农网改造遗留的 3 个高损台区线路老化、供电半径过长，所内和县公司无力解决，"
    "需列入公司年度农网改造计划。"
)
ESCALATED_MEASURES = (
    "公司党委研究列入下一年度农网改造计划；县公司先行调整负荷、加装无功补偿临时降损。"
)


def has_data() -> bool:
    return Inspection.objects.exists() or Problem.objects.exists()


def build_demo(ctx: DemoContext) -> None:
    company = ctx.require("orgs")
    if not Inspection.objects.filter(title=FIRST_PATROL).exists():
        _Builder(ctx, company).build()
    ctx.report(_("检查"), total=Inspection.objects.count(), created=None)
    ctx.report(_("问题"), total=Problem.objects.count(), created=None)
    ctx.report(_("整改记录"), total=ProblemEvent.objects.count(), created=None)
    ctx.report(_("整改佐证"), total=ProblemEvidence.objects.count(), created=None)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    """That hour of ``day``, but never later than now: the demo tells no future (issue 13)."""
    return min(timezone.make_aware(dt.datetime.combine(day, dt.time(hour))), timezone.now())


class _Builder:
    def __init__(self, ctx: DemoContext, company):
        self.rng = ctx.rng("problems")
        self.today = ctx.today
        self.company = company
        self.root = company.root
        self.stations = sorted(company.station_branches, key=lambda o: o.path)
        self.counties = sorted(company.counties, key=lambda o: o.path)
        self.secretary_branch = company.secretary_branch
        self.users = company.users
        self.owners: dict = {}
        self.seen: dict = {}  # (org id, category) → found dates
        self.people = self._responsible_people()
        self.inspections: list[Inspection] = []
        self.inspected: list[list] = []
        self.problems: list[Problem] = []
        self.histories: list[list[tuple]] = []  # per problem: (from, to, day, reason, actor)

    # --- who answers ----------------------------------------------------------------------

    def _responsible_people(self) -> dict:
        """The branch secretary of each station (or its first person) as the responsible one."""
        ids = [o.pk for o in self.stations]
        people = {}
        for org_id, person_id in (
            Person.objects.filter(organization_id__in=ids)
            .order_by("-organization_id", "-id")
            .values_list("organization_id", "id")
        ):
            people[org_id] = person_id
        seats = CommitteeMember.objects.filter(organization_id__in=ids, position="secretary")
        for org_id, person_id in seats.values_list("organization_id", "person_id"):
            people[org_id] = person_id
        return people

    def stations_of(self, county):
        return [s for s in self.stations if s.path.startswith(county.path)]

    def owner(self, org, library):
        key = (org.pk, library)
        if key not in self.owners:
            self.owners[key] = owner_for(org, library)
        return self.owners[key]

    def actor(self, org, side: str):
        if side == "rectify" and org.pk == self.secretary_branch.pk:
            return self.users.get("secretary")
        if org.path.startswith(self.company.demo_county.path):
            return self.users.get("county")
        return self.users.get("company")

    # --- the year of inspections ----------------------------------------------------------

    def build(self) -> None:
        self.plan_inspections()
        for inspection, inspected in zip(self.inspections, self.inspected, strict=True):
            self.find(inspection, inspected)
        self.manual_problems()
        self.secretary_problems()
        self.escalated_problem()
        self.write()

    def day(self, days_ago: int) -> dt.date:
        return self.today - dt.timedelta(days=days_ago)

    def add_inspection(self, kind, title, by, inspected, days_ago, **extra):
        categories = KIND_CATEGORIES.get(kind, CATEGORIES)
        checklist = [item for c in dict.fromkeys(categories) for item in CHECKLISTS[c]]
        inspection = Inspection(
            kind=kind,
            title=title,
            inspecting_org=by,
            held_on=self.day(days_ago),
            unannounced=kind == InspectionKind.FLYING,
            checklist=checklist,
            team=self.rng.choice(TEAMS) if by.pk == self.root.pk else "",
            **extra,
        )
        self.inspections.append(inspection)
        self.inspected.append(inspected)

    def plan_inspections(self) -> None:
        rng, root = self.rng, self.root
        numbers = "一二三四五六"
        for index, days_ago in enumerate((350, 290, 230, 170, 110, 45)):
            chosen = rng.sample(self.stations, 4)
            if index in (1, 4) and self.secretary_branch not in chosen:
                chosen[0] = self.secretary_branch
            title = FIRST_PATROL if index == 0 else f"公司党委第{numbers[index]}轮党建巡查"
            self.add_inspection(
                InspectionKind.PATROL,
                title,
                root,
                chosen,
                days_ago,
                created_by=self.users.get("company"),
            )
        for days_ago in (320, 250, 190, 120, 30):
            chosen = rng.sample(self.stations, rng.randint(1, 2))
            title = f"飞行巡查（不打招呼）：{chosen[0].name}"
            self.add_inspection(InspectionKind.FLYING, title, root, chosen, days_ago)
        for index, county in enumerate(self.counties):
            own = self.stations_of(county)
            if not own:
                continue
            chosen = rng.sample(own, min(3, len(own)))
            title = f"{county.name}督导访谈（{'上' if index % 2 else '下'}半年）"
            self.add_inspection(
                InspectionKind.SUPERVISION_VISIT, title, county, chosen, 40 + index * 38
            )
        for days_ago, focus in ((300, "廉洁风险防控"), (200, "业扩报装廉洁"), (80, "节日纪律")):
            chosen = rng.sample(self.stations, 3)
            self.add_inspection(
                InspectionKind.FRONTLINE_SUPERVISION,
                f"纪委一线督查：{focus}",
                root,
                chosen,
                days_ago,
            )
        for days_ago in (260, 70):
            chosen = rng.sample(self.stations, 3)
            self.add_inspection(
                InspectionKind.FRONTLINE_ASSESSMENT,
                "组织部一线考核：支部标准化",
                root,
                chosen,
                days_ago,
            )
        selves = rng.sample([s for s in self.stations if s != self.secretary_branch], 10)
        selves.append(self.secretary_branch)
        for index, station in enumerate(selves):
            self.add_inspection(
                InspectionKind.SELF,
                f"{station.name}季度自查",
                station,
                [station],
                15 + index * 31,
                created_by=self.users.get("secretary")
                if station == self.secretary_branch
                else None,
            )
        for days_ago in (280, 210, 140, 95, 20):
            county = rng.choice([c for c in self.counties if len(self.stations_of(c)) >= 2])
            first, second = rng.sample(self.stations_of(county), 2)
            self.add_inspection(
                InspectionKind.MUTUAL, f"{first.name}与{second.name}互查", first, [second], days_ago
            )

    # --- problems -------------------------------------------------------------------------

    def find(self, inspection, inspected) -> None:
        low, high = KIND_COUNTS[inspection.kind]
        categories = KIND_CATEGORIES.get(inspection.kind, CATEGORIES)
        for _i in range(self.rng.randint(low, high)):
            org = self.rng.choice(inspected)
            category = self.rng.choice(categories)
            self.add_problem(org, category, inspection.held_on, inspection=inspection)

    def manual_problems(self) -> None:
        for _i in range(8):
            org = self.rng.choice(self.stations)
            self.add_problem(org, self.rng.choice(CATEGORIES), self.day(self.rng.randint(5, 300)))

    def tier(self, recurring: bool) -> int:
        draw = self.rng.random()
        tier = 1 if draw < 0.5 else 2 if draw < 0.88 else 3
        return max(tier, 2) if recurring else tier

    def add_problem(
        self,
        org,
        category,
        found_on,
        *,
        inspection=None,
        tier=None,
        state=None,
        deadline=None,
        text=None,
    ) -> Problem:
        earlier = self.seen.setdefault((org.pk, category), [])
        recurring = any(found_on - day <= dt.timedelta(days=365) for day in earlier)
        earlier.append(found_on)
        tier = tier or self.tier(recurring)
        description, measures = text or self.rng.choice(PROBLEMS[category])
        library = library_for_tier(tier)
        if deadline is None:
            low, high = {1: (15, 30), 2: (30, 45), 3: (60, 90)}.get(tier, (120, 120))
            deadline = found_on + dt.timedelta(days=self.rng.randint(low, high))
        problem = Problem(
            description=description,
            organization=org,
            inspection=inspection,
            source=Source.INSPECTION if inspection else Source.MANUAL,
            category=category,
            tier=tier,
            library=library,
            owner=self.owner(org, library),
            recurring=recurring,
            found_on=found_on,
            responsible_org=org,
            responsible_person_id=self.people.get(org.pk),
            measures=measures,
            deadline=deadline,
            created_by=self.users.get("company"),
        )
        if state is None:
            state = self.pick_state(problem)
            # The demo secretary's own open problems are the two set by ``secretary_problems``.
            if org.pk == self.secretary_branch.pk and state not in (State.CLOSED, State.VERIFIED):
                state = State.CLOSED if deadline < self.today else State.VERIFIED
        self.problems.append(problem)
        self.histories.append(self.history(problem, state))
        return problem

    def pick_state(self, problem) -> str:
        draw = self.rng.random()
        if problem.deadline < self.today:
            if draw < 0.78:
                return State.CLOSED
            if draw < 0.86:
                return State.VERIFIED
            return self.rng.choice(
                [
                    State.IN_PROGRESS,
                    State.IN_PROGRESS,
                    State.REJECTED,
                    State.SUBMITTED,
                    State.PLANNED,
                ]
            )
        for state, limit in (
            (State.PLANNED, 0.2),
            (State.IN_PROGRESS, 0.55),
            (State.SUBMITTED, 0.75),
            (State.REJECTED, 0.83),
            (State.VERIFIED, 0.93),
        ):
            if draw < limit:
                return state
        return State.CLOSED

    def history(self, problem, state) -> list[tuple]:
        """The steps that led to ``state``, dated between discovery and today; sets the
        problem's state, submitted and closed dates."""
        rng, org = self.rng, problem.organization
        rectifier, verifier = self.actor(org, "rectify"), self.actor(org, "verify")
        day = problem.found_on
        steps = [("", State.PLANNED, day, "登记问题", verifier)]

        def step(to, days, reason="", who=None):
            nonlocal day
            day = min(self.today, day + dt.timedelta(days=days))
            steps.append((steps[-1][1], to, day, reason, who))

        problem.state = state
        if state == State.PLANNED:
            return steps
        step(State.IN_PROGRESS, rng.randint(1, 3), "", rectifier)
        if state == State.IN_PROGRESS:
            return steps
        span = max(1, (problem.deadline - day).days)
        late = state in (State.CLOSED, State.VERIFIED) and rng.random() < 0.15
        step(
            State.SUBMITTED,
            rng.randint(span // 2, span) + (rng.randint(2, 10) if late else 0),
            "已按整改措施完成整改，上传佐证材料。",
            rectifier,
        )
        if (
            state in (State.REJECTED, State.CLOSED, State.VERIFIED)
            and rng.random() < 0.25
            or (state == State.REJECTED)
        ):
            step(State.REJECTED, rng.randint(1, 3), rng.choice(REJECT_REASONS), verifier)
            if state == State.REJECTED:
                problem.submitted_on = steps[-2][2]
                return steps
            step(State.SUBMITTED, rng.randint(2, 6), "已补充整改佐证。", rectifier)
        problem.submitted_on = day
        if state == State.SUBMITTED:
            return steps
        step(State.VERIFIED, rng.randint(1, 5), "现场复查，整改到位。", verifier)
        if state == State.VERIFIED:
            return steps
        step(State.CLOSED, rng.randint(1, 7), "", verifier)
        problem.closed_on = day
        return steps

    def secretary_problems(self) -> None:
        """The demo secretary's branch: one open and overdue, one waiting for verification."""
        branch = self.secretary_branch
        overdue = self.add_problem(
            branch,
            "business",
            self.day(50),
            tier=2,
            state=State.PLANNED,
            deadline=self.day(6),
            text=PROBLEMS["business"][0],
        )
        # Work started but not finished: planned → in progress, still open after the deadline.
        rectifier = self.actor(branch, "rectify")
        self.histories[-1].append((State.PLANNED, State.IN_PROGRESS, self.day(47), "", rectifier))
        overdue.state = State.IN_PROGRESS
        submitted = self.add_problem(
            branch,
            "service",
            self.day(20),
            tier=1,
            state=State.PLANNED,
            deadline=self.today + dt.timedelta(days=10),
            text=PROBLEMS["service"][0],
        )
        self.histories[-1] += [
            (State.PLANNED, State.IN_PROGRESS, self.day(18), "", rectifier),
            (
                State.IN_PROGRESS,
                State.SUBMITTED,
                self.day(3),
                "已完成停电告知流程整改，上传告知记录。",
                rectifier,
            ),
        ]
        submitted.state, submitted.submitted_on = State.SUBMITTED, self.day(3)

    def escalated_problem(self) -> None:
        """Tier 4: found by the demo county's visit, owned by the company committee."""
        county = self.company.demo_county
        visit = next(i for i in self.inspections if i.inspecting_org.pk == county.pk)
        stations = self.inspected[self.inspections.index(visit)]
        org = next((s for s in stations if s.pk != self.secretary_branch.pk), stations[0])
        problem = self.add_problem(
            org,
            "business",
            visit.held_on,
            inspection=visit,
            tier=4,
            state=State.IN_PROGRESS,
            deadline=visit.held_on + dt.timedelta(days=180),
            text=(ESCALATED, ESCALATED_MEASURES),
        )
        problem.library, problem.owner = "company", self.root
        problem.escalated_at = _at(visit.held_on, 15)

    # --- writing --------------------------------------------------------------------------

    def write(self) -> None:
        counts: dict = {}
        for problem in self.problems:
            if problem.inspection is not None:
                key = id(problem.inspection)
                counts[key] = counts.get(key, 0) + 1
        for inspection, inspected in zip(self.inspections, self.inspected, strict=True):
            inspection.summary = (
                f"共检查{len(inspected)}个组织，发现问题{counts.get(id(inspection), 0)}个，"
                "已反馈责任单位限期整改。"
            )
        Inspection.objects.bulk_create(self.inspections)
        for inspection in self.inspections:
            inspection.created_at = _at(inspection.held_on, 17)
        Inspection.objects.bulk_update(self.inspections, ["created_at"])
        through = Inspection.inspected.through
        through.objects.bulk_create(
            [
                through(inspection_id=inspection.pk, organization_id=org.pk)
                for inspection, orgs in zip(self.inspections, self.inspected, strict=True)
                for org in orgs
            ]
        )
        Problem.objects.bulk_create(self.problems, batch_size=500)
        for problem in self.problems:
            problem.created_at = _at(problem.found_on, 17)
        Problem.objects.bulk_update(self.problems, ["created_at"], batch_size=500)
        events, times = [], []
        for problem, steps in zip(self.problems, self.histories, strict=True):
            for hour, (before, after, day, reason, actor) in enumerate(steps, start=9):
                events.append(
                    ProblemEvent(
                        problem=problem,
                        from_state=before,
                        to_state=after,
                        reason=reason,
                        actor=actor,
                    )
                )
                times.append(_at(day, min(hour, 18)))
        ProblemEvent.objects.bulk_create(events, batch_size=1000)
        for event, at in zip(events, times, strict=True):
            event.at = at
        ProblemEvent.objects.bulk_update(events, ["at"], batch_size=1000)
        attach_reports(self.problems, events)
