"""Staff page, part 2: the queue, walked through the page paragraph by paragraph of the
reference help text ("Help: Patient Portal Queue")."""

from __future__ import annotations

import re
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


def unique(word: str) -> str:
    return f"{word} {uuid.uuid4().hex[:6]}"


def test_the_compact_panel_pops_out_to_the_full_queue_with_every_column(page: Page, patient: Client):
    # "The Patient Portal Queue displays requests and secure messages coming from the Patient
    # Portal. Expand the Queue by clicking the pop-out button at the top right of the block."
    medication = unique("cetirizine")
    request_id = submit(patient, type="refill", medication=medication, dosage="10 mg")
    message_id = submit(patient, type="message", body="Can I take it with food?")
    sign_in(page)
    compact = page.locator("#compact-panel")
    expect(compact.get_by_role("button", name="Open the full queue")).to_be_visible()
    expect(compact.locator("#compact-list li").first).to_be_visible()
    expect(page.locator("#full-queue")).to_be_hidden()
    pop_out(page)
    expect(page.locator("#compact-panel")).to_be_hidden()
    expect(page.get_by_role("heading", name="Patient Portal Queue", level=1)).to_be_focused()
    headers = page.locator("table.queue thead th")
    expect(headers).to_have_text(
        ["Actions", "Patient", "Date of birth", "Type", "Summary", "Received", "Assigned to", "Helper"]
    )
    refill = row(page, request_id)
    expect(refill.locator(".c-name")).to_have_text("Ava Thompson")
    expect(refill.locator(".c-dob")).to_have_text("1984-03-12")
    expect(refill.locator(".c-type")).to_have_text("Prescription refill")
    expect(refill.locator(".c-summary")).to_contain_text(medication)
    expect(refill.locator(".received-at")).to_have_text(re.compile(r"^\w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2} (AM|PM)$"))
    expect(refill.locator(".assignee-name")).to_have_text("Nobody")
    expect(row(page, message_id).locator(".c-type")).to_have_text("Secure message")
    # On the left the secure-message icon and the two dismiss icons; on the right the helper.
    cells = refill.locator("td")
    expect(cells.first.get_by_role("button")).to_have_count(3)
    expect(cells.first.get_by_role("button", name="Send a secure message", exact=False)).to_be_visible()
    expect(cells.first.get_by_role("button", name="Dismiss as completed", exact=False)).to_be_visible()
    expect(cells.first.get_by_role("button", name="Dismiss as will not be completed", exact=False)).to_be_visible()
    expect(cells.last.get_by_role("button", name="Open encounter note", exact=False)).to_be_visible()
    assert_accessible(page, "full queue")
    page.get_by_role("button", name="Back to the compact view").click()
    expect(page.locator("#compact-panel")).to_be_visible()
    expect(page.get_by_role("button", name="Open the full queue")).to_be_focused()


def test_the_yellow_helper_button_acts_by_type_and_shows_its_result_in_place(page: Page, patient: Client):
    # "...the yellow helper button to the right, which takes a different action depending on
    # what the patient requested: beside a prescription refill it opens a new encounter note
    # and adds the requested prescription."
    medication = unique("amoxicillin")
    refill = submit(patient, type="refill", medication=medication, dosage="500 mg")
    appointment = submit(patient, type="appointment", reason="Checkup", preferred_times=["Tue morning", "Fri"])
    records = submit(patient, type="records", what="Lab results")
    demographics = submit(patient, type="demographics", changes={"phone": "(555) 010-0199"})
    sign_in(page)
    pop_out(page)
    expected = {
        refill: ("Open encounter note", f"Draft encounter note opened: {medication} 500 mg"),
        appointment: ("Draft appointment", "Appointment request drafted: Tue morning, Fri"),
        records: ("Create release task", "Records-release task created: Lab results"),
        demographics: ("Review changes", "Change set ready to review: phone"),
    }
    for request_id, (label, result) in expected.items():
        helper = row(page, request_id).locator(".helper")
        expect(helper).to_have_text(label)
        helper.click()
        expect(row(page, request_id).locator(".helper-result")).to_have_text(result)
        if request_id == demographics:  # "Review changes" opens the change set: not now
            expect(page.get_by_role("dialog", name="Review the requested changes for Ava Thompson")).to_be_visible()
            page.keyboard.press("Escape")
    # Pressing again shows the same draft (the API is idempotent), still in place.
    row(page, refill).locator(".helper").click()
    expect(row(page, refill).locator(".helper-result")).to_have_text(expected[refill][1])
    assert_accessible(page, "queue with helper results")
    # After a reload (or on a colleague's screen) each row still shows its helper result.
    page.reload()
    pop_out(page)
    for request_id, (_, result) in expected.items():
        expect(row(page, request_id).locator(".helper-result")).to_have_text(result)


def test_the_helper_beside_a_secure_message_opens_the_reply(page: Page, patient: Client, colleague: Client):
    message = submit(patient, type="message", body="Do I need to fast before the blood test?")
    sign_in(page)
    pop_out(page)
    helper = row(page, message).locator(".helper")
    expect(helper).to_have_text("Reply")
    helper.click()
    dialog = page.get_by_role("dialog", name="Send a secure message to Ava Thompson")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(helper).to_be_focused()
    # A reply opened and cancelled is no work done: nothing on the row says someone is on it,
    # here or, after a reload, on a colleague's screen.
    expect(row(page, message).locator(".helper-result")).to_have_text("")
    page.reload()
    pop_out(page)
    expect(row(page, message).locator(".helper-result")).to_have_text("")
    assert queue_item(colleague, message)["helper_summary"] == ""


def test_a_request_stays_open_until_dismissed_with_either_icon(page: Page, patient: Client, colleague: Client):
    # "A request is left open until it is manually dismissed by clicking on the 'dismiss as
    # completed' icon or 'dismiss because it will not be completed' icon to the left."
    word = unique("vitamin")
    done = submit(patient, type="refill", medication=f"{word} d", dosage="1000 IU")
    not_done = submit(patient, type="refill", medication=f"{word} k", dosage="5 mg")
    sign_in(page)
    pop_out(page)
    row(page, done).get_by_role("button", name="Dismiss as completed", exact=False).click()
    expect(row(page, done)).to_have_count(0)
    expect(page.locator("#announce")).to_contain_text("Dismissed as completed")
    row(page, not_done).get_by_role("button", name="Dismiss as will not be completed", exact=False).click()
    expect(row(page, not_done)).to_have_count(0)
    states = {item["request_id"]: item["state"] for item in colleague.get("/api/staff/archive", q=word)["items"]}
    assert states[done] == "completed"
    assert states[not_done] == "not_completed"


def test_the_queue_refreshes_itself_without_losing_the_users_place(page: Page, patient: Client):
    first = submit(patient, type="refill", medication=unique("metformin"), dosage="500 mg")
    page.clock.install()
    sign_in(page)
    pop_out(page)
    helper = row(page, first).locator(".helper")
    helper.click()
    expect(row(page, first).locator(".helper-result")).not_to_be_empty()
    helper.focus()
    page.evaluate("window.scrollTo(0, 200)")
    scrolled = page.evaluate("window.scrollY")
    place = row(page, first).bounding_box()
    count = page.locator("#queue-rows tr").count()

    newcomer = submit(patient, type="message", body="One more question about the dose.")
    page.clock.run_for("00:31")
    expect(row(page, newcomer)).to_have_count(1)
    expect(page.locator("#queue-rows tr")).to_have_count(count + 1)
    expect(helper).to_be_focused()
    expect(row(page, first).locator(".helper-result")).not_to_be_empty()
    assert page.evaluate("window.scrollY") == scrolled
    now = row(page, first).bounding_box()
    assert place is not None
    assert now is not None
    assert abs(now["y"] - place["y"]) <= 1


def test_the_compact_panel_refreshes_without_taking_the_keyboard_focus(page: Page, patient: Client):
    page.clock.install()
    sign_in(page)
    names = page.locator("#compact-list li button")
    names.first.focus()
    name = names.first.inner_text()
    submit(patient, type="message", body="Another question from the compact panel test.")
    before = page.locator("#compact-count").inner_text()
    page.clock.run_for("00:31")
    expect(page.locator("#compact-count")).not_to_have_text(before)  # the list was rebuilt
    expect(names.first).to_be_focused()  # a new button, with the focus handed over
    expect(names.first).to_have_text(name)


def test_when_someone_else_handled_an_item_first_the_page_says_so(page: Page, patient: Client, colleague: Client):
    medication = unique("naproxen")
    request_id = submit(patient, type="refill", medication=medication, dosage="250 mg")
    other = submit(patient, type="refill", medication=unique("naproxen"), dosage="500 mg")
    sign_in(page)
    pop_out(page)
    expect(row(page, request_id)).to_have_count(1)
    # A colleague dismisses both while this page still shows them as open.
    for handled in (request_id, other):
        item = queue_item(colleague, handled)
        colleague.post(
            f"/api/staff/queue/{handled}/dismiss", {"outcome": "completed", "expected_version": item["version"]}
        )

    row(page, request_id).get_by_role("button", name="Dismiss as will not be completed", exact=False).click()
    stale = row(page, request_id)
    # The answer says who handled it (the colleague signed in as manager)
    expect(stale.locator(".row-note")).to_have_text(
        "Someone else handled this item first. It is now: Completed by manager."
    )
    expect(stale.get_by_role("button", name="Dismiss as completed", exact=False)).to_be_disabled()
    expect(page.locator("#announce")).to_contain_text("Someone else handled this item first")
    assert_accessible(page, "queue after a conflict")

    # The same from the reply dialog: the message is not sent, the current state is shown.
    row(page, other).get_by_role("button", name="Send a secure message", exact=False).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Message to patient").fill("Your refill is on its way.")
    dialog.get_by_role("button", name="Send").click()
    expect(dialog.get_by_role("alert")).to_have_text(
        "Someone else handled this item first. It is now: Completed by manager. Your message was not sent."
    )
    dialog.get_by_role("button", name="Cancel").click()
    expect(row(page, other).locator(".row-note")).to_contain_text("It is now: Completed by manager.")


def test_review_changes_shows_each_value_on_file_beside_the_requested_one_and_applies_the_chosen(
    page: Page, patient: Client, colleague: Client
):
    # A demographics request: staff see, for each field, the value on file and the one the
    # patient asked for, and apply all or some of them to the patient's record.
    phone = f"(555) 010-{uuid.uuid4().int % 10000:04d}"
    request_id = submit(patient, type="demographics", changes={"phone": phone, "address": "7 Elm Court"})
    patient_id = queue_item(colleague, request_id)["patient_id"]
    on_file = colleague.get(f"/api/staff/patients/{patient_id}")["phone"]
    sign_in(page)
    pop_out(page)
    row(page, request_id).locator(".helper").click()
    dialog = page.get_by_role("dialog", name="Review the requested changes for Ava Thompson")
    expect(dialog).to_be_visible()
    expect(dialog.locator("thead th")).to_have_text(["Apply", "Detail", "On file", "Requested"])
    phone_row = dialog.locator('tr[data-field="phone"]')
    expect(phone_row.locator(".on-file")).to_have_text(on_file or "Nothing on file")
    expect(phone_row.locator(".requested")).to_have_text(phone)
    expect(phone_row.get_by_role("checkbox", name="Apply the new phone number")).to_be_checked()
    address_row = dialog.locator('tr[data-field="address"]')
    expect(address_row.locator(".requested")).to_have_text("7 Elm Court")
    expect(address_row.locator(".on-file")).to_have_text("Not kept in the portal")
    expect(address_row.get_by_role("checkbox")).to_have_count(0)
    expect(dialog.get_by_label("Mark the request completed")).to_be_checked()
    assert_accessible(page, "change-set review")
    dialog.get_by_role("button", name="Apply the chosen changes").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#announce")).to_have_text(
        "Changes applied to Ava Thompson's record: phone number. The request is in the archive."
    )
    expect(row(page, request_id)).to_have_count(0)
    assert colleague.get(f"/api/staff/patients/{patient_id}")["phone"] == phone
    archived = colleague.get("/api/staff/archive", q="Thompson", type="demographics")["items"]
    assert (request_id, "completed") in [(item["request_id"], item["state"]) for item in archived]
