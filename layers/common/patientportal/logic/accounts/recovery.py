""" "Create my portal account" and "I forgot my password" (docs/architecture.md "Identity and
sessions"; docs/security.md "Identity").

Both answer the same 202 whatever happened; what differs is only which email, if any, goes
to the address on file. The attempt is counted first (one write), then one Query (patients
with that email), then one transaction with the address's mail counter, the email and, on
a match, the link (docs/decisions.md 39).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from patientportal import limits, normalise
from patientportal.dal import attempts as stored_rate_limits
from patientportal.dal import patients
from patientportal.dal.messages import outbox_item
from patientportal.dal.table import Table
from patientportal.email import outbox
from patientportal.logic.accounts import links
from patientportal.models.accounts import Accepted, IdentityDetails
from patientportal.models.records import PatientRecord

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

ACCEPTED = Accepted(
    accepted=True,
    message="If the details match our records, we have sent an email to the address on file. "
    "It may take a few minutes to arrive.",
)


def matches(patient: PatientRecord, details: IdentityDetails) -> bool:
    """Last name, date of birth and zip, each after its normalisation (the email already matched)."""
    return (
        normalise.name(patient.last_name) == normalise.name(details.last_name)
        and patient.date_of_birth == details.date_of_birth.isoformat()
        and normalise.zip_code(patient.zip) == normalise.zip_code(details.zip)
    )


def _reply_entries(
    candidates: list[PatientRecord], details: IdentityDetails, table: Table
) -> list[TransactWriteItemTypeDef]:
    """Which email the address on file gets: a link, "could not verify", "contact the practice", or none."""
    deliverable = [patient for patient in candidates if patient.email and not patient.email_undeliverable]
    if not deliverable:
        return []
    matched = [patient for patient in deliverable if matches(patient, details)]
    if len(matched) == 1 and matched[0].portal_access_enabled and matched[0].zip:
        return links.issue(matched[0], "reset", table=table).entries
    first = (matched or deliverable)[0]
    template = "contact_practice" if matched else "could_not_verify"
    return [table.put_entry(outbox_item(outbox.email_to(first.email, first.patient_id, template), outbox.expiry()))]


def request_link(details: IdentityDetails, *, source_ip: str) -> Accepted:
    """Claim and forgot alike, in three steps of the same work whatever matched: the attempt
    is counted (per email and per viewer address) before anything is looked up, and a full
    window raises ``TooManyRequestsError``, which the handler answers with the same body;
    then the one Query; then one transaction holding the destination's mail counter and
    the email, if any. An address that has had its 3 emails this hour gets nothing more,
    and the answer stays the same."""
    email = normalise.email(details.email)
    table = Table()
    stored_rate_limits.count_attempts(
        [limits.window(limits.PER_EMAIL, email), limits.window(limits.PER_SOURCE, source_ip)],
        table=table,
    )
    candidates = patients.patients_with_email(email, table=table)
    mail_cap = limits.window(limits.PER_DESTINATION, email)
    stored_rate_limits.write_counted(mail_cap, _reply_entries(candidates, details, table), table=table)
    return ACCEPTED
