"""The password policy (docs/security.md "Identity", 1.12) and its agreement with the pools' policies."""

from __future__ import annotations

import pytest

from local import template as cfn
from patientportal.auth import passwords
from patientportal.errors import ValidationFailedError


def test_a_long_passphrase_is_accepted_and_never_truncated():
    passwords.check("correct horse battery staple river")
    long_one = "violet-canyon-" * 9  # 126 characters, unique enough
    passwords.check(long_one)
    with pytest.raises(ValidationFailedError):
        passwords.check(long_one + "xyz")  # 129 characters: refused, not cut


@pytest.mark.parametrize("weak", ["short", "password1234", "aaaaaaaaaaaaaaaa", "qwertyuiopasdf"])
def test_short_or_guessable_passwords_are_refused_with_the_field_named(weak):
    with pytest.raises(ValidationFailedError) as refused:
        passwords.check(weak)
    assert refused.value.field == "password"


def test_passwords_containing_the_username_email_or_name_are_refused():
    with pytest.raises(ValidationFailedError):
        passwords.check("ava.thompson-river-lantern", username="ava.thompson")
    with pytest.raises(ValidationFailedError):
        passwords.check("lantern-Thompson-orbit-77", name="Ava Thompson")


def test_both_user_pools_agree_with_the_policy():
    template = cfn.load()
    for pool in ("StaffUserPool", "PatientUserPool"):
        policy = template["Resources"][pool]["Properties"]["Policies"]["PasswordPolicy"]
        assert policy["MinimumLength"] == passwords.MINIMUM_LENGTH
        # Composition rules would refuse good passphrases our policy accepts (NIST 800-63B).
        assert not any(
            policy[rule] for rule in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols")
        )
