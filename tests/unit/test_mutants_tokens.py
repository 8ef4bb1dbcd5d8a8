"""Reading Cognito's tokens (auth/tokens.py) and the refresh cookie (auth/cookies.py), written
where mutation testing found them untested (docs/security.md "Mutation testing")."""

from __future__ import annotations

import base64
import json

import pytest

from patientportal.auth import cookies
from patientportal.auth.tokens import unverified_claims


def jwt(payload: bytes) -> str:
    return "header." + base64.urlsafe_b64encode(payload).decode().rstrip("=") + ".signature"


@pytest.mark.parametrize("size", range(40))
def test_claims_are_read_whatever_the_length_of_the_payload(size):
    claims = {"username": "u" * size, "iat": 1000}
    assert unverified_claims(jwt(json.dumps(claims).encode())) == claims


@pytest.mark.parametrize("token", ["no-dots", "header.!!!.signature", jwt(b"[1, 2]"), jwt(b"not json")])
def test_what_is_not_a_jwt_with_a_claims_object_is_refused(token):
    with pytest.raises(ValueError):  # noqa: PT011 - the one error it raises; its text is logged by type only
        unverified_claims(token)


@pytest.mark.parametrize(("account", "name"), [("patient", "portal_refresh"), ("staff", "staff_refresh")])
def test_the_refresh_cookie_is_locked_down_and_goes_when_the_browser_closes(account, name):
    header = str(cookies.refresh_cookie(account, "the-token"))
    parts = [part.strip() for part in header.split(";")]
    assert parts[0] == f"{name}=the-token"
    assert set(parts[1:]) == {"Path=/api/auth", "HttpOnly", "Secure", "SameSite=Strict"}  # no Max-Age, no Expires


@pytest.mark.parametrize(("account", "name"), [("patient", "portal_refresh"), ("staff", "staff_refresh")])
def test_signing_out_clears_the_same_cookie_at_once(account, name):
    parts = [part.strip() for part in str(cookies.cleared(account)).split(";")]
    assert parts[0] == f"{name}="
    assert set(parts[1:]) == {"Path=/api/auth", "Max-Age=0", "HttpOnly", "Secure", "SameSite=Strict"}


def test_the_cookie_is_read_by_its_exact_name_only():
    sent = ["staff_session=1", " portal_refresh = abc.def= ", "staff_refresh=xyz"]
    assert cookies.read(sent, "portal_refresh") == "abc.def="
    assert cookies.read(sent, "staff_refresh") == "xyz"
    assert cookies.read(["portal_refresh_old=abc"], "portal_refresh") is None
    assert cookies.read(["xportal_refresh=abc"], "portal_refresh") is None


def test_an_empty_or_missing_cookie_is_no_cookie():
    assert cookies.read(None, "portal_refresh") is None
    assert cookies.read([], "portal_refresh") is None
    assert cookies.read(["portal_refresh="], "portal_refresh") is None
    assert cookies.read(["portal_refresh=", "portal_refresh=second"], "portal_refresh") == "second"
