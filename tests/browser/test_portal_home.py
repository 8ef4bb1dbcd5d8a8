"""Patient portal, part 3: home after sign-in. The inbox with its unread count, reading and
replying, a form for every request type with the server's field errors beside the field,
"My requests" with each one's state, text that stays text, and changing the password."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Client, assert_accessible, queue_item
from tests.browser.test_portal_sign_in import new_patient, portal_sign_in, view

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

XSS = "<img src=x onerror=window.__xss=1>"
PASSWORD = "amber falcon river stone"


@pytest.fixture
def juniper(colleague: Client) -> dict:
    """A patient of our own, so reading, sending and a password change touch no one else."""
    username = f"juniper.{uuid.uuid4().hex[:6]}"
    patient = new_patient(colleague, username=username, password=PASSWORD)
    return {**patient, "username": username}


def message_to(colleague: Client, patient: dict, body: str) -> str:
    sent = colleague.post(
        f"/api/staff/patients/{patient['patient_id']}/messages", {"body": body, "notify_patient": False}, expect=201
    )
    return str(sent["message_id"])


def open_form(page: Page, link: str) -> None:
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="New request").click()
    page.get_by_role("link", name=link, exact=True).click()


def test_the_home_page_shows_the_inbox(page: Page):
    portal_sign_in(page)
    expect(page.locator("#message-list li").first).to_be_visible()
    expect(page.get_by_role("link", name="Write a new message")).to_be_visible()
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="New request").click()
    expect(view(page, "new").get_by_role("link")).to_have_count(5)  # one per request type
    expect(page.get_by_role("link", name="New request")).to_have_attribute("aria-current", "page")
    assert_accessible(page, "new request")


def test_opening_a_message_marks_it_read_and_a_reply_reaches_the_practice(page: Page, colleague: Client, juniper: dict):
    message_to(colleague, juniper, "Your test results are normal.")
    xss_id = message_to(colleague, juniper, XSS)
    portal_sign_in(page, juniper["username"], PASSWORD)
    expect(page.locator("#unread-count")).to_have_text("2 unread messages.")
    expect(page.locator("#nav-unread")).to_have_text("(2 unread)")
    unread = page.locator("#message-list .message.unread")
    expect(unread).to_have_count(2)
    expect(unread.first.locator(".preview")).to_have_text(XSS)  # newest first, shown as text

    unread.first.click()
    dialog = page.get_by_role("dialog", name="Message from the practice")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#message-body")).to_have_text(XSS)
    expect(page.locator("#unread-count")).to_have_text("1 unread message.")
    expect(page.locator("#nav-unread")).to_have_text("(1 unread)")
    assert_accessible(page, "message dialog")
    dialog.get_by_role("button", name="Send reply").click()
    expect(page.locator("#reply-body-error")).to_have_text("Fill in this field.")
    dialog.get_by_label("Your reply").fill("Thank you, that is reassuring.")
    dialog.get_by_role("button", name="Send reply").click()
    expect(dialog).to_be_hidden()
    # (outside office hours, followed by when it will be read: test_practice_settings.py)
    expect(page.locator("#announce")).to_have_text(
        re.compile(r"^Your reply is sent\.( The office is closed now; .*)?$")
    )
    mine = page.locator("#message-list .message").filter(has_text="You wrote").first
    expect(mine).to_contain_text("Thank you, that is reassuring.")

    letters = colleague.get(f"/api/staff/patients/{juniper['patient_id']}/correspondence")["items"]
    reply = next(letter for letter in letters if letter["body"] == "Thank you, that is reassuring.")
    assert reply["author"] == "patient"
    assert reply["in_reply_to"] == xss_id

    # Read stays read after a reload; the other one is still new.
    page.reload()
    expect(page.locator("#unread-count")).to_have_text("1 unread message.")
    page.locator("#message-list .message.unread").click()
    expect(page.locator("#unread-count")).to_have_text("No unread messages.")
    expect(page.locator("#nav-unread")).to_have_text("")


TYPE_LABELS = {
    "refill": "Prescription refill",
    "appointment": "Appointment",
    "records": "Records",
    "demographics": "Demographic changes",
    "message": "Secure message",
}


@dataclass(frozen=True)
class RequestForm:
    link: str
    kind: str
    fields: dict[str, str]
    required_error: str | None  # the field an empty submit marks (None: "at least one")


FORMS = [
    RequestForm(
        "Prescription refill",
        "refill",
        {"Medication": "amoxicillin", "Dosage": "500 mg", "Quantity (optional)": "21", "Pharmacy (optional)": "Elm"},
        "#refill-medication-error",
    ),
    RequestForm(
        "Appointment",
        "appointment",
        {"Reason for the visit": "sore knee", "First choice": "Monday am", "Third choice (optional)": "Friday 3 pm"},
        "#appointment-reason-error",
    ),
    RequestForm(
        "Copy of my records", "records", {"Which records": "X-ray", "Period (optional)": "2025"}, "#records-what-error"
    ),
    RequestForm("Update my details", "demographics", {"Phone": "555 010 0100", "Street address": "1 Elm Street"}, None),
    RequestForm("Secure message", "message", {"Message to the practice": "Open on Saturday?"}, "#message-text-error"),
]


def test_older_messages_are_a_click_away(page: Page, colleague: Client, juniper: dict):
    for number in range(52):  # one page is 50
        message_to(colleague, juniper, f"Reminder number {number}")
    portal_sign_in(page, juniper["username"], PASSWORD)
    messages = page.locator("#message-list .message")
    expect(messages).to_have_count(50)
    expect(messages.first.locator(".preview")).to_have_text("Reminder number 51")
    page.get_by_role("button", name="Show older messages").click()
    expect(messages).to_have_count(52)
    expect(messages.last.locator(".preview")).to_have_text("Reminder number 0")
    expect(page.get_by_role("button", name="Show older messages")).to_be_hidden()
    expect(page.locator("#unread-count")).to_have_text("52 unread messages.")


@pytest.mark.parametrize("request_form", FORMS, ids=[form.kind for form in FORMS])
def test_each_request_form_submits_and_shows_in_my_requests(
    page: Page, juniper: dict, colleague: Client, request_form: RequestForm
):
    link, kind, fields, required_error = (
        request_form.link,
        request_form.kind,
        request_form.fields,
        request_form.required_error,
    )
    portal_sign_in(page, juniper["username"], PASSWORD)
    open_form(page, link)
    form = view(page, f"new-{kind}")
    expect(form).to_be_visible()
    assert_accessible(page, f"{kind} form")
    form.get_by_role("button", name="Send").click()
    if required_error:
        expect(page.locator(required_error)).to_have_text("Fill in this field.")
    else:
        expect(form.locator(".form-error")).to_have_text("Fill in at least one detail that has changed.")
    assert_accessible(page, f"{kind} form with errors")

    tag = uuid.uuid4().hex[:6]
    first_label = next(iter(fields))
    for label, value in fields.items():
        form.get_by_label(label, exact=True).fill(f"{value} {tag}" if label == first_label else value)
    if kind == "records":
        form.get_by_label("How to send them").select_option(label="By post")
    form.get_by_role("button", name="Send").click()
    expect(view(page, "requests")).to_be_visible()
    expect(page.locator("#announce")).to_contain_text("request is sent")
    row = page.locator("#request-list li")
    expect(row).to_have_count(1)  # this patient's only request
    expect(row.locator(".type")).to_have_text(TYPE_LABELS[kind])
    expect(row.locator(".state")).to_have_text("Open")
    assert_accessible(page, "my requests")

    queue = colleague.get("/api/staff/queue", order="newest", limit=200)["items"]
    stored = next(item for item in queue if item["patient_id"] == juniper["patient_id"])
    assert stored["type"] == kind
    if kind != "demographics":  # its summary names the fields that change
        assert tag in stored["summary"]
        expect(row.locator(".preview")).to_contain_text(tag)
    # The practice finishes it: My requests says so.
    colleague.post(
        f"/api/staff/queue/{stored['request_id']}/dismiss",
        {"outcome": "completed", "expected_version": queue_item(colleague, stored["request_id"])["version"]},
    )
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="My requests").click()
    expect(row.locator(".state")).to_have_text("Completed")


def test_the_server_refusing_a_field_shows_beside_it_and_text_stays_text(page: Page, juniper: dict):
    portal_sign_in(page, juniper["username"], PASSWORD)
    open_form(page, "Update my details")
    form = view(page, "new-demographics")
    form.get_by_label("Zip code").fill("abc")
    form.get_by_role("button", name="Send request").click()
    expect(page.locator("#demographics-zip-error")).to_have_text("This does not look right; check it.")
    expect(form.get_by_label("Zip code")).to_be_focused()
    expect(form.get_by_label("Zip code")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "demographics with a refused field")

    open_form(page, "Copy of my records")
    view(page, "new-records").get_by_label("Which records").fill(XSS)
    view(page, "new-records").get_by_role("button", name="Send request").click()
    expect(page.locator("#request-list li .preview").filter(has_text=XSS)).to_have_count(1)
    assert page.locator("#request-list img").count() == 0


def test_changing_the_password_signs_out_and_the_new_one_works(page: Page, juniper: dict):
    portal_sign_in(page, juniper["username"], PASSWORD)
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="Change password").click()
    form = view(page, "password")
    assert_accessible(page, "change password")
    new = "quiet meadow harbor ninety"
    form.get_by_label("Current password").fill("not the password at all")
    form.get_by_label("New password", exact=True).fill(new)
    form.get_by_label("New password again").fill(new)
    form.get_by_role("button", name="Change password").click()
    expect(page.locator("#current-password-error")).to_have_text("The current password is not right.")
    form.get_by_label("Current password").fill(PASSWORD)
    form.get_by_label("New password", exact=True).fill("password1234")
    form.get_by_label("New password again").fill("password1234")
    form.get_by_role("button", name="Change password").click()
    expect(page.locator("#new-password-error")).to_contain_text("too easy to guess")
    form.get_by_label("New password", exact=True).fill(new)
    form.get_by_label("New password again").fill(new)
    form.get_by_role("button", name="Change password").click()
    expect(view(page, "sign-in")).to_be_visible()
    expect(page.locator("#signed-out-note")).to_have_text("Your password is changed. Sign in with the new one.")
    assert (
        page.request.post(
            "/api/auth/patient/login", data={"username": juniper["username"], "password": PASSWORD}
        ).status
        == 401
    )
    portal_sign_in(page, juniper["username"], new)


def test_a_name_carrying_markup_is_shown_as_text(page: Page, colleague: Client):
    username = f"markup.{uuid.uuid4().hex[:6]}"
    new_patient(colleague, username=username, password=PASSWORD, first_name='"><script>window.__xss=1</script>')
    portal_sign_in(page, username, PASSWORD)
    expect(page.locator("#signed-in-as")).to_contain_text('Signed in as "><script>window.__xss=1</script>')
    assert page.locator("header script").count() == 0
