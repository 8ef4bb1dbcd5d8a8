"""The first administrator's path, as a new stack on AWS gives it: the template's FirstAdmin
gets Cognito's invitation (here in the development mailbox) with a temporary password, and
the first sign-in sets a new password and enrols the authenticator app before the queue
opens. `make run` starts this way; the demo logins are there beside it."""

from __future__ import annotations

import re

import boto3
import pytest
import requests
from playwright.sync_api import Page, expect

from local import template as cfn
from local.stack import LOCAL_PARAMETERS, STACK_NAME
from tests.browser.conftest import assert_accessible, enrol_app

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NEW_PASSWORD = "copper lantern orchard eleven"


def invitation(portal) -> dict[str, str]:
    to_admin = [email for email in portal.mail() if email["to"] == [LOCAL_PARAMETERS["AdminEmail"]]]
    assert len(to_admin) == 1, to_admin  # one invitation, to the address the stack was given
    return dict(to_admin[0])


def test_the_invitation_is_cognitos_in_the_templates_words(portal):
    email = invitation(portal)
    pool = cfn.load()["Resources"]["StaffUserPool"]["Properties"]["AdminCreateUserConfig"]["InviteMessageTemplate"]
    # The practice's name filled in, Cognito's own placeholders replaced, nothing left over
    assert email["subject"] == f"{LOCAL_PARAMETERS['PracticeName']}: your staff account for the patient portal"
    words = pool["EmailMessage"]["Fn::Sub"][0]
    assert "{username}" in words
    assert "{####}" in words
    assert "Your username is admin and your temporary password is " in email["text"]
    assert not re.search(r"\{[^}]*\}|\$\{", email["text"]), email["text"]
    assert "authenticator app" in email["text"]


def test_the_first_admin_signs_in_with_the_invitation_sets_a_password_and_enrols_the_app(page: Page, portal):
    cognito = boto3.client("cognito-idp", endpoint_url=portal.emulator_url, region_name="us-east-1")
    pools = cognito.list_user_pools(MaxResults=10)["UserPools"]
    pool = next(found["Id"] for found in pools if found["Name"] == f"{STACK_NAME}-staff")
    assert cognito.admin_get_user(UserPoolId=pool, Username="admin")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    temporary = re.search(r"temporary password is (\S+) \(", invitation(portal)["text"]).group(1)  # type: ignore[union-attr]

    page.goto("/staff/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password", exact=True).fill(temporary)
    page.get_by_role("button", name="Sign in").click()

    # A new password first, then the authenticator app, then the queue
    expect(page.get_by_label("New password", exact=True)).to_be_visible()
    assert_accessible(page, "the first administrator's new password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save password and sign in").click()
    enrol_app(page)
    expect(page.locator("#signed-in-as")).to_have_text("Signed in as admin")
    expect(page.locator("#compact-count")).to_contain_text("open item")

    # An administrator: the onboarding page offers the import, which front-desk staff do not get
    page.goto("/staff/onboarding")
    expect(page.get_by_role("heading", name="Import a patient list (administrators)")).to_be_visible()
    user = cognito.admin_get_user(UserPoolId=pool, Username="admin")
    assert user["UserStatus"] == "CONFIRMED"
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool, Username="admin")["Groups"]
    assert {group["GroupName"] for group in groups} == {"admin", "staff"}

    # The temporary password works no more; the new one asks for the app's code
    login = f"{portal.url}/api/auth/staff/login"
    old = requests.post(login, json={"username": "admin", "password": temporary}, timeout=10)
    assert old.status_code == 401, old.text
    new = requests.post(login, json={"username": "admin", "password": NEW_PASSWORD}, timeout=10)
    assert new.status_code == 200, new.text
    assert new.json()["challenge"] == "SOFTWARE_TOKEN_MFA"
