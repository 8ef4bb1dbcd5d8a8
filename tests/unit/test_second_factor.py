"""The rules of the staff second factor that need no AWS: the code as typed, the
authenticator app's address, and the QR code's SVG."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from patientportal.errors import ValidationFailedError
from patientportal.logic.accounts.second_factor import CODE_FORMAT, otpauth_uri, qr_svg, typed_code


@pytest.mark.parametrize(("typed", "code"), [("123456", "123456"), ("123 456", "123456"), ("12-34-56", "123456")])
def test_a_code_is_read_as_apps_show_it(typed, code):
    assert typed_code(typed) == code


@pytest.mark.parametrize("typed", ["12345", "1234567", "12a456", "", "１２３４５６"])
def test_anything_but_six_digits_is_refused_on_the_code_field(typed):
    with pytest.raises(ValidationFailedError) as refused:
        typed_code(typed)
    assert (refused.value.field, refused.value.message) == ("code", CODE_FORMAT)


def test_the_address_names_the_practice_and_the_username_safely():
    uri = otpauth_uri("Ríverbend & O'Neil: Family Practice", "front.desk", "JBSWY3DPEHPK3PXP")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    issuer, account = parts.path.lstrip("/").split(":")
    assert (unquote(issuer), unquote(account)) == ("Ríverbend & O'Neil: Family Practice", "front.desk")
    query = parse_qs(parts.query)
    assert query["secret"] == ["JBSWY3DPEHPK3PXP"]
    assert query["issuer"] == ["Ríverbend & O'Neil: Family Practice"]
    assert " " not in uri


def test_the_qr_code_is_a_standalone_svg_that_runs_nothing():
    svg = qr_svg("otpauth://totp/Practice:frontdesk?secret=JBSWY3DPEHPK3PXP&issuer=Practice")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert svg.rstrip().endswith("</svg>")
    assert "<title>QR code for your authenticator app</title>" in svg
    for dangerous in ("<script", "onload", "href", "<?xml"):
        assert dangerous not in svg
