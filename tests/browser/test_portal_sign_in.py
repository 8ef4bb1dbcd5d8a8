"""Patient portal, part 1: signing in and out, the session kept over a reload, the sign-out
after 15 minutes without activity, and everything done with the keyboard alone. The helpers
at the top are shared by the other patient-portal test modules."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, Route, expect

from tests.browser.conftest import AVA, Client, assert_accessible
from tests.local.conftest import RunningPortal

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LINK = re.compile(r"https?://\S+?#token=[\w-]+")
# The one refusal, for a wrong password and an unknown username alike (and for someone who has
# just registered and has no username yet).
REFUSED = (
    "The username or password is not right. If you have just registered, use the link in the "
    "confirmation email first: it is where you choose your username and password."
)


def view(page: Page, name: str) -> Locator:
    return page.locator(f'[data-view="{name}"]')


def portal_sign_in(page: Page, username: str = AVA.username, password: str = AVA.password) -> None:
    page.goto("/portal/")
    form = view(page, "sign-in")
    form.get_by_label("Username").fill(username)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign in").click()
    expect(view(page, "inbox")).to_be_visible()
    expect(page.locator("#unread-count")).not_to_be_empty()


def new_patient(staff: Client, *, username: str = "", password: str = "", **details: Any) -> dict[str, Any]:
    """An invented patient with portal access on (and a username and password when given)."""
    tag = uuid.uuid4().hex[:8]
    body = {
        "first_name": "Juniper",
        "last_name": f"Testcase{tag}",
        "date_of_birth": "1990-04-05",
        "email": f"juniper.{tag}@example.com",
        "zip": "02139",
        "activate_without_confirmation": True,
        **details,
    }
    patient = staff.post("/api/staff/patients", body, expect=201)
    if username:
        staff.put(
            f"/api/staff/patients/{patient['patient_id']}/credentials", {"username": username, "password": password}
        )
    return dict(patient)


def link_in_mail(portal: RunningPortal, address: str, subject: str) -> str:
    """The one-time link of the newest email to `address` whose subject contains `subject`."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for letter in portal.mail():
            if address in letter["to"] and subject in letter["subject"]:
                found = LINK.search(letter["text"])
                assert found, letter["text"]
                return found.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no email to {address} about {subject!r}")


def refresh_status(page: Page) -> int:
    return page.request.post("/api/auth/refresh", data={"account": "patient"}).status


# --- the tests ---------------------------------------------------------------------------------


def test_a_wrong_password_gets_the_generic_error_and_the_right_one_opens_the_inbox(page: Page):
    page.goto("/portal/")
    form = view(page, "sign-in")
    expect(form.get_by_role("heading", name="Sign in to your patient portal")).to_be_visible()
    expect(page.locator("#home-nav")).to_be_hidden()
    assert_accessible(page, "portal sign-in")
    form.get_by_label("Username").fill(AVA.username)
    form.get_by_label("Password").fill("not-the-password")
    form.get_by_role("button", name="Sign in").click()
    expect(form.get_by_role("alert")).to_have_text(REFUSED)
    expect(form.get_by_label("Password")).to_be_empty()
    form.get_by_label("Username").fill("nobody.here")
    form.get_by_label("Password").fill(AVA.password)
    form.get_by_role("button", name="Sign in").click()
    expect(form.get_by_role("alert")).to_have_text(REFUSED)
    assert_accessible(page, "portal sign-in with an error")

    portal_sign_in(page)
    expect(page.locator("#signed-in-as")).to_have_text("Signed in as Ava Thompson")
    expect(page.get_by_role("navigation", name="Portal")).to_be_visible()
    assert_accessible(page, "portal inbox")


def test_a_reload_keeps_the_session_and_signing_out_ends_it(page: Page):
    portal_sign_in(page)
    page.reload()
    expect(page.locator("#signed-in-as")).to_have_text("Signed in as Ava Thompson")
    expect(view(page, "inbox")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(view(page, "sign-in")).to_be_visible()
    expect(page.locator("#signed-out-note")).to_have_text("You are signed out.")
    expect(page.locator("#message-list li")).to_have_count(0)  # nothing of Ava's stays in the page
    assert refresh_status(page) == 401
    page.goto("/portal/#inbox")
    expect(view(page, "sign-in")).to_be_visible()
    expect(view(page, "inbox")).to_be_hidden()


def test_an_answer_that_arrives_after_signing_out_is_not_shown(page: Page):
    portal_sign_in(page)
    held: list[Route] = []

    def hold(route: Route) -> None:  # the inbox's answer waits here (Playwright wants a function)
        held.append(route)

    page.route("**/api/portal/messages?*", hold)
    page.reload()
    expect(page.locator("#signed-in-as")).to_have_text("Signed in as Ava Thompson")
    for _ in range(100):  # the page asks for the inbox once the session is back
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the inbox was never asked for"
    page.get_by_role("button", name="Sign out").click()
    expect(view(page, "sign-in")).to_be_visible()
    held[0].continue_()  # Ava's messages arrive after she signed out
    page.wait_for_timeout(500)
    expect(page.locator("#message-list li")).to_have_count(0)


def test_fifteen_minutes_without_activity_signs_out(page: Page):
    page.clock.install()
    portal_sign_in(page)
    page.clock.run_for("14:00")
    expect(view(page, "inbox")).to_be_visible()
    page.keyboard.press("Shift")  # activity starts the 15 minutes again
    page.clock.run_for("14:30")
    expect(view(page, "inbox")).to_be_visible()
    page.clock.run_for("00:31")
    expect(view(page, "sign-in")).to_be_visible()
    expect(page.locator("#signed-out-note")).to_have_text("You were signed out after 15 minutes without activity.")
    assert refresh_status(page) == 401


def test_signing_in_and_sending_a_request_with_the_keyboard_only(page: Page, patient: Client):
    page.goto("/portal/")
    expect(page.locator("#username")).to_be_focused()
    page.keyboard.type(AVA.username)
    page.keyboard.press("Tab")
    page.keyboard.type(AVA.password)
    page.keyboard.press("Enter")
    expect(view(page, "inbox")).to_be_visible()
    expect(page.locator("#inbox-title")).to_be_focused()

    # Tab to "New request" in the navigation, then to the refill form.
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "New request":
            break
    page.keyboard.press("Enter")
    expect(view(page, "new")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Prescription refill")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#refill-title")).to_be_focused()
    medication = f"cetirizine {uuid.uuid4().hex[:6]}"
    # The safety notice's two numbers come first (911, then the practice's), then the fields.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="911", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="(555) 010-0199", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.type(medication)
    page.keyboard.press("Tab")
    page.keyboard.type("10 mg")
    page.keyboard.press("Enter")
    expect(view(page, "requests")).to_be_visible()
    expect(page.locator("#request-list li").filter(has_text=medication)).to_contain_text("Open")
    mine = patient.get("/api/portal/requests")["items"]
    assert any(medication in item["summary"] for item in mine)
