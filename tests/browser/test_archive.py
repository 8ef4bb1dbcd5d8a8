"""Staff page, part 4: the archive ("Recent portal activity"), walked through the reference
help text's archive and un-archiving paragraphs."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Client, assert_accessible, pop_out, queue_item, row, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def archived(patient: Client, staff: Client, medication: str, outcome: str = "completed") -> str:
    request_id = submit(patient, type="refill", medication=medication, dosage="50 mg")
    version = queue_item(staff, request_id)["version"]
    staff.post(f"/api/staff/queue/{request_id}/dismiss", {"outcome": outcome, "expected_version": version})
    return request_id


def open_archive(page: Page):
    page.get_by_role("button", name="Recent portal activity (archive)").filter(visible=True).click()
    dialog = page.get_by_role("dialog", name="Recent portal activity")
    expect(dialog).to_be_visible()
    return dialog


def test_the_history_icon_opens_recent_activity_newest_first_and_searchable(
    page: Page, patient: Client, colleague: Client
):
    # "Dismissing a request puts it in the Patient Portal Archive, which is viewable by clicking
    # on the history icon in the top right hand corner of the Patient Portal Queue. The archive
    # is searchable using the search bar provided and archived items are shown by date of
    # request and patient name in reverse chronological order."
    word = f"sumatriptan{uuid.uuid4().hex[:6]}"
    first = archived(patient, colleague, word)
    second = archived(patient, colleague, f"{word} nasal", "not_completed")
    sign_in(page)
    pop_out(page)
    dialog = open_archive(page)
    expect(dialog.get_by_label("Search by patient name or text")).to_be_focused()
    expect(dialog.locator("thead th")).to_have_text(["Date of request", "Patient", "Type", "Summary", "Status"])
    expect(dialog.locator("#archive-rows tr").first).to_be_visible()
    dates = dialog.locator("#archive-rows tr td:first-child").all_inner_texts()
    assert all(re.fullmatch(r"\w{3} \d{1,2}, \d{4}", date) for date in dates), dates
    assert_accessible(page, "archive")

    dialog.get_by_label("Search by patient name or text").fill(word)
    dialog.get_by_role("button", name="Search").click()
    rows = dialog.locator("#archive-rows tr")
    expect(rows).to_have_count(2)
    assert [rows.nth(i).get_attribute("data-id") for i in range(2)] == [second, first]
    expect(rows.nth(0).locator("td").nth(1)).to_have_text("Ava Thompson")
    expect(rows.nth(0).get_by_role("button")).to_have_text("Will not be completed")
    expect(rows.nth(1).get_by_role("button")).to_have_text("Completed")
    expect(dialog.locator("#archive-note")).to_have_text(f"2 handled items matching “{word}”, newest request first.")

    # Searching by patient name works from the same bar, as the user types.
    dialog.get_by_label("Search by patient name or text").fill("no such patient anywhere")
    expect(dialog.locator("#archive-note")).to_have_text("Nothing in the archive matches “no such patient anywhere”.")
    dialog.get_by_label("Search by patient name or text").fill("Thompson")
    expect(rows.first.locator("td").nth(1)).to_have_text("Ava Thompson")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()


def test_an_archived_request_marked_unreviewed_is_back_in_the_queue(page: Page, patient: Client, colleague: Client):
    # "Click on the history icon ... find the request you'd like to un-archive and click the
    # Status column. You'll be prompted to confirm that you want to mark the selected request
    # as un-reviewed. Simply say yes. Close the history window and you should find the request
    # back in the active portal queue."
    word = f"montelukast{uuid.uuid4().hex[:6]}"
    request_id = archived(patient, colleague, word)
    sign_in(page)
    pop_out(page)
    expect(row(page, request_id)).to_have_count(0)
    dialog = open_archive(page)
    dialog.get_by_label("Search by patient name or text").fill(word)
    dialog.get_by_role("button", name="Search").click()
    status = dialog.get_by_role("button", name="Completed: mark Ava Thompson's request as un-reviewed")
    expect(status).to_have_count(1)

    # "No" changes nothing.
    status.click()
    confirm = page.get_by_role("dialog", name="Mark as un-reviewed?")
    expect(confirm).to_be_visible()
    expect(confirm).to_contain_text(word)
    assert_accessible(page, "un-review confirmation")
    confirm.get_by_role("button", name="No").click()
    expect(confirm).to_be_hidden()
    expect(status).to_be_focused()
    assert [item["request_id"] for item in colleague.get("/api/staff/archive", q=word)["items"]] == [request_id]

    # "Yes" puts it back.
    status.click()
    confirm.get_by_role("button", name="Yes").click()
    expect(dialog.locator(f'#archive-rows tr[data-id="{request_id}"]')).to_have_count(0)
    expect(dialog.locator("#archive-note")).to_have_text(
        "Ava Thompson's request is marked un-reviewed and is back in the queue."
    )
    dialog.get_by_role("button", name="Close").click()
    expect(row(page, request_id)).to_have_count(1)
    expect(row(page, request_id).locator(".c-summary")).to_contain_text(word)
    assert colleague.get("/api/staff/archive", q=word)["items"] == []


def test_restoring_an_item_someone_else_restored_first_says_so(page: Page, patient: Client, colleague: Client):
    word = f"fluticasone{uuid.uuid4().hex[:6]}"
    request_id = archived(patient, colleague, word)
    sign_in(page)
    dialog = open_archive(page)
    dialog.get_by_label("Search by patient name or text").fill(word)
    dialog.get_by_role("button", name="Search").click()
    status = dialog.locator(f'#archive-rows tr[data-id="{request_id}"] button')
    expect(status).to_have_count(1)
    item = colleague.get("/api/staff/archive", q=word)["items"][0]
    colleague.post(f"/api/staff/archive/{request_id}/restore", {"expected_version": item["version"]})
    status.click()
    page.get_by_role("dialog", name="Mark as un-reviewed?").get_by_role("button", name="Yes").click()
    expect(dialog.locator("#archive-note")).to_have_text("Someone else changed this item first. It is now: Open.")
