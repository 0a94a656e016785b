"""Screenshots of the messages (消息中心, the home page's widgets, read receipts) for
``docs/notifications-guide.md``.

Usage (against a demo server, never production)::

    export DATABASE_URL=sqlite:////tmp/docs_notifications.sqlite3
    .venv/bin/python manage.py migrate -v0 && .venv/bin/python manage.py seed_demo --if-empty
    .venv/bin/python manage.py runserver 127.0.0.1:18413 --noreload &
    .venv/bin/python scripts/screenshots_notifications.py http://127.0.0.1:18413

It logs in as the demo accounts (county / secretary, password ``bastion-demo``) and writes
``docs/images/notifications-*.png``. Unlike the other scripts it writes to the demo database,
because a read receipt needs a message someone has read: the county secretary dispatches one
sheet (``SHEET``) to the county's stations, and the station secretary opens its message from the
home page. A second run finds the sheet already dispatched and reuses it (its message is then
already read, so the home page picture shows the other unread messages only): for the pictures
of the guide, run it once on a fresh demo database.
Any page answering 4xx/5xx stops the run with the address.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import Page
from shooter import Shooter, run

MAX_HEIGHT = 1800
SHEET = "关于报送党员安全承诺签订情况的通知"
MESSAGE = f"新工作单：{SHEET}"


def find_link(page: Page, selector: str, text: str) -> str | None:
    link = page.locator(selector).filter(has_text=text).first
    return link.get_attribute("href") if link.count() else None


def sheet_url(shot: Shooter, page: Page) -> str | None:
    shot.open(page, "/tasks/?q=" + quote(SHEET))
    return find_link(page, "[data-testid=task-table] a", SHEET)


# --- the county secretary dispatches -------------------------------------------------------


def dispatch(shot: Shooter) -> str:
    """The sheet's address; drafted and dispatched to the county's stations the first time."""
    page = shot.as_user("county")
    url = sheet_url(shot, page)
    if url:
        return url
    shot.open(page, "/tasks/add/")
    page.fill("#id_title", SHEET)
    issuer = page.locator("#id_issuer option[value]:not([value=''])").first
    page.select_option("#id_issuer", issuer.get_attribute("value"))
    page.fill("#id_due_on", (dt.date.today() + dt.timedelta(days=10)).isoformat())
    page.fill("#id_body", "请各供电所党支部报送党员签订安全承诺书的人数。")
    page.fill('[name="fields-0-label"]', "签订人数")
    page.select_option('[name="fields-0-kind"]', "number")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("dispatch-task").click()
    page.wait_for_load_state("networkidle")
    page.select_option("#id_unit_kind", "station")
    page.get_by_test_id("preview-button").click()
    page.get_by_test_id("preview-count").wait_for()
    page.get_by_test_id("confirm-button").click()
    page.wait_for_load_state("networkidle")
    url = sheet_url(shot, page)
    if not url:
        sys.exit(f"派发失败：{page.url}")
    return url


# --- the station secretary reads ------------------------------------------------------------


def home_and_inbox(shot: Shooter) -> None:
    page = shot.open(shot.as_user("secretary"), "/")
    if not page.get_by_test_id("unread-widget").count():
        sys.exit("工作台上没有未读消息（演示数据是否已生成？）")
    shot.save(page, "home", 0)
    shot.open(page, "/inbox/")
    shot.save(page, "inbox")


def open_message(shot: Shooter) -> None:
    """From the home page's widget, as a person would: the message is marked read."""
    page = shot.open(shot.as_user("secretary"), "/")
    link = page.get_by_test_id("unread-widget").get_by_role("link").filter(has_text=MESSAGE)
    if link.count():
        link.first.click()
        page.wait_for_load_state("networkidle")
    else:  # already read by an earlier run: find it in the message centre, page by page
        shot.open(page, "/inbox/")
        while not (url := find_link(page, "[data-testid=inbox-list] a", MESSAGE)):
            following = find_link(page, ".pagination a", "下一页")
            if not following:
                sys.exit(f"消息中心里没有“{MESSAGE}”")
            shot.open(page, following)
        shot.open(page, url)
    if "/inbox/" not in page.url:
        sys.exit(f"没有打开消息：{page.url}")
    shot.save(page, "detail", 0)


# --- the issuer sees it read ----------------------------------------------------------------


def receipts(shot: Shooter, url: str) -> None:
    page = shot.open(shot.as_user("county"), url)
    progress = find_link(page, "[data-testid=progress-link]", "反馈进度")
    if not progress:
        sys.exit(f"找不到反馈进度：{page.url}")
    shot.open(page, progress)
    table = page.get_by_test_id("recipients-table")
    if not table.get_by_text("已读").count():
        sys.exit(f"进度页上没有“已读”：{page.url}")
    shot.save_element(page, ".card:has([data-testid=recipients-table])", "receipts")


def problems_widget(shot: Shooter) -> None:
    """The county secretary's problems widget: both sides, to rectify and to verify."""
    page = shot.open(shot.as_user("county"), "/")
    shot.save_element(page, "[data-testid=problems-widget]", "problems-widget")


def steps(shot: Shooter, _tmp: Path) -> None:
    url = dispatch(shot)
    home_and_inbox(shot)
    open_message(shot)
    receipts(shot, url)
    problems_widget(shot)


def main() -> None:
    run(__doc__, "notifications", steps, max_height=MAX_HEIGHT)


if __name__ == "__main__":
    main()
