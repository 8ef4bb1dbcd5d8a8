"""Staff page, part 3: the secure-message dialog, walked through the paragraphs of the
reference help text about replying."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    Client,
    assert_accessible,
    pop_out,
    queue_item,
    row,
    sign_in,
    submit,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def open_reply(page: Page, request_id: str):
    row(page, request_id).get_by_role("button", name="Send a secure message", exact=False).click()
    dialog = page.get_by_role("dialog", name="Send a secure message to Ava Thompson")
    expect(dialog).to_be_visible()
    return dialog


def test_the_secure_message_icon_opens_the_dialog_and_by_default_emails_and_links(
    page: Page, portal, patient: Client, colleague: Client
):
    # "To respond to a request via secure message, click on the secure message icon to the
    # left of the request. By default, the patient will be notified by email ... and the
    # secure message will be associated with the specific request."
    request_id = submit(patient, type="refill", medication=f"loratadine {uuid.uuid4().hex[:6]}", dosage="10 mg")
    sign_in(page)
    pop_out(page)
    dialog = open_reply(page, request_id)
    expect(dialog.get_by_label("Message to patient")).to_be_focused()
    expect(dialog.get_by_label("Notify the patient by email", exact=False)).to_be_checked()
    expect(dialog.get_by_label("Link this message to the request")).to_be_checked()
    expect(dialog.get_by_label("When the message is sent")).to_have_value("leave_open")
    options = dialog.get_by_label("When the message is sent").locator("option")
    expect(options).to_have_text(["Leave the request open", "Dismiss as completed", "Dismiss as will not be completed"])
    assert_accessible(page, "reply dialog")
    # An empty message is not sent.
    dialog.get_by_role("button", name="Send").click()
    expect(dialog.get_by_role("alert")).to_have_text("Write a message to the patient first.")

    before = portal.settled_mail_count()
    dialog.get_by_label("Message to patient").fill("Sent to your pharmacy.")
    dialog.get_by_role("button", name="Send").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#announce")).to_have_text("Message sent to Ava Thompson. The request stays open.")
    expect(row(page, request_id)).to_have_count(1)  # left open
    portal.wait_for_mail(before + 1)
    thread = colleague.get(f"/api/staff/queue/{request_id}")["thread"]
    assert thread[-1]["body"] == "Sent to your pharmacy."
    assert thread[-1]["request_id"] == request_id


@pytest.mark.parametrize(
    "disposition", [("Dismiss as completed", "completed"), ("Dismiss as will not be completed", "not_completed")]
)
def test_the_defaults_can_be_overridden_and_the_drop_down_dismisses(
    page: Page, portal, patient: Client, colleague: Client, disposition: tuple[str, str]
):
    # "But you can override these default settings using the checkboxes provided. Use the drop
    # down menu to indicate whether ... the original request should be left open, dismissed as
    # completed, or dismissed because it will not be completed."
    choice, state = disposition
    medication = f"ibuprofen {uuid.uuid4().hex[:6]}"
    request_id = submit(patient, type="refill", medication=medication, dosage="400 mg")
    sign_in(page)
    pop_out(page)
    dialog = open_reply(page, request_id)
    before = portal.settled_mail_count()
    dialog.get_by_label("Message to patient").fill("We cannot refill this without a visit.")
    dialog.get_by_label("Notify the patient by email", exact=False).uncheck()
    dialog.get_by_label("Link this message to the request").uncheck()
    dialog.get_by_label("When the message is sent").select_option(label=choice)
    dialog.get_by_role("button", name="Send").click()
    expect(dialog).to_be_hidden()
    expect(row(page, request_id)).to_have_count(0)
    expect(page.locator("#announce")).to_have_text("Message sent to Ava Thompson. The request is in the archive.")
    archived = colleague.get("/api/staff/archive", q=medication)["items"]
    assert [(item["request_id"], item["state"]) for item in archived] == [(request_id, state)]
    # once the stream has carried everything (a second with nothing new), no email came of it
    assert portal.settled_mail_count(quiet=1.0) == before
    letters = colleague.get(f"/api/staff/patients/{archived[0]['patient_id']}/correspondence")["items"]
    sent = next(letter for letter in letters if letter["body"] == "We cannot refill this without a visit.")
    assert sent["request_id"] is None


def test_past_correspondence_with_the_patient_is_one_click_away(page: Page, patient: Client, colleague: Client):
    # "It is easy to review prior messages by clicking the Show past correspondence with this
    # patient link at the bottom of the pop up window."
    earlier = f"Approved, pick it up Friday ({uuid.uuid4().hex[:6]})."
    first = submit(patient, type="refill", medication="famotidine", dosage="20 mg")
    colleague.post(
        f"/api/staff/queue/{first}/reply",
        {"body": earlier, "expected_version": queue_item(colleague, first)["version"]},
    )
    request_id = submit(patient, type="message", body="Thank you! One more question.")
    sign_in(page)
    pop_out(page)
    dialog = open_reply(page, request_id)
    toggle = dialog.get_by_role("button", name="Show past correspondence with this patient")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(dialog.locator("#history")).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    letters = dialog.locator("#history-list li")
    expect(letters.first).to_contain_text("Thank you! One more question.")  # newest first
    expect(letters.first.locator(".meta")).to_contain_text("Ava Thompson")
    expect(dialog.locator("#history-list li.from-practice").filter(has_text=earlier)).to_have_count(1)
    expect(dialog.locator("#history-list li.from-practice").filter(has_text=earlier).locator(".meta")).to_contain_text(
        "The practice"
    )
    assert_accessible(page, "reply dialog with past correspondence")
    toggle.click()
    expect(dialog.locator("#history")).to_be_hidden()


@pytest.mark.parametrize(
    ("asked", "shown"),
    [
        (
            {
                "type": "refill",
                "medication": "sertraline",
                "dosage": "50 mg",
                "quantity": "90 tablets",
                "pharmacy": "Corner Pharmacy",
                "note": "Out on Friday.",
            },
            [
                ("Medication", "sertraline"),
                ("Dosage", "50 mg"),
                ("Quantity", "90 tablets"),
                ("Pharmacy", "Corner Pharmacy"),
                ("Note", "Out on Friday."),
            ],
        ),
        (
            {
                "type": "appointment",
                "reason": "Knee pain",
                "preferred_times": ["Mon 9 am", "Wed after 4 pm"],
                "provider": "Dr. Reyes",
            },
            [("Reason", "Knee pain"), ("Preferred times", "Mon 9 am; Wed after 4 pm"), ("Provider", "Dr. Reyes")],
        ),
        (
            {"type": "records", "what": "X-ray report", "period": "2024", "delivery": "mail"},
            [("Records wanted", "X-ray report"), ("Period", "2024"), ("Delivery", "By mail")],
        ),
    ],
    ids=["refill", "appointment", "records"],
)
def test_the_opened_item_shows_every_field_the_patient_filled_in(
    page: Page, patient: Client, asked: dict, shown: list[tuple[str, str]]
):
    request_id = submit(patient, **asked)
    sign_in(page)
    pop_out(page)
    summary = row(page, request_id).locator(".c-summary .summary-text")
    expect(summary).to_be_visible()
    assert "\n" not in summary.inner_text()  # the queue's summary stays one line
    dialog = open_reply(page, request_id)
    details = dialog.locator("#reply-details")
    expect(details.locator("dt")).to_have_text([label for label, _ in shown])
    expect(details.locator("dd")).to_have_text([value for _, value in shown])
