"""Issue 12 on screen: what "Add patient" says about access, the onboarding page asking before
an invitation goes to someone invited minutes ago, and the portal's sign-in refusal pointing
a newly registered patient to the confirmation email (the same words for everyone)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Client, sign_in
from tests.browser.test_onboarding import add_patient, open_onboarding, row, search, tag
from tests.browser.test_patient_panel import new_patient, open_edit, open_panel
from tests.browser.test_portal_sign_in import view
from tests.local.conftest import RunningPortal

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_the_add_patient_hint_says_access_stays_off_when_the_email_or_zip_is_missing(page: Page):
    sign_in(page)
    page.get_by_role("button", name="Add patient").click()
    hint = page.locator("#a-activate-hint")
    expect(hint).to_contain_text("only if both the email and the zip code are filled in here")
    expect(hint).to_contain_text("Patient Portal tab")


def test_the_onboarding_page_asks_before_sending_to_someone_invited_minutes_ago(
    page: Page, portal: RunningPortal, colleague: Client
):
    prefix = tag()
    patient_id = add_patient(
        colleague, "Wren", prefix, email="wren@example.com", zip="04101", activate_without_confirmation=True
    )
    colleague.post(f"/api/staff/patients/{patient_id}/invitation", expect=202)
    open_onboarding(page)
    search(page, prefix)
    expect(page.locator("#rows tr")).to_have_count(1)  # the search's rows, not the first page's
    send = row(page, patient_id).get_by_role("button", name="wren@example.com: send Wren")
    dialog = page.get_by_role("dialog", name="Send again?")

    # Declined: nothing goes, and the row says so
    send.click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("minutes ago")
    dialog.get_by_role("button", name="Cancel").click()
    expect(row(page, patient_id).locator(".row-note")).to_contain_text("No email sent")
    # Accepted: it goes
    mail_before = portal.settled_mail_count()
    send.click()
    dialog.get_by_role("button", name="Send again").click()
    expect(row(page, patient_id).locator(".row-note")).to_have_text("Invitation email sent to wren@example.com.")
    portal.wait_for_mail(mail_before + 1)


def test_the_patient_panel_asks_before_sending_again_minutes_later(
    page: Page, portal: RunningPortal, colleague: Client
):
    last = f"Resend{tag()}"
    email = f"resend.{tag()}@example.com"
    made = new_patient(colleague, last, email=email, zip="02130", activate_without_confirmation=True)
    colleague.post(f"/api/staff/patients/{made['patient_id']}/invitation", expect=202)
    sign_in(page)
    open_panel(page, last)
    edit = open_edit(page, "Patient Portal")
    ask = page.get_by_role("dialog", name="Send again?")
    edit.get_by_role("button", name="Send invitation/reset email").click()
    expect(ask).to_contain_text("minutes ago")
    ask.get_by_role("button", name="Cancel").click()
    expect(edit.locator("#invite-note")).to_contain_text("Not sent:")
    before = portal.settled_mail_count()
    edit.get_by_role("button", name="Send invitation/reset email").click()
    ask.get_by_role("button", name="Send again").click()
    expect(edit.locator("#invite-note")).to_contain_text(f"Invitation/reset email sent to {email}.")
    portal.wait_for_mail(before + 1)


def test_a_refused_sign_in_points_to_the_confirmation_email(page: Page):
    page.goto("/portal/")
    form = view(page, "sign-in")
    form.get_by_label("Username").fill("someone.new")
    form.get_by_label("Password").fill("not the password at all")
    form.get_by_role("button", name="Sign in").click()
    expect(page.locator("#sign-in-error")).to_contain_text("The username or password is not right.")
    expect(page.locator("#sign-in-error")).to_contain_text("confirmation email")
