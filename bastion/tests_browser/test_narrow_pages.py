"""Issue 14, item 7: every page of the evaluation and tasks modules fits a 390 px phone, in
Chinese and in English: nothing scrolls sideways.

The pages come from the modules' URL confs, so a page added later is checked without touching
this file: its URL parameters are filled from the module's small data fixture below (a ``pk`` by
the area of the URL it sits in), and a route the fixture cannot fill, or that no persona can
open, fails the test, saying which. Actions (405 on GET), downloads and HTMX fragments are not
pages and are left out. The company officer, a branch secretary and a member are measured on
every page they can open; a county officer on the pages none of them can open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from bastion.evaluation.models import Target
from bastion.evaluation.services import appeals, rounds, scores
from bastion.evaluation.tests.helpers import OPEN_DAY, open_round, simple_scheme
from bastion.evaluation.tests.helpers_benchmarks import make_indicators, put
from bastion.evaluation.tests.helpers_points import entry, make_items
from bastion.evaluation.tests.helpers_results import branch_round, member_round
from bastion.evaluation.tests.helpers_scoring import (
    arena_scheme,
    member_scheme,
    open_live,
)
from bastion.tasks.tests.cascade_helpers import build_cascade, linked_task
from bastion.tasks.tests.factories import GOOD, answer, dispatch_to, make_task

from .conftest import PHONE
from .conftest import _save_evidence as save_evidence

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LANGUAGES = ("zh-hans", "en")
# Sub-pixel rounding may add a pixel; a real overflow is a column or a table, far wider.
TOLERANCE_PX = 1
# Who opens the pages, in this order: the first are measured on every page they can open, the
# fallbacks only on pages none of them could (a county passing a sheet down to its stations).
MEASURED_ALWAYS = ("company", "secretary_a", "member")
FALLBACKS = ("county",)
# Downloads of an uploaded file: the fixtures upload none, and a file is not a page to lay out.
FILE_DOWNLOADS = {
    "evaluation:arena_event_file",
    "evaluation:points_evidence",
    "tasks:task_file",
    "tasks:feedback_file",
}

# The page's own width against the phone's 390 px (not window.innerWidth: a mobile browser
# widens its layout viewport to fit a page too wide for it). When it is too wide, what sticks
# out: each element wider than its box (its parent does not stick out) and the widest innermost
# ones, as tag.class, right edge, width and the start of its text. Elements clipped by a
# scrolling box (a table inside .table-responsive) are not counted.
MEASURE_JS = """
([vw, tolerance]) => {
  const width = document.documentElement.scrollWidth;
  if (width <= vw + tolerance) return {width, vw, culprits: [], leaves: []};
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible' && p.getBoundingClientRect().right <= vw + 1)
        return true;
    }
    return false;
  };
  const all = Array.from(document.body.querySelectorAll('*')).filter((el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.right > vw + tolerance && !clipped(el);
  });
  const inAll = new Set(all);
  const describe = (el) => {
    const r = el.getBoundingClientRect();
    const cls = typeof el.className === 'string' ? el.className.trim().split(/\\s+/).join('.') : '';
    const text = (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 50);
    return `${el.tagName.toLowerCase()}${cls ? '.' + cls : ''} (right ${Math.round(r.right)}px,`
      + ` width ${Math.round(r.width)}px) "${text}"`;
  };
  const culprits = all.filter((el) => !inAll.has(el.parentElement));
  const leaves = all.filter((el) => !Array.from(el.children).some((c) => inAll.has(c)));
  leaves.sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right);
  return {width, vw, culprits: culprits.slice(0, 3).map(describe),
          leaves: leaves.slice(0, 2).map(describe)};
}
"""


# --- the pages of a module -----------------------------------------------------------------------


@dataclass
class Route:
    name: str  # "evaluation:results"
    path: str  # its route below the module: "rounds/<int:pk>/missing/"
    params: tuple[str, ...]  # the URL's parameters, outermost first

    @property
    def area(self) -> str:
        """The literal start of the route, before its first parameter ("results/target/"): a
        ``pk`` there names the same kind of object on every route of the area."""
        return self.path.split("<", 1)[0]


def module_routes(namespace: str) -> list[Route]:
    """Every named URL under ``namespace``, with its route and the names of its parameters."""
    _prefix, resolver = get_resolver().namespace_dict[namespace]

    def walk(patterns, path, params):
        for pattern in patterns:
            here = path + str(pattern.pattern)
            found = params + tuple(pattern.pattern.converters)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, here, found)
            elif pattern.name:
                yield Route(f"{namespace}:{pattern.name}", here, found)

    return list(walk(resolver.url_patterns, "", ()))


@dataclass
class Values:
    """Where the data fixture's objects go in a URL: ``by_param`` for a parameter that means the
    same everywhere (``round_pk``), ``pk_by_area`` for a ``pk`` (the longest matching area wins,
    so a page added to an area is filled without a word here), ``by_route`` for a route that
    wants another object than its area's (a round open for scoring, a draft task)."""

    by_param: dict = field(default_factory=dict)
    pk_by_area: dict = field(default_factory=dict)
    by_route: dict = field(default_factory=dict)

    def url(self, route: Route) -> str | None:
        areas = sorted((a for a in self.pk_by_area if route.area.startswith(a)), key=len)
        defaults = {**self.by_param, **({"pk": self.pk_by_area[areas[-1]]} if areas else {})}
        kwargs = {**defaults, **self.by_route.get(route.name, {})}
        if any(kwargs.get(param) is None for param in route.params):
            return None
        return reverse(route.name, kwargs={param: kwargs[param] for param in route.params})


# --- visiting them -------------------------------------------------------------------------------


@dataclass
class Survey:
    """What each persona found on each route, and every page too wide for the phone."""

    unfilled: list  # routes whose URL the data fixture cannot fill
    kinds: dict = field(default_factory=dict)  # route name → "page" | "action" | ...
    refused: dict = field(default_factory=dict)  # route name → {persona: status}
    measured: set = field(default_factory=set)  # route names measured at least once
    too_wide: list = field(default_factory=list)

    def problems(self, routes) -> list[str]:
        lines = [f"{name}: the data fixture fills no value for its URL" for name in self.unfilled]
        for route in routes:
            if route.name in FILE_DOWNLOADS or route.name in self.unfilled:
                continue
            if route.name in self.measured:
                continue
            if self.kinds.get(route.name) in {"action", "download", "fragment"}:
                continue
            lines.append(f"{route.name}: no persona could open it {self.refused.get(route.name)}")
        return lines + self.too_wide


def classify(phone_page, url: str) -> str:
    """What the route is for this persona, from a plain request (no rendering)."""
    response = phone_page.context.request.get(url, max_redirects=0)
    if response.status == 405:
        return "action"
    if response.status != 200:
        return f"status {response.status}"
    disposition = response.headers.get("content-disposition", "")
    if not response.headers.get("content-type", "").startswith("text/html") or disposition:
        return "download"
    return "page" if "<html" in response.text()[:500] else "fragment"


def choose_language(phone_page, language: str) -> None:
    """As the top bar's selector does: Django reads the language from this cookie."""
    origin = urlsplit(phone_page.url)
    cookie = {
        "name": "django_language",
        "value": language,
        "url": f"{origin.scheme}://{origin.netloc}/",
    }
    phone_page.context.add_cookies([cookie])


def measure(phone_page, url: str) -> dict:
    response = phone_page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response and response.status}"
    return phone_page.evaluate(MEASURE_JS, [PHONE["width"], TOLERANCE_PX])


def report(language: str, persona: str, name: str, url: str, found: dict) -> str:
    sticking = "; ".join(found["culprits"] + [f"innermost {leaf}" for leaf in found["leaves"]])
    return f"[{language}] {name} {url} as {persona}: {found['width']}px wide — {sticking}"


def survey_module(phone, login, personas, namespace: str, values: Values) -> Survey:
    routes = module_routes(namespace)
    urls = {route.name: values.url(route) for route in routes}
    unfilled = [name for name, url in urls.items() if url is None and name not in FILE_DOWNLOADS]
    survey = Survey(unfilled=unfilled)
    for persona in MEASURED_ALWAYS + FALLBACKS:
        page = phone()
        login(page, getattr(personas, persona))
        mine = []
        for name, url in urls.items():
            if url is None or name in FILE_DOWNLOADS:
                continue
            if persona in FALLBACKS and name in survey.measured:
                continue
            kind = classify(page, url)
            survey.kinds.setdefault(name, kind)
            if kind == "page":
                survey.kinds[name] = kind
                mine.append((name, url))
            elif kind.startswith("status"):
                survey.refused.setdefault(name, {})[persona] = kind
        for language in LANGUAGES:
            choose_language(page, language)
            for name, url in mine:
                found = measure(page, url)
                assert page.locator("html").get_attribute("lang") == language, url
                if found["width"] > PHONE["width"] + TOLERANCE_PX:
                    survey.too_wide.append(report(language, persona, name, url, found))
                    save_evidence(page, f"narrow_{language}_{persona}_{name}")
        survey.measured.update(name for name, _url in mine)
    return survey


def assert_fits(survey: Survey, namespace: str) -> None:
    problems = survey.problems(module_routes(namespace))
    assert not problems, "\n".join(problems)


# --- the evaluation module -----------------------------------------------------------------------


def appealed_round(tree, personas, people):
    """A member round published today, so its appeal window is open: 张三 (the member) has
    appealed his result, and 李四's may still be appealed by the A1 secretary."""
    people.li_si.membership_status = "full"
    people.li_si.save()
    scheme = simple_scheme(tree.company, code="appeal", target_kind="member")
    round_ = open_round(personas.company, scheme, tree.company, label="2026-12")
    for person in (people.zhang_san, people.li_si):
        scores.score_submit(
            actor=personas.county,
            round_=round_,
            target=Target.objects.get(round=round_, person=person),
            group="higher",
            values={"party": 80, "business": 70},
            today=OPEN_DAY,
        )
    rounds.round_compute(actor=personas.company, round_=round_)
    rounds.round_publish(actor=personas.company, round_=round_, today=timezone.localdate())
    own = Target.objects.get(round=round_, person=people.zhang_san)
    appeal = appeals.appeal_raise(actor=personas.member, target=own, reason="得分与会议记录不符")
    return round_, appeal


def evaluation_data(tree, personas, people) -> SimpleNamespace:
    """A published branch round with titles, a published star-member round (score histories),
    the appealed round, a member round and an arena open for scoring today, this month's
    benchmark values and points entries (one approved, one waiting for review)."""
    branches = branch_round(tree, personas)
    member_round(tree, personas, people, n=1)
    appealable, appeal = appealed_round(tree, personas, people)
    scoring = open_live(personas.company, member_scheme(tree.company), tree.company)
    arena = open_live(personas.company, arena_scheme(tree.company), tree.company)
    month = timezone.localdate().replace(day=1)
    for order, indicator in enumerate(make_indicators().values()):
        for n, station in enumerate((tree.station_a1, tree.station_a2, tree.station_b1)):
            put(indicator, station, 80 + 5 * n - order, month=month)
    items = make_items()
    ledger = entry(people.zhang_san, items["t_study"], on=month)
    entry(people.zhang_san, items["t_guard"], state="submitted", on=month)
    return SimpleNamespace(
        branches=branches,
        scheme=branches.scheme,
        appealable=appealable,
        appeal=appeal,
        scoring=scoring,
        arena=arena,
        ledger=ledger,
    )


def test_evaluation_pages_fit_a_phone_in_both_languages(phone, login, personas, people, tree):
    data = evaluation_data(tree, personas, people)
    station_target = Target.objects.get(
        round=data.branches, organization=tree.station_a1, person__isnull=True
    )
    values = Values(
        by_param={
            "round_pk": data.branches.pk,
            "target_pk": station_target.pk,
            "org_pk": tree.station_a1.pk,
            "person_pk": people.zhang_san.pk,
            "code": "t_fee",
            "ipk": data.scheme.indicators.first().pk,
            "tpk": data.scheme.title_rules.first().pk,
        },
        pk_by_area={
            "schemes/": data.scheme.pk,
            "rounds/": data.scoring.pk,  # open for scoring: missing scores, compute, remind
            "results/target/": station_target.pk,
            "points/": data.ledger.pk,
            "appeals/": data.appeal.pk,
        },
        by_route={
            "evaluation:round_detail": {"pk": data.branches.pk},
            "evaluation:scoring_round": {"round_pk": data.scoring.pk},
            "evaluation:scoring_form": {
                "round_pk": data.scoring.pk,
                "target_pk": Target.objects.get(round=data.scoring, person=people.zhang_san).pk,
            },
            "evaluation:arena_event": {"round_pk": data.arena.pk},
            "evaluation:appeal_create": {
                "target_pk": Target.objects.get(round=data.appealable, person=people.li_si).pk
            },
        },
    )
    survey = survey_module(phone, login, personas, "evaluation", values)
    assert_fits(survey, "evaluation")


# --- the tasks module ----------------------------------------------------------------------------


def tasks_data(tree, personas) -> SimpleNamespace:
    """A draft sheet, a sheet dispatched to a county and three stations (A1 answered, waiting
    for review), and a 四级贯通 cascade with a sheet linked to its objective."""
    draft = make_task(tree.company, title="关于开展“党员安全承诺践诺”主题党日活动并按时反馈的通知")
    sent = make_task(tree.company, title="统计二季度党员教育培训开展情况")
    rows = dispatch_to(
        sent,
        [tree.county_a, tree.station_a1, tree.station_a2, tree.station_b1],
        actor=personas.company,
    )
    answer(rows[tree.station_a1.code], actor=personas.secretary_a, **GOOD)
    cascade = build_cascade(tree, personas.company)
    linked_task(tree.company, personas.company, cascade.objective, [tree.county_a])
    return SimpleNamespace(
        draft=draft,
        sent=sent,
        answered=rows[tree.station_a1.code],
        county=rows[tree.county_a.code],
        cascade=cascade,
    )


def test_tasks_pages_fit_a_phone_in_both_languages(phone, login, personas, tree):
    data = tasks_data(tree, personas)
    values = Values(
        pk_by_area={
            "": data.sent.pk,
            "assignments/": data.answered.pk,
            "progress/": data.sent.pk,
            "cascade/": data.cascade.objective.pk,
            "cascade/items/": data.cascade.sheet_a.pk,
        },
        by_route={
            "tasks:task_edit": {"pk": data.draft.pk},
            "tasks:task_dispatch": {"pk": data.draft.pk},
            "tasks:assignment_pass_down": {"pk": data.county.pk},
        },
    )
    survey = survey_module(phone, login, personas, "tasks", values)
    assert_fits(survey, "tasks")
