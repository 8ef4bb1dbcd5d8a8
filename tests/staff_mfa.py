"""Staff sign-ins with their second factor, for every suite.

The emulator gives every user moto's one TOTP secret; the codes here are computed with
pyotp, independently of ``local.totp`` (which the runtime uses), so a test also checks that
the two agree with moto. The demo staff are enrolled when the demo data is seeded; a member
added by a test enrols at their first sign-in (``finish`` does that too).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pyotp
import requests
from moto.cognitoidp.models import COGNITO_TOTP_MFA_SECRET

STEP = 30


class EmulatorTotp(pyotp.TOTP):
    """moto's secret is 60 bits; pyotp asks for NIST's 112 unless told otherwise."""

    min_secret_length_bits = 56


AUTHENTICATOR = EmulatorTotp(COGNITO_TOTP_MFA_SECRET)

# (path, body) -> (status, body): one staff sign-in step, in-process or over HTTP.
Post = Callable[[str, dict[str, Any]], tuple[int, Any]]


def code_now() -> str:
    """The app's current code, still good when it arrives (moto checks the current step only)."""
    left = STEP - time.time() % STEP
    if left < 1.5:
        time.sleep(left + 0.05)
    return str(AUTHENTICATOR.now())


def wrong_code() -> str:
    """Six digits that are not the code of this step, the one before or the one after."""
    now = time.time()
    taken = {AUTHENTICATOR.at(now + shift) for shift in (-STEP, 0, STEP, 2 * STEP)}
    return next(code for code in ("000000", "123456", "999999", "135790") if code not in taken)


def finish(post: Post, username: str, status: int, body: Any) -> tuple[int, Any]:
    """Answers the second-factor steps of a staff sign-in until it is signed in: the code
    for SOFTWARE_TOKEN_MFA, enrolment for MFA_SETUP. Any other answer is handed back."""
    while status == 200 and isinstance(body, dict) and body.get("challenge") in ("MFA_SETUP", "SOFTWARE_TOKEN_MFA"):
        step = {"username": username, "session": body["session"]}
        if body["challenge"] == "SOFTWARE_TOKEN_MFA":
            status, body = post("/api/auth/staff/mfa/code", {**step, "code": code_now()})
            continue
        status, enrolment = post("/api/auth/staff/mfa/enrol", step)
        assert status == 200, enrolment
        confirm = {"username": username, "session": enrolment["session"], "code": code_now()}
        status, body = post("/api/auth/staff/mfa/enrol/confirm", confirm)
    return status, body


def sign_in_over_http(url: str, username: str, password: str) -> requests.Response:
    """A staff sign-in with its code, as the page makes it; the last answer (tokens, cookie)."""
    client = requests.Session()
    last: list[requests.Response] = []

    def post(path: str, body: dict[str, Any]) -> tuple[int, Any]:
        last.append(client.post(f"{url}{path}", json=body, timeout=10))
        return last[-1].status_code, last[-1].json() if last[-1].content else None

    status, body = post("/api/auth/staff/login", {"username": username, "password": password})
    finish(post, username, status, body)
    return last[-1]


def staff_token_over_http(url: str, username: str, password: str) -> str:
    answer = sign_in_over_http(url, username, password)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])
