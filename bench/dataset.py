"""The province-scale dataset: a deterministic organization tree, its people and the bench user.

Each size is one database (a SQLite file under ``bench/data/``). A database is reused while its
``bench_meta`` table holds the current generator version: a hash of this generator's source, of
every migration and of the size. ``BUILDERS`` run in order on an empty, migrated database; each
adds rows and may put ids in the manifest that pages and jobs use to build their URLs and inputs.
Later modules append their builders (and their source file to ``DATASET_FILES``).

Everything is bulk-inserted: treebeard paths, pinyin keys and ID-number check digits are computed
here, because ``bulk_create`` skips ``save()``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from bench import corpus
from bench.dataset_db import insert_rows, read_meta, reset_sequences, write_meta

__all__ = ["insert_rows", "read_meta"]  # bench.worker and the module builders use them from here

ROOT = Path(__file__).resolve().parent.parent
DATASET_FILES = [
    Path(__file__),
    Path(__file__).with_name("dataset_modules.py"),
    Path(__file__).with_name("dataset_db.py"),
    Path(corpus.__file__),
    # the obligations builder runs the generator: its output depends on these
    ROOT / "bastion" / "agenda" / "services" / "obligations.py",
    ROOT / "bastion" / "agenda" / "periods.py",
]
REFERENCE_DAY = dt.date(2025, 6, 30)  # "today" for generated dates, so reruns give the same rows
BENCH_USERNAME = "bench"
BENCH_PASSWORD = "bench-not-a-secret"  # noqa: S105 - a local benchmark account
STEP_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class Size:
    name: str
    organizations: int
    people: int
    cities: int
    counties_per_city: int  # at most; a city has as many as corpus.COUNTIES lists
    province_departments: int
    city_departments: int
    provinces: int = 1  # more than one: a national company above as many province subtrees


SIZES = {
    "small": Size(
        "small",
        300,
        6_000,
        cities=3,
        counties_per_city=3,
        province_departments=5,
        city_departments=3,
    ),
    "large": Size(
        "large",
        3_000,
        60_000,
        cities=14,
        counties_per_city=99,
        province_departments=14,
        city_departments=6,
    ),
    # Ten provinces of the large shape under a national company (one level deeper): PostgreSQL only.
    "national": Size(
        "national",
        30_000,
        600_000,
        cities=14,
        counties_per_city=99,
        province_departments=14,
        city_departments=6,
        provinces=10,
    ),
}
# The province companies of the national size: (name, the region code their ID numbers start
# with). Each has the 14 cities of bench/corpus.py, renamed with the province's name.
PROVINCES = [
    ("湖南", "43"),
    ("湖北", "42"),
    ("河南", "41"),
    ("江西", "36"),
    ("四川", "51"),
    ("山东", "37"),
    ("江苏", "32"),
    ("浙江", "33"),
    ("河北", "13"),
    ("福建", "35"),
]


@dataclass
class Node:
    name: str
    code: str
    kind: str
    unit_kind: str
    region: str = ""  # the ID-number region code of the people of this unit
    children: list[Node] = field(default_factory=list)
    path: str = ""
    pk: int = 0

    def add(self, *args, **kwargs) -> Node:
        child = Node(*args, region=kwargs.pop("region", self.region), **kwargs)
        self.children.append(child)
        return child


@dataclass
class Build:
    """What builders share: the size, one seeded random source, the rows so far, the manifest."""

    size: Size
    rng: random.Random
    manifest: dict
    nodes: list[Node] = field(default_factory=list)
    people: list = field(default_factory=list)


def version(size: Size) -> str:
    digest = hashlib.sha256(repr(size).encode())
    migrations = sorted(ROOT.glob("bastion/**/migrations/*.py"))
    for path in [*DATASET_FILES, *migrations]:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# --- the organization tree ------------------------------------------------------------------


def plan_tree(size: Size, rng: random.Random) -> Node:
    """Province → cities → counties → branches, then party groups until the size is reached.
    The national size puts a national company (its own departments) above ``size.provinces``
    province companies of that shape."""
    if size.provinces == 1:
        root = plan_province(None, size, rng, "", "43")
    else:
        root = Node("国家电网公司党组", "00", "committee", "company", region="110102")
        for i, dept in enumerate(corpus.HQ_DEPARTMENTS[: size.province_departments], start=1):
            root.add(f"总部{dept}党支部", f"00D{i:02d}", "branch", "hq_department")
        for province, code in PROVINCES[: size.provinces]:
            plan_province(root, size, rng, province, code)
    branches = [n for n in walk(root) if n.kind in ("branch", "temporary_branch")]
    add_groups(branches, size.organizations - sum(1 for _ in walk(root)), rng)
    return root


def plan_province(parent: Node | None, size: Size, rng: random.Random, name: str, code: str):
    """A province company; ``name`` is empty for the province sizes (the company is the root)."""
    args = (f"{name}省电力有限公司党委", code, "committee", "company")
    node = parent.add(*args, region=f"{code}0102") if parent else Node(*args, region="430102")
    prefix = f"{name}省公司" if name else "省公司"
    for i, dept in enumerate(corpus.HQ_DEPARTMENTS[: size.province_departments], start=1):
        node.add(f"{prefix}{dept}党支部", f"{code}D{i:02d}", "branch", "hq_department")
    for ci, (city, city_region) in enumerate(corpus.CITIES[: size.cities], start=1):
        region = code + city_region[2:]  # the province's own region codes
        plan_city(node, size, rng, ci, city, region, label=f"{name}{city}")
    return node


def plan_city(
    root: Node, size: Size, rng: random.Random, ci: int, city: str, region: str, label: str
):
    """``city`` keys the corpus's counties; ``label`` names it (with its province when national)."""
    node = root.add(
        f"{label}供电公司党委", f"{root.code}{ci:02d}", "committee", "company", region=f"{region}02"
    )
    for j, dept in enumerate(corpus.HQ_DEPARTMENTS[: size.city_departments], start=1):
        node.add(f"{label}供电公司{dept}党支部", f"{node.code}D{j:02d}", "branch", "hq_department")
    for j, unit in enumerate(corpus.SUPPORT_UNITS[:2], start=1):
        node.add(f"{label}{unit}党支部", f"{node.code}S{j:02d}", "branch", "support")
    for j in range(1, 4):
        node.add(f"{label}城区供电部第{j}党支部", f"{node.code}U{j:02d}", "branch", "urban")
    for k, county in enumerate(corpus.COUNTIES[city][: size.counties_per_city], start=1):
        plan_county(node, rng, k, county, f"{region}{20 + k:02d}")


def plan_county(city: Node, rng: random.Random, k: int, county: str, region: str):
    node = city.add(
        f"{county}供电公司党委", f"{city.code}{k:02d}", "committee", "county", region=region
    )
    for j, dept in enumerate(corpus.COUNTY_DEPARTMENTS[: rng.randint(2, 3)], start=1):
        node.add(f"{county}供电公司{dept}党支部", f"{node.code}B{j:02d}", "branch", "county")
    towns = rng.sample([h + t for h in corpus.TOWN_HEADS for t in corpus.TOWN_TAILS], 12)
    for j, town in enumerate(towns[: rng.randint(8, 12)], start=1):
        node.add(f"{county}{town}供电所党支部", f"{node.code}Z{j:02d}", "branch", "station")
    if rng.random() < 0.3:
        project = rng.choice(corpus.PROJECTS)
        node.add(f"{county}{project}临时党支部", f"{node.code}X01", "temporary_branch", "project")


def add_groups(branches: list[Node], count: int, rng: random.Random):
    """Stations first, then the other branches, round and round: up to six groups a branch."""
    if not 0 <= count <= len(corpus.GROUPS) * len(branches):
        raise ValueError(f"cannot reach the organization count with {count} party groups")
    stations = [b for b in branches if b.unit_kind == "station"]
    others = [b for b in branches if b.unit_kind != "station"]
    rng.shuffle(stations)
    rng.shuffle(others)
    order = stations + others
    for i in range(count):
        branch = order[i % len(order)]
        g = len(branch.children)
        branch.add(corpus.GROUPS[g], f"{branch.code}-{g + 1}", "group", branch.unit_kind)


def walk(node: Node):
    yield node
    for child in node.children:
        yield from walk(child)


def step(n: int) -> str:
    """Treebeard's path segment for the n-th child (1-based): base 36, four characters."""
    digits = ""
    while n:
        n, r = divmod(n, 36)
        digits = STEP_ALPHABET[r] + digits
    return digits.rjust(4, "0")


def assign_paths(node: Node, path: str = "0001"):
    node.path = path
    node.children.sort(key=lambda c: c.code)  # Organization.node_order_by = ["code"]
    for i, child in enumerate(node.children, start=1):
        assign_paths(child, path + step(i))


def build_organizations(build: Build):
    from bastion.orgs.models import Organization

    assert Organization.steplen == 4 and Organization.alphabet == STEP_ALPHABET
    root = plan_tree(build.size, build.rng)
    assign_paths(root)
    build.nodes = list(walk(root))
    rows = []
    for pk, node in enumerate(build.nodes, start=1):
        node.pk = pk
        established = dt.date(1990 + pk % 30, 1 + pk % 12, 1)
        term_start = dt.date(2021 + pk % 4, 1 + pk % 12, 1)
        years = 5 if node.kind == "committee" else 3
        rows.append(
            {
                "id": pk,
                "path": node.path,
                "depth": len(node.path) // 4,
                "numchild": len(node.children),
                "name": node.name,
                "short_name": node.name.removesuffix("党支部").removesuffix("党委")[:50],
                "code": node.code,
                "kind": node.kind,
                "unit_kind": node.unit_kind,
                "established_on": established,
                "term_started_on": term_start,
                "term_ends_on": term_start.replace(year=term_start.year + years),
                "phone": f"0731-{8000_0000 + pk:08d}",
            }
        )
    insert_rows(Organization, rows)
    counties = [n for n in build.nodes if n.unit_kind == "county" and n.kind == "committee"]
    build.manifest.update(
        organizations=len(rows),
        root_id=root.pk,
        county_id=counties[len(counties) // 2].pk,
        county_code=counties[len(counties) // 2].code,
    )


# --- people ---------------------------------------------------------------------------------

STATION_POSTS = ["station_head", "deputy_head", "senior_manager", "senior_manager"]
WEIGHTS = {"station": 5, "hq_department": 3, "county": 3, "urban": 5, "support": 4, "project": 2}


@cache
def name_keys(name: str) -> tuple[str, str]:
    from bastion.core.pinyin import pinyin_keys

    return pinyin_keys(name)


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder): the sum is exact."""
    scale = sum(weights)
    shares = [total * w / scale for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: counts[i] - shares[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


class IdNumbers:
    """Valid, unique 18-digit ID numbers: region + birth date + sequence (odd = male) + check."""

    def __init__(self):
        self.used: dict[tuple[str, dt.date, int], int] = {}

    def make(self, region: str, birth: dt.date, male: bool) -> str:
        from bastion.core.idcard import check_code

        key = (region, birth, int(male))
        n = self.used.get(key, 0)
        self.used[key] = n + 1
        first17 = f"{region}{birth:%Y%m%d}{2 * n + int(male) + 10:03d}"
        return first17 + check_code(first17)


def random_day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def membership(rng: random.Random, leader: bool) -> tuple[str, dt.date, dict]:
    """Status, birth date and party dates that satisfy Person.clean's rules."""
    roll = 0.0 if leader else rng.random()
    if roll < 0.35:
        birth = random_day(rng, dt.date(1965, 1, 1), dt.date(1996, 12, 31))
        applied = birth + dt.timedelta(days=365 * rng.randint(20, 24) + rng.randrange(300))
        admitted = applied + dt.timedelta(days=365 + rng.randrange(365))
        dates = {
            "applied_on": applied,
            "admitted_on": admitted,
            "confirmed_on": admitted + dt.timedelta(days=365),
        }
        return "full", birth, dates
    if roll < 0.38:
        birth = random_day(rng, dt.date(1990, 1, 1), dt.date(2001, 12, 31))
        admitted = REFERENCE_DAY - dt.timedelta(days=rng.randint(30, 330))
        return (
            "probationary",
            birth,
            {
                "applied_on": admitted - dt.timedelta(days=365 * rng.randint(1, 2)),
                "admitted_on": admitted,
            },
        )
    birth = random_day(rng, dt.date(1965, 1, 1), dt.date(2002, 12, 31))
    if roll < 0.43:  # an applicant (入党积极分子)
        return (
            "none",
            birth,
            {"applied_on": REFERENCE_DAY - dt.timedelta(days=rng.randint(30, 900))},
        )
    return "none", birth, {}


def post_for(unit_kind: str, index: int, rng: random.Random) -> str:
    if unit_kind == "station":
        if index < len(STATION_POSTS):
            return STATION_POSTS[index]
        return rng.choices(["area_manager", "team_leader", "technician", "worker"], [5, 1, 2, 4])[0]
    if index == 0:
        return "manager"
    return rng.choices(
        ["manager", "technician", "team_leader", "worker", "other"], [4, 3, 1, 2, 1]
    )[0]


def name_pool(rng: random.Random, count: int) -> list[str]:
    """Distinct names to draw from: namesakes are common, and pinyin is computed once a name."""
    names: dict[str, None] = {}
    while len(names) < count:
        given = "".join(rng.choice(corpus.GIVEN) for _ in range(rng.choice((1, 2, 2))))
        names[rng.choice(corpus.SURNAMES) + given] = None
    return list(names)


def build_people(build: Build):
    from bastion.orgs.models import Person

    rng = build.rng
    names = name_pool(rng, max(1000, build.size.people // 12))
    branches = [n for n in build.nodes if n.kind in ("branch", "temporary_branch")]
    counts = allocate(build.size.people, [WEIGHTS[b.unit_kind] for b in branches])
    ids = IdNumbers()
    rows = []
    for branch, count in zip(branches, counts, strict=True):
        groups = [c for c in branch.children if c.kind == "group"]
        work_unit = branch.name.removesuffix("党支部").removesuffix("临时")
        for index in range(count):
            name = rng.choice(names)
            rows.append(
                make_person(len(rows) + 1, name, branch, groups, work_unit, index, ids, rng)
            )
    insert_rows(Person, rows)
    build.people = rows
    build.manifest["people"] = len(rows)


def make_person(pk, name, branch, groups, work_unit, index, ids, rng) -> dict:
    status, birth, dates = membership(rng, leader=index == 0)
    male = rng.random() < 0.7
    pinyin, initials = name_keys(name)
    is_member = status != "none"
    return {
        "id": pk,
        "name": name,
        "name_pinyin": pinyin,
        "name_initials": initials,
        "gender": "male" if male else "female",
        "birth_date": birth,
        "id_number": ids.make(branch.region, birth, male),
        "employee_no": f"{10_000_000 + pk:08d}",
        "organization_id": branch.pk,
        "party_group_id": groups[pk % len(groups)].pk if groups and is_member else None,
        "work_unit": work_unit[:100],
        "post": post_for(branch.unit_kind, index, rng),
        "membership_status": status,
        "phone": f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
        "email": f"{pinyin}{pk}@example.com" if rng.random() < 0.4 else "",
        **dates,
    }


def build_committees(build: Build):
    """A secretary (书记) for every branch and committee, an organization member for branches."""
    from bastion.orgs.models import CommitteeMember

    first_member: dict[int, list] = {}
    for person in build.people:
        if person["membership_status"] == "full":
            first_member.setdefault(person["organization_id"], []).append(person["id"])
    seats = []
    for node in build.nodes:
        members = first_member.get(node.pk) or next(
            (first_member[c.pk] for c in node.children if c.pk in first_member), []
        )
        for position, person_id in zip(("secretary", "organization"), members[:2], strict=False):
            seats.append(
                {
                    "organization_id": node.pk,
                    "person_id": person_id,
                    "position": position,
                    "started_on": REFERENCE_DAY.replace(year=2022 + node.pk % 3),
                }
            )
    insert_rows(CommitteeMember, seats)
    county = next(n for n in build.nodes if n.pk == build.manifest["county_id"])
    station = next(n for n in county.children if n.unit_kind == "station")
    build.manifest["person_id"] = first_member[station.pk][0]
    build.manifest["station_id"] = station.pk


def build_bench_user(build: Build):
    """The company party-building administrator: role party_department on the root."""
    from django.contrib.auth import get_user_model

    from bastion.orgs.models import Role, RoleAssignment

    user = get_user_model().objects.create_user(
        BENCH_USERNAME, password=BENCH_PASSWORD, first_name="压测管理员"
    )
    RoleAssignment.objects.create(
        user=user,
        role=Role.objects.get(code="party_department"),
        organization_id=build.manifest["root_id"],
    )
    build.manifest["bench_username"] = BENCH_USERNAME


from bench.dataset_modules import (  # noqa: E402
    build_evaluation,
    build_obligations,
    build_problems,
    build_tasks,
)

BUILDERS = [
    build_organizations,
    build_people,
    build_committees,
    build_bench_user,
    build_obligations,
    build_tasks,
    build_problems,
    build_evaluation,
]


# --- the database ----------------------------------------------------------------------------


def generate(size: Size) -> dict:
    """Build the dataset into the (empty) default database; return its manifest."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from bastion.core.aggregates import rebuild_aggregates

    started = time.perf_counter()
    # The version of the sources this build starts from: a migration or generator edited during a
    # long build (the national one takes minutes) must make the next run rebuild, not reuse.
    version_hash = version(size)
    call_command("migrate", verbosity=0, interactive=False)
    build = Build(size=size, rng=random.Random(f"bastion-bench-{size.name}"), manifest={})
    steps = {"migrate": round(time.perf_counter() - started, 1)}  # where a slow build goes
    with transaction.atomic():
        for builder in BUILDERS:
            step_started = time.perf_counter()
            builder(build)
            steps[builder.__name__] = round(time.perf_counter() - step_started, 1)
        # Rows went in by bulk insert, past the services that keep the aggregates up to date.
        step_started = time.perf_counter()
        rebuild_aggregates()
        steps["rebuild_aggregates"] = round(time.perf_counter() - step_started, 1)
    if connection.vendor == "postgresql":
        step_started = time.perf_counter()
        reset_sequences()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        steps["analyze"] = round(time.perf_counter() - step_started, 1)
    # SQLite gets no ANALYZE: a Django site's database never runs one, so neither does the bench.
    build.manifest["size"] = size.name
    build.manifest["build_seconds"] = round(time.perf_counter() - started, 1)  # migrate included
    build.manifest["build_steps"] = steps
    write_meta(version_hash, build.manifest)
    return build.manifest
