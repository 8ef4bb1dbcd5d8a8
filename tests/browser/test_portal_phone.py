"""Patient portal, part 4: every view on a phone (390 x 844, touch). On each one nothing needs
horizontal scrolling, every control (button, link, input, select, a checkbox or radio with
its label) offers a target of at least 44 x 44 px, links inside a sentence included, and
axe-core finds nothing serious (docs/performance.md "Pages")."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, Client, assert_accessible, login, submit
from tests.browser.test_portal_accounts import STRONG, choose_username, fill_identity, set_password
from tests.browser.test_portal_home import PASSWORD, message_to, open_form
from tests.browser.test_portal_sign_in import link_in_mail, new_patient, portal_sign_in, view
from tests.local.conftest import RunningPortal

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.parametrize("page", [PHONE], indirect=True, ids=["phone"]),
]

TARGET = 44  # px, each way (WCAG 2.5.5)

# What a finger can press in the view on screen: in the modal dialog when one is open (the
# page behind it is inert), else in the whole page. A checkbox or radio counts with its label.
MEASURE = """(target) => {
  const modal = [...document.querySelectorAll("dialog[open]")].find((each) => each.matches(":modal"));
  const root = modal || document;
  const controls = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]";
  const small = [];
  for (const control of root.querySelectorAll(controls)) {
    if (!control.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    let { left, top, right, bottom } = control.getBoundingClientRect();
    if (control.type === "checkbox" || control.type === "radio") {
      for (const label of control.labels) {
        const box = label.getBoundingClientRect();
        [left, top] = [Math.min(left, box.left), Math.min(top, box.top)];
        [right, bottom] = [Math.max(right, box.right), Math.max(bottom, box.bottom)];
      }
    }
    const [width, height] = [right - left, bottom - top];
    if (width < target || height < target) {
      const name = (control.innerText || control.labels?.[0]?.innerText || control.name || "").trim();
      const what = `${control.localName}${control.id ? "#" + control.id : ""} "${name}"`;
      small.push(`${what}: ${width.toFixed(1)} x ${height.toFixed(1)}`);
    }
  }
  const page = document.documentElement;
  const wide = [[page.scrollWidth, page.clientWidth]];
  if (modal) wide.push([modal.scrollWidth, modal.clientWidth]);
  return { small, wide: wide.filter(([scroll, client]) => scroll > client) };
}"""


def assert_fits_a_phone(page: Page, name: str) -> None:
    """No horizontal scrolling, 44 px targets, and axe-core's word, on the view shown now."""
    found = page.evaluate(MEASURE, TARGET)
    assert found["wide"] == [], f"{name} scrolls sideways (scroll width, client width): {found['wide']}"
    assert found["small"] == [], f"{name}: targets under {TARGET} x {TARGET} px: {found['small']}"
    assert_accessible(page, f"{name} on a phone")


@pytest.fixture
def juniper(portal: RunningPortal, colleague: Client) -> dict:
    """A patient of our own with a message from the practice and a request on file, so the
    inbox, the message dialog and My requests have rows to show (and no one else's change)."""
    username = f"juniper.{uuid.uuid4().hex[:6]}"
    patient = new_patient(colleague, username=username, password=PASSWORD)
    message_to(colleague, patient, "Your repeat prescription is ready to collect.")
    submit(login(portal, "patient", username, PASSWORD), type="refill", medication="cetirizine", dosage="10 mg")
    return {**patient, "username": username}


def test_sign_in_and_the_ways_into_an_account_fit_a_phone(page: Page, portal: RunningPortal, colleague: Client):
    page.goto("/portal/")
    expect(view(page, "sign-in")).to_be_visible()
    assert_fits_a_phone(page, "sign-in")
    view(page, "sign-in").get_by_role("button", name="Sign in").click()
    expect(page.locator("#sign-in-error")).not_to_be_empty()
    assert_fits_a_phone(page, "sign-in with errors")

    page.get_by_role("link", name="I am a registered patient. Create my portal account").click()
    expect(view(page, "claim")).to_be_visible()
    assert_fits_a_phone(page, "create my portal account")
    view(page, "claim").get_by_role("button", name="Send me the link").click()
    expect(page.locator("#claim-email-error")).to_have_text("Fill in this field.")
    assert_fits_a_phone(page, "create my portal account with errors")

    page.get_by_role("link", name="Back to sign-in").filter(visible=True).click()
    page.get_by_role("link", name="I forgot my password").click()
    expect(view(page, "forgot")).to_be_visible()
    assert_fits_a_phone(page, "forgot my password")
    fill_identity(page, "forgot", new_patient(colleague))
    expect(view(page, "forgot").locator(".answer-text")).to_be_focused()
    assert_fits_a_phone(page, "forgot my password, answered")

    page.get_by_role("link", name="Back to sign-in").filter(visible=True).click()
    page.get_by_role("link", name="New to the practice? Register online").click()
    expect(view(page, "register")).to_be_visible()
    assert_fits_a_phone(page, "registration")
    view(page, "register").get_by_role("button", name="Register").click()
    expect(page.locator("#register-first_name-error")).to_have_text("Fill in this field.")
    assert_fits_a_phone(page, "registration with errors")


def test_the_invitation_and_reset_link_pages_fit_a_phone(page: Page, portal: RunningPortal, colleague: Client):
    patient = new_patient(colleague)
    colleague.post(f"/api/staff/patients/{patient['patient_id']}/invitation", expect=202)
    invitation = link_in_mail(portal, patient["email"], "invitation")
    page.goto(invitation)
    link_view = view(page, "link")
    expect(link_view.get_by_role("heading", name="Set up your portal account")).to_be_visible()
    assert_fits_a_phone(page, "invitation link")
    username = f"juniper.{uuid.uuid4().hex[:6]}"
    choose_username(page, username)
    link_view.get_by_label("New password", exact=True).fill("short")
    expect(page.locator("#link-strength")).to_contain_text("Too short")
    assert_fits_a_phone(page, "invitation link, username checked")
    set_password(page, STRONG)
    expect(page.locator("#link-done-text")).to_contain_text(f"Your username is {username}")
    assert_fits_a_phone(page, "invitation link, done")

    page.goto(invitation)  # used: the page says what to do, with a link inside its sentence
    expect(link_view.get_by_role("heading", name="This link has expired")).to_be_visible()
    assert_fits_a_phone(page, "used link")

    page.goto("/portal/#forgot")
    fill_identity(page, "forgot", patient)
    page.goto(link_in_mail(portal, patient["email"], "Set up or reset"))
    expect(link_view.get_by_role("heading", name="Choose a new password")).to_be_visible()
    assert_fits_a_phone(page, "reset link")


def test_every_signed_in_view_fits_a_phone(page: Page, juniper: dict):
    portal_sign_in(page, juniper["username"], PASSWORD)
    expect(page.locator("#message-list .message")).to_have_count(1)
    assert_fits_a_phone(page, "home (the inbox)")

    page.locator("#message-list .message").filter(has_text="From the practice").click()
    dialog = page.get_by_role("dialog", name="Message from the practice")
    expect(dialog.get_by_label("Your reply")).to_be_visible()
    assert_fits_a_phone(page, "message dialog")
    dialog.get_by_role("button", name="Send reply").click()
    expect(page.locator("#reply-body-error")).to_have_text("Fill in this field.")
    assert_fits_a_phone(page, "message dialog with errors")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()

    nav = page.get_by_role("navigation", name="Portal")
    nav.get_by_role("link", name="New request").click()
    expect(view(page, "new")).to_be_visible()
    assert_fits_a_phone(page, "new request")
    for link, kind in (
        ("Prescription refill", "refill"),
        ("Appointment", "appointment"),
        ("Copy of my records", "records"),
        ("Update my details", "demographics"),
        ("Secure message", "message"),
    ):
        open_form(page, link)
        form = view(page, f"new-{kind}")
        expect(form).to_be_visible()
        assert_fits_a_phone(page, f"{kind} form")
        form.get_by_role("button", name="Send").click()
        expect(form.locator(".error").first).not_to_be_empty()
        assert_fits_a_phone(page, f"{kind} form with errors")

    nav.get_by_role("link", name="My requests").click()
    expect(page.locator("#request-list li.request")).not_to_have_count(0)
    assert_fits_a_phone(page, "my requests")

    nav.get_by_role("link", name="Change password").click()
    form = view(page, "password")
    expect(form).to_be_visible()
    form.get_by_label("New password", exact=True).fill("short")
    expect(page.locator("#change-strength")).to_contain_text("Too short")
    assert_fits_a_phone(page, "change password")
