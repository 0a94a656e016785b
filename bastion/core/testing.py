"""Test helpers every app shares: logging a client in, counting a page's queries, and the
persona matrix generated from declarations (the way NetBox's ``utilities/testing/views.py``
runs its view tests for every model).

The fixtures themselves (``tree``, ``people``, ``personas``, ``api``, ``demo``) live in the root
``conftest.py``. A test module declares, per model, who may open which object through which URLs
and lets :func:`persona_matrix` generate one test case per (URL, persona), which tries every
declared object and reports every wrong answer at once::

    from bastion.core.testing import Scope, persona_matrix

    PROBLEMS = Scope(
        objects="data.problems",
        seen_by={"a1": {"company", "county", "secretary_a"}, "b1": {"company", "secretary_b"}},
        detail=["api:problem-detail", "problems:problem_detail"],
        rows=["api:problem-list"],
    )
    test_problems_are_seen_inside_the_scope_only = persona_matrix(PROBLEMS)

Every persona in ``seen_by[name]`` gets 200 for the object; every other persona gets 404 (never a
200 with someone else's data, never a 500: the test client raises what the view raised).
:class:`Opens` declares pages without an object (lists, forms, exports) the same way. Tests that
check more than who gets in (the rows a page shows, what a write changes) stay hand-written.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

__all__ = [
    "PERSONAS",
    "Opens",
    "QueryCount",
    "Scope",
    "Url",
    "count_queries",
    "login",
    "persona_matrix",
    "seen_by_persona",
]

# The personas of DESIGN.md, as the root ``personas`` fixture names them.
PERSONAS = ("company", "county", "secretary_a", "secretary_b", "member", "outsider")


def login(client, user):
    """Log ``client`` (Django's or DRF's test client) in as ``user``; returns the client."""
    if hasattr(client, "force_authenticate"):
        client.force_authenticate(user=None)
    client.force_login(user)
    return client


class QueryCount(int):
    """The number of SQL queries a request cost; ``.response`` is the response it got."""

    response: Any

    def __new__(cls, value: int, response):
        count = super().__new__(cls, value)
        count.response = response
        return count


def count_queries(client, url: str, params=None, *, status: int = 200) -> QueryCount:
    """GET ``url`` (with the query ``params``), check the status and count the SQL queries."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == status, (response.status_code, response.content[:500])
    return QueryCount(len(ctx.captured_queries), response)


# --- the persona matrix -------------------------------------------------------------------------


@dataclass(frozen=True)
class Url:
    """A URL name and how an object goes into it: its primary key is the last path argument
    (``param=None``; a tuple of objects gives one argument each) or the query parameter
    ``param``. ``args`` come first in the path; ``query`` is added to every request."""

    name: str
    param: str | None = None
    query: Mapping[str, Any] = field(default_factory=dict)
    args: Sequence[Any] = ()

    def request(self, obj=None) -> tuple[str, dict]:
        args, query = list(self.args), dict(self.query)
        if obj is not None and self.param:
            query[self.param] = obj.pk
        elif obj is not None:
            args += [item.pk for item in obj] if isinstance(obj, tuple) else [obj.pk]
        return reverse(self.name, args=args), query

    def __str__(self) -> str:
        extra = [f"{key}={value}" for key, value in self.query.items()]
        if self.param:
            extra.insert(0, f"{self.param}=…")
        name = "/".join([self.name, *map(str, self.args)])
        return name + (f"?{'&'.join(extra)}" if extra else "")


def _url(spec: str | Url) -> Url:
    return spec if isinstance(spec, Url) else Url(spec)


class Fixtures:
    """Attribute access to the test's fixtures: ``fx.tree`` is the ``tree`` fixture."""

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name: str):
        return self._request.getfixturevalue(name)


def _resolve(request, path: str):
    """``"data.problems"`` → the ``data`` fixture's ``problems``; dictionaries are indexed."""
    head, *rest = path.split(".")
    value = request.getfixturevalue(head)
    for part in rest:
        value = value[part] if isinstance(value, Mapping) else getattr(value, part)
    return value


def _pick(objects, name):
    return objects[name] if isinstance(objects, Mapping) else getattr(objects, name)


def _label(name) -> str:
    return "-".join(map(str, name)) if isinstance(name, tuple) else str(name)


def persona_user(request, persona: str):
    """The account of a persona of the root fixture, or of a fixture of that name (an app's own
    persona, e.g. the problems' ``discipline`` account)."""
    personas = request.getfixturevalue("personas")
    user = getattr(personas, persona, None)
    return user if user is not None else request.getfixturevalue(persona)


def seen_by_persona(visible: Mapping[str, Iterable], names: Iterable | None = None) -> dict:
    """Turn ``{persona: names it sees}`` into ``{name: personas that see it}`` for ``names``
    (by default every name some persona sees)."""
    if names is None:
        names = sorted({name for seen in visible.values() for name in seen}, key=_label)
    return {name: {persona for persona, seen in visible.items() if name in seen} for name in names}


@dataclass(frozen=True)
class Case:
    """One generated test: ``persona`` opens ``url`` of ``declaration`` (for every object of a
    :class:`Scope`, once for a list or an :class:`Opens`)."""

    declaration: Scope | Opens
    url: Url
    persona: str
    lists: bool = False

    @property
    def id(self) -> str:
        return f"{self.url}-{self.persona}"

    def run(self, request) -> None:
        for fixture in self.declaration.fixtures:
            request.getfixturevalue(fixture)
        client = login(request.getfixturevalue("api"), persona_user(request, self.persona))
        self.declaration.check(request, client, self)


def _get(client, url: Url, obj=None):
    path, query = url.request(obj)
    return client.get(path, query), f"GET {path}{'?' if query else ''}{urlencode(query)}"


@dataclass(frozen=True)
class Scope:
    """Who may open which objects of one model, and through which URLs.

    ``objects`` says where the named objects live: a fixture path (``"tree"``,
    ``"data.problems"``, ``"tasks"``: attributes or dictionary keys) or a function of the
    fixtures (``lambda fx: {...}``) returning a mapping. ``seen_by`` maps each object's name to
    the personas that may open it. For every URL in ``detail`` each persona of ``personas`` gets
    200 for the objects it sees and 404 for the others. Every API list in ``rows`` answers 200 to
    every persona and holds exactly the rows of the objects it sees (``exact=False``: among the
    declared objects; the list may hold others). ``fixtures`` are set up before the requests.
    """

    seen_by: Mapping[Any, Collection[str]]
    objects: str | Callable[[Fixtures], Any] = "tree"
    detail: Sequence[str | Url] = ()
    rows: Sequence[str | Url] = ()
    exact: bool = True
    personas: Sequence[str] = PERSONAS
    fixtures: Sequence[str] = ()

    def cases(self) -> list[Case]:
        details = [Case(self, _url(url), p) for url in self.detail for p in self.personas]
        lists = [Case(self, _url(url), p, lists=True) for url in self.rows for p in self.personas]
        return details + lists

    def objects_of(self, request):
        if callable(self.objects):
            return self.objects(Fixtures(request))
        return _resolve(request, self.objects)

    def check(self, request, client, case: Case) -> None:
        objects = self.objects_of(request)
        if case.lists:
            self.check_rows(client, case, objects)
            return
        wrong = []
        for name, allowed in self.seen_by.items():
            expected = 200 if case.persona in allowed else 404
            response, what = _get(client, case.url, _pick(objects, name))
            if response.status_code != expected:
                wrong.append(f"{_label(name)}: {what} is {response.status_code}, not {expected}")
        assert not wrong, f"{case.persona}: " + "; ".join(wrong)

    def check_rows(self, client, case: Case, objects) -> None:
        response, what = _get(client, case.url)
        assert response.status_code == 200, f"{case.persona}: {what} is {response.status_code}"
        body = response.json()
        found = {row["id"] for row in (body["results"] if isinstance(body, dict) else body)}
        declared = {_pick(objects, name).pk: name for name in self.seen_by}
        if not self.exact:
            found &= set(declared)
        seen = {name for name, who in self.seen_by.items() if case.persona in who}
        assert {declared.get(pk, pk) for pk in found} == seen, f"{case.persona}: {what}"


@dataclass(frozen=True)
class Opens:
    """URLs that take no object (lists, forms, exports, dashboards): the personas in ``by`` get
    200, every other persona of ``personas`` gets 404."""

    urls: Sequence[str | Url]
    by: Collection[str]
    personas: Sequence[str] = PERSONAS
    fixtures: Sequence[str] = ()

    def cases(self) -> list[Case]:
        return [Case(self, _url(spec), persona) for spec in self.urls for persona in self.personas]

    def check(self, request, client, case: Case) -> None:
        expected = 200 if case.persona in self.by else 404
        response, what = _get(client, case.url)
        assert response.status_code == expected, (
            f"{case.persona}: {what} is {response.status_code}, not {expected}"
        )


def persona_matrix(*declarations: Scope | Opens):
    """One test function running every case of ``declarations``; assign it to a ``test_…``
    name in the test module."""
    cases = [case for declaration in declarations for case in declaration.cases()]

    @pytest.mark.django_db
    @pytest.mark.parametrize("case", cases, ids=[case.id for case in cases])
    def test(request, case: Case) -> None:
        case.run(request)

    return test
