"""Patient portal, part 2: every way into an account. "Create my portal account" and
"I forgot my password" (one generic answer, then the emailed link), the invitation staff
send, the link page (username with a live check, password with live feedback, the server
deciding), a used link, and the registration form with its verification link."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Client, assert_accessible
from tests.browser.test_portal_sign_in import link_in_mail, new_patient, portal_sign_in, view
from tests.local.conftest import RunningPortal

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

GENERIC = "If these details match what the practice has on file, an email with a link is on its way"
STRONG = "velvet orchard copper lantern"


def fill_identity(page: Page, name: str, patient: dict, **changes: str) -> None:
    form = view(page, name)
    details = {**patient, **changes}
    form.get_by_label("Email address").fill(details["email"])
    form.get_by_label("Last name").fill(details["last_name"])
    form.get_by_label("Date of birth").fill(details["date_of_birth"])
    form.get_by_label("Home zip code").fill(details["zip"])
    form.get_by_role("button", name="Send me the link").click()


def choose_username(page: Page, username: str) -> None:
    form = view(page, "link")
    form.get_by_label("Choose a username").fill(username)
    expect(page.locator("#link-username-check")).to_have_text(f"✓ {username} is available.")
    expect(page.locator("#link-username-check")).to_have_class("hint ok")


def set_password(page: Page, password: str) -> None:
    form = view(page, "link")
    form.get_by_label("New password", exact=True).fill(password)
    form.get_by_label("New password again").fill(password)
    form.get_by_role("button", name="Save").click()


def sign_in_from_link_page(page: Page, username: str, password: str) -> None:
    expect(page.locator("#link-done-text")).to_contain_text(f"Your username is {username}")
    page.get_by_role("link", name="Go to sign-in").click()
    form = view(page, "sign-in")
    expect(form.get_by_label("Username")).to_have_value(username)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign in").click()
    expect(view(page, "inbox")).to_be_visible()
    expect(page.locator("#signed-in-as")).to_contain_text("Signed in as Juniper Testcase")


def test_create_my_portal_account_then_the_emailed_link_sets_it_up(
    page: Page, portal: RunningPortal, colleague: Client
):
    patient = new_patient(colleague)
    page.goto("/portal/")
    page.get_by_role("link", name="I am a registered patient. Create my portal account").click()
    form = view(page, "claim")
    expect(form.get_by_role("heading", name="Create my portal account")).to_be_focused()
    assert_accessible(page, "claim")
    form.get_by_role("button", name="Send me the link").click()
    expect(page.locator("#claim-email-error")).to_have_text("Fill in this field.")
    expect(form.get_by_label("Email address")).to_be_focused()
    assert_accessible(page, "claim with errors")

    # Details that do not match get the very same answer as details that do.
    fill_identity(page, "claim", patient, last_name="Someoneelse")
    expect(form.locator(".answer-text")).to_contain_text(GENERIC)
    expect(form.locator(".answer-text")).to_be_focused()
    wrong = form.locator(".answer").inner_text()
    page.get_by_role("link", name="Back to sign-in").filter(visible=True).click()
    page.get_by_role("link", name="I am a registered patient. Create my portal account").click()
    expect(form.locator("form")).to_be_visible()
    expect(form.locator(".answer")).to_be_hidden()
    fill_identity(page, "claim", patient)
    expect(form.locator(".answer")).to_be_visible()
    assert form.locator(".answer").inner_text() == wrong

    link = link_in_mail(portal, patient["email"], "Set up or reset")
    page.goto(link)
    link_view = view(page, "link")
    expect(link_view.get_by_role("heading", name="Set up your portal account")).to_be_visible()
    assert page.url.endswith("/portal/#link"), "the token stays out of the address bar"
    assert "token" not in page.evaluate("location.href")
    assert_accessible(page, "link page")

    # The live username check: taken, badly formed, then free (in green).
    link_view.get_by_label("Choose a username").fill("ava.thompson")
    expect(page.locator("#link-username-check")).to_have_text("This username is taken.")
    link_view.get_by_label("Choose a username").fill("bad name")
    expect(page.locator("#link-username-check")).to_contain_text("Use only letters, digits")
    username = f"juniper.{uuid.uuid4().hex[:6]}"
    choose_username(page, username)

    # Live feedback on the password, then the server's word on a weak one.
    link_view.get_by_label("New password", exact=True).fill("short")
    expect(page.locator("#link-strength")).to_have_text("Strength: Too short. 5 of at least 12 characters.")
    expect(page.locator("#link-meter")).to_have_attribute("value", "0")
    set_password(page, "password1234")
    expect(page.locator("#link-strength")).to_contain_text("Strength: Weak.")
    expect(page.locator("#link-password-error")).to_have_text(
        "This password is too easy to guess. Try a few unrelated words together."
    )
    expect(link_view.get_by_label("New password", exact=True)).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "link page with a refused password")
    link_view.get_by_label("New password", exact=True).fill(STRONG)
    expect(page.locator("#link-strength")).to_contain_text("Strength: Strong.")
    set_password(page, STRONG)
    sign_in_from_link_page(page, username, STRONG)


def test_the_invitation_staff_send_lets_the_patient_choose_a_username_and_password(
    page: Page, portal: RunningPortal, colleague: Client
):
    patient = new_patient(colleague)
    sent = colleague.post(f"/api/staff/patients/{patient['patient_id']}/invitation", expect=202)
    assert sent["sent_to"] == patient["email"]
    page.goto(link_in_mail(portal, patient["email"], "invitation"))
    expect(view(page, "link").get_by_role("heading", name="Set up your portal account")).to_be_visible()
    expect(page.locator("#link-status")).to_have_text("Choose a username and a password.")
    username = f"juniper.{uuid.uuid4().hex[:6]}"
    choose_username(page, username)
    set_password(page, STRONG)
    sign_in_from_link_page(page, username, STRONG)
    status = colleague.get(f"/api/staff/patients/{patient['patient_id']}")["portal_status"]["status"]
    assert status == "active"


def test_i_forgot_my_password_sends_a_reset_link_that_works_once(page: Page, portal: RunningPortal, colleague: Client):
    username = f"juniper.{uuid.uuid4().hex[:6]}"
    patient = new_patient(colleague, username=username, password="amber falcon river stone")
    page.goto("/portal/")
    page.get_by_role("link", name="I forgot my password").click()
    assert_accessible(page, "forgot")
    fill_identity(page, "forgot", patient)
    expect(view(page, "forgot").locator(".answer-text")).to_contain_text(GENERIC)

    link = link_in_mail(portal, patient["email"], "Set up or reset")
    page.goto(link)
    link_view = view(page, "link")
    expect(link_view.get_by_role("heading", name="Choose a new password")).to_be_visible()
    expect(link_view.get_by_label("Choose a username")).to_be_hidden()  # the username stays
    set_password(page, STRONG)
    sign_in_from_link_page(page, username, STRONG)

    # The same link a second time: it is used up, and the page says what to do.
    page.goto("/portal/")
    page.get_by_role("button", name="Sign out").click()
    expect(view(page, "sign-in")).to_be_visible()
    page.goto(link)
    expect(link_view.get_by_role("heading", name="This link has expired")).to_be_visible()
    expect(page.locator("#link-gone")).to_contain_text("Each link works only once")
    expect(page.locator("#link-form")).to_be_hidden()
    assert_accessible(page, "used link")
    page.locator("#link-gone").get_by_role("link", name="I forgot my password").click()
    expect(view(page, "forgot")).to_be_visible()


def test_registration_then_the_verification_link_turns_access_on(page: Page, portal: RunningPortal):
    tag = uuid.uuid4().hex[:6]
    email, username = f"rowan.{tag}@example.com", f"rowan.{tag}"
    page.goto("/portal/")
    page.get_by_role("link", name="New to the practice? Register online").click()
    form = view(page, "register")
    assert_accessible(page, "register")
    expect(form.get_by_label("Username")).to_have_count(0)  # chosen on the emailed link's page
    form.get_by_label("First name").fill("Rowan")
    form.get_by_label("Last name").fill(f"Example{tag}")
    form.get_by_label("Date of birth").fill("1988-02-29")
    form.get_by_label("Email address").fill(email)
    form.get_by_label("Home zip code").fill("02139")
    form.get_by_role("button", name="Register").click()
    expect(form.get_by_role("heading", name="Check your email")).to_be_focused()

    # Opening the link confirms nothing by itself (a mail scanner may open it): the patient
    # chooses a username and a password and presses Save.
    page.goto(link_in_mail(portal, email, "Confirm your email"))
    link_view = view(page, "link")
    expect(link_view.get_by_role("heading", name="Confirm your email address and set up your account")).to_be_visible()
    expect(page.locator("#link-status")).to_have_text("Choose a username and a password.")
    expect(page.locator("#link-done")).to_be_hidden()
    choose_username(page, username)
    link_view.get_by_label("New password", exact=True).fill("letmein12345")
    link_view.get_by_label("New password again").fill("letmein12345")
    link_view.get_by_role("button", name="Save").click()
    expect(page.locator("#link-password-error")).not_to_be_empty()  # the server's judgement
    assert_accessible(page, "confirmation link with a refused password")
    set_password(page, STRONG)
    expect(page.locator("#link-done-text")).to_contain_text("your email address is confirmed")
    expect(page.locator("#link-done-text")).to_contain_text(f"Your username is {username}")
    assert_accessible(page, "email confirmed")
    page.get_by_role("link", name="Go to sign-in").click()
    portal_sign_in(page, username, STRONG)
    expect(page.locator("#signed-in-as")).to_have_text(f"Signed in as Rowan Example{tag}")
