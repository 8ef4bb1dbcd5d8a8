"""The staff queue page with 500 open items (docs/performance.md "Pages"): from navigation to the
table filled, in headless Chromium against the local runtime, with the server's share beside
it: the same API pages fetched without a browser, and a static page load as the baseline."""

from __future__ import annotations

import statistics
import time

import requests
from playwright.sync_api import sync_playwright

from local import demo_data
from tests import staff_mfa
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.local.conftest import start_portal

OPEN_ITEMS = 500
RUNS = 5
FRONTDESK = demo_data.STAFF_LOGINS[0]
AVA = next(login for login in demo_data.PATIENT_LOGINS if login.username == "ava.thompson")


def token(url: str, who: str, username: str, password: str) -> str:
    if who == "staff":  # with the authenticator app's code
        return staff_mfa.staff_token_over_http(url, username, password)
    answer = requests.post(f"{url}/api/auth/{who}/login", json={"username": username, "password": password}, timeout=10)
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def fill_queue(url: str) -> int:
    headers = {"Authorization": f"Bearer {token(url, 'patient', AVA.username, AVA.password)}"}
    staff = {"Authorization": f"Bearer {token(url, 'staff', FRONTDESK.username, FRONTDESK.password)}"}
    open_now = len(requests.get(f"{url}/api/staff/queue?limit=200", headers=staff, timeout=10).json()["items"])
    for number in range(OPEN_ITEMS - open_now):
        body = {"type": "refill", "medication": f"benchmark medicine {number}", "dosage": "10 mg"}
        requests.post(f"{url}/api/portal/requests", json=body, headers=headers, timeout=10).raise_for_status()
    return OPEN_ITEMS


def server_seconds(url: str) -> float:
    """Every page of the open queue, one after another, as the page asks for them."""
    staff = {"Authorization": f"Bearer {token(url, 'staff', FRONTDESK.username, FRONTDESK.password)}"}
    started, cursor = time.perf_counter(), None
    while True:
        query = "limit=200" + (f"&cursor={cursor}" if cursor else "")
        cursor = requests.get(f"{url}/api/staff/queue?{query}", headers=staff, timeout=10).json()["next_cursor"]
        if not cursor:
            return time.perf_counter() - started


# Notes, in the page itself, when the table first holds every item: milliseconds from the
# start of the navigation (performance.now()). Waiting from outside with Playwright polls at
# growing intervals (up to 500 ms) and would measure its own backoff.
WATCH_TABLE = """
(() => {
  const wanted = %d;
  const watch = new MutationObserver(() => {
    const body = document.getElementById("queue-rows");
    if (body && body.children.length >= wanted && window.__filledAt === undefined) {
      window.__filledAt = performance.now();
      watch.disconnect();
    }
  });
  watch.observe(document, { childList: true, subtree: true });
})();
"""


def main() -> None:
    portal = start_portal()
    try:
        items = fill_queue(portal.url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(base_url=portal.url)
            page.add_init_script(WATCH_TABLE % items)
            page.goto("/staff/")
            page.get_by_label("Username", exact=True).fill(FRONTDESK.username)
            page.get_by_label("Password", exact=True).fill(FRONTDESK.password)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_label("Code from your authenticator app").fill(staff_mfa.code_now())
            page.get_by_role("button", name="Sign in").click()
            page.locator("#queue-rows tr").nth(items - 1).wait_for(state="attached", timeout=30_000)
            filled, static = [], []
            for _ in range(RUNS):
                page.goto("/staff/")  # signed in again through the refresh cookie
                page.wait_for_function("() => window.__filledAt !== undefined", timeout=30_000)
                filled.append(page.evaluate("window.__filledAt") / 1000)
                started = time.perf_counter()
                page.goto("/")  # baseline: a static page, no API
                static.append(time.perf_counter() - started)
            browser.close()
        server = statistics.median(server_seconds(portal.url) for _ in range(RUNS))
    finally:
        portal.stop()
    page_time, baseline = statistics.median(filled), statistics.median(static)
    print(f"staff queue page with {items} open items, median of {RUNS} loads in headless Chromium")
    print(f"  navigation to table filled: {page_time:.2f} s (target 1 s here)")
    print(f"  of which the API's pages alone: {server:.2f} s (local runtime and emulator)")
    print(f"  baseline static page: {baseline * 1000:.0f} ms; page = {page_time / baseline:.0f} x baseline")


if __name__ == "__main__":
    main()
