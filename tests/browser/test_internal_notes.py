"""Staff page: internal notes (issue 15, part 2). A note added in the item's dialog shows
there with its author and time, and in the past correspondence marked as internal; the
patient's portal never shows it."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Client, assert_accessible, pop_out, sign_in, submit
from tests.browser.test_reply import open_reply

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_note_shows_in_the_dialog_and_the_past_correspondence_marked_internal(page: Page, patient: Client):
    request_id = submit(patient, type="refill", medication=f"montelukast {uuid.uuid4().hex[:6]}", dosage="10 mg")
    text = f"Pharmacy says it is on back order {uuid.uuid4().hex[:6]}"
    sign_in(page)
    pop_out(page)
    dialog = open_reply(page, request_id)
    notes = dialog.get_by_role("region", name="Internal notes")
    expect(notes).to_contain_text("the patient never sees them")

    notes.get_by_role("button", name="Add note").click()
    expect(notes.get_by_role("status")).to_have_text("Write the note first.")
    notes.get_by_label("Add an internal note").fill(text)
    notes.get_by_role("button", name="Add note").click()
    expect(notes.get_by_role("status")).to_have_text("Note added. Only staff see it.")
    entry = notes.locator("li.internal")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(text)
    expect(entry.locator(".meta")).to_contain_text("Internal note by frontdesk")
    assert_accessible(page, "the reply dialog with an internal note")

    dialog.get_by_role("button", name="Show past correspondence with this patient").click()
    history = dialog.locator("#history-list")
    expect(history.locator("li.internal")).to_contain_text(text)

    # Opened again, the note is still there; the patient's portal has no trace of it
    dialog.get_by_role("button", name="Cancel").click()
    dialog = open_reply(page, request_id)
    expect(dialog.locator("#notes-list li.internal")).to_contain_text(text)
    for path in ("/api/portal/messages", "/api/portal/requests"):
        assert text not in str(patient.get(path))
