"""Screenshots of the 任务派发 (tasks) pages for ``docs/tasks-guide.md``.

Usage (against a demo server, never production)::

    export DATABASE_URL=sqlite:////tmp/docs_tasks.sqlite3
    .venv/bin/python manage.py migrate -v0 && .venv/bin/python manage.py seed_demo --if-empty
    .venv/bin/python manage.py runserver 127.0.0.1:18412 --noreload &
    .venv/bin/python scripts/screenshots_tasks.py http://127.0.0.1:18412

It logs in as the demo accounts (company / secretary, password ``bastion-demo``) and writes
``docs/images/tasks-*.png``. It saves nothing: forms are filled for the picture and left
unsubmitted, the dispatch page stops at the preview, the review box is not clicked. The only
trace is the secretary's opening of the demo sheet (already read in the demo data), so the
script can be run again and again on the same demo database.
Any page answering 4xx/5xx stops the run with the address.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import Page
from shooter import Shooter, run

MAX_HEIGHT = 2000  # a whole-page picture stops here (the progress page lists 50 rows)
# The demo data's sheets (bastion/tasks/demo.py).
PLEDGE = "关于开展党员安全承诺践诺活动的通知"
DRAFT = "关于报送第四季度主题党日安全案例的通知（草稿）"


def find_link(page: Page, selector: str, text: str) -> str:
    link = page.locator(selector).filter(has_text=text).first
    if not link.count():
        sys.exit(f"找不到“{text}”：{page.url}（演示数据是否已生成？）")
    return link.get_attribute("href")


def task_url(shot: Shooter, page: Page, title: str) -> str:
    """The sheet's page, found on the list by its title."""
    shot.open(page, "/tasks/?q=" + quote(title))
    return find_link(page, "[data-testid=task-table] a", title)


# --- the issuer ---------------------------------------------------------------------------------


def task_form(shot: Shooter) -> None:
    """A new sheet with a filled feedback-form builder (not saved)."""
    page = shot.open(shot.as_user("company"), "/tasks/add/")
    page.fill("#id_title", "关于开展“党员身边无违章”安全承诺活动的通知")
    issuer = page.locator("#id_issuer option[value]:not([value=''])").first
    page.select_option("#id_issuer", issuer.get_attribute("value"))
    page.fill("#id_due_on", "2026-12-31")
    page.select_option("#id_priority", "high")
    page.fill(
        "#id_body",
        "各供电所党支部组织党员签订“党员身边无违章”安全承诺，\n"
        "并反馈参加人数、开展日期与形式，上传活动照片。",
    )
    rows = [
        ("参加承诺党员人数", "number", "", "只填正式党员和预备党员"),
        ("活动开展日期", "date", "", ""),
        ("开展形式", "choice", "集中承诺\n分散承诺\n线上承诺", ""),
        ("活动照片", "file", "", "签字环节须入镜"),
    ]
    add = page.locator("#add-field-row")
    for index, (label, kind, choices, help_text) in enumerate(rows):
        if not page.locator(f'[name="fields-{index}-label"]').count():
            add.click()
        page.fill(f'[name="fields-{index}-label"]', label)
        page.select_option(f'[name="fields-{index}-kind"]', kind)
        page.fill(f'[name="fields-{index}-choices"]', choices)
        page.fill(f'[name="fields-{index}-help_text"]', help_text)
    page.locator('[name="fields-3-required"]').uncheck()
    shot.save(page, "form", 0)


def dispatch_preview(shot: Shooter) -> None:
    """The demo draft's dispatch page: all stations, previewed, not confirmed."""
    page = shot.as_user("company")
    url = task_url(shot, page, DRAFT)
    shot.open(page, url)
    shot.open(page, find_link(page, "[data-testid=dispatch-task]", "派发"))
    page.select_option("#id_unit_kind", "station")
    page.get_by_test_id("preview-button").click()
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("preview-count").wait_for()
    shot.save(page, "dispatch", 0)


def progress(shot: Shooter) -> str:
    """The demo pledge sheet's progress page; returns the address of an answer to review."""
    page = shot.as_user("company")
    shot.open(page, task_url(shot, page, PLEDGE))
    shot.open(page, find_link(page, "[data-testid=progress-link]", "反馈进度"))
    page.locator("#progress-chart canvas").first.wait_for()
    page.wait_for_timeout(1000)  # the pie grows in with an animation
    shot.save(page, "progress", 1450)
    shot.open(page, "?state=submitted")
    return find_link(page, "[data-testid=recipient-row] a", "查看")


def review(shot: Shooter, url: str) -> None:
    page = shot.open(shot.as_user("company"), url)
    box = page.get_by_test_id("review-box")
    if not box.count():
        sys.exit(f"看不到审核框：{url}")
    box.locator("textarea").fill("照片未体现承诺签字环节，请补充后重新反馈。")
    shot.save(page, "review", 0)


def cascade(shot: Shooter) -> None:
    page = shot.open(shot.as_user("company"), "/tasks/cascade/")
    shot.open(page, find_link(page, "[data-testid=cascade-table] a", "攻坚目标"))
    shot.save(page, "cascade", 0)


# --- the recipient ------------------------------------------------------------------------------


def inbox_and_answer(shot: Shooter) -> None:
    page = shot.open(shot.as_user("secretary"), "/tasks/inbox/")
    shot.save(page, "inbox", 640)
    # The pledge sheet is overdue and already read in the demo data: opening it changes nothing.
    shot.open(page, "/tasks/inbox/?group=overdue")
    shot.open(page, find_link(page, "[data-testid=inbox-row]", PLEDGE))
    form = page.get_by_test_id("feedback-form")
    if not form.count():
        sys.exit(f"看不到反馈表：{page.url}")
    form.get_by_label("参加承诺党员人数").fill("5")
    form.get_by_label("活动开展日期").fill("2026-11-08")
    form.get_by_label("开展形式").select_option("集中承诺")
    form.get_by_label("反馈内容").fill(
        "11月8日主题党日，5名党员在党员活动室集中签订“党员身边无违章”承诺书。"
    )
    shot.save(page, "assignment", 0)


def steps(shot: Shooter, _tmp: Path) -> None:
    task_form(shot)
    dispatch_preview(shot)
    review(shot, progress(shot))
    cascade(shot)
    inbox_and_answer(shot)


def main() -> None:
    run(__doc__, "tasks", steps, max_height=MAX_HEIGHT)


if __name__ == "__main__":
    main()
