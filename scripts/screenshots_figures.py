"""Screenshots of the figures a department reports upward (issue 14): the data check before a
round is computed, a result traced to its rows, the map, the title board, the cascade counting
what is missing and an organization's history, for the guides of evaluation, tasks and orgs.

Usage (against a demo server, never production)::

    export DATABASE_URL=sqlite:////tmp/docs_figures.sqlite3
    .venv/bin/python manage.py migrate -v0 && .venv/bin/python manage.py seed_demo --if-empty
    .venv/bin/python manage.py runserver 127.0.0.1:18561 --noreload &
    .venv/bin/python scripts/screenshots_figures.py http://127.0.0.1:18561

It logs in as the demo accounts (company / secretary, password ``bastion-demo``) and writes
``docs/images/figures-*.png``:

* ``compute-gaps``: the 计算结果 page of this month's 党建工作成效评价 (still in scoring: its
  benchmark data is not imported yet), listing the 数据项缺数情况 with the decision forms; the
  indicator with the fewest organizations is unfolded. Nothing is decided or computed.
* ``decisions``: the 缺数处理决定 card of the latest published four-factor round that has one.
* ``sources``: the 数据来源 card of the best station's result in the latest published
  four-factor round, two sources unfolded (obligations marked 计入完成 / 未计入完成, and
  电费回收率 with its monthly value and company-wide standing).
* ``map``, ``titles``: the 五色地图 and the 称号榜 (上榜得分 beside the 最新得分).
* ``cascade``: the 四级贯通 tree of the objective whose task sheet still misses action plans
  ("缺（计 0%）：…").
* ``history``: the secretary's branch's 变更记录 after the 班子成员 form seated a member as
  宣传委员, made them 组织委员 and removed them (新增、修改、删除): the only writes of this
  script; they leave the committee as it was, so it can be run again (the picture shows the
  latest three entries).

Any page answering 4xx/5xx, or a page without what a picture needs, stops the run and says so.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from playwright.sync_api import Locator, Page
from shooter import Shooter, run

MAX_HEIGHT = 2000
HISTORY_HEIGHT = 650  # the three entries of this run (a rerun adds three below)
FOUR_FACTOR, FOUR_FACTOR_CODE = "党建工作成效评价（双A制）", "four_factor"
ORG_PAGE = re.compile(r"^/orgs/\d+/$")
FIRST_POSITION, SECOND_POSITION = "宣传委员", "组织委员"  # the seat set, then changed
OBLIGATIONS, BENCHMARK = "obligation_rate", "fee_recovery"  # the sources unfolded on a result


def first_link(scope: Page | Locator, selector: str, what: str) -> str:
    link = scope.locator(selector).first
    if not link.count():
        url = scope.url if isinstance(scope, Page) else scope.page.url
        sys.exit(f"找不到{what}：{url}（演示数据是否已生成？）")
    return link.get_attribute("href")


def require(page: Page, test_id: str, what: str) -> Locator:
    found = page.get_by_test_id(test_id)
    if not found.count():
        sys.exit(f"页面上没有{what}：{page.url}")
    return found.first


def unfold(scope: Locator, selector: str = "details") -> None:
    """Open the <details> matching ``selector`` inside ``scope`` (the picture shows their rows)."""
    scope.locator(selector).evaluate_all("(all) => all.forEach((d) => d.setAttribute('open', ''))")


def unfold_shortest(scope: Locator) -> None:
    """Open the one <details> listing the fewest items: a whole list of 86 stations would fill
    the picture and hide the other indicators and their forms."""
    scope.locator("details").evaluate_all(
        """(all) => {
            const sized = all.map((d) => [d.querySelectorAll("li").length, d]);
            const shortest = sized.filter(([n]) => n > 0).sort((a, b) => a[0] - b[0])[0];
            if (shortest) shortest[1].setAttribute("open", "");
        }"""
    )


def four_factor_rounds(shot: Shooter, page: Page, state: str) -> list[str]:
    """The addresses of the four-factor rounds in ``state``, latest first."""
    shot.open(page, f"/evaluation/rounds/?scheme={FOUR_FACTOR_CODE}&state={state}")
    links = page.get_by_test_id("round-table").locator("tbody tr a")
    urls = list(dict.fromkeys(links.evaluate_all("(l) => l.map((a) => a.getAttribute('href'))")))
    if not urls:
        sys.exit(f"没有{FOUR_FACTOR}的轮次（{state}）：{page.url}（演示数据是否已生成？）")
    return urls


# --- 考核评价 -------------------------------------------------------------------------------


def compute_gaps(shot: Shooter) -> None:
    page = shot.as_user("company")
    shot.open(page, four_factor_rounds(shot, page, "scoring")[0].rstrip("/") + "/compute/")
    readiness = require(page, "data-readiness", "数据项缺数情况")
    require(page, "data-blocking", "缺数提示")
    if not readiness.locator("form[data-testid^=decide-]").count():
        sys.exit(f"缺数情况没有决定表单：{page.url}")
    unfold_shortest(readiness)
    shot.save(page, "compute-gaps", 0)


def decisions(shot: Shooter) -> None:
    """The latest published four-factor round that carries a decision (the demo's rounds before
    this year exclude 组织生活按期完成: its calendars were generated from this year on)."""
    page = shot.as_user("company")
    for url in four_factor_rounds(shot, page, "published"):
        shot.open(page, url)
        if page.get_by_test_id("data-decisions").count():
            shot.save_element(page, "[data-testid=data-decisions]", "decisions")
            return
    sys.exit(f"已发布的{FOUR_FACTOR}轮次都没有缺数处理决定：{page.url}")


def sources(shot: Shooter) -> None:
    """The best station of the latest published four-factor round."""
    page = shot.as_user("company")
    shot.open(page, four_factor_rounds(shot, page, "published")[0])
    shot.open(page, first_link(page, "[data-testid=results-link]", "考评结果"))
    shot.open(page, first_link(page, "[data-testid=target-link]", "考评对象"))
    card = require(page, "sources", "数据来源")
    unfold(card, f"[data-code={OBLIGATIONS}], [data-code={BENCHMARK}]")
    shot.save_element(page, "[data-testid=sources]", "sources")


def benchmark_map(shot: Shooter) -> None:
    page = shot.open(shot.as_user("company"), "/evaluation/benchmarks/map/")
    page.locator("#band-map canvas").first.wait_for()
    shot.save(page, "map", 1100)


def title_board(shot: Shooter) -> None:
    page = shot.open(shot.as_user("company"), "/evaluation/results/titles/")
    require(page, "current-total", "最新得分")
    shot.save(page, "titles", 0)


# --- 四级贯通 -------------------------------------------------------------------------------


def cascade(shot: Shooter) -> None:
    """The first objective whose tree lists a missing child."""
    page = shot.open(shot.as_user("company"), "/tasks/cascade/")
    table = page.get_by_test_id("cascade-table")
    roots = table.locator("tbody tr a").evaluate_all("(l) => l.map((a) => a.getAttribute('href'))")
    for url in dict.fromkeys(roots):
        shot.open(page, url)
        if page.get_by_test_id("missing").count():
            shot.save(page, "cascade", 0)
            return
    sys.exit(f"没有哪个攻坚目标列出缺少的下级：{page.url}（演示数据是否已生成？）")


# --- 组织与人员 -----------------------------------------------------------------------------


def own_branch(shot: Shooter, page: Page) -> str:
    shot.open(page, "/orgs/")
    links = page.locator("a").evaluate_all("(l) => l.map((a) => a.getAttribute('href'))")
    for href in links:
        if href and ORG_PAGE.match(href):
            return href
    sys.exit(f"找不到支部页面的链接：{page.url}")


def unseated(shot: Shooter, page: Page, branch: str) -> str:
    """The option value of the last member of the branch who holds no committee seat."""
    seated = shot.open(page, branch).get_by_test_id("committee").inner_text()
    shot.open(page, branch + "committee/add/")
    options = page.get_by_label("人员").locator("option")
    for i in reversed(range(options.count())):
        value, name = options.nth(i).get_attribute("value"), options.nth(i).inner_text().strip()
        if value and name.split(" ")[0] not in seated:
            return value
    sys.exit(f"班子成员表单里没有尚未任职的人员：{page.url}")


def seat(shot: Shooter, page: Page, branch: str, person: str | None, position: str) -> str:
    """Set a committee seat through the 班子成员 form; returns the person's option value."""
    if person is None:
        person = unseated(shot, page, branch)
    shot.open(page, branch + "committee/add/")
    field = page.get_by_label("人员")
    field.select_option(person)
    page.get_by_label("职务").select_option(label=position)
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    if "/committee/" in page.url:
        sys.exit(f"班子成员没有保存：{page.url}")
    return person


def history(shot: Shooter) -> None:
    """Seat a member as 宣传委员, make them 组织委员, remove them again (新增、修改、删除: the
    committee is as it was), then read the branch's 变更记录."""
    page = shot.as_user("secretary")
    branch = own_branch(shot, page)
    person = seat(shot, page, branch, None, FIRST_POSITION)
    seat(shot, page, branch, person, SECOND_POSITION)
    row = (
        page.get_by_test_id("committee")
        .locator(".list-group-item")
        .filter(has_text=SECOND_POSITION)
    )
    row.last.get_by_role("button", name="移除").click()
    page.wait_for_load_state("networkidle")
    shot.open(page, branch + "history/")
    require(page, "history-subject", "变更对象列")
    shot.save(page, "history", HISTORY_HEIGHT)


def steps(shot: Shooter, tmp: Path) -> None:
    compute_gaps(shot)
    decisions(shot)
    sources(shot)
    benchmark_map(shot)
    title_board(shot)
    cascade(shot)
    history(shot)


def main() -> None:
    run(__doc__, "figures", steps, max_height=MAX_HEIGHT)


if __name__ == "__main__":
    main()
