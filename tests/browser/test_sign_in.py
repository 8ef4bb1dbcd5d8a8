"""Staff page, part 1: sign-in (with the new-password step of a first sign-in), sign-out,
and the sign-out after 15 minutes without activity."""

from __future__ import annotations

import uuid

import boto3
import pytest
from playwright.sync_api import Page, expect

from local.stack import STACK_NAME
from tests.browser.conftest import FRONTDESK, assert_accessible, enrol_app, enter_code, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def refresh_status(page: Page) -> int:
    """What the refresh cookie this browser holds is worth now."""
    return page.request.post("/api/auth/refresh", data={"account": "staff"}).status


def test_a_wrong_password_is_refused_and_the_right_one_opens_the_queue(page: Page):
    page.goto("/staff/")
    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
    assert_accessible(page, "sign-in")
    page.get_by_label("Username").fill(FRONTDESK.username)
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The username or password is not right.")
    assert_accessible(page, "sign-in with an error")
    page.get_by_label("Password", exact=True).fill(FRONTDESK.password)
    page.get_by_role("button", name="Sign in").click()
    enter_code(page)
    expect(page.get_by_role("heading", name="Patient Portal", exact=True)).to_be_visible()
    expect(page.locator("#signed-in-as")).to_have_text("Signed in as frontdesk")
    expect(page.locator("#compact-count")).to_contain_text("open item")
    assert_accessible(page, "compact queue panel")


def test_a_first_sign_in_sets_a_new_password(page: Page, portal):
    cognito = boto3.client("cognito-idp", endpoint_url=portal.emulator_url, region_name="us-east-1")
    pool = next(
        pool["Id"]
        for pool in cognito.list_user_pools(MaxResults=10)["UserPools"]
        if pool["Name"] == f"{STACK_NAME}-staff"
    )
    username = f"nurse{uuid.uuid4().hex[:6]}"
    cognito.admin_create_user(
        UserPoolId=pool, Username=username, TemporaryPassword="Temporary-pass-2026", MessageAction="SUPPRESS"
    )
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName="staff")

    page.goto("/staff/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill("Temporary-pass-2026")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    assert_accessible(page, "new password")
    page.get_by_label("New password", exact=True).fill("quiet harbor lantern seventy")
    page.get_by_label("New password again").fill("quiet harbor lantern")
    page.get_by_role("button", name="Save password and sign in").click()
    expect(page.locator("#new-password-error")).to_have_text("The two passwords are not the same.")
    page.get_by_label("New password", exact=True).fill("password1234")
    page.get_by_label("New password again").fill("password1234")
    page.get_by_role("button", name="Save password and sign in").click()
    expect(page.locator("#new-password-error")).not_to_be_empty()
    page.get_by_label("New password", exact=True).fill("quiet harbor lantern seventy")
    page.get_by_label("New password again").fill("quiet harbor lantern seventy")
    page.get_by_role("button", name="Save password and sign in").click()
    enrol_app(page)  # the staff pool requires an authenticator app, set up next
    expect(page.locator("#signed-in-as")).to_have_text(f"Signed in as {username}")
    expect(page.locator("#compact-count")).to_contain_text("open item")

    # The new password is the one that works from now on.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, username, "quiet harbor lantern seventy")


def test_a_reload_keeps_the_session_and_signing_out_ends_it(page: Page):
    sign_in(page)
    page.reload()
    expect(page.locator("#signed-in-as")).to_have_text("Signed in as frontdesk")
    expect(page.locator("#compact-count")).to_contain_text("open item")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
    expect(page.locator("#signed-out-note")).to_have_text("You are signed out.")
    assert refresh_status(page) == 401
    page.reload()
    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
    expect(page.locator("#app-view")).to_be_hidden()


def test_fifteen_minutes_without_activity_signs_out(page: Page):
    page.clock.install()
    sign_in(page)
    page.clock.run_for("14:00")
    expect(page.locator("#app-view")).to_be_visible()
    page.keyboard.press("Shift")  # activity starts the 15 minutes again
    page.clock.run_for("14:30")
    expect(page.locator("#app-view")).to_be_visible()
    page.clock.run_for("00:31")
    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
    expect(page.locator("#signed-out-note")).to_have_text("You were signed out after 15 minutes without activity.")
    expect(page.locator("#queue-rows tr")).to_have_count(0)
    assert refresh_status(page) == 401


def test_while_the_person_works_the_page_renews_its_token_which_the_server_counts_as_activity(page: Page):
    # The server ends a session that got no new token for 30 minutes (decision 40), so a
    # person typing a long reply must not lose it: activity renews a token older than 5 minutes.
    page.clock.install()
    sign_in(page)
    renewals: list[int] = []
    page.on("request", lambda request: request.url.endswith("/api/auth/refresh") and renewals.append(1))  # type: ignore[call-overload, func-returns-value]
    page.clock.run_for("04:00")
    page.keyboard.press("Shift")
    page.wait_for_timeout(300)
    assert renewals == []  # a young token is left alone
    page.clock.run_for("02:00")
    page.keyboard.press("Shift")
    page.wait_for_timeout(500)
    assert len(renewals) == 1
    page.keyboard.press("Shift")  # the new token is young again
    page.wait_for_timeout(300)
    assert len(renewals) == 1
    expect(page.locator("#app-view")).to_be_visible()


def test_an_expired_access_token_is_renewed_quietly_and_a_dead_session_asks_to_sign_in(page: Page):
    sign_in(page)
    refused = {"count": 0}

    def expired_once(route):
        if refused["count"] == 0:
            refused["count"] += 1
            route.fulfill(status=401, json={"message": "Unauthorized"})
        else:
            route.continue_()

    page.route("**/api/staff/archive*", expired_once)
    page.get_by_role("button", name="Recent portal activity (archive)").filter(visible=True).click()
    expect(page.locator("#archive-rows tr").first).to_be_visible()  # renewed from the refresh cookie
    assert refused["count"] == 1

    # Once the refresh cookie is no longer honoured, the next call lands on the sign-in form
    # (closing the archive reloads the queue).
    page.route("**/api/auth/refresh", lambda route: route.fulfill(status=401, json={"message": "Unauthorized"}))
    page.route("**/api/staff/queue*", lambda route: route.fulfill(status=401, json={"message": "Unauthorized"}))
    page.get_by_role("button", name="Close").click()
    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
    expect(page.locator("#signed-out-note")).to_have_text("Your session ended. Sign in again.")
