"""The practice settings page (/staff/settings, issue 15): an administrator keeps the office
hours, the time zone, when an item is overdue and the saved replies; front desk is told the
page is for administrators. The reply dialog offers the saved replies, filled in and editable;
the portal's home page shows the hours, and a message sent while the office is closed is told
when it will be read."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from local.stack import LOCAL_PARAMETERS
from tests.browser.conftest import (
    ADMIN,
    FRONTDESK,
    Client,
    assert_accessible,
    enter_code,
    pop_out,
    row,
    sign_in,
    submit,
)
from tests.browser.test_portal_sign_in import portal_sign_in, view

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SETTINGS = "/api/staff/practice-settings"
REPLIES = "/api/staff/saved-replies"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NINE_TO_FIVE = {"open": "08:00", "close": "17:00"}
DEFAULTS = {
    "time_zone": "America/New_York",
    "office_hours": {day: (NINE_TO_FIVE if day not in ("saturday", "sunday") else None) for day in WEEKDAYS},
    "overdue_after": 1,
    "overdue_unit": "business_days",
}


def save_settings(colleague: Client, **settings: Any) -> dict[str, Any]:
    version = colleague.get(SETTINGS)["version"]
    return dict(colleague.put(SETTINGS, {**DEFAULTS, **settings, "expected_version": version}))


@pytest.fixture
def settings_restored(colleague: Client) -> Iterator[None]:
    """The runtime is shared by the whole suite: the default hours again afterwards."""
    yield
    save_settings(colleague)


def delete_reply(colleague: Client, reply: dict[str, Any]) -> None:
    path = f"{REPLIES}/{reply['reply_id']}"
    answer = colleague._send("DELETE", path, params={"expected_version": reply["version"]})
    assert answer.status_code in {200, 404}, answer.text


@pytest.fixture
def replies_removed(colleague: Client) -> Iterator[None]:
    """The saved replies a test made are deleted afterwards."""
    before = {reply["reply_id"] for reply in colleague.get(REPLIES)["items"]}
    yield
    for reply in colleague.get(REPLIES)["items"]:
        if reply["reply_id"] not in before:
            delete_reply(colleague, reply)


def open_settings(page: Page, username: str, password: str) -> None:
    """Signs in on the settings page itself (it offers the staff sign-in)."""
    page.goto("/staff/settings")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    enter_code(page)
    page.locator("#app-view").wait_for(state="visible")


def day_row(page: Page, day: str):
    return page.locator(f'tr[data-day="{day}"]')


def test_an_administrator_keeps_the_office_hours_and_when_items_are_overdue(
    page: Page, colleague: Client, settings_restored: None
):
    save_settings(colleague)  # from the defaults, whatever an earlier test left
    open_settings(page, ADMIN.username, ADMIN.password)
    expect(page.get_by_role("heading", name="Office hours")).to_be_visible()
    expect(page.get_by_label("Time zone of the office")).to_have_value("America/New_York")
    expect(page.get_by_role("checkbox", name="Monday Open")).to_be_checked()
    expect(page.get_by_role("textbox", name="Monday Opens at")).to_have_value("08:00")
    expect(page.get_by_role("textbox", name="Friday Closes at")).to_have_value("17:00")
    expect(page.get_by_role("checkbox", name="Sunday Open")).not_to_be_checked()
    expect(page.get_by_role("textbox", name="Sunday Opens at")).to_be_disabled()
    expect(page.get_by_label("How many")).to_have_value("1")
    expect(page.get_by_label("Business", exact=True)).to_have_value("business_days")
    expect(page.locator("#hours-changed")).to_contain_text(f"Last saved by {ADMIN.username}")
    assert_accessible(page, "practice settings")

    # A day that closes before it opens: the API's refusal, beside that day's times
    page.get_by_role("textbox", name="Monday Closes at").fill("07:00")
    page.get_by_role("button", name="Save office hours").click()
    expect(page.locator("#hours-note")).to_have_text("Monday: close must be later than open")
    expect(page.get_by_role("textbox", name="Monday Opens at")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("textbox", name="Monday Opens at")).to_be_focused()
    assert colleague.get(SETTINGS)["office_hours"]["monday"] == NINE_TO_FIVE

    # Saturday mornings, Chicago time, and overdue after 4 business hours
    page.get_by_role("textbox", name="Monday Closes at").fill("17:00")
    page.get_by_role("checkbox", name="Saturday Open").check()
    expect(page.get_by_role("textbox", name="Saturday Opens at")).to_be_enabled()
    page.get_by_role("textbox", name="Saturday Opens at").fill("09:00")
    page.get_by_role("textbox", name="Saturday Closes at").fill("12:30")
    page.get_by_role("checkbox", name="Wednesday Open").uncheck()
    page.get_by_label("Time zone of the office").select_option("America/Chicago")
    page.get_by_label("How many").fill("4")
    page.get_by_label("Business", exact=True).select_option(label="business hours")
    page.get_by_role("button", name="Save office hours").click()
    expect(page.locator("#hours-note")).to_have_text("Office hours saved.")
    expect(page.get_by_role("textbox", name="Monday Opens at")).not_to_have_attribute("aria-invalid", "true")
    saved = colleague.get(SETTINGS)
    assert saved["time_zone"] == "America/Chicago"
    assert saved["office_hours"]["saturday"] == {"open": "09:00", "close": "12:30"}
    assert saved["office_hours"]["wednesday"] is None
    assert (saved["overdue_after"], saved["overdue_unit"]) == (4, "business_hours")

    # Another administrator saves meanwhile: this page's next save is refused, theirs shown
    save_settings(colleague, overdue_after=2)
    page.get_by_label("How many").fill("6")
    page.get_by_role("button", name="Save office hours").click()
    expect(page.locator("#hours-note")).to_contain_text("Another administrator saved the settings meanwhile")
    expect(page.get_by_label("How many")).to_have_value("2")
    expect(page.get_by_label("Time zone of the office")).to_have_value("America/New_York")
    assert colleague.get(SETTINGS)["overdue_after"] == 2


def test_an_administrator_adds_changes_and_deletes_saved_replies(page: Page, colleague: Client, replies_removed: None):
    title = f"Flu shots {uuid.uuid4().hex[:6]}"
    open_settings(page, ADMIN.username, ADMIN.password)
    expect(page.get_by_role("heading", name="Saved replies")).to_be_visible()

    # Only {first_name} and {practice_name} can be filled in: the API says so, on the Text
    page.get_by_label("Title (what staff choose it by)").fill(title)
    page.get_by_label("Text", exact=True).fill("Dear {first_name}, your {appointment} is ready.")
    page.get_by_role("button", name="Add saved reply").click()
    expect(page.locator("#reply-note")).to_contain_text("{appointment}")
    expect(page.get_by_label("Text", exact=True)).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Text", exact=True).fill("Dear {first_name}, flu shots are in at {practice_name}.")
    page.get_by_role("button", name="Add saved reply").click()
    expect(page.locator("#reply-note")).to_have_text(f"Saved reply “{title}” added.")
    entry = page.locator(".saved-reply").filter(has_text=title)
    expect(entry.locator(".saved-text")).to_have_text("Dear {first_name}, flu shots are in at {practice_name}.")
    expect(page.get_by_label("Title (what staff choose it by)")).to_have_value("")
    assert_accessible(page, "saved replies")

    # Edit: the form holds it, and saving changes that reply
    entry.get_by_role("button", name=f"Edit {title}").click()
    expect(page.get_by_role("heading", name=f"Change the saved reply “{title}”")).to_be_visible()
    expect(page.get_by_label("Title (what staff choose it by)")).to_be_focused()
    page.get_by_label("Text", exact=True).fill("Hello {first_name}: flu shots are in. Call us to book.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#reply-note")).to_have_text(f"Saved reply “{title}” changed.")
    expect(entry.locator(".saved-text")).to_have_text("Hello {first_name}: flu shots are in. Call us to book.")
    stored = next(reply for reply in colleague.get(REPLIES)["items"] if reply["title"] == title)
    assert stored["version"] == 2

    # Delete, after asking
    entry.get_by_role("button", name=f"Delete {title}").click()
    dialog = page.get_by_role("dialog", name="Delete this saved reply?")
    expect(dialog).to_contain_text(title)
    assert_accessible(page, "delete a saved reply")
    dialog.get_by_role("button", name="Cancel").click()
    expect(entry).to_have_count(1)
    entry.get_by_role("button", name=f"Delete {title}").click()
    dialog.get_by_role("button", name="Delete it").click()
    expect(page.locator("#reply-note")).to_have_text(f"Saved reply “{title}” deleted.")
    expect(entry).to_have_count(0)
    assert all(reply["title"] != title for reply in colleague.get(REPLIES)["items"])


def test_front_desk_reaching_the_page_is_told_it_is_for_administrators(page: Page):
    sign_in(page)  # the queue page, as front desk
    page.get_by_role("button", name="Links").click()
    page.get_by_role("link", name="Practice settings").click()
    expect(page).to_have_url("/staff/settings")
    # The session goes on from the queue page; the page itself says who it is for
    expect(page.get_by_role("heading", name="Practice settings are for administrators")).to_be_visible()
    expect(page.get_by_role("heading", name="Office hours")).to_be_hidden()
    expect(page.locator("#signed-in-as")).to_have_text(f"Signed in as {FRONTDESK.username}")
    assert_accessible(page, "practice settings, front desk")


def test_a_saved_reply_is_chosen_in_the_reply_dialog_filled_in_changed_and_sent(
    page: Page, patient: Client, colleague: Client, replies_removed: None
):
    title = f"Refill sent {uuid.uuid4().hex[:6]}"
    text = "Hello {first_name}, your refill is at the pharmacy. {practice_name}"
    colleague.post(REPLIES, {"title": title, "text": text}, expect=201)
    request_id = submit(patient, type="refill", medication=f"cetirizine {uuid.uuid4().hex[:6]}", dosage="10 mg")
    sign_in(page)
    pop_out(page)
    row(page, request_id).get_by_role("button", name="Send a secure message", exact=False).click()
    dialog = page.get_by_role("dialog", name="Send a secure message to Ava Thompson")
    expect(dialog).to_be_visible()
    picker = dialog.get_by_label("Start from a saved reply")
    expect(picker).to_be_visible()
    assert_accessible(page, "reply dialog with saved replies")

    picker.select_option(label=title)
    filled = f"Hello Ava, your refill is at the pharmacy. {LOCAL_PARAMETERS['PracticeName']}"
    box = dialog.get_by_label("Message to patient")
    expect(box).to_have_value(filled)
    expect(box).to_be_focused()
    box.press("End")
    box.type(" Call us with any questions.")
    dialog.get_by_role("button", name="Send").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#announce")).to_have_text("Message sent to Ava Thompson. The request stays open.")
    thread = colleague.get(f"/api/staff/queue/{request_id}")["thread"]
    assert thread[-1]["body"] == f"{filled} Call us with any questions."


def closed_until_the_day_after_tomorrow() -> tuple[dict[str, Any], str]:
    """Hours open only on the day after tomorrow (New York time), and that day's name."""
    day = datetime.now(ZoneInfo("America/New_York")).date() + timedelta(days=2)
    hours: dict[str, dict[str, str] | None] = dict.fromkeys(WEEKDAYS)
    hours[WEEKDAYS[day.weekday()]] = NINE_TO_FIVE
    return hours, day.strftime("%A")


def test_the_portal_shows_the_hours_and_says_when_a_message_sent_out_of_hours_is_read(
    page: Page, colleague: Client, settings_restored: None
):
    hours, opens_on = closed_until_the_day_after_tomorrow()
    save_settings(colleague, office_hours=hours)
    portal_sign_in(page)
    line = page.locator("#office-hours")
    expect(line).to_contain_text(f"The office is closed now; it opens again {opens_on} at 8:00 AM.")
    expect(line).to_contain_text(f"{opens_on} 8:00 AM – 5:00 PM")
    expect(line).to_contain_text("Office hours (Eastern")
    assert_accessible(page, "portal home with office hours")

    page.get_by_role("navigation", name="Portal").get_by_role("link", name="New request").click()
    page.get_by_role("link", name="Secure message", exact=True).click()
    view(page, "new-message").get_by_label("Message to the practice").fill("Is the clinic open on the holiday?")
    page.get_by_role("button", name="Send message").click()
    expect(page.locator("#announce")).to_have_text(
        f"Your secure message request is sent. The office is closed now; we will read this when it opens on "
        f"{opens_on} at 8:00 AM."
    )
    assert_accessible(page, "out-of-hours confirmation")

    # Open every hour of every day: no waiting, and the home page says the office is open
    save_settings(
        colleague, time_zone="UTC", office_hours={day: {"open": "00:00", "close": "23:59"} for day in WEEKDAYS}
    )
    if datetime.now(ZoneInfo("UTC")).strftime("%H:%M") == "23:59":
        pytest.skip("the one closed minute of these hours")
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="Messages").click()
    expect(line).to_contain_text("The office is open now.")
    expect(line).to_contain_text("Monday – Sunday 12:00 AM – 11:59 PM")
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="New request").click()
    page.get_by_role("link", name="Secure message", exact=True).click()
    view(page, "new-message").get_by_label("Message to the practice").fill("And on the weekend?")
    page.get_by_role("button", name="Send message").click()
    expect(page.locator("#announce")).to_have_text("Your secure message request is sent.")
