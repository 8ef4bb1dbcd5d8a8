"""Staff page: the sign-in's second factor. A first sign-in shows the QR code and the key
and asks for the app's first code, a wrong code is refused beside the field, the right one
signs in, the next sign-in asks for the code, and an admin resets a member's app."""

from __future__ import annotations

import uuid

import boto3
import pytest
from playwright.sync_api import Browser, Page, expect

from local.stack import STACK_NAME
from tests import staff_mfa
from tests.browser.conftest import (
    ADMIN,
    FRONTDESK,
    assert_accessible,
    assert_clean,
    enrol_app,
    enter_code,
    sign_in,
    watched_context,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "amber meadow kettle ninety"


def staff_pool(portal) -> tuple[object, str]:
    cognito = boto3.client("cognito-idp", endpoint_url=portal.emulator_url, region_name="us-east-1")
    pool = next(
        pool["Id"]
        for pool in cognito.list_user_pools(MaxResults=10)["UserPools"]
        if pool["Name"] == f"{STACK_NAME}-staff"
    )
    return cognito, pool


def added_member(portal, *, enrolled: bool) -> str:
    """A member of staff of this test's own (the demo logins are shared by the whole suite)."""
    cognito, pool = staff_pool(portal)
    username = f"nurse{uuid.uuid4().hex[:6]}"
    cognito.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS")  # type: ignore[attr-defined]
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName="staff")  # type: ignore[attr-defined]
    cognito.admin_set_user_password(UserPoolId=pool, Username=username, Password=PASSWORD, Permanent=True)  # type: ignore[attr-defined]
    if enrolled:
        staff_mfa.staff_token_over_http(portal.url, username, PASSWORD)  # enrols on the way
    return username


def password_step(page: Page, username: str, password: str) -> None:
    page.goto("/staff/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_first_sign_in_shows_the_qr_code_and_key_and_a_wrong_code_is_refused(page: Page, portal):
    cognito, pool = staff_pool(portal)
    username = f"nurse{uuid.uuid4().hex[:6]}"
    cognito.admin_create_user(  # type: ignore[attr-defined]
        UserPoolId=pool, Username=username, TemporaryPassword="Temporary-pass-2026", MessageAction="SUPPRESS"
    )
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName="staff")  # type: ignore[attr-defined]
    password_step(page, username, "Temporary-pass-2026")
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("New password again").fill(PASSWORD)
    page.get_by_role("button", name="Save password and sign in").click()

    # The QR code (the server's SVG, shown as an image under the page's CSP) and the key in fours
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    qr = page.get_by_role("img", name="QR code to scan with your authenticator app")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.complete && image.naturalWidth > 100")
    assert qr.get_attribute("src").startswith("data:image/svg+xml;base64,")  # type: ignore[union-attr]
    expect(page.locator("#mfa-secret")).to_have_text("asdf asdf asdf")  # the emulator's one secret
    assert_accessible(page, "authenticator enrolment")

    # A wrong code: said beside the field, which keeps the focus for another try
    code_field = page.get_by_label("Code the app shows now")
    code_field.fill(staff_mfa.wrong_code())
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.locator("#mfa-setup-error")).to_contain_text("That code is not right")
    expect(page.locator("#mfa-setup-error")).to_contain_text("clock")
    expect(code_field).to_have_attribute("aria-invalid", "true")
    expect(code_field).to_be_focused()
    assert_accessible(page, "authenticator enrolment with a wrong code")

    # The right code signs in
    code_field.fill(staff_mfa.code_now())
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.locator("#signed-in-as")).to_have_text(f"Signed in as {username}")
    expect(page.locator("#compact-count")).to_contain_text("open item")

    # The next sign-in asks for the app's code
    page.get_by_role("button", name="Sign out").click()
    password_step(page, username, PASSWORD)
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_hidden()
    enter_code(page)
    expect(page.locator("#signed-in-as")).to_have_text(f"Signed in as {username}")


def test_every_sign_in_asks_for_the_code_a_wrong_one_is_refused_and_the_right_one_signs_in(page: Page):
    password_step(page, FRONTDESK.username, FRONTDESK.password)
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    expect(page.locator("#app-view")).to_be_hidden()
    expect(page.get_by_label("Password", exact=True)).to_be_hidden()
    assert_accessible(page, "sign-in code")
    code_field = page.get_by_label("Code from your authenticator app")
    expect(code_field).to_be_focused()

    code_field.fill(staff_mfa.wrong_code())
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#mfa-code-error")).to_contain_text("That code is not right")
    expect(page.locator("#mfa-code-error")).to_have_class("error")
    expect(code_field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#app-view")).to_be_hidden()

    code_field.fill("")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#mfa-code-error")).to_have_text("Enter the 6-digit code from your authenticator app.")

    enter_code(page)
    expect(page.locator("#signed-in-as")).to_have_text("Signed in as frontdesk")
    expect(code_field).to_have_value("")


def test_an_admin_resets_a_members_app_and_their_next_sign_in_enrols_again(page: Page, browser: Browser, portal):
    member = added_member(portal, enrolled=True)
    sign_in(page, ADMIN.username, ADMIN.password)
    page.get_by_role("button", name="Links").click()
    page.get_by_role("button", name="Reset a staff member's authenticator app").click()
    dialog = page.get_by_role("dialog", name="Reset a staff member's authenticator app")
    expect(dialog).to_be_visible()
    assert_accessible(page, "authenticator reset")

    # Nobody of that name: said beside the field
    dialog.get_by_label("Staff member's sign-in name").fill("nobody-here")
    dialog.get_by_role("button", name="Reset").click()
    ask = page.get_by_role("dialog", name="Reset this authenticator app?")
    expect(ask).to_contain_text("nobody-here")
    ask.get_by_role("button", name="Yes, reset it").click()
    expect(page.locator("#mfa-reset-note")).to_have_text("There is no staff member with that username.")
    expect(page.locator("#mfa-reset-note")).to_have_class("error")

    # Cancelling the confirmation resets nothing; confirming resets the member's app
    dialog.get_by_label("Staff member's sign-in name").fill(member)
    dialog.get_by_role("button", name="Reset").click()
    ask.get_by_role("button", name="Cancel").click()
    expect(page.locator("#mfa-reset-note")).to_have_text("")
    dialog.get_by_role("button", name="Reset").click()
    expect(ask).to_contain_text(member)
    ask.get_by_role("button", name="Yes, reset it").click()
    expect(page.locator("#mfa-reset-note")).to_have_text(
        f"Done: {member} sets up an authenticator app again at their next sign-in."
    )

    # The member's next sign-in, in their own browser, sets the app up again
    context, watched = watched_context(browser, portal)
    theirs = context.new_page()
    try:
        password_step(theirs, member, PASSWORD)
        enrol_app(theirs)
        expect(theirs.locator("#signed-in-as")).to_have_text(f"Signed in as {member}")
        assert_clean([theirs], watched)
    finally:
        context.close()


def test_the_reset_is_offered_to_admins_only(page: Page):
    sign_in(page)
    page.get_by_role("button", name="Links").click()
    expect(page.get_by_role("link", name="Onboarding")).to_be_visible()
    expect(page.get_by_role("button", name="Reset a staff member's authenticator app")).to_be_hidden()
