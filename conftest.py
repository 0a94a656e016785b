"""Shared fixtures: a small company tree and the personas of DESIGN.md, the ``api`` client, the
OpenAPI document and the ``demo`` company. The helpers (``login``, ``count_queries``) and the
generated persona matrix are in ``bastion.core.testing``.

company (市公司党委)
├── county_a (A县公司党委)
│   ├── station_a1 (A1供电所党支部) ── group_a1 (第一党小组)
│   └── station_a2 (A2供电所党支部)
└── county_b (B县公司党委)
    └── station_b1 (B1供电所党支部)
"""

import datetime as dt
from io import StringIO
from types import SimpleNamespace

import pytest

from bastion.core.testing import login
from bastion.orgs.tests.factories import PersonFactory, UserFactory, grant, make_org

DEMO_GROUP = "seed_demo"
DEMO_DATABASE = pytest.StashKey["DemoDatabase"]()


@pytest.fixture
def tree(db):
    company = make_org(name="市公司党委", code="C", kind="committee", unit_kind="company")
    county_a = make_org(
        company, name="A县公司党委", code="C-A", kind="committee", unit_kind="county"
    )
    county_b = make_org(
        company, name="B县公司党委", code="C-B", kind="committee", unit_kind="county"
    )
    station_a1 = make_org(county_a, name="A1供电所党支部", code="C-A-1")
    station_a2 = make_org(county_a, name="A2供电所党支部", code="C-A-2")
    station_b1 = make_org(county_b, name="B1供电所党支部", code="C-B-1")
    group_a1 = make_org(station_a1, name="第一党小组", code="C-A-1-G1", kind="group")
    for org in (company, county_a, county_b, station_a1, station_a2, station_b1, group_a1):
        org.refresh_from_db()
    return SimpleNamespace(
        company=company,
        county_a=county_a,
        county_b=county_b,
        station_a1=station_a1,
        station_a2=station_a2,
        station_b1=station_b1,
        group_a1=group_a1,
    )


@pytest.fixture
def people(tree):
    joined = {
        "membership_status": "full",
        "admitted_on": dt.date(2010, 7, 1),
        "confirmed_on": dt.date(2011, 7, 1),
    }
    return SimpleNamespace(
        zhang_san=PersonFactory(name="张三", organization=tree.station_a1, **joined),
        li_si=PersonFactory(name="李四", organization=tree.station_a1),
        wang_wu=PersonFactory(name="王五", organization=tree.station_a2, **joined),
        zhao_liu=PersonFactory(name="赵六", organization=tree.station_b1, **joined),
        county_clerk=PersonFactory(name="钱七", organization=tree.county_a),
    )


@pytest.fixture
def personas(tree, people):
    """Accounts: company admin, county secretary, two branch secretaries, a member, an outsider."""
    company = UserFactory(username="p_company")
    county = UserFactory(username="p_county")
    secretary_a = UserFactory(username="p_secretary_a")
    secretary_b = UserFactory(username="p_secretary_b")
    member = UserFactory(username="p_member")
    outsider = UserFactory(username="p_outsider")
    grant(company, "party_department", tree.company)
    grant(county, "county_committee", tree.county_a)
    grant(secretary_a, "branch_secretary", tree.station_a1)
    grant(secretary_b, "branch_secretary", tree.station_b1)
    grant(member, "member", tree.station_a1)
    people.zhang_san.user = member
    people.zhang_san.save()
    return SimpleNamespace(
        company=company,
        county=county,
        secretary_a=secretary_a,
        secretary_b=secretary_b,
        member=member,
        outsider=outsider,
    )


@pytest.fixture(autouse=True)
def chinese_after_each_test():
    """A request in English activates English for the thread; put Chinese back afterwards."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def api_schema(api, personas):
    """The OpenAPI document as a member downloads it, checked against the OpenAPI spec."""
    import json

    from drf_spectacular.validation import validate_schema

    response = login(api, personas.member).get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    document = json.loads(response.content)
    validate_schema(document)
    return document


@pytest.fixture
def api():
    """DRF's test client; log it in with ``bastion.core.testing.login(api, user)``."""
    from rest_framework.test import APIClient

    return APIClient()


# --- the demo company ---------------------------------------------------------------------------
# ``manage.py seed_demo`` takes a few seconds, so it runs once per session (and per xdist worker)
# inside a transaction every ``demo`` test works in (in its own savepoint). The transaction is
# rolled back as soon as the next test does not use ``demo``, so no other test ever sees the demo
# data. The tests that use it are collected last, so on each worker they follow every other test
# and the company is built at most once per worker; they are also marked with the xdist group
# "seed_demo" (one worker for all of them where xdist honours groups).


class DemoDatabase:
    def __init__(self, blocker):
        self.blocker = blocker
        self.atomic = None
        self.output = ""

    @property
    def built(self) -> bool:
        return self.atomic is not None

    def build(self) -> None:
        from django.core.management import call_command
        from django.db import transaction

        with self.blocker.unblock():
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            out = StringIO()
            call_command("seed_demo", "--if-empty", stdout=out)
            self.output = out.getvalue()

    def drop(self) -> None:
        from django.db import transaction

        if not self.built:
            return
        with self.blocker.unblock():
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.atomic = None


@pytest.fixture(scope="session")
def demo_database(request, django_db_setup, django_db_blocker):
    database = DemoDatabase(django_db_blocker)
    request.config.stash[DEMO_DATABASE] = database
    database.build()
    yield database
    database.drop()


@pytest.fixture
def demo(demo_database, db):
    """The demo company of ``seed_demo`` (each test in a savepoint); the value is the output of
    the ``seed_demo --if-empty`` run that built it."""
    return demo_database.output


def uses_demo(item) -> bool:
    return item is not None and "demo" in getattr(item, "fixturenames", ())


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Demo tests last and on one xdist worker: the demo database is built once."""
    demo_items = [item for item in items if uses_demo(item)]
    for item in demo_items:
        if not any(item.iter_markers("xdist_group")):
            item.add_marker(pytest.mark.xdist_group(DEMO_GROUP))
    items[:] = [item for item in items if not uses_demo(item)] + demo_items


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Rebuild the demo database (before any fixture) when a demo test follows other tests."""
    database = item.config.stash.get(DEMO_DATABASE, None)
    if database is not None and not database.built and uses_demo(item):
        database.build()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    database = item.config.stash.get(DEMO_DATABASE, None)
    if database is not None and database.built and not uses_demo(nextitem):
        database.drop()
    return result
