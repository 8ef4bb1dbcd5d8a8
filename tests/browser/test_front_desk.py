"""What a new front-desk person stumbles on (issue 12, items 6, 8, 9, 11, 13, 14 and 15): lists
that go stale after a job, messages in the wrong look or behind a dialog's overlay, dead ends
in the onboarding tool, a status explanation over the fields it names, a dialog that jumps
between tabs, a tab underline with a gap, and a 401 in the console of every page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, Request, Route, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.conftest import ADMIN, FRONTDESK, Client, enter_code, sign_in
from tests.browser.test_onboarding import JOB_TIMEOUT_MS, add_patient, counts, open_onboarding, row, search
from tests.browser.test_onboarding import tag as onboarding_tag
from tests.browser.test_patient_panel import hover_status, new_patient, open_edit, open_panel, tag
from tests.browser.test_portal_sign_in import new_patient as portal_patient
from tests.browser.test_portal_sign_in import portal_sign_in, view

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "copper kettle meadow ninety"
GREEN, AMBER, RED = "rgb(30, 107, 58)", "rgb(138, 90, 0)", "rgb(154, 42, 29)"  # --ok, --warn, --no


def look(message: Locator) -> dict[str, Any]:
    """How a message shows and is spoken: its colour, the mark before it, and its live role."""
    return dict(
        message.evaluate(
            """(node) => {
                const live = node.closest("[role=status], [role=alert], [aria-live]");
                const mark = getComputedStyle(node, "::before").content;
                return {
                    color: getComputedStyle(node).color,
                    mark: mark === "none" || mark === "normal" ? "" : mark,
                    role: live ? live.getAttribute("role") || `aria-live=${live.getAttribute("aria-live")}` : "",
                };
            }"""
        )
    )


def assert_success(message: Locator) -> None:
    found = look(message)
    assert (found["color"], bool(found["mark"]), found["role"]) == (GREEN, True, "status"), found


def assert_error(message: Locator) -> None:
    found = look(message)
    assert (found["color"], bool(found["mark"]), found["role"]) == (RED, True, "alert"), found


def on_top(page: Page, message: Locator) -> bool:
    """Nothing (no dialog, no overlay) covers the middle of the message, once the page has
    settled: the check is asked again for up to two seconds (a scroll or reflow still under way
    moves what is at that point), and fails if something covers it all that time."""
    try:
        page.wait_for_function(
            """(node) => {
                const box = node.getBoundingClientRect();
                const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
                return hit !== null && (hit === node || node.contains(hit));
            }""",
            arg=message.element_handle(),
            timeout=2000,
        )
    except PlaywrightTimeoutError:
        return False
    return True


def overlaps(one: Locator, other: Locator) -> bool:
    a, b = one.bounding_box(), other.bounding_box()
    assert a
    assert b
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


# --- 15: no refresh probe, and no 401 in the console, when nobody is signed in -----------------


@pytest.mark.parametrize("path", ["/staff/", "/staff/onboarding", "/portal/"])
def test_a_page_opened_by_nobody_signed_in_asks_no_refresh_and_logs_no_error(page: Page, path: str):
    probes: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: probes.append(request.url) if "/api/auth/refresh" in request.url else None)
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(path)
    expect(page.get_by_label("Username", exact=True)).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert probes == [], "the page asked for a refresh with nobody signed in"
    assert errors == []


def test_a_signed_in_page_still_resumes_its_session_and_after_sign_out_asks_nothing(page: Page):
    probes: list[Request] = []
    page.on("request", lambda request: probes.append(request) if "/api/auth/refresh" in request.url else None)
    sign_in(page)
    probes.clear()
    page.reload()
    expect(page.locator("#app-view")).to_be_visible()  # resumed from the refresh cookie
    assert len(probes) == 1
    page.goto("/staff/onboarding")  # the other staff page resumes it too
    expect(page.get_by_role("heading", name="Patient Portal Onboarding")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Username")).to_be_visible()
    probes.clear()
    page.goto("/staff/")
    expect(page.get_by_label("Username")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert probes == []


# --- 8: success, warning and error each look and sound their own way, above any overlay ---------


def test_a_saved_password_reads_as_a_success_and_access_on_shows_inside_the_dialog(page: Page, colleague: Client):
    last = f"Tone{tag()}"
    new_patient(colleague, last, email=f"t.{tag()}@example.com", zip="02130")
    sign_in(page)
    open_panel(page, last)
    dialog = open_edit(page, "Patient Portal")
    dialog.get_by_role("switch", name="Patient can access the portal").click()
    page.get_by_role("dialog", name="Turn on portal access?").get_by_role("button", name="Yes", exact=False).click()
    expect(dialog.get_by_role("switch")).to_be_checked()
    # Said inside the dialog that is still open, not behind its overlay.
    said = dialog.get_by_role("status").filter(has_text="Portal access is on.")
    expect(said).to_be_visible()
    assert on_top(page, said)
    assert_success(said)

    dialog.get_by_label("Patient's user name").fill(f"tone{tag()}")
    dialog.get_by_label("Manually set the patient's portal password").check()
    dialog.get_by_label("New portal password").fill("short")
    dialog.get_by_role("button", name="Save username and password").click()
    refused = dialog.locator("#cred-error")
    expect(refused).not_to_have_text("")
    assert_error(refused)
    dialog.get_by_label("New portal password").fill(PASSWORD)
    dialog.get_by_role("button", name="Save username and password").click()
    saved = dialog.locator("#cred-error")
    expect(saved).to_have_text("Saved. Tell the patient their username and password in person or by phone.")
    assert_success(saved)


def test_the_portal_says_errors_and_successes_each_in_their_own_look(page: Page, colleague: Client):
    username = f"tone.{tag()}"
    portal_patient(colleague, username=username, password=PASSWORD)
    page.goto("/portal/")
    form = view(page, "sign-in")
    form.get_by_label("Username").fill(username)
    form.get_by_label("Password").fill("not the password at all")
    form.get_by_role("button", name="Sign in").click()
    expect(page.locator("#sign-in-error")).not_to_be_empty()
    assert_error(page.locator("#sign-in-error"))
    portal_sign_in(page, username, PASSWORD)
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#announce")).to_have_text("You are signed out.")
    assert_success(page.locator("#announce"))


# --- 9: the onboarding tool says what is missing at once and leads to the patient --------------


def test_a_patient_without_email_is_told_at_once_and_every_name_opens_the_patients_panel(page: Page, colleague: Client):
    prefix = onboarding_tag()
    no_email = add_patient(colleague, "Milo", f"{prefix}b", zip="04101")
    ready = add_patient(colleague, "Lena", f"{prefix}a", email="lena@example.com", zip="04101")
    open_onboarding(page)
    search(page, prefix)
    expect(page.locator("#rows tr")).to_have_count(2)

    row(page, no_email).get_by_role("button", name="Inactive: turn on portal access for Milo").click()
    expect(page.get_by_role("dialog", name="Turn on portal access?")).to_be_hidden()  # no question first
    note = row(page, no_email).locator(".row-note")
    expect(note).to_contain_text("needs an email address")
    assert_error(note)
    fix = row(page, no_email).get_by_role("link", name=f"Add it on Milo {prefix}b's record")
    expect(fix).to_have_attribute("href", f"/staff/#patient={no_email}")

    # The rectangle of a patient with what access needs still asks the question, and says it worked.
    row(page, ready).get_by_role("button", name="Inactive: turn on portal access for Lena").click()
    page.get_by_role("dialog", name="Turn on portal access?").get_by_role("button", name="Yes", exact=False).click()
    said = row(page, ready).locator(".row-note")
    expect(said).to_have_text(f"Portal access is on for Lena {prefix}a.")
    assert_success(said)

    # Every name is a link to that patient's panel on the staff page.
    name = row(page, ready).get_by_role("link", name=f"Lena {prefix}a")
    expect(name).to_have_attribute("href", f"/staff/#patient={ready}")
    fix.click()
    expect(page.locator("#pp-name")).to_have_text(f"Milo {prefix}b")
    expect(page.locator("#pp-name")).to_be_focused()
    expect(page.locator('#patient-panel [data-field="email"]')).to_have_text("None on file")


def test_the_staff_page_opens_the_patient_an_address_names_after_sign_in(page: Page, colleague: Client):
    last = f"Address{tag()}"
    made = new_patient(colleague, last, zip="02130")
    page.goto(f"/staff/#patient={made['patient_id']}")
    page.get_by_label("Username").fill(FRONTDESK.username)
    page.get_by_label("Password", exact=True).fill(FRONTDESK.password)
    page.get_by_role("button", name="Sign in").click()
    enter_code(page)
    expect(page.locator("#pp-name")).to_have_text(f"Rowan {last}")
    # and a new address on the open page opens that patient
    other = new_patient(colleague, f"Other{tag()}")
    page.evaluate("(id) => { location.hash = `patient=${id}`; }", other["patient_id"])
    expect(page.locator("#pp-name")).to_have_text(f"Rowan {other['last_name']}")


# --- 6: the onboarding list and counters follow a job to its end ------------------------------


def test_after_a_job_ends_the_list_and_the_counters_show_its_result(page: Page, colleague: Client, tmp_path: Path):
    prefix = onboarding_tag()
    picked = add_patient(
        colleague, "Omar", f"{prefix}a", email="omar@example.com", zip="04101", activate_without_confirmation=True
    )
    open_onboarding(page, ADMIN.username, ADMIN.password)
    search(page, prefix)
    expect(page.locator("#rows tr")).to_have_count(1)
    before = counts(colleague)

    row(page, picked).get_by_role("checkbox").check()
    page.get_by_role("button", name="Send invitations").click()
    expect(page.locator("#bulk-progress")).to_have_attribute("value", "1", timeout=JOB_TIMEOUT_MS)
    expect(row(page, picked).locator("td").last).to_contain_text("Sent")
    expect(page.locator('[data-count="invitations.sent"]')).to_have_text(str(before["invitations"]["sent"] + 1))

    csv_file = tmp_path / "patients.csv"
    csv_file.write_text(
        f"first_name,last_name,date_of_birth,email,zip\nVera,{prefix}b,1979-11-02,vera@example.com,04101\n",
        encoding="utf-8",
    )
    card = page.locator("#import-card")
    card.get_by_label("CSV file").set_input_files(csv_file)
    card.get_by_label("Turn on portal access for rows with an email and a zip code").check()
    card.get_by_role("button", name="Check the file").click()
    expect(card.locator("#import-summary")).to_contain_text("1 ready to import")
    card.get_by_role("button", name="Import", exact=True).click()
    expect(card.locator("#import-summary")).to_have_text("Import finished: 1 rows imported, 0 not imported.")
    # The list being shown (this prefix) and the counters now hold the imported patient.
    expect(page.locator("#rows tr")).to_have_count(2)
    expect(page.locator("#rows tr").filter(has_text="vera@example.com").locator(".rect")).to_have_text("Not activated")
    after = counts(colleague)["statuses"]["unactivated"]
    expect(page.locator('[data-count="statuses.unactivated"]')).to_have_text(str(after))


def test_a_jobs_result_shows_when_it_ends_even_while_the_list_read_after_it_lags(page: Page, colleague: Client):
    prefix = onboarding_tag()
    picked = add_patient(
        colleague, "Pia", f"{prefix}a", email="pia@example.com", zip="04101", activate_without_confirmation=True
    )
    no_email = add_patient(colleague, "Quinn", f"{prefix}b", zip="04101")
    lag: dict[str, Any] = {"on": False, "body": None}

    def lagging(route: Route) -> None:
        """Once on, the list answers what it answered before, as an index still catching up."""
        if lag["on"] and lag["body"] is not None:
            route.fulfill(status=200, content_type="application/json", body=lag["body"])
            return
        answer = route.fetch()
        lag["body"] = answer.text()
        route.fulfill(response=answer)

    page.route(re.compile(r"/api/staff/onboarding\?"), lagging)
    open_onboarding(page)
    search(page, prefix)
    expect(page.locator("#rows tr")).to_have_count(2)
    lag["on"] = True
    for patient_id in (picked, no_email):
        row(page, patient_id).get_by_role("checkbox").check()
    page.get_by_role("button", name="Send invitations").click()
    expect(page.locator("#bulk-progress")).to_have_attribute("value", "2", timeout=JOB_TIMEOUT_MS)
    expect(row(page, picked).locator("td").last).to_have_text("Sent just now")
    expect(row(page, no_email).locator(".row-note")).to_have_text("No invitation sent: no email")
    found = look(row(page, no_email).locator(".row-note"))  # spoken once, in the job's summary
    assert (found["color"], bool(found["mark"])) == (RED, True), found
    expect(page.locator("#announce")).to_have_text("Invitations finished: 1 sent, 1 not sent.")
    found = look(page.locator("#announce"))  # a job with failures ends in a warning
    assert (found["color"], bool(found["mark"]), found["role"]) == (AMBER, True, "status"), found
    expect(page.locator("#selected-count")).to_have_text("No patients selected.")


# --- 11: the status explanation leaves the email and zip it names in sight ----------------------


@pytest.mark.parametrize("size", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_the_status_explanation_covers_neither_the_email_nor_the_zip(
    page: Page, colleague: Client, size: tuple[int, int]
):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    last = f"Tip{tag()}"
    new_patient(colleague, last)  # no email, no zip: the explanation names both
    sign_in(page)
    open_panel(page, last)
    tip = page.get_by_role("tooltip")
    email, zip_code = (page.locator(f'#patient-panel [data-field="{field}"]') for field in ("email", "zip"))
    hover_status(page)  # the pointer on a desk, ...
    for value in (email, zip_code):
        assert not overlaps(tip, value), "the explanation covers a field it names"
    page.mouse.move(1, 1)
    page.locator("#pp-status").focus()  # ... and the keyboard or a tap on a phone
    expect(tip).to_be_visible()
    for value in (email, zip_code):
        value.scroll_into_view_if_needed()
        expect(tip).to_be_visible()
        assert not overlaps(tip, value), "the explanation covers a field it names"
        assert on_top(page, value), "a field the explanation names is covered"


# --- 13: the Edit patient dialog keeps its height between tabs ---------------------------------


def test_the_edit_dialog_keeps_its_height_when_switching_tabs(page: Page, colleague: Client):
    last = f"Height{tag()}"
    new_patient(colleague, last, email=f"h.{tag()}@example.com", zip="02130")
    sign_in(page)
    open_panel(page, last)
    dialog = open_edit(page, "Demographics")
    heights = []
    for tab in ["Patient Portal", "Demographics", "Patient Portal"]:
        box = dialog.bounding_box()
        assert box
        heights.append(round(box["height"]))
        dialog.get_by_role("tab", name=tab).click()
        expect(dialog.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
    box = dialog.bounding_box()
    assert box
    heights.append(round(box["height"]))
    assert max(heights) - min(heights) <= 1, heights
    # the hidden tab's controls stay out of reach
    expect(dialog.get_by_label("First name")).to_be_hidden()


# --- 14: the portal's active tab is underlined without a gap ------------------------------------


def test_the_portal_active_tab_underline_has_no_gap(page: Page, colleague: Client):
    username = f"tab.{tag()}"
    portal_patient(colleague, username=username, password=PASSWORD)
    portal_sign_in(page, username, PASSWORD)
    nav = page.get_by_role("navigation", name="Portal")
    nav.get_by_role("link", name="My requests").click()
    active = nav.locator("[aria-current=page]")
    expect(active).to_have_text("My requests")
    found = active.evaluate(
        """(link) => {
            const style = getComputedStyle(link);
            const box = link.getBoundingClientRect();
            const bar = link.parentElement.getBoundingClientRect();
            return {
                skip: style.textDecorationSkipInk,
                line: style.textDecorationLine,
                border: style.borderBottomStyle + " " + style.borderBottomWidth,
                gapToBar: Math.round(bar.bottom - box.bottom),
            };
        }"""
    )
    # A continuous line (no breaks around the descenders), drawn on the bar's lower edge.
    continuous = found["border"].startswith("solid") or (found["line"] == "underline" and found["skip"] == "none")
    assert continuous, found
    assert abs(found["gapToBar"]) <= 1, found
