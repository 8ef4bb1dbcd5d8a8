"""The electronic registration form: a new patient waits, access off, for the emailed link,
which confirms the address; on that link the patient chooses a username and a password and
portal access turns on (docs/decisions.md 39).

The form asks for no username and no password, so registering looks nothing up and answers
the same whoever exists: every registration counts the attempt, then writes one
transaction (the address's mail counter, the waiting record, its link and its email).
"""

from __future__ import annotations

from patientportal import clock, ids, limits, normalise
from patientportal.auth import link_tokens as link_rules
from patientportal.dal import attempts as stored_rate_limits
from patientportal.dal import patients
from patientportal.dal.table import Table
from patientportal.logic.accounts import links
from patientportal.models.accounts import Accepted, Registration
from patientportal.models.records import PatientRecord

REGISTERED = Accepted(
    accepted=True,
    message="Thank you. We have sent an email to the address you gave; use its link within 24 hours "
    "to confirm it, choose your username and password, and turn on your portal access.",
)


def register(form: Registration, *, source_ip: str) -> Accepted:
    """Throttled per viewer address before anything else (``TooManyRequestsError``, which the
    handler answers with the same body); an address that has had its emails this hour is
    sent nothing and stores nothing, with the same answer."""
    table = Table()
    stored_rate_limits.count_attempts([limits.window(limits.REGISTER_PER_SOURCE, source_ip)], table=table)
    email = normalise.email(form.email)
    record = PatientRecord.new(
        ids.new_id(),
        form,
        created_at=clock.timestamp(),
        registered_online=True,
        expires_at=clock.epoch_seconds() + link_rules.LIFETIME_SECONDS["verify_email"],
    )
    link = links.issue(record, "verify_email", table=table, new_patient=True)
    record = record.model_copy(update={"link_verify_email": link.token_sha256})
    mail_cap = limits.window(limits.PER_DESTINATION, email)  # past it, nothing is stored
    stored_rate_limits.write_counted(
        mail_cap, [patients.new_patient_entry(record, email, table=table), *link.entries], table=table
    )
    return REGISTERED
