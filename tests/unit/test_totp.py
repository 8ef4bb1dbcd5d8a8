"""The development authenticator's codes (``local.totp``) are the ones an app holding moto's
secret shows (pyotp, an independent implementation), and the key is shown for typing."""

from __future__ import annotations

import time

from moto.cognitoidp.models import COGNITO_TOTP_MFA_SECRET

from local import totp
from tests import staff_mfa


def test_the_development_codes_are_the_ones_an_app_with_moto_secret_shows():
    moment = time.time()
    for shift in (-30, 0, 30, 60, 3600):
        assert totp.code(moment + shift) == staff_mfa.AUTHENTICATOR.at(moment + shift)
    assert totp.code(moment) != totp.code(moment + 30) or totp.code(moment) != totp.code(moment + 60)
    assert COGNITO_TOTP_MFA_SECRET.upper() == totp.SECRET
    assert totp.grouped() == "ASDF ASDF ASDF"


def test_a_fresh_code_has_time_left():
    totp.fresh_code(margin=1.0)
    assert totp.seconds_left() >= 0.9
