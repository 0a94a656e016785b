"""What the documentation screenshot scripts share: Debian's Chromium, a signed-in page per demo
account, and pictures that keep the fixed sidebar whole.

Used by ``scripts/screenshots_<module>.py``; run those, not this file.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
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
    # The browser's own widgets (date and file inputs) in Chinese; takes effect only where the
    # Chromium translations are installed (Debian package chromium-l10n).
    "--lang=zh-CN",
]
VIEWPORT = {"width": 1366, "height": 900}
PASSWORD = "bastion-demo"
OUT = Path(__file__).resolve().parents[1] / "docs" / "images"
TIMEOUT_MS = 20_000


class Shooter:
    """Pictures named ``<prefix>-<name>.png`` in ``out``; ``max_height`` caps whole pages."""

    def __init__(self, browser, base: str, out: Path, prefix: str, max_height: int | None = None):
        self.browser = browser
        self.base = base.rstrip("/")
        self.out = out
        self.prefix = prefix
        self.max_height = max_height
        self.pages: dict[str, Page] = {}

    # --- sessions ---------------------------------------------------------------------------

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
        """Go to ``path``: absolute, from the site root (``/agenda/``) or relative (``?org=``)."""
        url = path if path.startswith(("http:", "https:", "/")) else urljoin(page.url, path)
        url = self.base + url if url.startswith("/") else url
        response = page.goto(url)
        self.check(page, response, url)
        return page

    @staticmethod
    def check(page: Page, response, url: str) -> None:
        if response is not None and response.status >= 400:
            sys.exit(f"页面出错：{url} 返回 {response.status}")
        page.wait_for_load_state("networkidle")

    # --- saving -----------------------------------------------------------------------------

    def path(self, name: str) -> Path:
        return self.out / f"{self.prefix}-{name}.png"

    def save(self, page: Page, name: str, height: int | None = None) -> None:
        """The page from its top, ``height`` pixels tall (default: the window; 0: the whole
        page, at most ``max_height``). The window is resized rather than using ``full_page``,
        so that the fixed sidebar is drawn the whole height instead of floating in the middle."""
        if height == 0:
            wanted = page.evaluate("document.documentElement.scrollHeight")
            wanted = min(wanted, self.max_height) if self.max_height else wanted
        else:
            wanted = height or VIEWPORT["height"]
        page.set_viewport_size({"width": VIEWPORT["width"], "height": wanted})
        page.evaluate("document.activeElement && document.activeElement.blur(); scrollTo(0, 0)")
        page.wait_for_timeout(500)
        path = self.path(name)
        page.screenshot(path=path)
        page.set_viewport_size(VIEWPORT)
        self.report(path)

    @staticmethod
    def report(path: Path) -> None:
        print(f"{path}  {path.stat().st_size // 1024} KB")

    def save_element(self, page: Page, selector: str, name: str, padding: int = 8):
        box = page.locator(selector).first.bounding_box()
        if box is None:
            sys.exit(f"找不到页面元素 {selector}：{page.url}")
        path = self.path(name)
        page.screenshot(
            path=path,
            full_page=True,
            clip={
                "x": max(box["x"] - padding, 0),
                "y": max(box["y"] - padding, 0),
                "width": box["width"] + 2 * padding,
                "height": box["height"] + 2 * padding,
            },
        )
        self.report(path)


def run(doc: str, prefix: str, steps: Callable[[Shooter, Path], None], **options) -> None:
    """Parse ``base_url`` / ``--out``, start Chromium and hand ``steps`` a Shooter and a
    temporary directory (for files a journey uploads)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("base_url", help="演示服务器地址，如 http://127.0.0.1:18311")
    parser.add_argument("--out", type=Path, default=OUT, help="图片目录（默认 docs/images）")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            steps(Shooter(browser, args.base_url, args.out, prefix, **options), Path(tmp))
        finally:
            browser.close()
