"""Staff page: assignment (issue 15, part 1). "Assign to me", the row saying who has each
item, giving an item to a colleague or back to nobody, the All, Unassigned and Assigned to
me views, and a colleague who took the item first."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN, Client, assert_accessible, pop_out, queue_item, row, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def choose_view(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    expect(page.get_by_role("button", name=name, exact=True)).to_have_attribute("aria-pressed", "true")


def assign_to(page: Page, item_row, whom: str) -> None:
    opener = item_row.get_by_role("button", name="Assign to someone", exact=False)
    opener.click()
    dialog = page.get_by_role("dialog", name="Assign this item")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Give it to")).to_be_focused()
    assert_accessible(page, "the assign dialog")
    dialog.get_by_label("Give it to").select_option(label=whom)
    dialog.get_by_role("button", name="Assign", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()


def test_assign_to_me_then_to_a_colleague_then_to_nobody_with_the_views_following(page: Page, patient: Client):
    request_id = submit(patient, type="refill", medication=f"loratadine {uuid.uuid4().hex[:6]}", dosage="10 mg")
    sign_in(page)
    pop_out(page)
    refill = row(page, request_id)
    expect(refill.locator(".assignee-name")).to_have_text("Nobody")
    assert_accessible(page, "the queue with its assignee column and views")

    refill.get_by_role("button", name="Assign to me", exact=False).click()
    expect(refill.locator(".assignee-name")).to_have_text("You")
    expect(refill.get_by_role("button", name="Assign to me", exact=False)).to_be_hidden()
    expect(page.locator("#announce")).to_contain_text("is assigned to you now")

    choose_view(page, "Assigned to me")
    expect(row(page, request_id)).to_be_visible()
    choose_view(page, "Unassigned")
    expect(page.locator("#queue-rows tr").first).to_be_visible()
    expect(row(page, request_id)).to_have_count(0)

    choose_view(page, "All")
    refill = row(page, request_id)
    assign_to(page, refill, ADMIN.username)
    expect(refill.locator(".assignee-name")).to_have_text(ADMIN.username)
    choose_view(page, "Assigned to me")
    expect(page.locator("#full-count")).to_be_visible()
    expect(row(page, request_id)).to_have_count(0)

    choose_view(page, "All")
    assign_to(page, row(page, request_id), "Nobody")
    expect(row(page, request_id).locator(".assignee-name")).to_have_text("Nobody")
    choose_view(page, "Unassigned")
    expect(row(page, request_id)).to_be_visible()


def test_a_colleague_who_took_it_first_is_named_in_the_row(page: Page, patient: Client, colleague: Client):
    request_id = submit(patient, type="refill", medication=f"cetirizine {uuid.uuid4().hex[:6]}", dosage="5 mg")
    sign_in(page)
    pop_out(page)
    refill = row(page, request_id)
    expect(refill.locator(".assignee-name")).to_have_text("Nobody")
    # Meanwhile, at another desk
    item = queue_item(colleague, request_id)
    colleague.post(
        f"/api/staff/queue/{request_id}/assignment", {"assignee": ADMIN.username, "expected_version": item["version"]}
    )
    refill.get_by_role("button", name="Assign to me", exact=False).click()
    expect(refill.locator(".row-note")).to_contain_text(f"{ADMIN.username} has it now.")
    expect(refill.locator(".assignee-name")).to_have_text(ADMIN.username)


ALWAYS_OPEN = {
    day: {"open": "00:00", "close": "23:59"}
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
}


def test_overdue_items_are_marked_in_the_queue_and_the_panel_with_a_count(
    page: Page, patient: Client, colleague: Client
):
    # The practice allows an hour, and is open around the clock: the demo's items, received
    # hours ago, are overdue, and one sent just now is not
    before = colleague.get("/api/staff/practice-settings")
    changed = {key: before[key] for key in ("time_zone", "office_hours", "overdue_after", "overdue_unit")} | {
        "office_hours": ALWAYS_OPEN,
        "overdue_after": 1,
        "overdue_unit": "business_hours",
    }
    saved = colleague.put("/api/staff/practice-settings", {**changed, "expected_version": before["version"]})
    try:
        fresh = submit(patient, type="refill", medication=f"fexofenadine {uuid.uuid4().hex[:6]}", dosage="60 mg")
        sign_in(page)
        expect(page.locator("#compact-count")).to_contain_text("overdue in the queue")
        expect(page.locator("#compact-list .overdue-mark").first).to_have_text("Overdue")
        pop_out(page)
        expect(page.locator("#full-count")).to_contain_text("overdue in the queue")
        overdue_rows = page.locator("#queue-rows tr.overdue")
        expect(overdue_rows.first).to_be_visible()
        expect(overdue_rows.first.locator(".overdue-mark")).to_be_visible()
        expect(row(page, fresh).locator(".overdue-mark")).to_be_hidden()
        # Oldest first: every overdue row comes before the first one that is not
        marks = page.locator("#queue-rows tr").evaluate_all("rows => rows.map(r => r.classList.contains('overdue'))")
        assert marks == sorted(marks, reverse=True)
        assert_accessible(page, "the queue with overdue items")
    finally:
        restored = {key: before[key] for key in ("time_zone", "office_hours", "overdue_after", "overdue_unit")}
        colleague.put("/api/staff/practice-settings", {**restored, "expected_version": saved["version"]})
