"""Staff page: stored XSS (docs/security.md "Data handling", 8.4), the CSP without
'unsafe-inline', and the keyboard: every control reachable and labelled."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests import staff_mfa
from tests.browser.conftest import (
    Client,
    assert_accessible,
    assert_clean,
    login,
    pop_out,
    queue_item,
    row,
    sign_in,
    submit,
    watched_context,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

IMG = '<img src=x onerror="window.__xss=1;alert(1)">'
SCRIPT = '"><script>window.__xss=2;alert(2)</script>'
SVG = "<svg/onload=window.__xss=3>"
WEB = Path(__file__).resolve().parents[2] / "web"


@pytest.fixture(scope="module")
def hostile(portal, colleague: Client) -> dict[str, Any]:
    """A patient whose name, and whose requests and messages, carry script payloads; all made
    through the API as a patient and a colleague would."""
    tag = uuid.uuid4().hex[:6]
    created = colleague.post(
        "/api/staff/patients",
        {
            "first_name": f"{IMG}Zed",
            "last_name": f"{SCRIPT}{tag}",
            "date_of_birth": "1990-02-03",
            "email": f"zed.{tag}@example.com",
            "zip": "12345",
            "activate_without_confirmation": True,
        },
        expect=None,
    )
    patient_id = created["patient_id"]
    username = f"zed{tag}"
    colleague.put(
        f"/api/staff/patients/{patient_id}/credentials",
        {"username": username, "password": "quiet harbor lantern seventy"},
    )
    them = login(portal, "patient", username, "quiet harbor lantern seventy")
    refill = submit(them, type="refill", medication=f"{IMG}{tag}", dosage=SCRIPT, note=SVG, pharmacy=IMG)
    message = submit(them, type="message", body=f"{SCRIPT} {IMG} {SVG}")
    appointment = submit(them, type="appointment", reason=SCRIPT, preferred_times=[IMG, SVG])
    colleague.post(
        f"/api/staff/queue/{message}/reply",
        {"body": f"Staff wrote {IMG}", "expected_version": queue_item(colleague, message)["version"]},
    )
    archived = submit(them, type="records", what=f"{IMG} archived {tag}")
    colleague.post(
        f"/api/staff/queue/{archived}/dismiss",
        {"outcome": "completed", "expected_version": queue_item(colleague, archived)["version"]},
    )
    name = f"{IMG}Zed {SCRIPT}{tag}"
    return {"tag": tag, "name": name, "refill": refill, "message": message, "appointment": appointment}


def no_markup_from_data(page: Page) -> None:
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator("svg[onload]").count() == 0
    assert page.evaluate("[...document.scripts].filter((s) => s.textContent.includes('__xss')).length") == 0
    assert page.evaluate("typeof window.__xss") == "undefined"


@pytest.mark.parametrize("csp", ["enforced", "bypassed"])
def test_script_payloads_in_names_requests_and_messages_run_nothing(browser: Browser, portal, hostile, csp: str):
    # With the CSP bypassed too: the page itself must render every payload as text.
    context, watched = watched_context(browser, portal, bypass_csp=csp == "bypassed")
    try:
        page = context.new_page()
        sign_in(page)
        pop_out(page)
        refill = row(page, hostile["refill"])
        expect(refill.locator(".c-name")).to_have_text(hostile["name"])
        expect(refill.locator(".c-summary")).to_contain_text(IMG)
        refill.locator(".helper").click()
        expect(refill.locator(".helper-result")).to_contain_text(f"Draft encounter note opened: {IMG}")
        row(page, hostile["appointment"]).locator(".helper").click()
        expect(row(page, hostile["appointment"]).locator(".helper-result")).to_contain_text(SVG)
        expect(row(page, hostile["message"]).locator(".c-summary")).to_contain_text(SCRIPT)

        row(page, hostile["message"]).get_by_role("button", name="Send a secure message", exact=False).click()
        dialog = page.get_by_role("dialog")
        expect(dialog.locator("#reply-title")).to_have_text(f"Send a secure message to {hostile['name']}")
        dialog.get_by_role("button", name="Show past correspondence with this patient").click()
        expect(dialog.locator("#history-list li")).to_have_count(2)
        expect(dialog.locator("#history-list")).to_contain_text(f"Staff wrote {IMG}")
        expect(dialog.locator("#history-list .meta").last).to_contain_text(hostile["name"])
        no_markup_from_data(page)
        page.keyboard.press("Escape")

        page.get_by_role("button", name="Recent portal activity (archive)").filter(visible=True).click()
        archive = page.get_by_role("dialog", name="Recent portal activity")
        archive.get_by_label("Search by patient name or text").fill(f"archived {hostile['tag']}")
        archive.get_by_role("button", name="Search").click()
        expect(archive.locator("#archive-rows tr")).to_have_count(1)
        expect(archive.locator("#archive-rows td").nth(1)).to_have_text(hostile["name"])
        archive.locator("#archive-rows button").click()
        expect(page.get_by_role("dialog", name="Mark as un-reviewed?")).to_contain_text(IMG)
        page.get_by_role("button", name="No", exact=True).click()
        no_markup_from_data(page)
        assert_clean(list(context.pages), watched)
    finally:
        context.close()


@pytest.mark.parametrize("page_path", ["/staff/", "/staff/onboarding", "/staff/accounts/", "/portal/"])
def test_every_page_is_served_with_a_csp_without_unsafe_inline_and_ships_no_inline_code(portal, page_path):
    answer = requests.get(f"{portal.url}{page_path}", timeout=10)
    assert answer.status_code == 200
    policy = answer.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "script-src 'self'" in policy
    html = answer.text
    assert '<script type="module" src=' in html
    assert "<script>" not in html  # only <script type="module" src=...>
    assert " style=" not in html
    for handler in ("onclick", "onload", "onerror", "onsubmit", "onchange", "oninput"):
        assert handler not in html


@pytest.mark.parametrize("module", sorted(path.relative_to(WEB).as_posix() for path in (WEB / "common").rglob("*.js")))
def test_the_shared_modules_are_served_as_javascript_under_the_same_policy(portal, module):
    """web/common/ is served as the pages are (CloudFront's default behaviour sends every
    path but /api/* to the bucket, and `make publish-web` uploads all of web/)."""
    answer = requests.get(f"{portal.url}/{module}", timeout=10)
    assert answer.status_code == 200, module
    assert answer.headers["Content-Type"].startswith(("text/javascript", "application/javascript"))
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
    assert answer.content == (WEB / module).read_bytes()


VISIBLE_CONTROLS = """() => [...document.querySelectorAll("button, input, select, textarea, a[href], [tabindex]")]
    .filter((el) => el.tabIndex >= 0 && !el.disabled && el.getClientRects().length > 0
        && !el.closest("[hidden], dialog:not([open])")
        && (!document.querySelector("dialog[open]") || el.closest("dialog[open]")))
    .map((el) => el.id || el.getAttribute("aria-label") || el.textContent.trim())"""

FOCUSED_NAME = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const labelled = el.getAttribute("aria-labelledby");
    const name = el.getAttribute("aria-label")
        || (labelled && document.getElementById(labelled)?.textContent)
        || (el.labels && el.labels.length ? el.labels[0].textContent : "")
        || (["BUTTON", "A"].includes(el.tagName) ? el.textContent : "")
        || el.title || "";
    return {key: el.id || el.getAttribute("aria-label") || el.textContent.trim(), name: name.trim()};
}"""


def tab_through(page: Page, presses: int) -> dict[str, str]:
    seen: dict[str, str] = {}
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_NAME)
        if focused:
            seen[focused["key"]] = focused["name"]
    return seen


def assert_all_reached_and_labelled(page: Page, view: str, presses: int) -> None:
    wanted = set(page.evaluate(VISIBLE_CONTROLS))
    seen = tab_through(page, presses)
    assert wanted <= set(seen), f"{view}: not reachable by Tab: {wanted - set(seen)}"
    unnamed = [key for key, name in seen.items() if not name]
    assert unnamed == [], f"{view}: controls without a name: {unnamed}"


def test_every_control_works_from_the_keyboard_and_has_a_label(page: Page, patient: Client, colleague: Client):
    word = f"keyboard{uuid.uuid4().hex[:6]}"
    request_id = submit(patient, type="refill", medication=word, dosage="1 mg")
    page.goto("/staff/")
    assert_all_reached_and_labelled(page, "sign-in", 8)
    page.get_by_label("Username").focus()
    page.keyboard.type("frontdesk")
    page.keyboard.press("Tab")
    page.keyboard.type("Riverbend-frontdesk-2026")
    page.keyboard.press("Enter")
    # The authenticator app's code: the field has the focus, Enter signs in
    expect(page.get_by_label("Code from your authenticator app")).to_be_focused()
    assert_all_reached_and_labelled(page, "sign-in code", 4)
    page.get_by_label("Code from your authenticator app").focus()
    page.keyboard.type(staff_mfa.code_now())
    page.keyboard.press("Enter")
    expect(page.locator("#app-view")).to_be_visible()
    expect(page.locator("#compact-list li").first).to_be_visible()
    assert_all_reached_and_labelled(page, "compact panel", 16)

    page.get_by_role("button", name="Open the full queue").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#full-queue")).to_be_visible()
    rows = page.locator("#queue-rows tr").count()
    # Per row: the patient, three icons, the helper, "Assign to someone" and (unless the item is
    # already one's own) "Assign to me"; besides them, the page's own controls and the 3 views
    takes = page.locator("#queue-rows .act-take:visible").count()
    assert_all_reached_and_labelled(page, "full queue", rows * 6 + takes + 17)

    # The reply dialog, from the keyboard alone; Escape closes it and gives focus back.
    message_icon = row(page, request_id).get_by_role("button", name="Send a secure message", exact=False)
    message_icon.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Message to patient")).to_be_focused()
    assert_all_reached_and_labelled(page, "reply dialog", 14)
    dialog.get_by_role("button", name="Show past correspondence with this patient").focus()
    page.keyboard.press("Enter")
    expect(dialog.locator("#history")).to_be_visible()
    dialog.get_by_label("Notify the patient by email", exact=False).focus()
    page.keyboard.press("Space")
    expect(dialog.get_by_label("Notify the patient by email", exact=False)).not_to_be_checked()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(message_icon).to_be_focused()

    # Dismiss from the keyboard, then un-archive from the keyboard.
    row(page, request_id).get_by_role("button", name="Dismiss as completed", exact=False).focus()
    page.keyboard.press("Enter")
    expect(row(page, request_id)).to_have_count(0)
    history = page.get_by_role("button", name="Recent portal activity (archive)").filter(visible=True)
    history.focus()
    page.keyboard.press("Enter")
    archive = page.get_by_role("dialog", name="Recent portal activity")
    expect(archive.get_by_label("Search by patient name or text")).to_be_focused()
    page.keyboard.type(word)
    page.keyboard.press("Enter")
    expect(archive.locator("#archive-rows tr")).to_have_count(1)
    assert_all_reached_and_labelled(page, "archive", 8)
    archive.locator("#archive-rows button").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Yes")).to_be_focused()
    page.keyboard.press("Enter")
    expect(archive.locator("#archive-note")).to_contain_text("back in the queue")
    archive.get_by_role("button", name="Close").focus()
    page.keyboard.press("Enter")
    expect(archive).to_be_hidden()
    expect(history).to_be_focused()
    expect(row(page, request_id)).to_have_count(1)
    assert_accessible(page, "queue after keyboard use")

    page.get_by_role("button", name="Sign out").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Username")).to_be_focused()
