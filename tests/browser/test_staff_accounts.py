"""The staff accounts page (administrators): the list, an invitation that reaches the
development mailbox and gets its member in, a role changed, an account turned off and on
again and an authenticator app reset, each asked for first and in force at the member's
next request; front desk gets no link and a page that says whose it is.

The demo's `manager` is the administrator here (the template's `admin` belongs to
test_first_admin.py), and every account changed is one this file creates."""

from __future__ import annotations

import re
import uuid

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests import staff_mfa
from tests.browser.conftest import (
    ADMIN,
    FRONTDESK,
    assert_accessible,
    assert_clean,
    enrol_app,
    sign_in,
    watched_context,
)
from tests.browser.test_second_factor import PASSWORD, added_member, password_step

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NEW_PASSWORD = "willow beacon saddle thirty"


def open_accounts(page: Page) -> None:
    """As an administrator finds it: the queue's Links menu."""
    sign_in(page, ADMIN.username, ADMIN.password)
    page.get_by_role("button", name="Links").click()
    page.get_by_role("link", name="Staff accounts").click()
    expect(page.get_by_role("heading", name="Staff accounts", level=1)).to_be_visible()
    expect(page.locator("#rows tr").first).to_be_visible()


def member_row(page: Page, username: str):
    return page.locator(f'#rows tr[data-username="{username}"]')


def confirm(page: Page, title: str, *, check: bool = False) -> None:
    ask = page.get_by_role("dialog", name=title)
    expect(ask).to_be_visible()
    if check:
        assert_accessible(page, f"the question {title!r}")
    ask.get_by_role("button", name="Yes, go ahead").click()
    expect(ask).to_be_hidden()


def test_an_admin_sees_every_account_and_invites_a_member_who_then_signs_in(page: Page, browser: Browser, portal):
    open_accounts(page)
    frontdesk = member_row(page, FRONTDESK.username)
    expect(frontdesk).to_contain_text("frontdesk@riverbend-demo.example")
    expect(frontdesk.locator("td").nth(1)).to_have_text("Front desk")
    expect(frontdesk.locator("td").nth(2)).to_have_text("Set up")
    expect(frontdesk.locator("td").nth(4)).to_have_text("On")
    expect(frontdesk.locator("td").nth(3)).not_to_have_text("Never")
    manager = member_row(page, ADMIN.username)
    expect(manager.locator("th")).to_have_text(f"{ADMIN.username} (you)")
    expect(manager.locator("td").nth(1)).to_have_text("Administrator")
    # The template's first administrator: invited, or signed in once test_first_admin has run
    expect(member_row(page, "admin").locator("td").nth(2)).to_have_text(
        re.compile(r"^(Invited, not signed in yet|Set up)$")
    )
    assert_accessible(page, "the staff accounts list")

    # An empty form is refused beside the field, before anything is sent
    form = page.locator("#invite-form")
    form.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#invite-note")).to_have_text("Username: Fill in this field.")
    expect(form.get_by_label("Username")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "the invitation refused")

    username = f"nurse{uuid.uuid4().hex[:6]}"
    address = f"{username}@example.com"
    form.get_by_label("Username").fill(username)
    form.get_by_label("Email").fill(address)
    form.get_by_label("Role").select_option("Front desk")
    form.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#invite-note")).to_have_text(
        f"Invitation sent to {username}. They sign in with the username and temporary password it gives."
    )
    invited = member_row(page, username)
    expect(invited.locator("td").nth(0)).to_have_text(address)
    expect(invited.locator("td").nth(2)).to_have_text("Invited, not signed in yet")
    expect(invited.locator("td").nth(3)).to_have_text("Never")
    assert_accessible(page, "the staff accounts list after an invitation")

    # The same username again: the API's refusal, beside the field
    form.get_by_label("Username").fill(username)
    form.get_by_label("Email").fill(address)
    form.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#invite-note")).to_have_text("That username is taken; choose another.")

    # Cognito's invitation is in the mailbox, and gets the member in (new password, then the app)
    (email,) = [sent for sent in portal.mail() if sent["to"] == [address]]
    assert f"Your username is {username} " in email["text"]
    temporary = re.search(r"temporary password is (\S+) \(", email["text"]).group(1)  # type: ignore[union-attr]
    context, watched = watched_context(browser, portal)
    theirs = context.new_page()
    try:
        password_step(theirs, username, temporary)
        theirs.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        theirs.get_by_label("New password again").fill(NEW_PASSWORD)
        theirs.get_by_role("button", name="Save password and sign in").click()
        enrol_app(theirs)
        expect(theirs.locator("#signed-in-as")).to_have_text(f"Signed in as {username}")
        # Front desk: the menu has no staff accounts link, and the page says whose it is
        theirs.get_by_role("button", name="Links").click()
        expect(theirs.get_by_role("link", name="Onboarding")).to_be_visible()
        expect(theirs.get_by_role("link", name="Staff accounts")).to_be_hidden()
        theirs.goto("/staff/accounts/")
        expect(theirs.get_by_text("This page is for the practice's administrators.")).to_be_visible()
        expect(theirs.locator("#admin-view")).to_be_hidden()
        assert_accessible(theirs, "the staff accounts page for front desk")
        assert_clean([theirs], watched)
    finally:
        context.close()

    page.reload()
    expect(member_row(page, username).locator("td").nth(2)).to_have_text("Set up")
    expect(member_row(page, username).locator("td").nth(3)).not_to_have_text("Never")


def test_an_admin_changes_a_role_turns_an_account_off_and_on_and_resets_the_app(page: Page, browser: Browser, portal):
    member = added_member(portal, enrolled=True)
    held = staff_mfa.staff_token_over_http(portal.url, member, PASSWORD)
    open_accounts(page)
    row = member_row(page, member)
    expect(row.locator("td").nth(1)).to_have_text("Front desk")

    # A role: asked first, and a cancel changes nothing
    row.get_by_role("button", name="Make administrator").click()
    ask = page.get_by_role("dialog", name=f"Make {member} an administrator?")
    ask.get_by_role("button", name="Cancel").click()
    expect(row.locator("td").nth(1)).to_have_text("Front desk")
    row.get_by_role("button", name="Make administrator").click()
    confirm(page, f"Make {member} an administrator?", check=True)
    expect(page.locator("#announce")).to_have_text(f"{member} is now administrator, from their next sign-in.")
    expect(row.locator("td").nth(1)).to_have_text("Administrator")
    assert_accessible(page, "the list after a role change")

    # Their token stops working at once; their next sign-in carries the admin group
    queue = requests.get(f"{portal.url}/api/staff/queue", headers={"Authorization": f"Bearer {held}"}, timeout=10)
    assert queue.status_code == 401, queue.text
    promoted = staff_mfa.staff_token_over_http(portal.url, member, PASSWORD)
    listed = requests.get(
        f"{portal.url}/api/staff/staff-members", headers={"Authorization": f"Bearer {promoted}"}, timeout=10
    )
    assert listed.status_code == 200, listed.text

    row.get_by_role("button", name="Make front desk").click()
    confirm(page, f"Make {member} front desk?")
    expect(row.locator("td").nth(1)).to_have_text("Front desk")

    # Off: they cannot sign in; on again: they can
    row.get_by_role("button", name="Turn off").click()
    confirm(page, f"Turn off {member}'s account?", check=True)
    expect(page.locator("#announce")).to_have_text(
        f"{member}'s account is off: they are signed out and cannot sign in."
    )
    expect(row.locator("td").nth(4)).to_have_text("Off: cannot sign in")
    refused = requests.post(
        f"{portal.url}/api/auth/staff/login", json={"username": member, "password": PASSWORD}, timeout=10
    )
    assert refused.status_code == 401, refused.text
    assert_accessible(page, "the list with an account off")
    row.get_by_role("button", name="Turn on").click()
    confirm(page, f"Turn on {member}'s account?")
    expect(page.locator("#announce")).to_have_text(f"{member}'s account is on again.")
    expect(row.locator("td").nth(4)).to_have_text("On")
    staff_mfa.staff_token_over_http(portal.url, member, PASSWORD)

    # The authenticator app reset (the existing route): not set up until their next sign-in
    expect(row.locator("td").nth(2)).to_have_text("Set up")
    row.get_by_role("button", name="Reset app").click()
    confirm(page, f"Reset {member}'s authenticator app?", check=True)
    expect(page.locator("#announce")).to_have_text(
        f"Done: {member} sets up an authenticator app again at their next sign-in."
    )
    expect(row.locator("td").nth(2)).to_have_text("Not set up")

    context, watched = watched_context(browser, portal)
    theirs = context.new_page()
    try:
        password_step(theirs, member, PASSWORD)
        enrol_app(theirs)
        expect(theirs.locator("#signed-in-as")).to_have_text(f"Signed in as {member}")
        assert_clean([theirs], watched)
    finally:
        context.close()
    page.reload()
    expect(member_row(page, member).locator("td").nth(2)).to_have_text("Set up")


def test_front_desk_is_shown_no_staff_accounts_link(page: Page):
    sign_in(page, FRONTDESK.username, FRONTDESK.password)
    page.get_by_role("button", name="Links").click()
    expect(page.get_by_role("link", name="Onboarding")).to_be_visible()
    expect(page.get_by_role("link", name="Staff accounts")).to_be_hidden()
