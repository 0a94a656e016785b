"""The pages ``make bench`` measures: append a ``Page`` to ``PAGES`` to measure one more.

``url`` receives the dataset manifest (``bench/dataset.py``: ``root_id``, ``county_id``,
``station_id``, ``person_id`` ... as attributes) inside a Django process, so ``reverse`` works.
It is called once per dataset size, so a page may use ids that differ between the sizes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from django.urls import reverse


def _first_target(d: SimpleNamespace) -> int:
    """The first organization target of the bench round (its ids differ between the sizes)."""
    from bastion.evaluation.models import Target

    targets = Target.objects.filter(round_id=d.evaluation_round_id).order_by("pk")
    return targets.values_list("pk", flat=True).first()


@dataclass(frozen=True)
class Page:
    name: str
    url: Callable[[SimpleNamespace], str]
    p95_ms: float = 150.0  # the target for this page on SQLite


PAGES: list[Page] = [
    Page("org_tree", lambda d: reverse("orgs:tree")),
    Page("people_county", lambda d: f"{reverse('orgs:person_list')}?within={d.county_id}"),
    Page("person_detail", lambda d: reverse("orgs:person_detail", args=[d.person_id])),
    Page("people_api", lambda d: "/api/v1/people/"),
    Page("users_api", lambda d: "/api/v1/users/"),
    # agenda: the province roll-up (every organization × one year) and one branch's annual map
    Page(
        "rollup_province",
        lambda d: f"{reverse('agenda:rollup')}?org={d.root_id}&year={d.obligations_year}",
        p95_ms=200,
    ),
    Page(
        "annual_map",
        lambda d: f"{reverse('agenda:annual_map')}?org={d.station_id}&year={d.obligations_year}",
        p95_ms=200,
    ),
    Page("board_county", lambda d: f"{reverse('agenda:board')}?org={d.county_id}", p95_ms=200),
    # tasks: one-click progress of a task sheet dispatched to every organization
    Page(
        "task_progress",
        lambda d: reverse("tasks:progress", args=[d.progress_task_id]),
        p95_ms=200,
    ),
    Page(
        "task_progress_api",
        lambda d: reverse("api:task-progress", args=[d.progress_task_id]),
        p95_ms=200,
    ),
    # problems: the province's problem list (50,000 problems on the large dataset)
    Page(
        "problem_list",
        lambda d: f"{reverse('problems:problem_list')}?within={d.root_id}",
        p95_ms=200,
    ),
    # evaluation: the ranking of a monthly round over every organization (3,000 on large)
    Page(
        "evaluation_results",
        lambda d: reverse("evaluation:results", args=[d.evaluation_round_id]),
        p95_ms=200,
    ),
    # one target's result with the rows of every data-fed item (数据来源)
    Page(
        "evaluation_target",
        lambda d: reverse("evaluation:target_detail", args=[_first_target(d)]),
        p95_ms=200,
    ),
    # the compute confirmation: the readiness check of every data-fed item over every target
    Page(
        "round_compute_check",
        lambda d: reverse("evaluation:round_compute", args=[d.evaluation_round_id]),
        p95_ms=200,
    ),
]

# The framework floor: login, session and one query (bastion/core/bench_views.py).
FLOOR = Page("floor", lambda d: reverse("bench_floor"), p95_ms=float("inf"))
