"""The API fuzzed against its own document (docs/api.md "Checking the contract").

schemathesis reads docs/openapi.json and sends every operation requests made from it, valid
and invalid ones, through the local gateway as a client would: with an administrator's token
(staff sign-in with the authenticator app's code), with a patient's, and with none. Each
answer must be no 5xx, with a status, a content type and a body the document declares for
the operation; a request the document calls valid must be accepted and an invalid one
refused. ``make test`` runs a few examples per operation and token (``FUZZ_EXAMPLES``, 3 by
default, the same ones each run); ``make fuzz`` runs many, new ones each time.

The run has a runtime of its own (``start_portal``): what it adds, changes or throttles does
not reach the other tests' demo data.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from local import demo_data
from local import template as cfn
from patientportal.models.practice import WEEKDAYS
from tests import staff_mfa
from tests.local.conftest import RunningPortal, start_portal
from tests.local.test_runtime import AVA, sign_in

pytestmark = [pytest.mark.local_runtime, pytest.mark.xdist_group("fuzz")]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
# The bounded run draws the same examples each time; `make fuzz` sets FUZZ_RANDOM=1.
DERANDOMIZE = os.environ.get("FUZZ_RANDOM", "") != "1"
STRICT_FUNCTIONS = os.environ.get("FUZZ_STRICT_FUNCTIONS", "") == "1"
# Answers to requests the document calls valid that are still refusals by design: rules no
# JSON Schema can state, each in docs/api.md. Matched by status and the error's `field`, so
# any other refusal of valid data still fails the run.
RULES_BEYOND_THE_SCHEMA = {
    (400, "body"): "text with half a surrogate pair (\\\\ud800), which is no Unicode text (RFC 8259 8.2)",
    (400, "cursor"): 'a cursor this API did not give out ("Paging")',
    (400, "file"): "an import file that is not a patient list (docs/import.md)",
    (410, "token"): "a one-time link that is not (or no longer) one this API sent",
    (422, "password"): "the password policy's strength and personal-details rules",
    (422, "new_password"): "the password policy's strength and personal-details rules",
    (422, "current_password"): "a current password that is not right",
    (422, "code"): "an authenticator code that is not the current one",
    (422, "q"): 'a search that is no date and no name ("Finding a patient")',
    (422, "from"): "an archive range whose start is after its end",
    (422, "demographics.changes"): "a change request whose every detail is empty",
    (422, "filter"): "an invitation filter that matches no patient (the state of the data, like a 404)",
    (422, "time_zone"): "a time zone the IANA database does not know",
    (422, "office_hours"): "office hours that leave out a day or open on none",
    **{(422, f"office_hours.{day}"): "a day that closes before it opens" for day in WEEKDAYS},
    (422, "text"): "a saved reply's text with braces other than {first_name} and {practice_name}",
}


def field_of(response: Response) -> str | None:
    try:
        return response.json()["error"].get("field")
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


@schemathesis.check
def valid_data_accepted(ctx: CheckContext, response: Response, case: schemathesis.Case) -> bool | None:
    """positive_data_acceptance, less the refusals of RULES_BEYOND_THE_SCHEMA."""
    if (response.status_code, field_of(response)) in RULES_BEYOND_THE_SCHEMA:
        return None
    return positive_data_acceptance(ctx, response, case)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    valid_data_accepted,
    negative_data_rejection,
]
ADMIN = next(login for login in demo_data.STAFF_LOGINS if login.username == "manager")
TOKEN_LIFETIME = 10 * 60  # renewed well before the 15 minutes an access token lasts

schema = schemathesis.openapi.from_path(cfn.ROOT / "docs" / "openapi.json")
fuzzed = settings(
    max_examples=EXAMPLES,
    derandomize=DERANDOMIZE,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


class Tokens:
    """Access tokens, signed in once and again before they would expire."""

    def __init__(self, portal: RunningPortal) -> None:
        self.portal = portal
        self.issued: dict[str, tuple[float, str]] = {}

    def headers(self, who: str) -> dict[str, str]:
        if who == "none":
            return {}
        at, token = self.issued.get(who, (0.0, ""))
        if time.monotonic() - at > TOKEN_LIFETIME:
            if who == "staff":
                token = staff_mfa.staff_token_over_http(self.portal.url, ADMIN.username, ADMIN.password)
            else:
                token = sign_in(self.portal, "patient", AVA.username, AVA.password)
            self.issued[who] = (time.monotonic(), token)
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def fuzzed_portal() -> Iterator[RunningPortal]:
    running = start_portal()
    yield running
    assert running.stop() == 0, "".join(running.output)
    # A function that failed behind an answer (the mail stream): `make fuzz` fails on it. The
    # bounded run does not yet: an address the API takes that SES refuses is an open finding.
    if STRICT_FUNCTIONS:
        output = "".join(running.output)
        assert "Traceback" not in output, output


@pytest.fixture(scope="module")
def tokens(fuzzed_portal: RunningPortal) -> Tokens:
    return Tokens(fuzzed_portal)


def call(case: schemathesis.Case, portal: RunningPortal, tokens: Tokens, who: str) -> None:
    case.call_and_validate(base_url=portal.url, headers=tokens.headers(who), checks=CHECKS, timeout=30)


@schema.parametrize()
@fuzzed
def test_with_a_staff_token(case, fuzzed_portal, tokens):
    call(case, fuzzed_portal, tokens, "staff")


@schema.parametrize()
@fuzzed
def test_with_a_patient_token(case, fuzzed_portal, tokens):
    call(case, fuzzed_portal, tokens, "patient")


@schema.parametrize()
@fuzzed
def test_without_a_token(case, fuzzed_portal, tokens):
    call(case, fuzzed_portal, tokens, "none")
