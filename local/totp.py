"""Authenticator-app codes for the local emulator, and the development page that shows them.

moto gives every user of every pool one TOTP secret (``COGNITO_TOTP_MFA_SECRET``) and
checks a code (with ``MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true``) as Cognito's RFC 6238
defaults have it: the secret padded with ``=`` to a multiple of 8 and base32-decoded
without regard to case (``moto.cognitoidp.utils.cognito_totp``), HMAC-SHA1, 6 digits,
30-second steps, the current step only. The codes here are computed the same way, with
``cryptography`` (which moto uses itself); the upper-cased secret is what an authenticator
app on a phone takes. Nothing here runs in Lambda: on AWS each person has their own secret.
"""

from __future__ import annotations

import base64
import html
import time

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from moto.cognitoidp.models import COGNITO_TOTP_MFA_SECRET

from patientportal.logic.accounts.second_factor import otpauth_uri, qr_svg

SECRET = COGNITO_TOTP_MFA_SECRET.upper()
STEP = 30
DIGITS = 6
ENV = {"MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP": "true"}  # moto then checks codes at all


def _totp() -> TOTP:
    padded = SECRET + "=" * (-len(SECRET) % 8)
    # moto's secret is 7 bytes, shorter than RFC 4226's 16, so the length check is off as in moto.
    key = base64.b32decode(padded, casefold=True)
    # SHA-1 is RFC 6238's default and what Cognito's codes and every authenticator app use; an
    # HMAC key, not a password hash.
    return TOTP(key, DIGITS, SHA1(), STEP, enforce_key_length=False)  # noqa: S303  # nosec B303 # RFC 6238 HMAC, see above


def code(at: float | None = None) -> str:
    """The code an authenticator app with ``SECRET`` shows at ``at`` (now by default)."""
    return _totp().generate(int(time.time() if at is None else at)).decode("ascii")


def seconds_left(at: float | None = None) -> float:
    moment = time.time() if at is None else at
    return STEP - moment % STEP


def fresh_code(margin: float = 1.0) -> str:
    """A code that is still good for at least ``margin`` seconds, so it is not stale on arrival."""
    if seconds_left() < margin:
        time.sleep(seconds_left() + 0.05)
    return code()


def grouped(secret: str = SECRET) -> str:
    """In fours, for typing into an app by hand."""
    return " ".join(secret[start : start + 4] for start in range(0, len(secret), 4))


def page(issuer: str) -> str:
    """A plain page (no script, no inline style: the CSP applies here too) that reloads itself
    when the code changes."""
    left = seconds_left()
    picture = base64.b64encode(qr_svg(otpauth_uri(issuer, "local demo", SECRET)).encode()).decode()
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="{int(left) + 1}">'
        "<title>Development authenticator</title></head><body>"
        "<h1>Development authenticator</h1>"
        "<p>The local emulator gives every staff member the same authenticator-app secret, "
        "so this code signs in any of them (frontdesk, admin, or a member you add).</p>"
        f'<p>Current code: <strong id="code">{code()}</strong> '
        f"(good for {int(left)} more seconds; this page reloads itself)</p>"
        f'<p>Secret for an authenticator app on a phone: <code id="secret">{html.escape(grouped())}</code> '
        "(moto's own, 60 bits: some apps refuse a key this short; the code above always works)</p>"
        f'<p><img alt="QR code of the development secret" src="data:image/svg+xml;base64,{picture}"></p>'
        "<p>Only here: on AWS each staff member enrols their own app at their first sign-in.</p>"
        "</body></html>"
    )
