"""Fixtures for the browser journeys: Debian's Chromium, the live server, roles, failure evidence.

The live server needs a transactional database, whose flush after each test also empties the
roles the data migration seeded. Every test here re-seeds them from that migration before building
its personas, and again after the flush: a test that runs next on the same xdist worker expects
the migrated roles to be there.
"""

import os
import re
from pathlib import Path

import pytest

from bastion.core.testing_seeds import seed_default_roles

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the tests
# (building data, asserting what was written) would otherwise be refused as "async unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "bastion-test"
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
REPORTS = pytest.StashKey[dict]()
DB_BLOCKER = pytest.StashKey[object]()
# Playwright waits this long for a page or element before failing: enough for a slow CI machine,
# short enough that a broken journey fails well inside the suite's time budget.
TIMEOUT_MS = 10_000


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: under CI the browser tests must run, never skip.")
        pytest.skip(reason)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A test narrows the viewport with @pytest.mark.browser_context_args(viewport=PHONE).
    return {**browser_context_args, "locale": "zh-CN", "viewport": DESKTOP}


@pytest.fixture
def page(page, request):
    """The plugin's page, plus a screenshot and the HTML in test-results/ when the test failed."""
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    reports = request.node.stash.get(REPORTS, {})
    if any(report.failed for report in reports.values()):
        _save_evidence(page, request.node.name)


def _save_evidence(page, test_name: str) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    stem = RESULTS_DIR / re.sub(r"[^\w.-]+", "_", test_name).strip("_")
    try:
        page.screenshot(path=f"{stem}.png", full_page=True)
        stem.with_suffix(".html").write_text(page.content(), encoding="utf-8")
    except Exception as exc:  # the page may be gone; the test's own failure is what matters
        print(f"could not save browser evidence for {test_name}: {exc}")


@pytest.fixture(autouse=True)
def _default_roles(transactional_db, django_db_blocker, request):
    seed_default_roles()
    request.node.stash[DB_BLOCKER] = django_db_blocker


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    blocker = item.stash.get(DB_BLOCKER, None)
    # After the last test the session tears the test database down: nothing to restore then.
    if blocker is not None and nextitem is not None:
        with blocker.unblock():
            seed_default_roles()
    return result


@pytest.fixture(scope="session")
def base_url(live_server):
    """Pages open by path (page.goto("/orgs/")) on the live server."""
    return live_server.url


@pytest.fixture
def login():
    """Log in through the real login form, as a person would."""

    def _login(page, user, password=PASSWORD):
        page.goto("/accounts/login/")
        page.get_by_label("用户名", exact=True).fill(user.username)
        page.get_by_label("密码", exact=True).fill(password)
        page.get_by_role("button", name="登录", exact=True).click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return _login


@pytest.fixture
def phone(browser, browser_context_args, request):
    """A fresh phone-sized page (390×844, touch) per call, each with its own session; the pages
    are saved to test-results/ when the test failed, as the desktop ``page`` is."""
    opened = []
    args = {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}

    def _open():
        page = browser.new_context(**args).new_page()
        page.set_default_timeout(TIMEOUT_MS)
        opened.append(page)
        return page

    yield _open
    reports = request.node.stash.get(REPORTS, {})
    if any(report.failed for report in reports.values()):
        for n, page in enumerate(opened, start=1):
            if not page.is_closed():
                _save_evidence(page, f"{request.node.name}_phone{n}")
    for page in opened:
        page.context.close()
