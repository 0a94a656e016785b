"""Screenshots of the 组织生活 (agenda) pages for ``docs/agenda-guide.md``.

Usage (against a demo server, never production)::

    export DATABASE_URL=sqlite:////tmp/docs_agenda.sqlite3
    .venv/bin/python manage.py migrate -v0 && .venv/bin/python manage.py seed_demo --if-empty
    .venv/bin/python manage.py runserver 127.0.0.1:18311 --noreload &
    .venv/bin/python scripts/screenshots_agenda.py http://127.0.0.1:18311

It logs in as the demo accounts (secretary / county / company, password ``bastion-demo``) and
writes ``docs/images/agenda-*.png``. The demo data already holds today's daily digests; on an
older demo database run ``manage.py agenda_daily --now`` first.

It WRITES to the demo database: the secretary records a make-up meeting (补开) for the oldest
overdue meeting item on the board, and the county committee sends it back (退回). Each run
therefore adds one returned meeting; run it on a demo copy only.
Any page answering 4xx/5xx stops the run with the address.
"""

from __future__ import annotations

import sys
from pathlib import Path

from shooter import Shooter, run

# A sign-in sheet drawn by the browser itself: the evidence photo uploaded with the meeting.
SIGN_IN_SHEET = """<!doctype html><html><body style="margin:0;font:16px sans-serif;background:#fff">
<div style="padding:16px;width:420px">
<h3 style="margin:0 0 8px">会议签到表</h3>
<table border="1" cellpadding="6" style="border-collapse:collapse;width:100%">
<tr><th>序号</th><th>姓名</th><th>签到</th></tr>
<tr><td>1</td><td>　</td><td>✔</td></tr><tr><td>2</td><td>　</td><td>✔</td></tr>
<tr><td>3</td><td>　</td><td>✔</td></tr><tr><td>4</td><td>　</td><td>请假</td></tr>
</table></div></body></html>"""


# --- the journeys -------------------------------------------------------------------------------


def secretary_board_and_map(shot: Shooter) -> None:
    page = shot.open(shot.as_user("secretary"), "/agenda/board/")
    shot.save(page, "board", 0)
    shot.open(page, "/agenda/map/")
    shot.save(page, "map", 0)


def sign_in_sheet(shot: Shooter, directory: Path) -> Path:
    page = shot.browser.new_page(viewport={"width": 452, "height": 260})
    page.set_content(SIGN_IN_SHEET)
    path = directory / "会议签到表.png"
    page.screenshot(path=path)
    page.close()
    return path


def record_make_up_meeting(shot: Shooter, tmp: Path) -> str:
    """The secretary opens the oldest overdue meeting item from the board (补开), fills the
    form with one member on leave, attaches the sign-in sheet and submits it. Returns the
    meeting's address."""
    page = shot.open(shot.as_user("secretary"), "/agenda/board/")
    action = page.locator(
        "[data-testid=board-red] a[data-testid=item-action][href*='/agenda/meetings/add/']"
    )
    if action.count():
        shot.open(page, action.first.get_attribute("href"))
    else:  # nothing overdue: record this month's 主题党日 for the first organization offered
        shot.open(page, "/agenda/meetings/add/?kind=theme_day")
        org = page.locator("#id_org option[value]:not([value=''])").first.get_attribute("value")
        shot.open(page, f"/agenda/meetings/add/?org={org}&kind=theme_day")
    page.fill("#id_topic", "补开主题党日：学习安全生产事故通报，重温入党誓词")
    page.fill("#id_place", "供电所党员活动室")
    hosts = page.locator("#id_host option")
    if hosts.count() > 1:
        page.select_option("#id_host", index=1)
    page.fill(
        "#id_minutes",
        "一、书记通报上月安全生产事故案例；\n二、全体党员重温入党誓词；\n三、讨论本所安全承诺落实措施。",
    )
    voting = page.locator("#roster tbody tr[data-voting='1']")
    if voting.count() > 1:
        row = voting.nth(1)
        row.locator("input[type=radio][value=leave]").check()
        row.locator("input[type=text]").fill("值班抢修")
    page.set_input_files("#id_files", str(sign_in_sheet(shot, tmp)))
    shot.save(page, "meeting-form", 0)
    with page.expect_navigation():
        page.get_by_role("button", name="保存并提交审核").click()
    if "/agenda/meetings/add/" in page.url:
        sys.exit("会议记录未能保存：" + page.inner_text("main")[:500])
    return page.url


def county_returns_meeting(shot: Shooter, meeting_url: str) -> None:
    page = shot.open(shot.as_user("county"), meeting_url)
    box = page.locator("[data-testid=review-box]")
    if not box.count():
        sys.exit(f"县公司党委看不到审核框：{meeting_url}")
    box.get_by_label("退回").check()
    box.locator("textarea").fill("签到表未写姓名，请补充会议照片和签名后重新提交。")
    shot.save(page, "meeting-review", 1000)
    with page.expect_navigation():
        box.get_by_role("button", name="提交审核结论").click()


def dues_ledger_with_alarm(shot: Shooter) -> None:
    """Follow the dues totals down to a branch with a six-month alarm (else the secretary's
    own ledger)."""
    page = shot.open(shot.as_user("company"), "/agenda/dues/totals/")
    for _level in range(5):
        rows = page.locator("[data-testid=totals-row]").filter(has=page.locator(".badge.bg-red"))
        if not rows.count():
            break
        row = rows.first
        drill = row.locator("td").first.locator("a")
        link = drill if drill.count() else row.get_by_role("link", name="台账")
        shot.open(page, link.first.get_attribute("href"))
        if "/agenda/dues/totals/" not in page.url:
            break
    if "/agenda/dues/totals/" in page.url:  # no alarm anywhere: the secretary's own ledger
        page = shot.open(shot.as_user("secretary"), "/agenda/dues/")
    shot.save(page, "dues")


def company_pages(shot: Shooter) -> None:
    page = shot.open(shot.as_user("company"), "/agenda/terms/")
    shot.save(page, "terms")
    shot.open(page, "/agenda/rules/")
    shot.save_element(page, "[data-testid=year-calendar]", "calendar")
    # The company's roll-up lists every county and department; drill into the first county so
    # the table and its chart are readable in one picture.
    shot.open(page, "/agenda/rollup/")
    drill = page.locator("[data-testid=rollup-row]:not([data-own]) a[data-testid=drill]")
    shot.open(page, drill.first.get_attribute("href"))
    page.locator("#rollup-chart canvas").first.wait_for()
    page.wait_for_timeout(1000)  # the bars grow in with an animation
    shot.save(page, "rollup", 0)


def inbox(shot: Shooter) -> None:
    page = shot.open(shot.as_user("secretary"), "/inbox/")
    shot.save(page, "inbox", 420)
    digest = page.locator("[data-testid=inbox-list] a", has_text="每日工作提醒")
    if digest.count():
        shot.open(page, digest.first.get_attribute("href"))
        shot.save(page, "digest", 640)


def steps(shot: Shooter, tmp: Path) -> None:
    secretary_board_and_map(shot)
    meeting_url = record_make_up_meeting(shot, tmp)
    county_returns_meeting(shot, meeting_url)
    dues_ledger_with_alarm(shot)
    company_pages(shot)
    inbox(shot)


def main() -> None:
    run(__doc__, "agenda", steps)


if __name__ == "__main__":
    main()
