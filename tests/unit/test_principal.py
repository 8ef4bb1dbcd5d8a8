"""Who is calling, from verified claims: the pool decides the kind, the token the patient."""

from __future__ import annotations

import pytest

from patientportal.auth.principal import parse_groups, principal_from_claims
from patientportal.errors import ForbiddenError, UnauthorizedError
from patientportal.settings import Settings

SETTINGS = Settings(
    table_name="t", practice_name="p", staff_user_pool_id="us-east-1_staff", patient_user_pool_id="us-east-1_pat"
)
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/"


def claims(pool: str, **extra: str) -> dict[str, str]:
    return {"iss": ISSUER + pool, "token_use": "access", "username": "someone", "sub": "s", "iat": "100", **extra}


def test_http_api_flattened_groups_are_read():
    assert parse_groups("[staff admin]") == {"staff", "admin"}
    assert parse_groups(["staff"]) == {"staff"}
    assert parse_groups(None) == frozenset()


def test_staff_token_gives_a_staff_principal_with_its_groups():
    principal = principal_from_claims(claims("us-east-1_staff", **{"cognito:groups": "[staff]"}), SETTINGS)
    assert principal.kind == "staff"
    assert principal.require_staff() is principal
    with pytest.raises(ForbiddenError):
        principal.require_admin()
    with pytest.raises(ForbiddenError):
        principal.require_patient()


def test_a_staff_user_outside_the_staff_groups_is_refused():
    principal = principal_from_claims(claims("us-east-1_staff"), SETTINGS)
    with pytest.raises(ForbiddenError):
        principal.require_staff()


def test_patient_id_comes_from_the_token_username():
    principal = principal_from_claims(claims("us-east-1_pat", username="p-ava"), SETTINGS)
    assert principal.patient_id == "p-ava"
    assert principal.issued_at == 100
    with pytest.raises(ForbiddenError):
        principal.require_staff()


def test_a_patient_token_never_passes_as_staff_even_with_a_forged_group_claim():
    principal = principal_from_claims(claims("us-east-1_pat", **{"cognito:groups": "[admin]"}), SETTINGS)
    with pytest.raises(ForbiddenError):
        principal.require_admin()


@pytest.mark.parametrize(
    "bad",
    [
        None,
        {},
        claims("us-east-1_other"),
        claims("us-east-1_pat", token_use="id"),
        claims("us-east-1_pat", username=""),
    ],
)
def test_unknown_issuers_id_tokens_and_anonymous_claims_are_refused(bad):
    with pytest.raises(UnauthorizedError):
        principal_from_claims(bad, SETTINGS)
