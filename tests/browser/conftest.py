"""The browser suite: the local runtime (as `make run` starts it) and Debian's Chromium driven
by Playwright. Every page a test opens is watched: a Content-Security-Policy violation, an
uncaught script error, an error the page logs to the console, a JavaScript dialog, or a
refresh asked for without a session (the 401 every page logged at load, issue 12) fails the
test. The console's "Failed to load resource" lines for the refusals a test provokes on
purpose (a wrong password, a 409) are not script errors and are left to the test."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Page,
    Response,
    expect,
    sync_playwright,
)

from local import demo_data
from tests import staff_mfa
from tests.local.conftest import RunningPortal, start_portal

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
FRONTDESK, ADMIN = demo_data.STAFF_LOGINS
AVA = next(login for login in demo_data.PATIENT_LOGINS if login.username == "ava.thompson")

# A phone (docs/performance.md "Pages"): the context options of a 390 x 844 touch screen.
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

expect.set_options(timeout=8000)

# Records every CSP violation the page itself reports, before any of the page's scripts run.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture(scope="session")
def portal() -> Iterator[RunningPortal]:
    running = start_portal()
    yield running
    assert running.stop() == 0, "".join(running.output)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Watched:
    """What went wrong in a page: CSP violations, script errors, console errors, dialogs,
    refresh probes without a session."""

    csp: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    probes: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.csp.append(message.text)
        elif message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(f"console: {message.text}")

    def response(self, response: Response) -> None:
        """A refresh answered 401 to a page that held no refresh cookie: it asked with nobody
        signed in, which the pages must not do (the marker cookie, docs/decisions.md)."""
        if response.status == 401 and response.url.endswith("/api/auth/refresh"):
            cookies = response.request.all_headers().get("cookie", "")
            if "_refresh=" not in cookies:
                self.probes.append(f"{response.frame.url}: refresh asked without a session")

    def dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()


def watched_context(browser: Browser, portal: RunningPortal, **options: Any) -> tuple[BrowserContext, Watched]:
    options = {"viewport": {"width": 1280, "height": 900}, **options}  # a desk's screen unless told
    context = browser.new_context(base_url=portal.url, **options)
    context.set_default_timeout(8000)
    context.add_init_script(WATCH_CSP)
    watched = Watched()

    def on_page(page: Page) -> None:
        page.on("console", watched.console)
        page.on("pageerror", lambda error: watched.errors.append(str(error)))
        page.on("dialog", watched.dialog)
        page.on("response", watched.response)

    context.on("page", on_page)
    return context, watched


def assert_clean(pages: list[Page], watched: Watched) -> None:
    for page in pages:
        if not page.is_closed():
            watched.csp.extend(page.evaluate("window.__cspViolations || []"))
            assert page.evaluate("typeof window.__xss") == "undefined", "an injected script ran"
    assert watched.csp == [], f"CSP violations: {watched.csp}"
    assert watched.errors == [], f"script errors: {watched.errors}"
    assert watched.dialogs == [], f"unexpected dialogs: {watched.dialogs}"
    assert watched.probes == [], f"refresh probes without a session: {watched.probes}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: Browser, portal: RunningPortal) -> Iterator[Page]:
    """A fresh browser profile (no cookies) under the runtime's real CSP; on another screen
    when parametrized indirectly with its context options (PHONE)."""
    context, watched = watched_context(browser, portal, **getattr(request, "param", {}))
    opened = context.new_page()
    yield opened
    pages = list(context.pages)
    try:
        failed = getattr(request.node, "report_call", None)
        if failed is not None and failed.failed and not opened.is_closed():
            # What the page showed when the test failed, in the test's captured output.
            print("page text at failure:\n" + opened.locator("body").inner_text())  # noqa: T201
        assert_clean(pages, watched)
    finally:
        context.close()


# --- the API, as other people use it while the page is open ----------------------------------


class Client:
    """A signed-in person's API calls, renewing the token as the pages do: another session of
    the same person signing out refuses this token, and its own refresh cookie gets a new one."""

    def __init__(self, portal: RunningPortal, answer: requests.Response, account: str) -> None:
        self.url = portal.url
        self.account = account
        self.cookies = {name: value for name, value in answer.cookies.items() if name.endswith("_refresh")}
        self.headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def _send(self, method: str, path: str, **arguments: Any) -> requests.Response:
        answer = requests.request(method, f"{self.url}{path}", headers=self.headers, timeout=10, **arguments)
        if answer.status_code != 401 or not self.cookies:
            return answer
        renewed = requests.post(
            f"{self.url}/api/auth/refresh", json={"account": self.account}, cookies=self.cookies, timeout=10
        )
        if renewed.status_code != 200:
            return answer
        self.headers = {"Authorization": f"Bearer {renewed.json()['access_token']}"}
        return requests.request(method, f"{self.url}{path}", headers=self.headers, timeout=10, **arguments)

    def get(self, path: str, **params: Any) -> Any:
        answer = self._send("GET", path, params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def post(self, path: str, body: Any = None, expect: int | None = 200) -> Any:
        answer = self._send("POST", path, json=body or {})
        if expect is not None:
            assert answer.status_code == expect, answer.text
        return answer.json()

    def put(self, path: str, body: Any) -> Any:
        answer = self._send("PUT", path, json=body)
        assert answer.status_code == 200, answer.text
        return answer.json()


def login(portal: RunningPortal, who: str, username: str, password: str) -> Client:
    if who == "staff":  # with the authenticator app's code
        answer = staff_mfa.sign_in_over_http(portal.url, username, password)
    else:
        answer = requests.post(
            f"{portal.url}/api/auth/{who}/login", json={"username": username, "password": password}, timeout=10
        )
    assert answer.status_code == 200, answer.text
    return Client(portal, answer, who)


@pytest.fixture(scope="session")
def patient(portal: RunningPortal) -> Client:
    return login(portal, "patient", AVA.username, AVA.password)


@pytest.fixture(scope="session")
def colleague(portal: RunningPortal) -> Client:
    """Another member of staff, working the same queue from another desk."""
    return login(portal, "staff", ADMIN.username, ADMIN.password)


def submit(patient: Client, **request: Any) -> str:
    return str(patient.post("/api/portal/requests", request, expect=201)["request_id"])


def queue_item(staff: Client, request_id: str) -> dict[str, Any]:
    rows = staff.get("/api/staff/queue", order="newest", limit=200)["items"]
    return next(row for row in rows if row["request_id"] == request_id)


# --- the page ------------------------------------------------------------------------------


def enter_code(page: Page) -> None:
    """The sign-in's second step: the authenticator app's current code (the demo staff's app
    is enrolled with the emulator's secret)."""
    page.get_by_label("Code from your authenticator app").fill(staff_mfa.code_now())
    page.get_by_role("button", name="Sign in").click()


def enrol_app(page: Page) -> None:
    """A first sign-in's (or a reset's) step: the app's first code confirms the enrolment."""
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    page.get_by_label("Code the app shows now").fill(staff_mfa.code_now())
    page.get_by_role("button", name="Confirm and sign in").click()


def sign_in(page: Page, username: str = FRONTDESK.username, password: str = FRONTDESK.password) -> None:
    page.goto("/staff/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    enter_code(page)
    page.locator("#app-view").wait_for(state="visible")
    page.locator("#compact-count").filter(has_text="open item").wait_for()


def pop_out(page: Page) -> None:
    page.get_by_role("button", name="Open the full queue").click()
    page.locator("#full-queue").wait_for(state="visible")


def row(page: Page, request_id: str) -> Any:
    return page.locator(f'#queue-rows tr[data-id="{request_id}"]')


def assert_accessible(page: Page, view: str) -> None:
    """axe-core finds no serious or critical violation in what is on screen now."""
    assert AXE.is_file(), "axe-core is missing: `make test` runs `npm ci --prefix tests/browser`"
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) allows it.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations
                .filter((v) => v.impact === "serious" || v.impact === "critical")
                .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
        }"""
    )
    assert found == [], f"axe, {view}: {found}"
