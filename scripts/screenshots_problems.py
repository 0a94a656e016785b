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

import argparse
import sys
from pathlib import Path
from urllib.parse import urljoin

from playwright.sync_api import Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--lang=zh-CN",
]
VIEWPORT = {"width": 1366, "height": 900}
PASSWORD = "bastion-demo"
OUT = Path(__file__).resolve().parents[1] / "docs" / "images"
TIMEOUT_MS = 20_000
MAX_HEIGHT = 2000  # a whole-page picture stops here (lists show 50 rows)


class Shooter:
    def __init__(self, browser, base: str, out: Path):
        self.browser = browser
        self.base = base.rstrip("/")
        self.out = out
        self.pages: dict[str, Page] = {}

    def as_user(self, username: str) -> Page:
        if username not in self.pages:
            context = self.browser.new_context(locale="zh-CN", viewport=VIEWPORT)
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            self.open(page, "/accounts/login/")
            page.get_by_label("用户名").fill(username)
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_load_state()
            if "/accounts/login/" in page.url:
                sys.exit(f"登录失败：{username}（演示数据是否已生成？）")
            self.pages[username] = page
        return self.pages[username]

    def open(self, page: Page, path: str) -> Page:
        url = path if path.startswith(("http:", "https:", "/")) else urljoin(page.url, path)
        url = self.base + url if url.startswith("/") else url
        response = page.goto(url)
        if response is not None and response.status >= 400:
            sys.exit(f"页面出错：{url} 返回 {response.status}")
        page.wait_for_load_state("networkidle")
        return page

    def save(self, page: Page, name: str, height: int | None = None) -> None:
        """The page from its top, ``height`` pixels tall (default: the window; 0: the whole
        page, at most ``MAX_HEIGHT``). The window is resized rather than using ``full_page``
        so that the fixed sidebar is drawn the whole height."""
        if height == 0:
            wanted = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT)
        else:
            wanted = height or VIEWPORT["height"]
        page.set_viewport_size({"width": VIEWPORT["width"], "height": wanted})
        page.evaluate("document.activeElement && document.activeElement.blur(); scrollTo(0, 0)")
        page.wait_for_timeout(500)
        path = self.out / f"problems-{name}.png"
        page.screenshot(path=path)
        page.set_viewport_size(VIEWPORT)
        print(f"{path}  {path.stat().st_size // 1024} KB")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", help="演示服务器地址，如 http://127.0.0.1:18433")
    parser.add_argument("--out", type=Path, default=OUT, help="图片目录（默认 docs/images）")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        shot = Shooter(browser, args.base_url, args.out)
        try:
            problem_list(shot)
            problem_detail(shot)
            library(shot)
            inspection(shot)
            bulletin(shot)
            secretary_overdue(shot)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
