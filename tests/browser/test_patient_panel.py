"""Staff page, part 5: the patient panel, walked through the reference help text about the
portal status icon, enabling access, usernames and passwords, invitations, email changes
and adding patients. Every patient a test changes is made here through the API (invented
names); the demo patients are only read."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
from playwright.sync_api import Locator, Page, Route, expect

from tests.browser.conftest import (
    Client,
    assert_accessible,
    login,
    pop_out,
    row,
    sign_in,
    submit,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "copper kettle meadow ninety"
GREEN = "rgb(30, 107, 58)"  # --ok in staff.css


def tag() -> str:
    return uuid.uuid4().hex[:8]


def new_patient(staff: Client, last: str, **fields: Any) -> dict[str, Any]:
    body = {"first_name": "Rowan", "last_name": last, "date_of_birth": "1991-05-17", **fields}
    return dict(staff.post("/api/staff/patients", body, expect=201))


def find(page: Page, last_name: str, found: bool = True) -> Locator:
    """Searches by last name; the result list."""
    page.get_by_label("Find a patient").fill(last_name)
    page.get_by_role("button", name="Find", exact=True).click()
    # the previous search's rows stay (inert) until this answer replaces them
    expect(page.locator("#find-note")).to_contain_text(f"“{last_name}”")
    expect(page.locator("#find-list")).not_to_have_attribute("aria-busy", "true")
    results = page.locator("#find-list li")
    if found:
        expect(results.first).to_be_visible()
    return results


def open_panel(page: Page, last_name: str) -> Locator:
    results = find(page, last_name)
    expect(results).to_have_count(1)
    results.get_by_role("button").click()
    panel = page.locator("#patient-panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("heading", level=3)).to_be_focused()
    return panel


def open_edit(page: Page, tab: str = "Demographics") -> Locator:
    page.get_by_role("button", name="Edit patient").click()
    dialog = page.get_by_role("dialog", name="Edit patient", exact=False)
    expect(dialog).to_be_visible()
    dialog.get_by_role("tab", name=tab).click()
    expect(dialog.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
    return dialog


def status_label(page: Page) -> Locator:
    return page.locator("#pp-status")


def hover_status(page: Page) -> None:
    """Points at the status; its tooltip shows. (It once vanished at random: a second search,
    scheduled by typing, emptied the results above the panel and moved it from under the
    pointer; see the test that searches once.)"""
    status_label(page).hover()
    expect(page.get_by_role("tooltip")).to_be_visible()


# --- opening the panel ------------------------------------------------------------------------


def test_a_patients_name_in_the_queue_and_in_the_compact_list_opens_their_panel(page: Page, patient: Client):
    request_id = submit(patient, type="refill", medication=f"cetirizine {tag()}", dosage="10 mg")
    sign_in(page)
    compact_name = page.locator("#compact-list .who-link").first
    name = compact_name.inner_text()
    compact_name.click()
    expect(page.locator("#pp-name")).to_have_text(name)
    expect(page.locator("#pp-name")).to_be_focused()
    page.get_by_role("button", name="Close patient").click()
    expect(page.locator("#patient-panel")).to_be_hidden()
    expect(compact_name).to_be_focused()

    pop_out(page)
    row(page, request_id).get_by_role("button", name="Ava Thompson", exact=True).click()
    panel = page.locator("#patient-panel")
    expect(page.locator("#pp-name")).to_have_text("Ava Thompson")
    expect(status_label(page)).to_have_text("Portal active")
    expect(panel.locator('[data-field="date_of_birth"]')).to_have_text("1984-03-12")
    expect(panel.locator('[data-field="username"]')).to_have_text("ava.thompson")
    expect(panel.locator('[data-field="last_login_at"]')).not_to_have_text("Never")


def test_find_a_patient_by_the_start_of_the_last_name(page: Page):
    sign_in(page)
    results = find(page, "okaf")
    expect(results).to_have_count(2)
    expect(results.get_by_role("button")).to_have_text(["Okafor, Leo", "Okafor, Maya"])
    expect(results.first.locator(".badge")).to_have_text("Portal active")
    expect(page.locator("#find-note")).to_have_text("2 patients found for “okaf”.")
    results.get_by_role("button", name="Okafor, Maya").click()
    panel = page.locator("#patient-panel")
    expect(page.locator("#pp-name")).to_have_text("Maya Okafor")
    expect(panel.locator('[data-field="email"]')).to_have_text("okafor.family@example.com")
    assert_accessible(page, "patient panel")
    hover_status(page)
    expect(find(page, "Zzzznobody", found=False)).to_have_count(0)
    expect(page.locator("#find-note")).to_have_text("No patients found for “Zzzznobody”.")


# --- the portal status icon and its tooltip ---------------------------------------------------


def test_each_status_has_its_own_icon_label_and_tooltip_on_hover_and_on_focus(page: Page, portal, colleague: Client):
    # "Instantly view a patient's portal status by looking at the secure message icon" and the
    # troubleshooting for each colour.
    inactive = f"Inact{tag()}"
    unactivated = f"Unact{tag()}"
    active = f"Activ{tag()}"
    new_patient(colleague, inactive)
    new_patient(colleague, unactivated, email=f"u.{tag()}@example.com", zip="02130", activate_without_confirmation=True)
    made = new_patient(
        colleague, active, email=f"a.{tag()}@example.com", zip="02130", activate_without_confirmation=True
    )
    username = f"activ{tag()}"
    colleague.put(f"/api/staff/patients/{made['patient_id']}/credentials", {"username": username, "password": PASSWORD})
    login(portal, "patient", username, PASSWORD)

    sign_in(page)
    tip = page.get_by_role("tooltip")
    icons = {}
    cases = [
        (
            inactive,
            "Portal inactive",
            [
                "Portal access is turned off. What to do: Turn on portal access",
                "No email address on file. What to do: Add the patient's email address.",
                "No home zip code on file. What to do: Add the patient's home zip code.",
            ],
        ),
        (unactivated, "Portal not activated yet", ['"Create my portal account"', "send an invitation email"]),
        (active, "Portal active", ['"I forgot my password"', "send a reset email"]),
    ]
    for last_name, label, reasons in cases:
        open_panel(page, last_name)
        expect(status_label(page)).to_have_text(label)
        icons[label] = status_label(page).locator("use").get_attribute("href")
        expect(tip).to_be_hidden()
        hover_status(page)
        # The reasons listed are the ones not hidden: read from the markup, so a reflow that
        # moves the tooltip from under the pointer (the queue's 30-second refresh) cannot
        # hide them mid-check; the tooltip's own visibility is checked above and below.
        listed = page.locator("#pp-tip li:not([hidden])")
        for reason in reasons:
            expect(listed.filter(has_text=reason)).to_have_count(1)
        expect(listed).to_have_count(len(reasons) if last_name == inactive else 1)
        expect(tip.locator(".pp-bounced")).to_be_hidden()
        page.mouse.move(5, 5)
        expect(tip).to_be_hidden()
        status_label(page).focus()  # keyboard focus
        expect(tip).to_be_visible()
        expect(status_label(page)).to_have_attribute("aria-describedby", "pp-tip")
        page.keyboard.press("Escape")  # dismissible without moving focus
        expect(tip).to_be_hidden()
        expect(status_label(page)).to_be_focused()
        if last_name == active:
            hover_status(page)
            assert_accessible(page, "patient panel with its tooltip")
        page.get_by_role("button", name="Close patient").click()
    assert len(set(icons.values())) == 3, icons


def test_an_unconfirmed_self_registration_is_marked_as_such(page: Page, portal):
    last = f"Selfreg{tag()}"
    form = {"first_name": "Noor", "last_name": last, "date_of_birth": "1995-06-01", "zip": "02139"}
    answer = requests.post(
        f"{portal.url}/api/auth/register", json={**form, "email": f"noor.{tag()}@example.com"}, timeout=10
    )
    assert answer.status_code == 202, answer.text
    sign_in(page)
    open_panel(page, last)
    expect(status_label(page)).to_have_text("Portal inactive")
    hover_status(page)
    tip = page.get_by_role("tooltip")
    expect(tip.locator("li").filter(visible=True).first).to_contain_text(
        "Self-registered online, email not confirmed yet."
    )
    expect(tip.locator("li").filter(visible=True).first).to_contain_text("removed when the link expires")


def test_a_bounced_email_is_shown_beside_the_status(page: Page):
    sign_in(page)
    open_panel(page, "Bankole")  # demo data: email to Olu's address bounced
    expect(status_label(page)).to_have_text("Portal not activated yet")
    expect(page.locator("#patient-panel > .pp-bounced")).to_be_visible()
    expect(page.locator("#patient-panel > .pp-bounced")).to_contain_text("undeliverable")
    status_label(page).focus()
    expect(page.get_by_role("tooltip").locator(".pp-bounced")).to_be_visible()


# --- the Patient Portal tab -------------------------------------------------------------------


def test_turning_access_on_asks_the_privacy_question_and_says_what_is_missing(page: Page, colleague: Client):
    # "Before granting access ... verify with the patient that only he or she has access to
    # the listed email account." / "you will need to have a home zip code and email address".
    ready = f"Ready{tag()}"
    made = new_patient(colleague, ready, email=f"r.{tag()}@example.com", zip="02130")
    no_zip = f"Nozip{tag()}"
    new_patient(colleague, no_zip, email=f"n.{tag()}@example.com")
    sign_in(page)
    open_panel(page, ready)
    expect(status_label(page)).to_have_text("Portal inactive")
    dialog = open_edit(page, "Patient Portal")
    access = dialog.get_by_role("switch", name="Patient can access the portal")
    expect(access).not_to_be_checked()
    assert_accessible(page, "Patient Portal tab")

    access.click()
    question = page.get_by_role("dialog", name="Turn on portal access?")
    expect(question).to_be_visible()
    expect(question).to_contain_text(made["email"])
    assert_accessible(page, "privacy question")
    question.get_by_role("button", name="Cancel").click()
    expect(question).to_be_hidden()
    expect(access).not_to_be_checked()
    assert colleague.get(f"/api/staff/patients/{made['patient_id']}")["portal_access_enabled"] is False

    access.click()
    question.get_by_role("button", name="Yes, only the patient uses it").click()
    expect(access).to_be_checked()
    expect(status_label(page)).to_have_text("Portal not activated yet")
    # the search results behind the dialog show the new status too
    expect(page.locator("#find-list li").filter(has_text=ready)).to_contain_text("Portal not activated yet")
    detail = colleague.get(f"/api/staff/patients/{made['patient_id']}")
    assert detail["portal_access_enabled"] is True
    assert detail["email_confirmed_by"] == "frontdesk"

    access.click()  # off again: no question asked
    expect(access).not_to_be_checked()
    expect(status_label(page)).to_have_text("Portal inactive")
    dialog.get_by_role("button", name="Close").click()

    # Missing details are said at once, with no privacy question about an address not on
    # file, and the switch stays off (nothing was asked of the server).
    open_panel(page, no_zip)
    dialog = open_edit(page, "Patient Portal")
    dialog.get_by_role("switch", name="Patient can access the portal").click()
    expect(dialog.locator("#access-error")).to_have_text(
        "Portal access needs a home zip code. Add it on the Demographics tab."
    )
    expect(page.get_by_role("dialog", name="Turn on portal access?")).to_be_hidden()
    expect(dialog.get_by_role("switch")).not_to_be_checked()


def test_the_username_check_turns_green_only_for_a_valid_free_username(page: Page, colleague: Client):
    # The help: typing a username, the text turns green when it is valid and unique.
    last = f"Uname{tag()}"
    new_patient(colleague, last, email=f"x.{tag()}@example.com", zip="02130", activate_without_confirmation=True)
    sign_in(page)
    open_panel(page, last)
    dialog = open_edit(page, "Patient Portal")
    field = dialog.get_by_label("Patient's user name")
    check = dialog.locator("#username-check")

    field.fill(f"rowan.{tag()}")
    expect(check).to_have_text("✓ Valid and not taken.")
    expect(check).to_have_css("color", GREEN)

    field.fill("Ava.Thompson")  # taken, whatever the case
    expect(check).to_have_text("✗ Not usable: This username is taken.")
    expect(check).not_to_have_css("color", GREEN)

    field.fill("x!")
    expect(check).to_contain_text("✗ Not usable: Use 3 to 40 characters.")
    expect(check).not_to_have_css("color", GREEN)


def test_staff_set_a_username_and_password_by_hand_and_the_patient_can_sign_in(page: Page, portal, colleague: Client):
    last = f"Manual{tag()}"
    made = new_patient(colleague, last, email=f"m.{tag()}@example.com", zip="02130", activate_without_confirmation=True)
    username = f"rowan{tag()}"
    sign_in(page)
    open_panel(page, last)
    dialog = open_edit(page, "Patient Portal")
    dialog.get_by_label("Patient's user name").fill(username)
    expect(dialog.locator("#username-check")).to_have_text("✓ Valid and not taken.")
    password = dialog.get_by_label("New portal password")
    expect(password).to_be_hidden()
    dialog.get_by_label("Manually set the patient's portal password").check()
    password.fill("short")
    dialog.get_by_role("button", name="Save username and password").click()
    expect(dialog.locator("#cred-error")).not_to_have_text("")
    expect(password).to_be_focused()  # the API named the field
    password.fill(PASSWORD)
    dialog.get_by_role("button", name="Save username and password").click()
    expect(dialog.locator("#cred-error")).to_have_text(
        "Saved. Tell the patient their username and password in person or by phone."
    )
    expect(page.locator('#patient-panel [data-field="username"]')).to_have_text(username)
    assert colleague.get(f"/api/staff/patients/{made['patient_id']}")["username"] == username
    login(portal, "patient", username, PASSWORD)  # asserts 200


def test_send_invitation_reset_email(page: Page, portal, colleague: Client):
    # "Click on the link near the bottom to 'Send invitation/reset email' to the email address on file."
    last = f"Invite{tag()}"
    email = f"invite.{tag()}@example.com"
    new_patient(colleague, last, email=email, zip="02130", activate_without_confirmation=True)
    off = f"Noacc{tag()}"
    new_patient(colleague, off, email=f"o.{tag()}@example.com", zip="02130")
    sign_in(page)
    open_panel(page, last)
    dialog = open_edit(page, "Patient Portal")
    before = portal.settled_mail_count()
    dialog.get_by_role("button", name="Send invitation/reset email").click()
    expect(dialog.locator("#invite-note")).to_contain_text(
        f"Invitation/reset email sent to {email}. Its link works until"
    )
    portal.wait_for_mail(before + 1)
    assert any(email in mail["to"] for mail in portal.mail()), "no email to the address on file"
    dialog.get_by_role("button", name="Close").click()

    open_panel(page, off)
    dialog = open_edit(page, "Patient Portal")
    dialog.get_by_role("button", name="Send invitation/reset email").click()
    expect(dialog.locator("#invite-note")).to_have_text("Not sent: Turn on portal access first.")


# --- demographics -----------------------------------------------------------------------------


def test_changing_the_email_of_a_patient_with_access_asks_for_confirmation_and_a_reason(
    page: Page, portal, colleague: Client
):
    # "Once patient portal access is enabled, be very cautious when changing a patient's email".
    last = f"Mail{tag()}"
    old = f"old.{tag()}@example.com"
    new = f"new.{tag()}@example.com"
    made = new_patient(colleague, last, email=old, zip="02130", activate_without_confirmation=True)
    sign_in(page)
    open_panel(page, last)
    dialog = open_edit(page)
    assert_accessible(page, "Demographics tab")
    dialog.get_by_label("Email").fill(new)
    dialog.get_by_role("button", name="Save changes").click()
    guard = page.get_by_role("dialog", name="Change the email address?")
    expect(guard).to_be_visible()
    expect(guard.get_by_label("Reason for the change")).to_be_focused()
    assert_accessible(page, "email change question")
    guard.get_by_role("button", name="Cancel").click()
    expect(dialog.get_by_role("alert")).to_have_text("Not saved: the email change was not confirmed.")
    assert colleague.get(f"/api/staff/patients/{made['patient_id']}")["email"] == old

    dialog.get_by_role("button", name="Save changes").click()
    guard.get_by_role("button", name="Change the email").click()
    expect(guard).to_be_visible()  # no reason given: the question stays
    before = portal.settled_mail_count()
    guard.get_by_label("Reason for the change").fill("Patient asked at the front desk, ID checked")
    guard.get_by_role("button", name="Change the email").click()
    expect(guard).to_be_hidden()
    expect(dialog.locator("#demo-error")).to_have_text("Changes saved.")
    expect(page.locator('#patient-panel [data-field="email"]')).to_have_text(new)
    assert colleague.get(f"/api/staff/patients/{made['patient_id']}")["email"] == new
    portal.wait_for_mail(before + 1)
    assert any(old in mail["to"] for mail in portal.mail()), "the old address was not told"

    # Other demographics change without a question; bad input names the field.
    dialog.get_by_label("Phone").fill("555-0142")
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog.locator("#demo-error")).to_have_text("Changes saved.")
    expect(page.locator('#patient-panel [data-field="phone"]')).to_have_text("555-0142")
    dialog.get_by_label("Home zip code").fill("abc")
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Home zip code:")
    expect(dialog.get_by_label("Home zip code")).to_be_focused()
    expect(dialog.get_by_label("Home zip code")).to_have_attribute("aria-invalid", "true")


def test_add_a_patient_by_hand_activated_without_further_confirmation(page: Page, colleague: Client):
    # "Patient Portal access is automatically enabled if 'Should the patient be able to
    # activate portal without further confirmation' is checked."
    last = f"Added{tag()}"
    sign_in(page)
    page.get_by_role("button", name="Add patient").click()
    form = page.get_by_role("dialog", name="Add a patient")
    expect(form.get_by_label("First name")).to_be_focused()
    assert_accessible(page, "add patient form")
    form.get_by_role("button", name="Add patient").click()
    expect(form.get_by_role("alert")).to_contain_text("First name:")
    expect(form.get_by_label("First name")).to_be_focused()
    form.get_by_label("First name").fill("Juniper")
    form.get_by_label("Last name").fill(last)
    form.get_by_label("Date of birth").fill("1988-02-29")
    form.get_by_label("Email").fill(f"juniper.{tag()}@example.com")
    form.get_by_label("Home zip code").fill("02130")
    form.get_by_label("without further confirmation").check()
    form.get_by_role("button", name="Add patient").click()
    expect(form).to_be_hidden()
    expect(page.locator("#pp-name")).to_have_text(f"Juniper {last}")
    expect(status_label(page)).to_have_text("Portal not activated yet")
    found = colleague.get("/api/staff/patients", q=last)["items"]
    assert [p["portal_status"]["status"] for p in found] == ["unactivated"]
    assert colleague.get(f"/api/staff/patients/{found[0]['patient_id']}")["portal_access_enabled"] is True

    # Without the box ticked, access stays off.
    other = f"Added{tag()}"
    page.get_by_role("button", name="Add patient").click()
    form.get_by_label("First name").fill("Juniper")
    form.get_by_label("Last name").fill(other)
    form.get_by_label("Date of birth").fill("1988-02-29")
    form.get_by_label("Email").fill(f"juniper.{tag()}@example.com")
    form.get_by_label("Home zip code").fill("02130")
    form.get_by_role("button", name="Add patient").click()
    expect(status_label(page)).to_have_text("Portal inactive")


# --- security and the keyboard ----------------------------------------------------------------


def test_a_patient_name_carrying_markup_is_shown_as_text(page: Page, colleague: Client):
    payload = "<img src=x onerror=window.__xss=1>"
    last = f"Xss{tag()}"
    new_patient(colleague, last, first_name=payload, phone="<b>555</b>")
    sign_in(page)
    results = find(page, last)
    expect(results.get_by_role("button")).to_have_text(f"{last}, {payload}")
    results.get_by_role("button").click()
    expect(page.locator("#pp-name")).to_have_text(f"{payload} {last}")
    expect(page.locator('#patient-panel [data-field="phone"]')).to_have_text("<b>555</b>")
    dialog = open_edit(page)
    expect(dialog.get_by_role("heading", level=2)).to_have_text(f"Edit patient: {payload} {last}")
    expect(dialog.get_by_label("First name")).to_have_value(payload)
    assert page.locator('img[src="x"]').count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"


def test_the_tabs_and_the_access_switch_work_from_the_keyboard(page: Page, colleague: Client):
    last = f"Keys{tag()}"
    made = new_patient(colleague, last, email=f"k.{tag()}@example.com", zip="02130")
    sign_in(page)
    page.get_by_label("Find a patient").focus()
    page.keyboard.type(last)
    page.keyboard.press("Enter")
    result = page.locator("#find-list").get_by_role("button")
    expect(result).to_have_count(1)
    result.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#pp-name")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Edit patient")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(status_label(page)).to_be_focused()
    expect(page.get_by_role("tooltip")).to_be_visible()

    page.get_by_role("button", name="Edit patient").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Edit patient", exact=False)
    demographics = dialog.get_by_role("tab", name="Demographics")
    portal_tab = dialog.get_by_role("tab", name="Patient Portal")
    expect(demographics).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(portal_tab).to_be_focused()
    expect(portal_tab).to_have_attribute("aria-selected", "true")
    expect(dialog.get_by_role("tabpanel", name="Patient Portal")).to_be_visible()
    expect(dialog.get_by_role("tabpanel", name="Demographics")).to_be_hidden()
    page.keyboard.press("Home")
    expect(demographics).to_be_focused()
    expect(dialog.get_by_label("First name")).to_be_visible()
    page.keyboard.press("End")
    expect(portal_tab).to_be_focused()
    page.keyboard.press("Tab")  # into the tab panel: the switch comes first
    access = dialog.get_by_role("switch", name="Patient can access the portal")
    expect(access).to_be_focused()
    page.keyboard.press("Space")
    question = page.get_by_role("dialog", name="Turn on portal access?")
    expect(question.get_by_role("button", name="Yes, only the patient uses it")).to_be_focused()
    page.keyboard.press("Escape")  # no
    expect(question).to_be_hidden()
    expect(access).to_be_focused()
    expect(access).not_to_be_checked()
    page.keyboard.press("Space")
    expect(question.get_by_role("button", name="Yes, only the patient uses it")).to_be_focused()
    page.keyboard.press("Enter")  # yes
    expect(access).to_be_checked()
    assert colleague.get(f"/api/staff/patients/{made['patient_id']}")["portal_access_enabled"] is True
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Edit patient")).to_be_focused()
    expect(status_label(page)).to_have_text("Portal not activated yet")


def test_a_patient_that_arrives_after_signing_out_is_not_shown(page: Page):
    sign_in(page)
    held: list[Route] = []

    def hold(route: Route) -> None:  # the patient's record waits here
        held.append(route)

    page.route("**/api/staff/patients/p-ava", hold)
    find(page, "Thompson").get_by_role("button").first.click()
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the patient was never asked for"
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#sign-in-view")).to_be_visible()
    held[0].continue_()  # Ava's record arrives after the sign-out
    page.wait_for_timeout(500)
    expect(page.locator("#patient-panel")).to_be_hidden()
    expect(page.locator("#pp-name")).to_be_empty()


def test_the_links_menu_leads_to_the_onboarding_tool(page: Page):
    # "Click on My Links --> Patient Portal Onboarding Tool".
    sign_in(page)
    links = page.get_by_role("button", name="Links")
    expect(links).to_have_attribute("aria-expanded", "false")
    onboarding = page.get_by_role("link", name="Onboarding")
    expect(onboarding).to_be_hidden()
    links.click()
    expect(links).to_have_attribute("aria-expanded", "true")
    expect(onboarding).to_be_visible()
    expect(onboarding).to_have_attribute("href", "/staff/onboarding")
    assert_accessible(page, "links menu open")
    links.click()
    expect(onboarding).to_be_hidden()


def test_typing_a_name_and_pressing_enter_searches_once_and_the_results_never_blink(page: Page, colleague: Client):
    # Typing schedules a search and Enter asks for one at once: the scheduled one must not
    # follow, which emptied the list a moment later and moved the panel under the pointer.
    last = f"Once{tag()}"
    new_patient(colleague, last)
    sign_in(page)
    searches: list[str] = []
    page.on("request", lambda request: searches.append(request.url) if "/api/staff/patients?" in request.url else None)
    field = page.get_by_label("Find a patient")
    field.fill(last)
    field.press("Enter")
    results = page.locator("#find-list li")
    expect(results).to_have_count(1)
    # the list keeps its rows until the next answer replaces them, so it never blinks empty
    page.evaluate(
        """() => { window.__emptied = 0;
                   new MutationObserver(() => { if (!document.querySelector('#find-list li')) window.__emptied++; })
                     .observe(document.querySelector('#find-list'), { childList: true }); }"""
    )
    page.wait_for_timeout(700)  # longer than the typing pause, so a scheduled search would have run
    assert len(searches) == 1, searches
    field.fill(f"{last[:-1]}")
    field.press("Enter")
    expect(page.locator("#find-note")).to_contain_text(f"“{last[:-1]}”")
    assert page.evaluate("window.__emptied") == 0


def test_while_a_new_search_runs_the_previous_results_cannot_be_opened(page: Page, colleague: Client):
    # A quick click on the rows still shown must not open the previous search's patient.
    first, second = f"Prev{tag()}", f"Next{tag()}"
    new_patient(colleague, first)
    new_patient(colleague, second)
    sign_in(page)
    find(page, first)
    held: list[Route] = []
    # Playwright wraps the handler and needs a Python function, not a bound builtin
    page.route("**/api/staff/patients?q=Next*", lambda route: held.append(route))  # noqa: PLW0108
    field = page.get_by_label("Find a patient")
    field.fill(second)
    field.press("Enter")
    expect(page.locator("#find-list")).to_have_attribute("aria-busy", "true")
    old_row = page.locator("#find-list li").filter(has_text=first).get_by_role("button")
    expect(old_row).to_have_count(1)  # still shown, in place
    assert page.evaluate("document.querySelector('#find-list').inert") is True
    old_row.click(force=True)  # a click on an inert row does nothing
    expect(page.locator("#patient-panel")).to_be_hidden()
    assert len(held) == 1
    held[0].continue_()
    page.unroute("**/api/staff/patients?q=Next*")
    expect(page.locator("#find-note")).to_contain_text(f"“{second}”")
    expect(page.locator("#find-list li").get_by_role("button")).to_have_text([f"{second}, Rowan"])
