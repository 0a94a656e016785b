"""The members' side of the evaluation demo: the points ledger, the monthly member schemes
(星级党员, 三亮三比, 党员示范岗·责任区) and the quarterly arena contest (打擂台), all over the demo
county so the load stays quick, and the 先锋指数 composed from their published results.

Scores come from the people the tree allows: the branch secretary (or the county committee)
as the committee above, and the members of the branch who hold an account as peers. Key events
are submitted only in branches where someone can rate them, so every 擂主 is earned by ratings.
The current quarter's contest is open: in the demo member's branch two key events wait, and
the demo member has not rated yet.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q

from bastion.core.periods import Period
from bastion.orgs.models import Person
from bastion.orgs.models.person import MembershipStatus

from .demo_evidence import attach_sheets
from .demo_rounds import Runner, at, clamp, score
from .demo_texts import ARENA_COMMENTS, KEY_EVENTS
from .models import EntryState, KeyEvent, PointsEntry, PointsItem, Score, Target
from .selectors_scoring import scorable_items

MEMBER_STATUSES = [MembershipStatus.FULL, MembershipStatus.PROBATIONARY]
MEMBER_SCHEMES = ("star_member", "three_bright", "model_post")
PEERS_PER_MEMBER = 2


class MemberParts:
    def __init__(self, runner: Runner):
        self.runner = runner
        self.cal = runner.cal
        self.today = runner.ctx.today
        self.rng = runner.ctx.rng("evaluation/members")
        company = runner.company
        self.county = company.demo_county
        self.branch = company.secretary_branch
        self.secretary = company.users["secretary"]
        stations = [o.pk for o in company.stations]
        rows = (
            Person.objects.filter(
                Q(organization_id__in=stations)
                | Q(organization__path__startswith=self.county.path),
                membership_status__in=MEMBER_STATUSES,
            )
            .order_by("pk")
            .values_list("pk", "organization_id", "organization__path", "user_id")
        )
        self.people = [(pk, org) for pk, org, _path, _user in rows]
        self.paths = {org: path for _pk, org, path, _user in rows}
        self.zeal = {pk: self.rng.uniform(0.2, 1.0) for pk, _org in self.people}
        users = {u.pk: u for u in company.users.values()}
        self.holders: dict[int, list[tuple[int, object]]] = defaultdict(list)
        for pk, org, _path, user_id in rows:
            if user_id in users:
                self.holders[org].append((pk, users[user_id]))
        self.person_user = {pk: user for rows_ in self.holders.values() for pk, user in rows_}

    def in_county(self, org_id: int) -> bool:
        return self.paths[org_id].startswith(self.county.path)

    def higher_user(self, person_id: int, org_id: int):
        """The branch secretary approves and scores their members (not themself); the county
        committee everyone else in the county; the company the rest."""
        own = self.person_user.get(person_id)
        if org_id == self.branch.pk and own != self.secretary:
            return self.secretary
        if self.in_county(org_id) and own != self.runner.county_user:
            return self.runner.county_user
        return self.runner.company_user

    def peers(self, person_id: int, org_id: int, higher) -> list:
        """A few fellow members of the branch rate each member (every member has an account, so
        a large branch would otherwise rate itself dozens of times over each month)."""
        others = [
            user for pk, user in self.holders.get(org_id, []) if pk != person_id and user != higher
        ]
        if len(others) <= PEERS_PER_MEMBER:
            return others
        start = person_id % len(others)
        return (others[start:] + others[:start])[:PEERS_PER_MEMBER]

    # 党员积分手册 ------------------------------------------------------------------------------

    def points(self) -> None:
        """A year of approved entries for the stations' members, the whole history for the
        demo county's members (its member schemes read them); this month's entries of the
        secretary's branch still wait for approval."""
        items = {i.code: i for i in PointsItem.objects.filter(is_active=True)}
        rows, year_ago = [], self.cal.months[-12].start
        for period in self.cal.months:
            for person, org in self.people:
                if period.start >= year_ago or self.in_county(org):
                    rows += self._month_entries(items, person, org, period, EntryState.APPROVED)
        current = self.cal.current_month
        for person, org in self.people:
            if org == self.branch.pk:
                rows += self._month_entries(items, person, org, current, EntryState.PENDING)
        rows.sort(key=lambda row: (row.occurred_on, row.person_id))
        self._evidence(rows, {item.pk: item for item in items.values()})
        PointsEntry.objects.bulk_create(rows, batch_size=2000)
        self._date_entries(rows)

    def _month_entries(self, items, person, org, period: Period, state) -> list[PointsEntry]:
        rng, zeal, approved = self.rng, self.zeal[person], state == EntryState.APPROVED
        last = min(period.end, self.today - dt.timedelta(days=int(approved)))
        if last < period.start:
            return []
        plan = self._plan(zeal, quarter_end=period.end.month % 3 == 0)
        approver = self.higher_user(person, org)
        recorder = approver
        if not approved:  # what a member records themself waits for the secretary
            plan, recorder = plan[2:5], self.person_user.get(person, approver)
        entries = []
        for code in plan:
            item = items.get(code)
            if item is None:
                continue
            day = period.start + dt.timedelta(days=rng.randrange((last - period.start).days + 1))
            entries.append(
                PointsEntry(
                    person_id=person,
                    item=item,
                    occurred_on=day,
                    points=item.points,
                    state=state,
                    recorded_by=recorder,
                    approver=approver if approved else None,
                    approved_at=at(min(day + dt.timedelta(days=rng.randint(1, 4)), self.today), 11)
                    if approved
                    else None,
                )
            )
        return entries

    def _evidence(self, rows: list[PointsEntry], items: dict[int, PointsItem]) -> None:
        """An item that asks for evidence counts only with a file: each such entry carries its
        station's record sheet of the month (pending ones too, as the member uploaded it)."""
        people = {
            pk: (name, org_id, org_name)
            for pk, name, org_id, org_name in Person.objects.filter(
                pk__in={row.person_id for row in rows}
            ).values_list("pk", "name", "organization_id", "organization__name")
        }
        attach_sheets(
            rows,
            items,
            {pk: name for pk, (name, _o, _n) in people.items()},
            {pk: (org, org_name) for pk, (_name, org, org_name) in people.items()},
        )

    def _plan(self, zeal: float, *, quarter_end: bool) -> list[str]:
        """The handbook items a member earns (or loses) in a month: keener members more."""
        active, keen, careless = 0.2 + 0.5 * zeal, 0.05 + 0.35 * zeal, 1 - zeal
        chances = [
            ("three_meetings", 1),
            ("three_meetings", 1),
            ("theme_day", 0.9),
            ("service_team", active),
            ("power_guarantee", active),
            ("safety_guard", active),
            ("area_breakthrough", keen),
            ("model_post_excellent", keen),
            ("customer_praise", keen),
            ("suggestion_adopted", keen),
            ("stop_violation", 0.12 * zeal),
            ("quarter_no_violation", 0.85 * quarter_end),
            ("violation", 0.015),
            ("customer_complaint", 0.03 * careless),
            ("absent", 0.05 * careless),
        ]
        return [code for code, chance in chances if self.rng.random() < chance]

    def _date_entries(self, rows: list[PointsEntry]) -> None:
        """登记时间: the evening of the day (rows are in date order, so one range per day)."""
        spans: dict[dt.date, list[int]] = {}
        for row in rows:
            span = spans.setdefault(row.occurred_on, [row.pk, row.pk])
            span[0], span[1] = min(span[0], row.pk), max(span[1], row.pk)
        for day, (low, high) in spans.items():
            PointsEntry.objects.filter(pk__gte=low, pk__lte=high).update(created_at=at(day, 18))

    # 星级党员, 三亮三比, 党员示范岗·责任区 ----------------------------------------------------

    def member_schemes(self) -> None:
        runner = self.runner
        for code in (c for c in MEMBER_SCHEMES if c in runner.schemes):
            for period in self.cal.months:
                runner.run(
                    code,
                    self.county,
                    period,
                    actor=runner.county_user,
                    scores_for=self._member_scores,
                )

    def _member_scores(self, round_, targets) -> list:
        groups = {g["kind"] for g in round_.snapshot["groups"]}
        higher_items = scorable_items(round_, "higher") if "higher" in groups else []
        peer_items = scorable_items(round_, "peers") if "peers" in groups else []
        rows = []
        for target in targets:
            zeal = self.zeal.get(target.person_id, 0.5)
            higher = self.higher_user(target.person_id, target.organization_id)
            for item in higher_items:
                value = self._value(item, zeal)
                if value is not None:
                    rows.append(score(round_, target, item["code"], "higher", higher, value))
            for peer in self.peers(target.person_id, target.organization_id, higher):
                for item in (i for i in peer_items if i["kind"] == "scored"):
                    rows.append(
                        score(round_, target, item["code"], "peers", peer, self._value(item, zeal))
                    )
        return rows

    def _value(self, item: dict, zeal: float):
        """A scored item from the member's zeal; a bonus now and then, a rare deduction."""
        top = float(item["max_score"])
        if item["kind"] == "scored":
            return round(top * clamp(0.66 + 0.32 * zeal + self.rng.gauss(0, 0.035)), 1)
        if item["kind"] == "bonus" and self.rng.random() < 0.1 + 0.1 * zeal:
            return round(top * self.rng.choice([0.6, 1.0]))
        if item["kind"] == "deduction" and self.rng.random() < 0.02:
            return round(top / 2)
        return None

    # 打擂台 ------------------------------------------------------------------------------------

    def arena(self) -> None:
        if "arena" not in self.runner.schemes:
            return
        runner = self.runner
        for period in self.cal.quarters:
            round_ = runner.open("arena", self.county, period, actor=runner.county_user)
            scores = []
            # The round is the county's: only its branches contest (stations elsewhere have
            # members with accounts too, but not in this round's subtree).
            for org in sorted(o for o in self.holders if self.in_county(o)):
                scores += self._contest(round_, org, period)
            runner.finish(round_, period, actor=runner.county_user, scores=scores)

    def _branch_members(self, org: int) -> list[int]:
        return [pk for pk, member_org in self.people if member_org == org]

    def _contest(self, round_, org: int, period: Period) -> list:
        """3–6 members share key events; every other member with an account rates them. The
        submitters' standing is spaced so the ratings give one clear 擂主."""
        members = self._branch_members(org)
        raters = self.holders[org]
        count = min(len(members), self.rng.randint(3, 6))
        chosen = [
            pk
            for pk in self.rng.sample(members, count)
            if any(rater != pk for rater, _user in raters)
        ]
        targets = self._submit(round_, org, chosen, period)
        qualities = [9.4 - 0.6 * i for i in range(len(targets))]
        self.rng.shuffle(qualities)
        items = [i for i in scorable_items(round_, "peers") if i["kind"] == "scored"]
        rows = []
        for target, quality in zip(targets, qualities, strict=True):
            for rater, user in raters:
                if rater == target.person_id:
                    continue
                comment = self.rng.choice(ARENA_COMMENTS)
                for item in items:
                    value = clamp(quality + self.rng.uniform(-0.2, 0.2), 0, 10)
                    value *= float(item["max_score"]) / 10
                    rows.append(
                        score(round_, target, item["code"], "peers", user, round(value, 1), comment)
                    )
        return rows

    def _submit(self, round_, org: int, people: list[int], period: Period) -> list[Target]:
        """The members' key events (a target joins an arena round by submitting one)."""
        targets = [Target(round=round_, organization_id=org, person_id=pk) for pk in people]
        Target.objects.bulk_create(targets)
        last = min(period.end, self.today)
        events = []
        for target, (title, text) in zip(
            targets, self.rng.sample(KEY_EVENTS, len(targets)), strict=True
        ):
            span = max(0, (last - period.start).days - 3)
            happened = period.start + dt.timedelta(days=self.rng.randint(0, span))
            events.append(
                KeyEvent(
                    round=round_, target=target, title=title, happened_on=happened, description=text
                )
            )
        KeyEvent.objects.bulk_create(events)
        for event in events:
            event.submitted_at = at(min(event.happened_on + dt.timedelta(days=3), last), 20)
        KeyEvent.objects.bulk_update(events, ["submitted_at"])
        return targets

    def open_arena(self) -> None:
        """This quarter's contest: the secretary and one other member of the demo branch have
        shared their key events, the secretary has rated the other's, the member not yet."""
        if "arena" not in self.runner.schemes:
            return
        runner, period = self.runner, self.cal.current_quarter
        window = (period.start, period.end + dt.timedelta(days=10))
        round_ = runner.open("arena", self.county, period, actor=runner.county_user, window=window)
        holders = dict(self.holders[self.branch.pk])
        mine = next((pk for pk, user in holders.items() if user == self.secretary), None)
        # The demo ``member`` has not shared an event yet: they rate the others' events.
        member = self.runner.company.users.get("member")
        waiting = {mine, *(pk for pk, user in holders.items() if user == member)}
        others = [pk for pk in self._branch_members(self.branch.pk) if pk not in waiting]
        people = [pk for pk in (mine, *others[:1]) if pk is not None]
        targets = self._submit(round_, self.branch.pk, people, period)
        items = [i for i in scorable_items(round_, "peers") if i["kind"] == "scored"]
        rated = [t for t in targets if t.person_id != mine][:1]
        Score.objects.bulk_create(
            [
                score(
                    round_,
                    target,
                    item["code"],
                    "peers",
                    self.secretary,
                    round(float(item["max_score"]) * self.rng.uniform(0.8, 0.95), 1),
                    ARENA_COMMENTS[0],
                )
                for target in rated
                for item in items
            ]
        )
        runner.leave_open(round_)

    # 先锋指数 ----------------------------------------------------------------------------------

    def vanguard_index(self) -> None:
        runner = self.runner
        if "vanguard_index" in runner.schemes:
            runner.run(
                "vanguard_index",
                self.county,
                self.cal.year,
                actor=runner.county_user,
                scores_for=lambda round_, targets: [],
            )
