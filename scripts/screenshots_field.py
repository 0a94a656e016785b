"""Screenshots of what a branch meets in the field (自留名册导入, 党员的手机工作台, 红色告警,
计算结果确认, 反馈字段汇总, A4 通报) for the guides of orgs, member home, agenda, evaluation,
tasks and problems.

Usage (against a demo server, never production)::

    export DATABASE_URL=sqlite:////tmp/docs_field.sqlite3
    .venv/bin/python manage.py migrate -v0 && .venv/bin/python manage.py seed_demo --if-empty
    .venv/bin/python manage.py runserver 127.0.0.1:18531 --noreload &
    .venv/bin/python manage.py db_worker &      # checks the import, generates the bulletin
    .venv/bin/python scripts/screenshots_field.py http://127.0.0.1:18531

It logs in as the demo accounts (company / county / secretary / member, password
``bastion-demo``) and writes ``docs/images/field-*.png``:

* ``import-preview``: the secretary uploads a roster kept the way branches keep it, made here
  with openpyxl from the station's own export: a merged title row and a blank row above the
  header, header words of the branch (公民身份号码, 员工编号, 入党时间, 联系电话 …), a phone
  typed in full-width digits and, for one new person, a 15-digit legacy ID number. The preview
  with its "已自动更正" table is taken; the import is never confirmed.
* ``member-home-phone``: the demo member's 工作台 on a 390 px phone.
* ``red-alarms``: the 生命树 card of the secretary's 工作台, listing its red items.
* ``compute-confirm``: the 计算结果 page of a round still in scoring (company); not confirmed.
* ``progress-totals``: the 反馈进度 page of the company's 安全承诺 task (number and choice fields).
* ``bulletin-print``: the A4 print page of a generated 通报; when the demo has none, the county
  generates this quarter's bulletin of its own organization through the 通报晾晒 page.

Apart from the bulletin and the import job (a file checked, nothing written to the roster) it
only opens pages, so it can be run again on the same demo database.
Any page answering 4xx/5xx, or a page without what a picture needs, stops the run and says so.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook, load_workbook
from playwright.sync_api import Page
from shooter import PASSWORD, TIMEOUT_MS, Shooter, run

MAX_HEIGHT = 2000
PHONE = {"width": 390, "height": 844}
PHONE_MAX_HEIGHT = 3200
JOB_WAIT_MS = 120_000  # the db_worker checks the file, the bulletin is generated
PROGRESS_HEIGHT = 1250  # the counts, the totals, the breakdown and the first late rows
TASK_WITH_NUMBERS = "安全承诺践诺"  # demo task: 参加承诺党员人数 (number), 开展形式 (choice)

# The branch's own header words: each one a synonym of the template's (see core/excel/synonyms.py).
BRANCH_HEADER = (
    "姓名",
    "性别",
    "公民身份号码",
    "员工编号",
    "组织编码",
    "政治面貌",
    "入党时间",
    "转正时间",
    "联系电话",
)
EXPORT_HEADER = (
    "姓名",
    "性别",
    "身份证号码",
    "工号",
    "组织编码",
    "政治面貌",
    "入党日期",
    "转正日期",
    "手机号码",
)
NEW_PERSON = (
    "周\u3000杰",  # a full-width space inside the name
    "男",
    "445821750315123",  # 15 digits: 1975-03-15, upgraded to 18 on import
    "DP2026018",
    None,  # the station's code, filled in
    "正式党员",
    dt.date(2001, 7, 1),
    dt.date(2002, 7, 1),
    "１３９０７４５２６８１",  # full-width digits
)


def first_link(page: Page, selector: str, what: str) -> str:
    link = page.locator(selector).first
    if not link.count():
        sys.exit(f"找不到{what}：{page.url}（演示数据是否已生成？）")
    return link.get_attribute("href")


# --- 1. a roster as the station keeps it ----------------------------------------------------


def station_rows(shot: Shooter, page: Page) -> tuple[str, str, list[tuple]]:
    """From the secretary's own 人员名册 export: the station's code and name, and two of its
    party members as rows of EXPORT_HEADER (ID numbers masked, which the import leaves alone)."""
    response = page.request.get(shot.base + "/orgs/people/export/")
    if not response.ok:
        sys.exit(f"导出人员名册失败：返回 {response.status}")
    sheet = load_workbook(BytesIO(response.body()), read_only=True).worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(row for row in rows if row and str(row[0]).startswith("姓名"))
    position = {name.rstrip("*＊ "): i for i, name in enumerate(header) if name}
    people = [dict(zip(position, (row[i] for i in position.values()), strict=True)) for row in rows]
    codes = Counter(p["组织编码"] for p in people if p.get("组织编码"))
    if not codes:
        sys.exit("导出的人员名册是空的（演示数据是否已生成？）")
    code = codes.most_common(1)[0][0]
    name = next(p["所在党组织"] for p in people if p["组织编码"] == code)
    members = [p for p in people if p["组织编码"] == code and p["政治面貌"] == "正式党员"]
    return code, name, [tuple(p.get(h) for h in EXPORT_HEADER) for p in members[:2]]


def short_name(station: str) -> str:
    """青溪县供电局大坪供电所党支部 → 大坪供电所: what the station calls itself."""
    return station.removesuffix("党支部").split("供电局")[-1]


def branch_roster(path: Path, code: str, station: str, members: list[tuple]) -> None:
    """A title merged over the header, a blank row, the branch's header words, a phone in
    full-width digits and with spaces, and a new person with a 15-digit ID number."""
    book = Workbook()
    sheet = book.active
    sheet.title = "党员名册"
    title = short_name(station)
    sheet.append([f"{title}党员名册（2026年）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(BRANCH_HEADER))
    sheet.append([])
    sheet.append(list(BRANCH_HEADER))
    for i, member in enumerate(members):
        row = list(member)
        phone = str(row[-1] or "13907452680")
        row[-1] = f"{phone[:3]} {phone[3:7]} {phone[7:]}" if i == 0 else phone
        sheet.append(row)
    new = list(NEW_PERSON)
    new[BRANCH_HEADER.index("组织编码")] = code
    sheet.append(new)
    for column in "ABCDEFGHI":
        sheet.column_dimensions[column].width = 16
    book.save(path)


def wait_for_job(page: Page) -> None:
    """The job page reloads itself once the worker has checked the file."""
    done = "[data-testid=import-ready], [data-testid=import-invalid], [data-testid=import-failed]"
    try:
        page.locator(done).first.wait_for(timeout=JOB_WAIT_MS)
    except Exception:  # noqa: BLE001 - any timeout: say what to start
        sys.exit(f"导入没有完成校验：{page.url}（db_worker 是否在运行？）")
    page.wait_for_load_state("networkidle")
    if not page.get_by_test_id("import-ready").count():
        errors = page.locator("[data-testid=import-errors], [data-testid=import-failed]")
        sys.exit(f"名册没有通过校验：{page.url}\n{errors.first.inner_text()}")


def import_preview(shot: Shooter, tmp: Path) -> None:
    page = shot.as_user("secretary")
    code, station, members = station_rows(shot, page)
    path = tmp / f"{short_name(station)}党员名册（2026年）.xlsx"
    branch_roster(path, code, station, members)
    shot.open(page, "/orgs/import/people/")
    page.locator("input[type=file]").set_input_files(path)
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_load_state()
    wait_for_job(page)
    if not page.get_by_test_id("import-warnings").count():
        sys.exit(f"预览里没有“已自动更正”的提示：{page.url}")
    print(page.get_by_test_id("import-warnings").inner_text())
    shot.save(page, "import-preview", 0)


# --- 2. the member's home on a phone --------------------------------------------------------


def phone_as(shot: Shooter, username: str) -> Page:
    context = shot.browser.new_context(
        locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = shot.open(context.new_page(), "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    if "/accounts/login/" in page.url:
        sys.exit(f"登录失败：{username}（演示数据是否已生成？）")
    return page


def save_phone(shot: Shooter, page: Page, name: str) -> None:
    """The phone page from its top, whole (at most PHONE_MAX_HEIGHT)."""
    page.evaluate("document.activeElement && document.activeElement.blur(); scrollTo(0, 0)")
    page.wait_for_timeout(800)
    path = shot.path(name)
    height = min(page.evaluate("document.documentElement.scrollHeight"), PHONE_MAX_HEIGHT)
    page.screenshot(
        path=path, full_page=True, clip={"x": 0, "y": 0, "width": PHONE["width"], "height": height}
    )
    shot.report(path)


def member_home(shot: Shooter) -> None:
    page = phone_as(shot, "member")
    shot.open(page, "/")
    if not page.locator("[data-testid=my-work-item], [data-testid=my-work-empty]").count():
        sys.exit(f"党员的工作台上没有“我的任务”卡片：{page.url}")
    save_phone(shot, page, "member-home-phone")
    page.context.close()


# --- 3. the secretary's red alarms ----------------------------------------------------------


def red_alarms(shot: Shooter) -> None:
    page = shot.open(shot.as_user("secretary"), "/")
    if not page.get_by_test_id("widget-red-item").count():
        sys.exit(f"工作台的生命树卡片没有列出红色告警：{page.url}")
    shot.save_element(page, "[data-testid=board-widget]", "red-alarms")


# --- 4. computing a round asks first --------------------------------------------------------


def compute_confirm(shot: Shooter) -> None:
    """The confirmation of a round in scoring, one with scores still missing if there is one
    (the page then counts them by group)."""
    page = shot.open(shot.as_user("company"), "/evaluation/rounds/?state=scoring")
    links = page.locator("[data-testid=round-table] tbody a")
    rounds = [links.nth(i).get_attribute("href") for i in range(links.count())]
    if not rounds:
        sys.exit(f"没有评分中的考评轮次：{page.url}（演示数据是否已生成？）")
    for url in rounds:
        shot.open(page, url.rstrip("/") + "/compute/")
        if not page.get_by_test_id("compute-confirm").count():
            sys.exit(f"计算结果没有先请求确认：{page.url}")
        if page.get_by_test_id("compute-missing").count():
            break
    shot.save(page, "compute-confirm", 0)


# --- 5. the totals of a task's feedback -----------------------------------------------------


def progress_totals(shot: Shooter) -> None:
    page = shot.open(shot.as_user("company"), "/tasks/")
    row = page.locator("tbody tr").filter(has_text=TASK_WITH_NUMBERS).first
    if not row.count():
        sys.exit(f"工作单列表里没有“{TASK_WITH_NUMBERS}”：{page.url}")
    task = row.locator("a").first.get_attribute("href").rstrip("/").rsplit("/", 1)[-1]
    shot.open(page, f"/tasks/progress/{task}/")
    if not page.get_by_test_id("field-totals").count():
        sys.exit(f"反馈进度页上没有反馈字段汇总：{page.url}")
    shot.save(page, "progress-totals", PROGRESS_HEIGHT)


# --- 6. the 通报 as printed -----------------------------------------------------------------


def issued_bulletin(shot: Shooter, page: Page) -> str:
    """The address of a generated bulletin; the county generates one when there is none."""
    shot.open(page, "/problems/bulletins/")
    done = page.get_by_test_id("bulletin-row").filter(has_text="已生成")
    if not done.count():
        page.get_by_test_id("bulletin-form").get_by_role("button", name="生成").click()
        page.wait_for_load_state("networkidle")
        errors = page.locator("[data-testid^=error-]")
        if errors.count():
            sys.exit(f"通报没有生成：{errors.first.inner_text()}（{page.url}）")
        status = page.locator("[data-testid=bulletin-status][data-status=done]")
        try:
            status.wait_for(timeout=JOB_WAIT_MS)
        except Exception:  # noqa: BLE001 - any timeout: say what to start
            sys.exit(f"通报没有生成完成：{page.url}（db_worker 是否在运行？）")
        return page.url
    return done.first.locator("a").first.get_attribute("href")


def bulletin_print(shot: Shooter) -> None:
    page = shot.as_user("county")
    detail = issued_bulletin(shot, page)
    shot.open(page, detail.rstrip("/") + "/print/")
    shot.save(page, "bulletin-print", 0)


def steps(shot: Shooter, tmp: Path) -> None:
    import_preview(shot, tmp)
    member_home(shot)
    red_alarms(shot)
    compute_confirm(shot)
    progress_totals(shot)
    bulletin_print(shot)


def main() -> None:
    run(__doc__, "field", steps, max_height=MAX_HEIGHT)


if __name__ == "__main__":
    main()
