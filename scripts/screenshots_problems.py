"""Screenshots of the 问题整改 (problems) pages for ``docs/problems-guide.md``.

Usage (against a demo server, never production)::

    export DATABASE_URL=sqlite:////tmp/docs_problems.sqlite3
    .venv/bin/python manage.py migrate -v0 && .venv/bin/python manage.py seed_demo --if-empty
    .venv/bin/python manage.py runserver 127.0.0.1:18433 --noreload &
    .venv/bin/python manage.py db_worker &      # generates the bulletin files
    # once: log in as company, 通报晾晒 → 生成 (the current quarter of the whole company)
    .venv/bin/python scripts/screenshots_problems.py http://127.0.0.1:18433

It logs in as the demo accounts (company / secretary, password ``bastion-demo``) and writes
``docs/images/problems-*.png``. It only opens pages: no form is submitted, no transition made,
so it can be run again and again on the same demo database. The bulletin picture needs one
bulletin already generated (see above); without one the run stops and says so.
Any page answering 4xx/5xx stops the run with the address.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page
from shooter import Shooter, run

MAX_HEIGHT = 2000  # a whole-page picture stops here (lists show 50 rows)


def first_link(page: Page, selector: str, what: str) -> str:
    link = page.locator(selector).first
    if not link.count():
        sys.exit(f"找不到{what}：{page.url}（演示数据是否已生成？）")
    return link.get_attribute("href")


def problem_list(shot: Shooter) -> None:
    page = shot.open(shot.as_user("company"), "/problems/")
    shot.save(page, "list", 1100)


def problem_detail(shot: Shooter) -> None:
    """A problem waiting for verification, seen by the verifying side (its two buttons)."""
    page = shot.open(shot.as_user("company"), "/problems/?state=submitted")
    shot.open(page, first_link(page, "[data-testid=problem-table] tbody a", "待验收的问题"))
    if not page.get_by_test_id("moves").count():
        sys.exit(f"看不到整改操作：{page.url}")
    shot.save(page, "detail", 0)


def library(shot: Shooter) -> None:
    page = shot.open(shot.as_user("company"), "/problems/library/county/")
    shot.save(page, "library", 1000)


def inspection(shot: Shooter) -> None:
    page = shot.open(shot.as_user("company"), "/problems/inspections/?kind=flying")
    shot.open(page, first_link(page, "[data-testid=inspection-table] tbody a", "飞行巡查"))
    shot.save(page, "inspection", 0)


def bulletin(shot: Shooter) -> None:
    page = shot.open(shot.as_user("company"), "/problems/bulletins/")
    row = page.get_by_test_id("bulletin-row").filter(has_text="已生成").first
    if not row.count():
        sys.exit("还没有已完成的通报：请先以 company 登录，在“通报晾晒”生成一份。")
    shot.open(page, row.get_by_role("link", name="查看").get_attribute("href"))
    page.get_by_test_id("bulletin-summary").wait_for()
    shot.save(page, "bulletin", 0)


def secretary_overdue(shot: Shooter) -> None:
    """The branch secretary's own list, only what is overdue."""
    page = shot.open(shot.as_user("secretary"), "/problems/?overdue=on")
    shot.save(page, "secretary", 640)


def steps(shot: Shooter, _tmp: Path) -> None:
    problem_list(shot)
    problem_detail(shot)
    library(shot)
    inspection(shot)
    bulletin(shot)
    secretary_overdue(shot)


def main() -> None:
    run(__doc__, "problems", steps, max_height=MAX_HEIGHT)


if __name__ == "__main__":
    main()
