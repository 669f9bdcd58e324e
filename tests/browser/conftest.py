"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Skipped with a clear reason when /usr/bin/chromium is missing, unless REQUIRE_BROWSER=1 (CI),
which turns a missing browser into a failure. The live server needs committed data, so each test
is transactional: it starts from the session's snapshot of the demo data (serialized_rollback,
restored in about a second instead of loading the demo data again) and the database is emptied
after it; `demo_snapshot` puts the demo data back once the module is done.

Every page a test opens through `site` is checked with axe-core (the npm package, pinned in
package-lock.json, installed by `make install`) once per user, address and width, without the test
asking for it: a page that loaded is audited before the test's next call on it, after a change of
width, and at the end of the test. Any critical or serious violation fails the test, naming the
rule, the elements and the address.
"""
import os
from pathlib import Path
from urllib.parse import urlencode

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# Test runs write screenshots under var/ (not tracked); refresh the README's pictures with
# SCREENSHOT_DIR=docs/screenshots make test PYTEST_ARGS=tests/browser
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / os.environ.get("SCREENSHOT_DIR", "var/screenshots")
PASSWORD = "demo2026"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 740}
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Impacts that fail a test; "moderate" and "minor" are advice.
AXE_FAILING = ("critical", "serious")
# Swagger UI (/api/v1/docs, a developers' page) is a vendored third-party bundle whose colours and
# nested controls are upstream's; everything of ours around it is still checked.
AXE_EXCLUDE = [[".swagger-ui"]]
# preload: false: axe would otherwise copy the pages' style sheets into inline <style> elements
# (for its one CSSOM rule, css-orientation-lock), which the Content-Security-Policy rightly blocks
# and the `site` fixture would report as the application's violation.
AXE_RUN = """async ([failing, exclude]) => {
  const result = await axe.run({exclude: exclude}, {resultTypes: ["violations"], preload: false});
  return result.violations.filter((v) => failing.includes(v.impact)).map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")), count: v.nodes.length,
  }));
}"""


def _browser_missing_reason():
    if not os.path.exists(CHROMIUM):
        return f"không có Chromium tại {CHROMIUM} (cài bằng: apt-get install -y chromium)."
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "chưa cài gói playwright (pip install playwright)."
    if not AXE_JS.exists():
        return f"chưa cài axe-core ({AXE_JS.relative_to(ROOT)}; cài bằng: npm ci, hoặc make install)."
    return None


def pytest_collection_modifyitems(config, items):
    reason = _browser_missing_reason()
    if reason is None:
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"REQUIRE_BROWSER=1 nhưng {reason}")
    marker = pytest.mark.skip(reason=f"Bỏ qua kiểm thử trình duyệt: {reason}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(marker)


def pytest_terminal_summary(terminalreporter):
    reason = _browser_missing_reason()
    if reason and os.environ.get("REQUIRE_BROWSER") != "1":
        terminalreporter.write_line(f"Bỏ qua kiểm thử trình duyệt: {reason}", yellow=True)


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def demo_data(demo_snapshot, django_db_serialized_rollback, transactional_db):
    """The demo data, committed for the live server: restored from the snapshot before the test.
    The cache (login throttling, sessions) starts empty too."""
    from django.core.cache import cache

    cache.clear()


# Every page reports Content-Security-Policy violations on the console, where Chromium also
# writes its own "Refused to ..." messages; the `site` fixture fails the test if any appear.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


def is_csp_message(message):
    text = message.text
    return "CSP violation" in text or "Content Security Policy" in text


@pytest.fixture(scope="session")
def user_contexts(chromium):
    """One browser context per demo user for the whole session, so that later tests find the
    scripts, styles and fonts cached and compiled (a fresh context costs Chromium about a second
    of CPU). Each test still logs in anew: `site` clears the cookies before a user's first page.

    Each context also keeps one page open on the live server's /healthz (`KEEPER`), never
    audited nor handed to a test: while it lives, Chromium gives the context's new pages its
    renderer process instead of starting one for each (0.4 s of CPU a page instead of 0.8)."""
    contexts = {}
    yield contexts
    for context in list(contexts.values()):
        context.close()


def new_context(chromium, viewport=DESKTOP):
    context = chromium.new_context(viewport=viewport, locale="vi-VN", accept_downloads=True)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    return context


KEEPER = "/healthz"  # loads nothing else, never polls, and no test opens it: its URL names the keeper


def is_keeper(page, base_url):
    return page.url == f"{base_url}{KEEPER}"


# Page methods a test calls next after a page loaded: the audit of the loaded page runs first.
AUDITED_CALLS = (
    "goto", "reload", "go_back", "click", "fill", "press", "check", "focus", "locator", "get_by_role",
    "get_by_label", "get_by_text", "set_input_files", "evaluate", "screenshot", "expect_download",
    "wait_for_url", "close",
)


class AxeAudit:
    """axe-core on every page loaded in a Playwright page, once per (user, address, width) in the
    session; critical and serious violations are collected in `violations` as readable lines."""

    def __init__(self, base_url, checked, violations):
        self.base_url = base_url
        self.checked = checked
        self.violations = violations
        self.source = AXE_JS.read_text(encoding="utf-8")

    def watch(self, page, who):
        """Wrap the page so that each document it loads is audited before the test's next call."""
        raw = {name: getattr(page, name) for name in AUDITED_CALLS + ("set_viewport_size",)}
        pending = {"load": False}

        def audit_pending():
            if pending["load"] and not page.is_closed():
                pending["load"] = False
                self.audit(page, raw, who, pending)

        def audited(name):
            def call(*args, **kwargs):
                audit_pending()
                return raw[name](*args, **kwargs)
            return call

        def set_viewport_size(viewport):
            audit_pending()
            raw["set_viewport_size"](viewport)
            pending["load"] = True  # the same document at another width is another page to check

        page.on("load", lambda _page: pending.__setitem__("load", True))
        for name in AUDITED_CALLS:
            setattr(page, name, audited(name))
        page.set_viewport_size = set_viewport_size
        page.axe_pending = audit_pending  # the end of the test audits what each page last showed
        return page

    def audit(self, page, raw, who, pending):
        from playwright.sync_api import Error

        width = page.viewport_size["width"]
        address = page.url.removeprefix(self.base_url)
        key = (who, address, width)
        if key in self.checked or not page.url.startswith(self.base_url):
            return
        try:
            page.wait_for_load_state("load")
            # evaluate() is not subject to the page's Content-Security-Policy, unlike a <script> tag.
            if not raw["evaluate"]("typeof window.axe !== 'undefined'"):
                raw["evaluate"](self.source)
            found = raw["evaluate"](AXE_RUN, [list(AXE_FAILING), AXE_EXCLUDE])
        except Error as error:
            if "context was destroyed" in str(error) or "navigation" in str(error):
                pending["load"] = True  # the page moved on meanwhile: audit the new one next
                return
            raise
        self.checked.add(key)
        if os.environ.get("AXE_LOG"):
            print(f"axe: {address} [{width}px, {who}]: {len(found)} violation(s)")
        for violation in found:
            more = f" (+{violation['count'] - len(violation['targets'])})" if violation["count"] > len(violation["targets"]) else ""
            self.violations.append(
                f"{address} [{width}px, {who}]: {violation['impact']} {violation['id']} – {violation['help']}: "
                + ", ".join(violation["targets"]) + more
            )


@pytest.fixture(scope="session")
def axe_checked():
    """(user, address, width) already audited in this session."""
    return set()


@pytest.fixture
def site(live_server, demo_data, chromium, user_contexts, axe_checked):
    """Open pages as a given demo user: site.page("tramyte", path="/van-ban/") -> a logged-in
    Playwright page at that address.

    A user's first page in a test starts with no cookies and a new session (through the login form,
    keyboard only, when asked); the user's later pages in the test share that session, sized to the
    viewport asked for.
    No page opened through it may violate the Content-Security-Policy (checked at the end) nor have
    a critical or serious accessibility violation (axe-core)."""
    anonymous_contexts = []
    logged_in = set()
    violations = []
    accessibility = []
    axe = AxeAudit(live_server.url, axe_checked, accessibility)
    opened = []

    class Site:
        url = live_server.url
        csp_violations = violations

        def _page(self, context, viewport, who):
            page = axe.watch(context.new_page(), who)
            opened.append(page)
            if page.viewport_size != viewport:
                page.set_viewport_size(viewport)
            page.on("console", lambda message: violations.append(f"{page.url}: {message.text}") if is_csp_message(message) else None)
            page.set_default_timeout(15000)
            return page

        def anonymous_page(self, viewport=DESKTOP):
            context = new_context(chromium, viewport)
            anonymous_contexts.append(context)
            return self._page(context, viewport, "anonymous")

        def page(self, username, viewport=DESKTOP, path="/", by_form=False):
            """A page logged in as `username`, open at `path` (the home page by default).

            The user's session is made on the server, as Django's test client does, and handed to
            the browser as its cookie; `by_form=True` logs in through the login form instead,
            keyboard only (the login page itself has tests of its own)."""
            context = user_contexts.get(username)
            if context is None:
                context = user_contexts[username] = new_context(chromium)
                context.on("close", lambda context: user_contexts.pop(username, None))
                context.new_page().goto(f"{self.url}{KEEPER}")
            page = self._page(context, viewport, username)
            if username in logged_in:
                return self.go(page, path)
            context.clear_cookies()  # nothing of an earlier test: no session, no message
            logged_in.add(username)
            if not by_form:
                context.add_cookies([session_cookie(username, self.url)])
                return self.go(page, path)
            page.goto(f"{self.url}/accounts/login/?{urlencode({'next': path})}")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            page.press("#id_password", "Enter")  # keyboard only
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
            return page

        def go(self, page, path):
            page.goto(f"{self.url}{path}")
            return page

        def shot(self, page, name):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            width = page.viewport_size["width"]
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=width < 800)

        def both_widths(self, username, path, name):
            """The page at the office and the phone width: screenshot, and no sideways scrolling."""
            page = self.page(username, DESKTOP, path)
            for viewport in (DESKTOP, PHONE):
                if page.viewport_size != viewport:
                    page.set_viewport_size(viewport)
                    self.go(page, path)
                self.shot(page, name)
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 1, f"{path} scrolls sideways by {overflow}px at {viewport['width']}px"
            page.close()

    yield Site()
    for page in opened:  # what each page showed last
        page.axe_pending()
    for context in anonymous_contexts:
        context.close()
    for context in list(user_contexts.values()):
        for page in context.pages:  # no page of this test keeps polling the server in the next
            if not is_keeper(page, live_server.url):
                page.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)
    assert not accessibility, "Accessibility violations (axe-core, critical/serious):\n" + "\n".join(accessibility)


def session_cookie(username, url):
    """A logged-in session of `username` as the browser cookie for `url`."""
    from django.conf import settings
    from django.test import Client

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": url,
        "httpOnly": True,
        "secure": settings.SESSION_COOKIE_SECURE,
        "sameSite": "Lax",
    }


def confirm(page, label, says=None):
    """Answer the confirmation dialog of the action just clicked: check what it says, then confirm."""
    from playwright.sync_api import expect  # Playwright is optional: see _browser_missing_reason

    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    if says:
        expect(dialog).to_contain_text(says)
    dialog.get_by_role("button", name=f"Xác nhận {label.lower()}").click()
