"""The API's email address rule (models.accounts.EMAIL_ADDRESS): what the document calls a
valid address is one SES takes as exactly that one address (the fuzz run's finding: a
looser pattern let addresses through that SES refused in the mail stream, or read as
someone else's)."""

from __future__ import annotations

import re
from email.utils import parseaddr

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moto.ses.utils import is_valid_address
from pydantic import TypeAdapter, ValidationError

from patientportal.models.accounts import EMAIL_ADDRESS, Email, OptionalEmail

ADDRESS = TypeAdapter(Email)
OPTIONAL = TypeAdapter(OptionalEmail)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(f"^{EMAIL_ADDRESS}$", fullmatch=True).filter(lambda text: len(text) <= 254))
def test_every_address_the_pattern_allows_is_sent_to_that_address_alone(address: str) -> None:
    # SES's check as the emulator makes it, and the parse that names the recipient
    assert is_valid_address(address) is None
    assert parseaddr(address) == ("", address)
    assert ADDRESS.validate_python(address) == address


@pytest.mark.parametrize(
    "address",
    [
        "(ava@example.com",  # SES: "Missing domain"
        "ava@example.com)",
        "a,b@example.com",  # two recipients
        "ava;b@example.com",
        "Ava<b@example.com",  # read as b@example.com: mail to somebody else
        "ava:b@example.com",
        '"ava"@example.com',  # quoting: valid in RFC 5322, refused here
        "ava..t@example.com",
        ".ava@example.com",
        "ava@example",  # no top-level name
        "ava@-example.com",
        "ava@example.c0m",
        "ava@exam_ple.com",
        "avá@example.com",  # SES takes no UTF-8 local part
        "ava@exam\nple.com",
        "ava @example.com",
    ],
)
def test_addresses_ses_would_refuse_or_misread_are_refused_by_the_model(address: str) -> None:
    with pytest.raises(ValidationError):
        ADDRESS.validate_python(address)


def test_ordinary_addresses_are_accepted_and_trimmed() -> None:
    for address in ("ava.thompson@example.com", "o'neil+portal@mail.example.org", "x@sub-1.example.co.uk"):
        assert ADDRESS.validate_python(f"  {address} ") == address
    assert OPTIONAL.validate_python("") == ""
    assert re.fullmatch(EMAIL_ADDRESS, "ava@example.com")
