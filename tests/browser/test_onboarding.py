"""The onboarding page (/staff/onboarding): every patient with a coloured portal-status
rectangle, one-click access and invitations, bulk invitations with progress, and the
administrator's import of an existing patient list (issue 6)."""

from __future__ import annotations

import secrets
import string
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import ADMIN, FRONTDESK, Client, assert_accessible, enter_code, login
from tests.local.conftest import RunningPortal

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

XSS = "<img src=x onerror=window.__xss=1>"
# A job runs through the stream poller: allow for a busy machine.
JOB_TIMEOUT_MS = 20_000


def tag() -> str:
    """A last-name prefix no other test uses, so each test finds only its own patients."""
    return "Onb" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))


def add_patient(staff: Client, first: str, last: str, **fields: Any) -> str:
    body = {"first_name": first, "last_name": last, "date_of_birth": "1984-03-09", **fields}
    return str(staff.post("/api/staff/patients", body, expect=201)["patient_id"])


def counts(staff: Client) -> dict[str, dict[str, int]]:
    return dict(staff.get("/api/staff/onboarding/counts"))


def open_onboarding(page: Page, username: str = FRONTDESK.username, password: str = FRONTDESK.password) -> None:
    """Signs in on the onboarding page itself (it offers the staff sign-in)."""
    page.goto("/staff/onboarding")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    enter_code(page)
    expect(page.get_by_role("heading", name="Patient Portal Onboarding")).to_be_visible()
    expect(page.locator("#rows tr").first).to_be_visible()


def search(page: Page, prefix: str, status: str = "Any status") -> None:
    page.get_by_label("Last name starts with").fill(prefix)
    page.get_by_label("Portal status").select_option(label=status)
    page.get_by_role("button", name="Show patients").click()


def row(page: Page, patient_id: str) -> Locator:
    return page.locator(f'#rows tr[data-id="{patient_id}"]')


def shown_count(page: Page, key: str) -> Locator:
    return page.locator(f'[data-count="{key}"]')


def test_the_list_is_paged_searchable_by_last_name_and_filterable_by_status(
    page: Page, portal: RunningPortal, colleague: Client
):
    prefix = tag()
    off = add_patient(colleague, "Hazel", f"{prefix}a", email="hazel@example.com", zip="04101")
    invited = add_patient(
        colleague, "Ivo", f"{prefix}b", email="ivo@example.com", zip="04101", activate_without_confirmation=True
    )
    no_email = add_patient(colleague, "Jun", f"{prefix}c", zip="04101")
    open_onboarding(page)

    # The whole list comes a page at a time.
    expect(page.locator("#rows tr")).to_have_count(25)
    page.get_by_role("button", name="More patients").click()
    expect(page.locator("#rows tr").nth(25)).to_be_visible()
    ids = page.locator("#rows tr").evaluate_all("(rows) => rows.map((r) => r.dataset.id)")
    assert len(ids) == len(set(ids)) > 25

    # The counts at the top are the API's.
    numbers = counts(colleague)
    for group, values in numbers.items():
        for key, value in values.items():
            expect(shown_count(page, f"{group}.{key}")).to_have_text(str(value))

    search(page, prefix)
    expect(page.locator("#rows tr")).to_have_count(3)
    expect(page.get_by_role("button", name="More patients")).to_be_hidden()
    expect(row(page, off).locator(".rect")).to_have_text("Inactive")
    expect(row(page, off).locator(".rect")).to_have_class("rect st-inactive")
    expect(row(page, invited).locator(".rect")).to_have_text("Not activated")
    expect(row(page, invited).locator(".rect")).to_have_class("rect st-unactivated")
    expect(row(page, no_email)).to_contain_text("No email on file")
    assert_accessible(page, "onboarding list")

    search(page, prefix, "Inactive")
    expect(page.locator("#rows tr")).to_have_count(2)
    expect(row(page, invited)).to_have_count(0)
    search(page, prefix, "Not activated")
    expect(page.locator("#rows tr")).to_have_count(1)
    expect(row(page, invited)).to_be_visible()
    search(page, prefix, "Active")
    expect(page.locator("#list-note")).to_have_text("No patient matches.")

    # Front desk staff work the list, but importing is for administrators.
    expect(page.locator("#import-card")).to_be_hidden()
    staff = login(portal, "staff", FRONTDESK.username, FRONTDESK.password)
    refused = requests.post(
        f"{portal.url}/api/staff/patients/import?dry_run=true",
        data=b"first_name,last_name,date_of_birth\nKai,Test,1990-01-01\n",
        headers={**staff.headers, "Content-Type": "text/csv"},
        timeout=10,
    )
    assert refused.status_code == 403, refused.text


def test_a_red_rectangle_turns_access_on_after_the_privacy_question_and_turns_amber(page: Page, colleague: Client):
    prefix = tag()
    ready = add_patient(colleague, "Lena", f"{prefix}a", email="lena@example.com", zip="04101")
    no_email = add_patient(colleague, "Milo", f"{prefix}b", zip="04101")
    open_onboarding(page)
    search(page, prefix)
    expect(page.locator("#rows tr")).to_have_count(2)
    # Why each is red, in a few words beside the rectangle
    expect(row(page, ready).locator(".why")).to_have_text("access off")
    expect(row(page, no_email).locator(".why")).to_have_text("access off, no email")
    before = counts(colleague)["statuses"]

    red = row(page, ready).get_by_role("button", name="Inactive: turn on portal access for Lena")
    red.click()
    dialog = page.get_by_role("dialog", name="Turn on portal access?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("lena@example.com")
    assert_accessible(page, "privacy dialog")
    # Cancelling changes nothing.
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(red).to_be_focused()
    expect(row(page, ready).locator(".rect")).to_have_class("rect st-inactive")

    red.click()
    dialog.get_by_role("button", name="Yes, only the patient uses it").click()
    expect(row(page, ready).locator(".rect")).to_have_class("rect st-unactivated")
    expect(row(page, ready).locator(".rect")).to_have_text("Not activated")
    expect(row(page, ready).locator(".why")).to_have_text("")
    expect(row(page, ready).locator(".row-note")).to_have_text(f"Portal access is on for Lena {prefix}a.")
    expect(shown_count(page, "statuses.inactive")).to_have_text(str(before["inactive"] - 1))
    expect(shown_count(page, "statuses.unactivated")).to_have_text(str(before["unactivated"] + 1))

    # Without an email address on file, the page says at once what is missing (no question
    # first) and stays red.
    row(page, no_email).get_by_role("button", name="Inactive: turn on portal access for Milo").click()
    expect(dialog).to_be_hidden()
    expect(row(page, no_email).locator(".row-note")).to_contain_text("needs an email address")
    expect(row(page, no_email).locator(".rect")).to_have_class("rect st-inactive")
    assert colleague.get(f"/api/staff/patients/{no_email}")["portal_access_enabled"] is False


def test_clicking_the_email_address_sends_an_invitation(page: Page, portal: RunningPortal, colleague: Client):
    prefix = tag()
    patient_id = add_patient(
        colleague, "Nora", prefix, email="nora@example.com", zip="04101", activate_without_confirmation=True
    )
    open_onboarding(page)
    search(page, prefix)
    sent_before = counts(colleague)["invitations"]["sent"]
    mail_before = portal.settled_mail_count()

    row(page, patient_id).get_by_role("button", name="nora@example.com: send Nora").click()
    expect(row(page, patient_id).locator(".row-note")).to_have_text("Invitation email sent to nora@example.com.")
    expect(row(page, patient_id).locator("td").last).to_have_text("Sent just now")
    portal.wait_for_mail(mail_before + 1)
    assert any(mail["to"] == ["nora@example.com"] for mail in portal.mail())
    expect(shown_count(page, "invitations.sent")).to_have_text(str(sent_before + 1))


def test_a_name_that_looks_like_markup_shows_as_text(page: Page, colleague: Client):
    prefix = tag()
    patient_id = add_patient(colleague, XSS, prefix, email="xss@example.com", zip="04101")
    open_onboarding(page)
    search(page, prefix)
    expect(row(page, patient_id).locator("td").nth(1)).to_have_text(f"{XSS} {prefix}")
    row(page, patient_id).locator(".rect").click()
    dialog = page.get_by_role("dialog", name="Turn on portal access?")
    expect(dialog.locator("#privacy-name")).to_have_text(f"{XSS} {prefix}")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.locator("#rows img, dialog img")).to_have_count(0)
    # The page fixture also fails the test had window.__xss been set.


def test_bulk_invitations_by_keyboard_show_progress_to_the_end_and_each_failure(
    page: Page, portal: RunningPortal, colleague: Client
):
    prefix = tag()
    picked = [
        add_patient(
            colleague,
            first,
            f"{prefix}{n}",
            email=f"{first.lower()}@example.com",
            zip="04101",
            activate_without_confirmation=True,
        )
        for n, first in enumerate(["Omar", "Pia"])
    ]
    no_email = add_patient(colleague, "Quinn", f"{prefix}9", zip="04101")
    open_onboarding(page)
    search(page, prefix)
    expect(page.locator("#rows tr")).to_have_count(3)
    sent_before = counts(colleague)["invitations"]["sent"]
    mail_before = portal.settled_mail_count()

    send = page.get_by_role("button", name="Send invitations")
    expect(send).to_be_disabled()
    for patient_id in [*picked, no_email]:
        box = row(page, patient_id).get_by_role("checkbox")
        box.focus()
        page.keyboard.press("Space")
        expect(box).to_be_checked()
    expect(page.locator("#selected-count")).to_have_text("3 patients selected.")
    send.focus()
    page.keyboard.press("Enter")

    progress = page.locator("#bulk-progress")
    expect(progress).to_have_attribute("max", "3")
    expect(progress).to_have_attribute("value", "3", timeout=JOB_TIMEOUT_MS)
    expect(page.locator("#bulk-job .job-text")).to_have_text("2 done, 1 failed, 0 remaining (of 3).")
    expect(page.locator("#bulk-job .failures li")).to_have_text([f"Quinn {prefix}9: no email"])
    portal.wait_for_mail(mail_before + 2)
    # When the job is done, the list and the counts are read again and the selection cleared.
    expect(shown_count(page, "invitations.sent")).to_have_text(str(sent_before + 2))
    for patient_id in picked:
        expect(row(page, patient_id).locator("td").last).to_contain_text("Sent")
    expect(page.locator("#selected-count")).to_have_text("No patients selected.")


def test_every_match_of_the_filter_can_be_invited_at_once(page: Page, portal: RunningPortal, colleague: Client):
    prefix = tag()
    for n, first in enumerate(["Rosa", "Sven"]):
        add_patient(
            colleague,
            first,
            f"{prefix}{n}",
            email=f"{first.lower()}@example.com",
            zip="04101",
            activate_without_confirmation=True,
        )
    add_patient(colleague, "Tara", f"{prefix}7", email="tara@example.com", zip="04101")  # inactive: not matched
    open_onboarding(page)
    search(page, prefix, "Not activated")
    expect(page.locator("#rows tr")).to_have_count(2)
    mail_before = portal.settled_mail_count()

    page.get_by_label("Select every patient matching this search and status").check()
    expect(page.locator("#rows .pick:checked")).to_have_count(2)
    expect(page.locator("#selected-count")).to_have_text("Every patient matching the search and status is selected.")
    page.get_by_role("button", name="Send invitations").click()
    expect(page.locator("#bulk-progress")).to_have_attribute("value", "2", timeout=JOB_TIMEOUT_MS)
    expect(page.locator("#bulk-progress")).to_have_attribute("max", "2")
    expect(page.locator("#bulk-job .job-text")).to_have_text("2 done, 0 failed, 0 remaining (of 2).")
    portal.wait_for_mail(mail_before + 2)


def test_an_administrator_checks_then_imports_a_patient_list(page: Page, colleague: Client, tmp_path: Path):
    prefix = tag()
    add_patient(colleague, "Uma", f"{prefix}z", email="uma@example.com", zip="04101")
    csv_file = tmp_path / "patients.csv"
    csv_file.write_text(
        "first_name,last_name,date_of_birth,email,zip\n"
        f"Vera,{prefix}a,1979-11-02,vera@example.com,04101\n"
        f"Wes,{prefix}b,not a date,wes@example.com,04101\n"
        f"Vera,{prefix}a,1979-11-02,vera@example.com,04101\n"
        f"Uma,{prefix}z,1984-03-09,uma@example.com,04101\n"
        f"{XSS},{prefix}x,1990-05-06,,\n",
        encoding="utf-8",
    )
    open_onboarding(page, ADMIN.username, ADMIN.password)
    card = page.locator("#import-card")
    expect(card).to_be_visible()
    import_button = card.get_by_role("button", name="Import", exact=True)
    expect(import_button).to_be_disabled()

    card.get_by_role("button", name="Check the file").click()
    expect(card.get_by_role("alert")).to_have_text("Choose a CSV file first.")
    card.get_by_label("CSV file").set_input_files(csv_file)
    card.get_by_label("Turn on portal access for rows with an email and a zip code").check()
    card.get_by_role("button", name="Check the file").click()
    report = card.locator("#report-rows tr")
    expect(report).to_have_count(5)
    expect(report.nth(0).locator("td")).to_have_text(["2", f"Vera {prefix}a", "OK, portal access will be turned on"])
    expect(report.nth(1).locator("td").nth(2)).to_contain_text("Error: date of birth")
    expect(report.nth(2).locator("td").nth(2)).to_have_text("Duplicate of row 2")
    expect(report.nth(3).locator("td").nth(2)).to_have_text("Duplicate of a patient on file")
    expect(report.nth(4).locator("td").nth(1)).to_have_text(f"{XSS} {prefix}x")
    expect(card.locator("#import-summary")).to_have_text("5 rows: 2 ready to import, 1 with errors, 2 duplicates.")
    assert_accessible(page, "import report")

    import_button.click()
    progress = card.locator("#import-progress")
    expect(progress).to_have_attribute("max", "5")
    expect(progress).to_have_attribute("value", "5", timeout=JOB_TIMEOUT_MS)
    expect(card.locator("#import-summary")).to_have_text("Import finished: 2 rows imported, 3 not imported.")
    expect(card.locator("#import-job .failures li")).to_have_count(3)

    search(page, prefix)
    expect(page.locator("#rows tr")).to_have_count(3)
    vera = page.locator("#rows tr").filter(has_text="vera@example.com")
    expect(vera.locator(".rect")).to_have_text("Not activated")  # access turned on by the option
    # The name that looks like markup is text: no image, no script.
    expect(page.locator("#rows tr").filter(has_text=XSS)).to_have_count(1)
    expect(page.locator("#rows img")).to_have_count(0)
