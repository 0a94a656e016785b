"""What the evaluation demo's builders share: the periods of the demo's history and a runner
that takes rounds through the services (open → scores → compute → publish) and afterwards
dates them as if they had been run at the time."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from decimal import Decimal

from django.utils import timezone

from bastion.core.demo import DemoContext, rows_insert
from bastion.core.notifications.services import notifications_muted
from bastion.core.periods import MONTH, QUARTER, Period, add_months

from .models import DataDecision, Round, RoundDataDecision, Scheme, Score, Target
from .selectors_readiness import round_readiness
from .services import rounds

NEWS_DAYS = 31  # a title published within this many days of the demo's today is still news
DEMO_EXCLUDE_NOTE = (
    "本期该指标缺数 %(missing)s 个、数据不全 %(partial)s 个（平台启用前无相应记录），全员剔除。"
)

# --- periods ----------------------------------------------------------------------------------


class Calendar:
    """The complete months and quarters of the demo's history, and the open periods."""

    def __init__(self, today: dt.date):
        self.today = today
        self.current_month = Period.containing(MONTH, today)
        self.current_quarter = Period.containing(QUARTER, today)
        last = self.current_month.previous()
        year_ago = Period.containing(MONTH, add_months(last.start, -11))
        first = min(year_ago, Period.month(today.year - 1, 1))
        self.months = list(Period.series(first, last))
        last_quarter = self.current_quarter.previous()
        first_quarter = min(
            Period.containing(QUARTER, first.start),
            Period.containing(QUARTER, add_months(last_quarter.start, -9)),
        )
        self.quarters = list(Period.series(first_quarter, last_quarter))
        self.year = Period.whole_year(today.year - 1)

    def publish_on(self, period: Period) -> dt.date:
        """Results go out in the second week after the period, never later than today."""
        return min(period.end + dt.timedelta(days=13), self.today)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """That hour of ``day``, but never later than now: the demo tells no future (issue 13)."""
    return min(timezone.make_aware(dt.datetime.combine(day, dt.time(hour))), timezone.now())


def decimal(value: float, places: str = "0.01") -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places))


def clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return max(low, min(high, value))


# --- running rounds ---------------------------------------------------------------------------


class Runner:
    """Opens, scores, computes and publishes rounds through the services, and keeps the dates
    each round should show (the services stamp the moment of the demo load)."""

    def __init__(self, ctx: DemoContext, company, schemes: dict[str, Scheme]):
        self.ctx = ctx
        self.company = company
        self.schemes = schemes
        self.cal = Calendar(ctx.today)
        self.users = company.users
        self.company_user = company.users["company"]
        self.county_user = company.users["county"]
        self.demo_county = company.demo_county
        self.dated: list[tuple[Round, dt.date, dt.date | None]] = []

    def open(self, code: str, organization, period: Period, *, actor, window=None) -> Round:
        opens, closes = window or (
            period.end + dt.timedelta(days=1),
            period.end + dt.timedelta(days=10),
        )
        return rounds.round_open(
            actor=actor,
            scheme=self.schemes[code],
            organization=organization,
            period_label=period.label,
            period_start=period.start,
            period_end=period.end,
            opens_on=opens,
            closes_on=closes,
        )

    def finish(self, round_: Round, period: Period, *, actor, scores=(), publish=True) -> None:
        rows_insert(list(scores))  # Score rows: nothing reads their ids here
        # Gaps are read from the source data, not from results: deciding them first lets one
        # computation apply the exclusions (the same results as computing, deciding, recomputing).
        if publish:
            self.decide_gaps(round_, actor=actor)
        rounds.round_compute(actor=actor, round_=round_)
        published = self.publish(round_, period, actor=actor) if publish else None
        self.dated.append((round_, round_.opens_on, published))

    def decide_gaps(self, round_: Round, *, actor) -> int:
        """A round published with missing data carries its decisions, as a real one must
        (issue 14): the demo's history predates the agenda's calendars (obligations are
        generated from this year on), so its earlier rounds exclude that item for everyone,
        and say why. Returns how many indicators were decided."""
        gaps = round_readiness(round_).with_gaps
        for item in gaps:
            rounds.round_data_decide(
                actor=actor,
                round_=round_,
                indicator=item.code,
                decision=DataDecision.EXCLUDE,
                note=DEMO_EXCLUDE_NOTE
                % {"missing": item.missing_count, "partial": item.partial_count},
            )
        return len(gaps)

    def publish(self, round_: Round, period: Period, *, actor) -> dt.date:
        """Publish on the period's date. Titles of rounds published more than a month before
        the demo's today are history: recorded, but nobody is told of them today."""
        published = self.cal.publish_on(period)
        old_news = published < self.ctx.today - dt.timedelta(days=NEWS_DAYS)
        with notifications_muted() if old_news else nullcontext():
            rounds.round_publish(actor=actor, round_=round_, today=published)
        return published

    def run(self, code, organization, period, *, actor, scores_for) -> Round:
        """One whole round: ``scores_for(round_, targets)`` returns its Score rows."""
        round_ = self.open(code, organization, period, actor=actor)
        targets = list(Target.objects.filter(round=round_).order_by("pk"))
        self.finish(round_, period, actor=actor, scores=scores_for(round_, targets))
        return round_

    def leave_open(self, round_: Round) -> None:
        self.dated.append((round_, round_.opens_on, None))

    def higher_user(self, organization):
        """Who scores as the committee above: the demo county for its own subtree."""
        if organization.path.startswith(self.demo_county.path):
            return self.county_user
        return self.company_user

    def date_rounds(self) -> None:
        rows = []
        for round_, opened, published in self.dated:
            round_.created_at = at(min(opened, self.ctx.today), 9)
            if published is not None:
                round_.computed_at = at(published, 9)
                round_.published_at = at(published, 10)
            rows.append(round_)
        Round.objects.bulk_update(rows, ["created_at", "computed_at", "published_at"])
        for round_ in rows:  # decided just before computing, on the round's own day
            if round_.computed_at:
                RoundDataDecision.objects.filter(round=round_).update(decided_at=round_.computed_at)


def score(round_, target, code, group, evaluator, value, comment="") -> Score:
    return Score(
        round=round_,
        target=target,
        indicator=code,
        group=group,
        evaluator=evaluator,
        value=decimal(value),
        comment=comment,
    )
