"""Patient portal: the safety notice. Every form a patient writes to the practice with (each
request form, the secure message, the reply in the message dialog) says, before its first
field, that the portal is not for emergencies: call 911, or the practice's number (the
template's PracticePhone, which GET /api/portal/me answers), both as tel: links."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Locator, Page, expect

from local.stack import LOCAL_PARAMETERS
from tests.browser.conftest import Client, login
from tests.browser.test_portal_home import PASSWORD, message_to
from tests.browser.test_portal_sign_in import new_patient, portal_sign_in, view
from tests.local.conftest import RunningPortal

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PRACTICE_PHONE = LOCAL_PARAMETERS["PracticePhone"]  # "(555) 010-0199"
REQUEST_FORMS = {"new-refill", "new-appointment", "new-records", "new-demographics", "new-message"}

# True when the notice comes before every field of its form, in the document and on screen.
NOTICE_FIRST = """(form) => {
  const notice = form.querySelector(".emergency");
  const fields = [...form.querySelectorAll("input, textarea, select")];
  return fields.length > 0
    && fields.every((field) => notice.compareDocumentPosition(field) & Node.DOCUMENT_POSITION_FOLLOWING)
    && notice.getBoundingClientRect().bottom <= fields[0].getBoundingClientRect().top;
}"""


def assert_notice_first(form: Locator) -> None:
    notice = form.locator(".emergency")
    expect(notice).to_be_visible()
    expect(notice).to_have_text(
        f"Not for emergencies. If this is an emergency, call 911. "
        f"For anything urgent, call the practice at {PRACTICE_PHONE}."
    )
    expect(notice.get_by_role("link", name="911", exact=True)).to_have_attribute("href", "tel:911")
    phone_link = notice.get_by_role("link", name=PRACTICE_PHONE, exact=True)
    expect(phone_link).to_have_attribute("href", "tel:" + re.sub(r"[^\d+]", "", PRACTICE_PHONE))
    assert form.evaluate(NOTICE_FIRST), "the safety notice must come before the form's first field"


def test_every_form_that_writes_to_the_practice_first_says_whom_to_call(
    page: Page, portal: RunningPortal, colleague: Client
):
    username = f"juniper.{uuid.uuid4().hex[:6]}"
    patient = new_patient(colleague, username=username, password=PASSWORD)
    message_to(colleague, patient, "Please book your annual check-up.")
    assert login(portal, "patient", username, PASSWORD).get("/api/portal/me")["practice_phone"] == PRACTICE_PHONE
    portal_sign_in(page, username, PASSWORD)

    # The reply, in the message dialog.
    page.locator("#message-list .message").filter(has_text="From the practice").click()
    dialog = page.get_by_role("dialog", name="Message from the practice")
    assert_notice_first(dialog.locator("#reply-form"))
    dialog.get_by_role("button", name="Close").click()

    # Every request form on the page (one added later is checked as well), each opened as a
    # patient opens it.
    forms = page.locator("form.request").evaluate_all(
        "(forms) => forms.map((f) => f.closest('[data-view]').dataset.view)"
    )
    assert set(forms) == REQUEST_FORMS
    for name in forms:
        page.get_by_role("navigation", name="Portal").get_by_role("link", name="New request").click()
        view(page, "new").locator(f'a[href="#{name}"]').click()
        expect(view(page, name)).to_be_visible()
        assert_notice_first(view(page, name).locator("form"))
