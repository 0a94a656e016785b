"""Screenshots of the 考核评价 (evaluation) pages for ``docs/evaluation-guide.md``.

Usage (against a demo server, never production)::

    export DATABASE_URL=sqlite:////tmp/docs_evaluation.sqlite3
    .venv/bin/python manage.py migrate -v0 && .venv/bin/python manage.py seed_demo --if-empty
    .venv/bin/python manage.py runserver 127.0.0.1:18471 --noreload &
    .venv/bin/python scripts/screenshots_evaluation.py http://127.0.0.1:18471

It logs in as the demo accounts (company / secretary / member, password ``bastion-demo``) and
writes ``docs/images/evaluation-*.png``; the member's pages are taken on a phone-sized window
(390 px). It only opens pages: no form is submitted, so it can be run again and again on the
same demo database. The demo holds what the pictures need: a year of published 党建工作成效评价
rounds with red flags and a watch list, and this quarter's open 打擂台 in the demo member's
branch with key events waiting for their rating (and a 擂主 of the last quarter).
Any page answering 4xx/5xx, or a page without what a picture needs, stops the run and says so.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from playwright.sync_api import Locator, Page
from shooter import PASSWORD, TIMEOUT_MS, Shooter, run

MAX_HEIGHT = 2000  # a whole-page picture stops here (lists show 50 rows)
PHONE = {"width": 390, "height": 844}
PHONE_MAX_HEIGHT = 1800
FOUR_FACTOR = "党建工作成效评价（双A制）"
FOUR_FACTOR_CODE = "four_factor"
ORG_PAGE = re.compile(r"^/orgs/\d+/$")


def first_link(scope: Page | Locator, selector: str, what: str) -> str:
    """The address of the first ``selector`` link in a page or a part of one."""
    link = scope.locator(selector).first
    if not link.count():
        url = scope.url if isinstance(scope, Page) else scope.page.url
        sys.exit(f"找不到{what}：{url}（演示数据是否已生成？）")
    return link.get_attribute("href")


def scheme_pk(shot: Shooter) -> str:
    """The four-factor scheme's id, read from its link on the scheme list."""
    page = shot.open(shot.as_user("company"), "/evaluation/schemes/")
    href = page.get_by_role("link", name=FOUR_FACTOR, exact=True).first.get_attribute("href")
    return href.rstrip("/").rsplit("/", 1)[-1]


# --- 党建工作部: schemes and rounds ----------------------------------------------------------


def scheme(shot: Shooter, pk: str) -> None:
    page = shot.open(shot.as_user("company"), f"/evaluation/schemes/{pk}/")
    shot.save(page, "scheme", 0)


def round_form(shot: Shooter, pk: str) -> None:
    """发起考评 with the four-factor scheme and the whole company chosen (not submitted)."""
    page = shot.open(shot.as_user("company"), f"/evaluation/rounds/new/?scheme={pk}")
    scope = page.get_by_label("考评范围")
    scope.select_option(index=1)
    shot.save(page, "round-form", 820)


def round_pages(shot: Shooter) -> None:
    """This quarter's open 打擂台 (its peers have ratings to give): its progress and its missing
    list. (The four-factor round has no scored item to wait for: deductions and vetoes are
    given only when something happened.)"""
    page = shot.open(shot.as_user("company"), "/evaluation/rounds/?state=scoring")
    row = page.get_by_test_id("round-table").locator("tbody tr").filter(has_text="打擂台")
    shot.open(page, first_link(row, "a", "评分中的打擂台"))
    shot.save(page, "round", 760)
    shot.open(page, first_link(page, "[data-testid=missing-link]", "缺评清单"))
    shot.save(page, "missing", 1000)


def results(shot: Shooter) -> None:
    """The latest published four-factor round: the ranking, then the best station's result.
    (The round list filters by the scheme's code, not its id.)"""
    page = shot.open(
        shot.as_user("company"), f"/evaluation/rounds/?scheme={FOUR_FACTOR_CODE}&state=published"
    )
    shot.open(page, first_link(page, "[data-testid=round-table] tbody a", "已发布的考评轮次"))
    shot.open(page, first_link(page, "[data-testid=results-link]", "考评结果"))
    shot.save(page, "results", 1100)
    shot.open(page, first_link(page, "[data-testid=target-link]", "考评对象"))
    shot.save(page, "target", 0)


def title_board(shot: Shooter) -> str:
    """称号榜; returns the address of the history of the first station on the watch list."""
    page = shot.open(shot.as_user("company"), "/evaluation/results/titles/")
    shot.save(page, "titles", 0)
    return first_link(page, "[data-testid=watch-row] a", "挂牌督办的不放心支部")


def history(shot: Shooter, url: str) -> None:
    """A watch-listed station's score history."""
    page = shot.open(shot.as_user("company"), url)
    page.locator("canvas").first.wait_for()
    shot.save(page, "history", 1100)


def org_panel(shot: Shooter) -> None:
    """The titles panel on a branch page: the secretary's own branch (its 擂主 and stars)."""
    page = shot.open(shot.as_user("secretary"), "/orgs/")
    links = [
        h
        for h in page.locator("a").evaluate_all("l => l.map(a => a.getAttribute('href'))")
        if h and ORG_PAGE.match(h)
    ]
    if not links:
        sys.exit(f"找不到支部页面的链接：{page.url}")
    shot.open(page, links[0])
    if not page.get_by_test_id("arena-champion").count():
        sys.exit(f"支部页面上没有擂主：{page.url}（演示数据是否已生成？）")
    shot.save_element(page, "[data-testid=evaluation-panel]", "org-panel")


# --- 同业对标 and 积分手册 ---------------------------------------------------------------------


def benchmarks(shot: Shooter) -> None:
    page = shot.open(shot.as_user("company"), "/evaluation/benchmarks/")
    shot.save(page, "benchmarks", 1000)
    shot.open(page, "/evaluation/benchmarks/map/")
    page.locator("canvas").first.wait_for()
    shot.save(page, "map", 1000)


def points(shot: Shooter) -> None:
    page = shot.open(shot.as_user("secretary"), "/evaluation/points/")
    shot.save(page, "points-ledger", 1000)


# --- 党员 on a phone --------------------------------------------------------------------------


def phone_page(shot: Shooter, username: str) -> Page:
    context = shot.browser.new_context(
        locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    shot.open(page, "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    if "/accounts/login/" in page.url:
        sys.exit(f"登录失败：{username}（演示数据是否已生成？）")
    return page


def save_phone(shot: Shooter, page: Page, name: str, whole: bool = True) -> None:
    """The phone page from its top: the whole page (at most PHONE_MAX_HEIGHT), or one screen,
    which shows a form with its submit button held at the bottom as the member sees it."""
    page.evaluate("document.activeElement && document.activeElement.blur(); scrollTo(0, 0)")
    page.wait_for_timeout(500)
    path = shot.path(name)
    if whole:
        height = min(page.evaluate("document.documentElement.scrollHeight"), PHONE_MAX_HEIGHT)
        clip = {"x": 0, "y": 0, "width": PHONE["width"], "height": height}
        page.screenshot(path=path, full_page=True, clip=clip)
    else:
        page.screenshot(path=path)
    shot.report(path)


def member_phone(shot: Shooter) -> None:
    """我的评分 → this quarter's 打擂台 → rating one key event, on the demo member's phone; then
    my points."""
    page = phone_page(shot, "member")
    shot.open(page, "/evaluation/scoring/")
    save_phone(shot, page, "phone-home")
    card = page.get_by_test_id("round-card").filter(has_text="打擂台").first
    if not card.count():
        sys.exit(f"我的评分里没有打擂台：{page.url}（演示数据是否已生成？）")
    shot.open(page, card.get_by_test_id("go-score").get_attribute("href"))
    save_phone(shot, page, "phone-arena")
    shot.open(page, first_link(page, "[data-testid=row-pending]", "待评议的关键事件"))
    save_phone(shot, page, "phone-rate", whole=False)
    shot.open(page, "/evaluation/points/mine/")
    save_phone(shot, page, "phone-points", whole=False)
    page.context.close()


def steps(shot: Shooter, _tmp: Path) -> None:
    pk = scheme_pk(shot)
    scheme(shot, pk)
    round_form(shot, pk)
    round_pages(shot)
    results(shot)
    history(shot, title_board(shot))
    org_panel(shot)
    benchmarks(shot)
    points(shot)
    member_phone(shot)


def main() -> None:
    run(__doc__, "evaluation", steps, max_height=MAX_HEIGHT)


if __name__ == "__main__":
    main()
