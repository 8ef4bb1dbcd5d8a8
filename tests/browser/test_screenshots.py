"""The README's pictures (docs/screenshots/), taken on a runtime of their own that holds the
demo data alone, as `make run` seeds it: nothing another test made (names with random
suffixes, script payloads) can show in them. Each test walks to one view, checks that what
is on screen is the demo's, and takes the picture. The pictures are written to
docs/screenshots/ only by `make screenshots` (UPDATE_SCREENSHOTS=1), so a test run leaves the
working tree as it found it."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from local import demo_data
from tests.browser.conftest import (
    AVA,
    FRONTDESK,
    PHONE,
    assert_clean,
    enter_code,
    login,
    pop_out,
    row,
    sign_in,
    watched_context,
)
from tests.browser.test_portal_sign_in import portal_sign_in
from tests.local.conftest import RunningPortal, start_portal

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PATIENTS = {patient_id: f"{first} {last}" for patient_id, first, last, *_ in demo_data.PATIENTS}
OPEN_REQUESTS = len(demo_data.OPEN_REQUESTS)
# What the other tests leave behind: words mixing letters and digits (random suffixes such
# as "montelukast25549" or "Testcase3fa9c1"), markup typed as text, test names.
MARKER = re.compile(r"\b(?=\w*[^\W\d_])(?=\w*\d)\w+\b|[<>]|xss|\btest", re.IGNORECASE)


@pytest.fixture(scope="module")
def demo() -> Iterator[RunningPortal]:
    """A fresh runtime with the demo data and nothing else, for this module alone. Its first
    answers (keys fetched, caches filled) come over HTTP here, not within a page's timeout."""
    running = start_portal()
    staff = login(running, "staff", FRONTDESK.username, FRONTDESK.password)
    for path in ("/api/staff/queue", "/api/staff/archive", "/api/staff/onboarding/counts"):
        staff.get(path)
    yield running
    assert running.stop() == 0, "".join(running.output)


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: Browser, demo: RunningPortal) -> Iterator[Page]:
    """A fresh browser profile on the demo runtime, watched as every page of the suite is;
    the practice's own time zone, as its staff see the times; on another screen when
    parametrized indirectly with its context options (PHONE)."""
    screen = getattr(request, "param", {})
    context, watched = watched_context(browser, demo, timezone_id="America/New_York", locale="en-US", **screen)
    opened = context.new_page()
    yield opened
    try:
        failed = getattr(request.node, "report_call", None)
        if failed is not None and failed.failed and not opened.is_closed():
            print("page text at failure:\n" + opened.locator("body").inner_text())  # noqa: T201
            print("the demo runtime's output:\n" + "".join(demo.output[-40:]))  # noqa: T201
        assert_clean(list(context.pages), watched)
    finally:
        context.close()


def assert_only_demo_text(page: Page) -> None:
    text = page.locator("body").inner_text()
    found = sorted({match.group(0) for match in MARKER.finditer(text)})
    assert found == [], f"text that is not the demo's: {found}"


def assert_demo_names(names: Locator) -> None:
    expect(names.first).to_be_visible()
    shown = names.all_inner_texts()
    assert set(shown) <= set(PATIENTS.values()), f"not the demo's patients: {set(shown) - set(PATIENTS.values())}"


def take(page: Page, name: str) -> None:
    assert_only_demo_text(page)
    picture = page.screenshot(animations="disabled", caret="hide")
    assert picture.startswith(b"\x89PNG\r\n\x1a\n")
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / f"{name}.png").write_bytes(picture)


def test_queue_png_the_demo_queue_in_full_with_two_helper_results(page: Page):
    sign_in(page)
    pop_out(page)
    rows = page.locator("#queue-rows tr")
    expect(rows).to_have_count(OPEN_REQUESTS)
    # How many are overdue depends on the day and hour the picture is taken (business time)
    expect(page.locator("#full-count")).to_have_text(
        re.compile(rf"^{OPEN_REQUESTS} open items(; \d+ overdue in the queue)?$")
    )
    assert_demo_names(rows.locator(".c-name"))
    # Two helper results in place: the first refill and the first appointment.
    for request_id, result in (
        ("demo-ava-26", "Draft encounter note opened: amoxicillin 500 mg"),
        ("demo-kenji-14", "Appointment request drafted: Tue morning, Thu after 3 pm"),
    ):
        row(page, request_id).locator(".helper").click()
        expect(row(page, request_id).locator(".helper-result")).to_have_text(result)
    expect(row(page, "demo-ava-26").locator(".c-name")).to_have_text("Ava Thompson")
    page.mouse.move(0, 0)  # no hover highlight in the picture
    take(page, "queue")


def test_reply_dialog_png_a_reply_to_avas_message_being_written(page: Page):
    sign_in(page)
    pop_out(page)
    row(page, "demo-ava-1").get_by_role("button", name="Send a secure message", exact=False).click()
    dialog = page.get_by_role("dialog", name="Send a secure message to Ava Thompson")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("The rash is better, thank you. Should I finish the cream?")
    assert_demo_names(page.locator("#queue-rows .c-name"))
    expect(dialog.get_by_label("Notify the patient by email", exact=False)).to_be_checked()
    dialog.get_by_label("Message to patient").fill("Yes, finish the cream as prescribed. Call us if the rash returns.")
    take(page, "reply-dialog")


def test_item_details_png_every_field_of_brunos_refill_in_the_opened_item(page: Page):
    sign_in(page)
    pop_out(page)
    row(page, "demo-bruno-20").get_by_role("button", name="Send a secure message", exact=False).click()
    dialog = page.get_by_role("dialog", name=f"Send a secure message to {PATIENTS['p-bruno']}")
    expect(dialog).to_be_visible()
    details = dialog.locator("#reply-details")
    expect(details.locator("dt")).to_have_text(["Medication", "Dosage", "Quantity", "Pharmacy", "Note"])
    expect(details.locator("dd")).to_have_text(
        ["lisinopril", "10 mg", "90 tablets", "Main Street Drugs", "Running low."]
    )
    assert_demo_names(page.locator("#queue-rows .c-name"))
    dialog.get_by_label("Message to patient").fill("Sent to Main Street Drugs: 90 tablets, ready tomorrow.")
    take(page, "item-details")


def test_change_set_png_felixs_new_address_zip_and_phone_beside_what_is_on_file(page: Page):
    sign_in(page)
    pop_out(page)
    row(page, "demo-felix-5").locator(".helper").click()
    dialog = page.get_by_role("dialog", name="Review the requested changes for Felix Andersson")
    expect(dialog).to_be_visible()
    rows = dialog.locator("#changes-rows tr")
    expect(rows.locator("th")).to_have_text(["Address", "Phone number", "Zip code"])
    expect(rows.locator(".on-file")).to_have_text(["Not kept in the portal", "Nothing on file", "02154"])
    expect(rows.locator(".requested")).to_have_text(["12 Harbor Lane", "(555) 010-0142", "02155"])
    expect(dialog.get_by_label("Mark the request completed")).to_be_checked()
    assert_demo_names(page.locator("#queue-rows .c-name"))
    take(page, "change-set")


def test_archive_png_the_demo_archive_newest_first(page: Page):
    sign_in(page)
    pop_out(page)
    page.get_by_role("button", name="Recent portal activity (archive)").filter(visible=True).click()
    dialog = page.get_by_role("dialog", name="Recent portal activity")
    rows = dialog.locator("#archive-rows tr")
    expect(rows.first).to_be_visible()
    expect(rows.first.locator("td").nth(1)).to_have_text("Felix Andersson")  # the newest: a follow-up
    assert_demo_names(rows.locator("td:nth-child(2)"))
    expect(rows.first.get_by_role("button")).to_have_text("Completed")
    expect(dialog.get_by_role("button", name="Will not be completed").first).to_be_visible()
    take(page, "archive")


def test_patient_panel_png_maya_okafors_panel_with_the_status_tooltip(page: Page):
    sign_in(page)
    assert_demo_names(page.locator("#compact-list .who-link"))
    page.get_by_label("Find a patient").fill("okaf")
    page.get_by_role("button", name="Find", exact=True).click()
    results = page.locator("#find-list li")
    expect(results.get_by_role("button")).to_have_text(["Okafor, Leo", "Okafor, Maya"])
    results.get_by_role("button", name="Okafor, Maya").click()
    expect(page.locator("#pp-name")).to_have_text("Maya Okafor")
    expect(page.locator('#patient-panel [data-field="email"]')).to_have_text(demo_data.SHARED_EMAIL)
    page.locator("#pp-status").hover()
    expect(page.get_by_role("tooltip")).to_be_visible()
    take(page, "patient-panel")


def test_patient_home_png_avas_inbox_with_two_unread_messages(page: Page):
    portal_sign_in(page, AVA.username, AVA.password)
    expect(page.locator("#signed-in-as")).to_have_text("Signed in as Ava Thompson")
    for patient_id, body, _ in demo_data.PRACTICE_MESSAGES:
        if patient_id == "p-ava":
            expect(page.locator("#message-list")).to_contain_text(body)
    expect(page.locator("#unread-count")).to_have_text("2 unread messages.")
    take(page, "patient-home")


@pytest.mark.parametrize("page", [PHONE], indirect=True, ids=["phone"])
def test_patient_home_phone_png_avas_inbox_on_a_phone(page: Page):
    portal_sign_in(page, AVA.username, AVA.password)
    expect(page.locator("#signed-in-as")).to_have_text("Signed in as Ava Thompson")
    expect(page.locator("#unread-count")).to_have_text("2 unread messages.")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    take(page, "patient-home-phone")


def test_onboarding_png_the_counts_and_two_patients_ticked_for_invitations(page: Page):
    page.goto("/staff/onboarding")
    page.get_by_label("Username").fill(FRONTDESK.username)
    page.get_by_label("Password", exact=True).fill(FRONTDESK.password)
    page.get_by_role("button", name="Sign in").click()
    enter_code(page)
    rows = page.locator("#rows tr")
    expect(rows).to_have_count(len(PATIENTS))
    ids = rows.evaluate_all("(rows) => rows.map((r) => r.dataset.id)")
    assert set(ids) == set(PATIENTS)
    # The counts at the top are the demo's: every patient in one of the three.
    statuses = page.locator('[data-count^="statuses."]')
    expect(statuses.first).not_to_have_text("0")
    assert sum(int(text) for text in statuses.all_inner_texts()) == len(PATIENTS)
    # Those not activated yet, two of them ticked for a bulk invitation (nothing is sent).
    page.get_by_label("Portal status").select_option(label="Not activated")
    page.get_by_role("button", name="Show patients").click()
    expect(rows).to_have_count(int(page.locator('[data-count="statuses.unactivated"]').inner_text()))
    expect(rows.locator(".rect")).to_have_text(["Not activated"] * rows.count())
    for patient_id in ("p-lucia", "p-ravi"):
        page.locator(f'#rows tr[data-id="{patient_id}"] .pick').check()
    expect(page.locator("#selected-count")).to_have_text("2 patients selected.")
    expect(page.get_by_role("button", name="Send invitations")).to_be_enabled()
    take(page, "onboarding")
