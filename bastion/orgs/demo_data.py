"""The demo company as data: fictional places and names, and the plan of every row.

Pure (no database): ``Planner(rng, today).plan()`` returns the organizations, people, committee
seats and accounts that ``orgs.demo`` then writes where they are missing. The shape and how it
reproduces the seeds' figures are described in ``orgs.demo``.

南粤市 and its counties are invented, and so are the ID-number region codes (there is no
prefecture 4458), so no demo record points at a real place, company or person.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from bastion.core.pinyin import pinyin_keys

from .demo_random import IdNumbers, Names, add_years, day_between, phone, spread

COMPANY = "南粤市供电局"
CODE = "NY"
CITY_REGION = "445802"  # the invented city's main district: headquarters and urban units
AREA_CODE = "0759"

# (county, ID region code, supply stations, of which small stations run as party groups).
# 86 stations = 64 station branches + 22 small stations kept as party groups (see orgs.demo).
COUNTIES = [
    ("青溪县", "445821", 12, 3),
    ("松岭县", "445822", 11, 3),
    ("梅川县", "445823", 11, 3),
    ("金滩县", "445824", 11, 3),
    ("云岗县", "445825", 11, 3),
    ("凤岐县", "445826", 10, 3),
    ("柳湾县", "445827", 10, 2),
    ("临澜县", "445828", 10, 2),
]

# The demo secretary's station (S2: 大坪供电所, 15 staff, 5 members), first in the first county.
SECRETARY_TOWN = "大坪"

TOWN_HEADS = "东西南北上下新大小石金银白青黄红杨柳桃梅竹松枫龙凤马鹤云山河湖江溪沙平"
TOWN_TAILS = "桥塘坪铺湾冲岭口坝洲田岗圩埠陂"
ROADS = ["人民路", "建设路", "解放路", "新华路", "中山路", "文化路", "胜利路", "朝阳路", "团结路"]

# 公司本部部门: each has its own party branch (S2: 18 pairings with headquarters branches).
HQ_DEPARTMENTS = [
    "办公室",
    "党建工作部",
    "人力资源部",
    "财务部",
    "计划发展部",
    "生产技术部",
    "安全监管部",
    "市场营销部",
    "基建部",
    "系统运行部",
    "企业管理部",
    "物资部",
    "审计部",
    "纪委办公室",
    "工会办公室",
    "法律事务部",
    "数字化部",
    "科技创新部",
]

# 城区支部单位 (S2: 28 pairings with urban branches).
URBAN_UNITS = [
    "江城供电分局第一",
    "江城供电分局第二",
    "新港供电分局第一",
    "新港供电分局第二",
    "东湖供电分局第一",
    "东湖供电分局第二",
    "综合服务中心",
    "客户服务中心",
    "大客户服务中心",
    "计量中心",
    "变电管理一所",
    "变电管理二所",
    "变电管理三所",
    "输电管理所",
    "电缆管理所",
    "配网运维中心",
    "配网抢修中心",
    "带电作业中心",
    "继电保护所",
    "自动化所",
    "试验研究所",
    "信息通信中心",
    "物流服务中心",
    "车辆服务中心",
    "培训与评价中心",
    "城区营业厅联合",
    "综合能源服务中心",
    "离退休人员服务中心",
]

# 支撑机构（战区）: larger units, each with party groups (S4: 战区主建应题).
SUPPORT_UNITS = ["供电服务指挥中心", "电力调度控制中心", "建设管理中心", "物资供应中心"]

# 临时党支部 on construction projects (S1, S0: 支部建在项目上): (county index or None, project).
PROJECTS = [(None, "江城220千伏输变电工程"), (2, "农网巩固提升工程")]

GROUP_LABELS = ["第一", "第二", "第三"]


def office_phone(rng: random.Random) -> str:
    return f"{AREA_CODE}-{rng.randrange(2_000_000, 9_000_000)}"


# --- the plan -------------------------------------------------------------------------------

TERM_YEARS = {"committee": 5, "general_branch": 3, "branch": 3, "temporary_branch": 3}
COMMITTEE_THRESHOLD = 7  # a branch with 7+ full members elects a committee (支委会)
BRANCH_SEATS = ["secretary", "organization", "propaganda", "discipline"]
COUNTY_SEATS = ["secretary", "deputy_secretary", "discipline", "organization", "propaganda"]
ROOT_SEATS = [*COUNTY_SEATS, "member", "member"]
# S1 grid: 86 所长, 210 高级经理, 645 台区经理. Small stations have 2 高级经理 and 4-6 台区经理,
# the secretary's 3 and 8, the other station branches 2-3 and 6-11.
SENIOR_MANAGERS, AREA_MANAGERS, SMALL_STATION_AREAS = 210, 645, 110
STATION_OTHERS = ("technician", "worker", "worker", "team_leader")
OFFICE_POSTS = ("manager", "manager", "technician", "technician", "other")
FIELD_POSTS = ("manager", "team_leader", "technician", "worker", "worker", "worker")
REGIONS = [CITY_REGION] + [row[1] for row in COUNTIES]

# (kind, unit_kind) pairs
ROOT, COUNTY, OFFICE = (
    ("committee", "company"),
    ("committee", "county"),
    ("general_branch", "county"),
)
HQ, URBAN, SUPPORT = ("branch", "hq_department"), ("branch", "urban"), ("branch", "support")
STATION, SMALL_STATION = ("branch", "station"), ("group", "station")
PROJECT = ("temporary_branch", "project")


@dataclass(eq=False)
class Unit:
    code: str
    name: str
    short_name: str
    kind: str
    unit_kind: str
    parent: Unit | None
    region: str
    work_unit: str
    established_on: dt.date | None = None
    term_started_on: dt.date | None = None
    term_ends_on: dt.date | None = None
    phone: str = ""
    address: str = ""
    staff: list[Staff] = field(default_factory=list)

    @property
    def depth(self) -> int:
        return 1 if self.parent is None else self.parent.depth + 1

    def full_members(self) -> list[Staff]:
        return [s for s in self.staff if s.status == "full"]


@dataclass(eq=False)
class Staff:
    employee_no: str
    name: str
    male: bool
    birth_date: dt.date
    id_number: str
    unit: Unit
    post: str
    status: str
    applied_on: dt.date | None
    admitted_on: dt.date | None
    confirmed_on: dt.date | None
    phone: str
    email: str = ""
    group: Unit | None = None


@dataclass
class Seat:
    unit: Unit
    staff: Staff
    position: str


@dataclass
class Account:
    username: str
    role: str  # a Role code held on ``unit``
    unit: Unit | None
    staff: Staff | None  # the person record the account belongs to
    description: str
    superuser: bool = False

    @property
    def first_name(self) -> str:
        return self.staff.name if self.staff else "系统管理员"


@dataclass
class Plan:
    units: list[Unit]  # parents first; siblings in code order
    seats: list[Seat]
    accounts: list[Account]
    secretary: Unit

    @property
    def staff(self) -> list[Staff]:
        return [s for u in self.units for s in u.staff]


class Planner:
    """Draws the whole company from one random source, in a fixed order.

    Names, ID numbers and employee numbers never depend on ``today`` (every draw happens whatever
    the day); membership and term dates are relative to it so that the alerts stay meaningful.
    """

    def __init__(self, rng: random.Random, today: dt.date):
        self.rng = rng
        self.today = today
        self.names = Names(rng)
        self.ids = IdNumbers(rng)
        self.serial = 0
        self.units: list[Unit] = []
        self.secretary: Unit | None = None  # 大坪供电所党支部, the demo secretary's branch

    def plan(self) -> Plan:
        root = self.unit(
            None,
            CODE,
            ROOT,
            COMPANY,
            "党委",
            region=CITY_REGION,
            phone=True,
            established_on=dt.date(1985, 7, 1),
            address=f"南粤市江城区{ROADS[0]}1号",
        )
        hq = self.headquarters(root)
        self.urban(root)
        self.support(root)
        counties = [self.county(root, k, *row) for k, row in enumerate(COUNTIES, start=1)]
        self.projects(root, counties)
        self.station_staff()
        self.terms()
        units = sorted(self.units, key=lambda u: (u.depth, u.code))
        accounts = self.accounts(root, hq, counties[0])
        return Plan(units, self.seats(root, hq), accounts, self.secretary)

    # organizations

    def unit(self, parent, code, kinds, label, suffix="党支部", *, owner=None, **fields) -> Unit:
        """The organization of ``label`` in ``owner`` (the parent's unit by default):
        办公室 + 党支部 in 南粤市供电局 is 南粤市供电局办公室党支部 (short: 办公室党支部)."""
        owner = (parent.work_unit if parent else "") if owner is None else owner
        fields.setdefault("region", parent.region if parent else "")
        fields.setdefault("work_unit", f"{owner}{label}")
        fields["phone"] = office_phone(self.rng) if fields.get("phone") else ""
        unit = Unit(code, f"{owner}{label}{suffix}", f"{label}{suffix}", *kinds, parent, **fields)
        self.units.append(unit)
        return unit

    def day(self, start_year: int, end_year: int) -> dt.date:
        return day_between(self.rng, dt.date(start_year, 1, 1), dt.date(end_year, 12, 31))

    def headquarters(self, root: Unit) -> list[Unit]:
        units = []
        for i, dept in enumerate(HQ_DEPARTMENTS, start=1):
            unit = self.unit(
                root, f"{CODE}-H{i:02d}", HQ, dept, established_on=self.day(1988, 2008)
            )
            self.staff(unit, self.rng.randint(8, 16), share=(0.55, 0.75), posts=OFFICE_POSTS)
            units.append(unit)
        return units

    def urban(self, root: Unit) -> None:
        for i, name in enumerate(URBAN_UNITS, start=1):
            place = name.removesuffix("第一").removesuffix("第二").removesuffix("联合")
            unit = self.unit(
                root,
                f"{CODE}-U{i:02d}",
                URBAN,
                name,
                work_unit=COMPANY + place,
                established_on=self.day(1990, 2012),
            )
            self.staff(unit, self.rng.randint(10, 22), share=(0.35, 0.55), posts=FIELD_POSTS)

    def support(self, root: Unit) -> None:
        for i, name in enumerate(SUPPORT_UNITS, start=1):
            unit = self.unit(
                root,
                f"{CODE}-S{i:02d}",
                SUPPORT,
                name,
                phone=True,
                established_on=self.day(2005, 2018),
            )
            groups = self.groups(unit, 2)
            size = self.rng.randint(22, 32)
            self.staff(unit, size, share=(0.45, 0.6), posts=FIELD_POSTS, groups=groups)

    def groups(self, parent: Unit, count: int, prefix: str = "") -> list[Unit]:
        established = self.day(2019, 2021)
        return [
            self.unit(
                parent,
                f"{parent.code}-G{j}",
                ("group", parent.unit_kind),
                prefix + label,
                "党小组",
                work_unit=parent.work_unit,
                established_on=established,
            )
            for j, label in enumerate(GROUP_LABELS[:count], start=1)
        ]

    def county(self, root, k, county, region, station_count, small_count) -> Unit:
        code = f"{CODE}-C{k:02d}"
        road = self.rng.choice(ROADS)
        unit = self.unit(
            root,
            code,
            COUNTY,
            f"{county}供电局",
            "党委",
            owner="",
            region=region,
            established_on=self.day(1986, 1996),
            phone=True,
            address=f"南粤市{county}城关镇{road}8号",
        )
        office = self.unit(
            unit, f"{code}-J", OFFICE, "机关", "党总支", established_on=self.day(1996, 2005)
        )
        groups = self.groups(office, 2, prefix="机关")
        size = self.rng.randint(18, 24)
        self.staff(
            office, size, share=(0.55, 0.65), posts=OFFICE_POSTS, groups=groups, min_members=11
        )
        self.stations(unit, office, county, station_count, small_count)
        return unit

    def stations(self, county: Unit, office: Unit, place: str, count: int, small: int) -> None:
        towns = self.rng.sample(self.town_pool(), count)
        first_county = self.secretary is None
        if first_county:
            towns[0] = SECRETARY_TOWN
        # Small stations: any but the first, which is the secretary's in the first county.
        small_idx = set(self.rng.sample(range(1, count), small))
        branches: list[Unit] = []
        for j, town in enumerate(towns, start=1):
            is_small = j - 1 in small_idx
            parent = self.station_parent(branches, office) if is_small else county
            road, number = self.rng.choice(ROADS), self.rng.randint(1, 99)
            unit = self.unit(
                parent,
                f"{county.code}-Z{j:02d}",
                SMALL_STATION if is_small else STATION,
                f"{town}供电所",
                "党小组" if is_small else "党支部",
                owner=county.work_unit,
                established_on=self.day(2019, 2020),
                phone=True,
                address=f"南粤市{place}{town}镇{road}{number}号",
            )
            if not is_small:
                branches.append(unit)
            if first_county and j == 1:
                self.secretary = unit

    def station_parent(self, branches: list[Unit], office: Unit) -> Unit:
        """The county's first small station joins the 机关党总支; later ones the nearest station
        branch before them that hosts none yet (never the secretary's: its scope is exactly its
        own 15 people)."""
        if not any(u.parent is office and u.unit_kind == "station" for u in self.units):
            return office
        for branch in reversed(branches):
            hosts = any(u.parent is branch for u in self.units)
            if not hosts and branch is not self.secretary:
                return branch
        return office

    def town_pool(self) -> list[str]:
        used = {u.short_name[:2] for u in self.units if u.unit_kind == "station"}
        pool = sorted({h + t for h in TOWN_HEADS for t in TOWN_TAILS})
        return [t for t in pool if t not in used and t != SECRETARY_TOWN]

    def projects(self, root: Unit, counties: list[Unit]) -> None:
        for county_index, project in PROJECTS:
            parent = root if county_index is None else counties[county_index]
            established = self.today - dt.timedelta(days=self.rng.randint(200, 420))
            unit = self.unit(
                parent,
                f"{parent.code}-P01",
                PROJECT,
                project,
                "临时党支部",
                established_on=established,
            )
            self.staff(unit, self.rng.randint(6, 9), share=(1.0, 1.0), posts=FIELD_POSTS)

    # people

    def station_staff(self) -> None:
        """Posts add up to S1's grid exactly; the secretary's station has 15 staff, 5 members."""
        rng = self.rng
        stations = [u for u in self.units if u.unit_kind == "station"]
        small = [s for s in stations if s.kind == "group"]
        large = [s for s in stations if s.kind == "branch" and s is not self.secretary]
        small_areas = spread(rng, SMALL_STATION_AREAS, len(small), 4, 6)
        large_seniors = spread(rng, SENIOR_MANAGERS - 2 * len(small) - 3, len(large), 2, 3)
        large_areas = spread(rng, AREA_MANAGERS - SMALL_STATION_AREAS - 8, len(large), 6, 11)
        self.station(self.secretary, 3, 8, 3, members=5, probationary=True)
        for unit, areas in zip(small, small_areas, strict=True):
            others, newcomer = rng.randint(1, 2), rng.random() < 0.25
            self.station(unit, 2, areas, others, members=3, probationary=newcomer, group=unit)
        for unit, seniors, areas in zip(large, large_seniors, large_areas, strict=True):
            others = rng.randint(1, 4)
            members = max(3, round((1 + seniors + areas + others) * rng.uniform(0.28, 0.4)))
            newcomer = rng.random() < 0.35 and members >= 4  # keep 3+ full members per branch
            self.station(unit, seniors, areas, others, members=members, probationary=newcomer)

    def station(self, unit, seniors, areas, others, *, members, probationary, group=None):
        """所长, 高级经理, 台区经理 and the others (a 副所长 first when there are two or more)."""
        extra = [self.rng.choice(STATION_OTHERS) for _ in range(others)]
        if others >= 2:
            extra[0] = "deputy_head"
        posts = ["station_head"] + ["senior_manager"] * seniors + ["area_manager"] * areas + extra
        head = unit is self.secretary
        statuses = self.statuses(len(posts), members, int(probationary), head=head)
        for post, status in zip(posts, statuses, strict=True):
            in_group = group if status != "none" else None
            unit.staff.append(self.person(unit, post, status, group=in_group))

    def staff(self, unit, size, *, share, posts, groups=(), min_members=0) -> None:
        members = min(size, max(min_members, round(size * self.rng.uniform(*share))))
        probationary = int(members >= 5 and self.rng.random() < 0.5)
        statuses = self.statuses(size, members, probationary, head=False)
        for i, status in enumerate(statuses):
            post = posts[0] if i == 0 else self.rng.choice(posts[1:])
            group = groups[i % len(groups)] if groups and status != "none" else None
            unit.staff.append(self.person(unit, post, status, group=group))

    def statuses(self, size: int, members: int, probationary: int, *, head: bool) -> list[str]:
        """Who is a member: the head (index 0) usually is and is never probationary."""
        head_member = head or self.rng.random() < 0.8
        chosen = {0} if head_member else set()
        chosen |= set(self.rng.sample(range(1, size), members - len(chosen)))
        newcomers = set(self.rng.sample(sorted(chosen - {0}), probationary))
        return [
            "probationary" if i in newcomers else "full" if i in chosen else "none"
            for i in range(size)
        ]

    def person(self, unit: Unit, post: str, status: str, *, group=None) -> Staff:
        rng = self.rng
        male = rng.random() < (0.72 if unit.unit_kind == "station" else 0.58)
        name = self.names.make(male)
        birth = self.birth(post, status)
        region = unit.region if rng.random() < 0.85 else rng.choice(REGIONS)
        self.serial += 1
        email = ""
        if unit.unit_kind != "station" and rng.random() < 0.4:
            email = f"{pinyin_keys(name)[0]}{self.serial}@example.com"
        return Staff(
            employee_no=f"{CODE}{self.serial:06d}",
            name=name,
            male=male,
            birth_date=birth,
            id_number=self.ids.make(region, birth, male),
            unit=unit,
            post=post,
            status=status,
            phone=phone(rng),
            email=email,
            group=group,
            **self.party_dates(status, birth),
        )

    def birth(self, post: str, status: str) -> dt.date:
        if status == "probationary":
            return self.day(1993, 2001)
        if post in ("station_head", "deputy_head"):
            return self.day(1970, 1988)
        return self.day(1968, 1996 if status == "full" else 2002)

    def party_dates(self, status: str, birth: dt.date) -> dict:
        """applied ≤ admitted ≤ confirmed; probationary members were admitted within the year."""
        rng, today = self.rng, self.today
        if status == "full":
            admitted = add_years(birth, rng.randint(22, 30)) + dt.timedelta(rng.randrange(365))
            latest = today - dt.timedelta(days=400)  # so confirmation (a year on) is past
            fallback = latest - dt.timedelta(days=rng.randrange(900))
            admitted = fallback if admitted > latest else admitted
            return {
                "applied_on": admitted - dt.timedelta(days=rng.randint(365, 900)),
                "admitted_on": admitted,
                "confirmed_on": add_years(admitted, 1),
            }
        if status == "probationary":
            admitted = today - dt.timedelta(days=rng.randint(20, 350))
            applied = admitted - dt.timedelta(days=rng.randint(400, 1000))
            return {"applied_on": applied, "admitted_on": admitted, "confirmed_on": None}
        applicant = rng.random() < 0.08  # 入党积极分子: applied, not admitted yet
        applied = today - dt.timedelta(days=rng.randint(30, 700)) if applicant else None
        return {"applied_on": applied, "admitted_on": None, "confirmed_on": None}

    # terms, seats, accounts

    def terms(self) -> None:
        """Most terms current; four expire within 6 months (the secretary's among them) and two
        have expired without an election, so the agenda shows every alert colour."""
        with_terms = [u for u in self.units if u.kind in TERM_YEARS]
        others = [u for u in with_terms if u is not self.secretary and u.kind != "temporary_branch"]
        picked = self.rng.sample(others, 5)
        expired, expiring = picked[:2], [self.secretary, *picked[2:]]
        for unit in with_terms:
            years = TERM_YEARS[unit.kind]
            if unit.kind == "temporary_branch":  # set up with the project
                ends = add_years(unit.established_on, years)
            elif unit in expired:
                ends = self.today - dt.timedelta(days=self.rng.randint(10, 80))
            elif unit in expiring:
                ends = self.today + dt.timedelta(days=self.rng.randint(30, 160))
            else:
                start = self.today - dt.timedelta(days=self.rng.randint(60, years * 365 - 220))
                ends = add_years(start, years)
            unit.term_started_on, unit.term_ends_on = add_years(ends, -years), ends

    def seats(self, root: Unit, hq: list[Unit]) -> list[Seat]:
        """A secretary for every branch; a committee where 7+ full members or a general branch;
        county committees from their office's senior members; the company's from HQ."""
        seats = []
        for unit in self.units:
            if unit.kind in ("branch", "temporary_branch", "general_branch"):
                full = unit.full_members()
                large = unit.kind == "general_branch" or len(full) >= COMMITTEE_THRESHOLD
                positions = BRANCH_SEATS if large else BRANCH_SEATS[:1]
                seats += [Seat(unit, s, p) for s, p in zip(full, positions, strict=False)]
            elif unit.kind == "committee" and unit.parent is not None:
                leaders = self.office_of(unit).full_members()[::-1]  # not the office's seats
                seats += [Seat(unit, s, p) for s, p in zip(leaders, COUNTY_SEATS, strict=False)]
        leaders = [branch.full_members()[-1] for branch in hq[: len(ROOT_SEATS)]]
        seats += [Seat(root, s, p) for s, p in zip(leaders, ROOT_SEATS, strict=True)]
        return seats

    def office_of(self, county: Unit) -> Unit:
        return next(u for u in self.units if u.parent is county and u.kind == "general_branch")

    def accounts(self, root: Unit, hq: list[Unit], county: Unit) -> list[Account]:
        station = self.secretary
        department = next(u for u in hq if u.short_name == "党建工作部党支部").staff[0]
        deputy = self.office_of(county).full_members()[::-1][1]  # COUNTY_SEATS[1]
        secretary, member = station.full_members()[:2]
        where = station.short_name
        return [
            Account("admin", "", None, None, "超级用户（全部数据）", superuser=True),
            Account("company", "party_department", root, department, "党建工作部（全公司）"),
            Account("county", "county_committee", county, deputy, f"{county.short_name}副书记"),
            Account("secretary", "branch_secretary", station, secretary, f"{where}书记"),
            Account("member", "member", station, member, f"{where}党员（只看本人）"),
        ]
