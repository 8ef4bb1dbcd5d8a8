"""The electronic registration form: a new patient with a username and password and access
off, and an email whose link confirms the address and turns access on (SEED-HELP.md)."""

from __future__ import annotations

from patientportal import clock, ids
from patientportal.auth import passwords, patient_users, rate_limits
from patientportal.dal import patients
from patientportal.dal import rate_limits as stored_rate_limits
from patientportal.dal import usernames as stored_usernames
from patientportal.dal.messages import outbox_item
from patientportal.dal.table import Table
from patientportal.email import outbox
from patientportal.errors import ConflictError, TooManyRequestsError
from patientportal.logic import credentials, links, normalise
from patientportal.models.accounts import Accepted, Registration
from patientportal.models.records import PatientRecord

REGISTERED = Accepted(
    accepted=True,
    message="Thank you. We have sent an email to the address you gave; "
    "use its link within 24 hours to confirm it and turn on your portal access.",
)


def _not_completed(address: str, table: Table) -> Accepted:
    """The username was taken: only the address typed in is told (no patient exists)."""
    notice = outbox.email_to(address, "", "registration_not_completed")
    table.put(outbox_item(notice, outbox.expiry()))
    return REGISTERED


def register(form: Registration, *, source_ip: str) -> Accepted:
    """The same 202 whether or not the username was free: a taken username is told to the
    address typed in, not to whoever is at the keyboard (SECURITY.md 1)."""
    credentials.require_valid_username(form.username)
    name = f"{form.first_name} {form.last_name}"
    passwords.check(form.password, username=form.username, email=form.email, name=name)
    record = PatientRecord(
        patient_id=ids.new_id(),
        first_name=form.first_name,
        last_name=form.last_name,
        date_of_birth=form.date_of_birth.isoformat(),
        email=form.email,
        zip=form.zip,
        phone=form.phone,
        portal_access_enabled=False,
        username=form.username,
        registered_online=True,
        created_at=clock.timestamp(),
    )
    table = Table()
    if stored_usernames.owner_of(form.username, table=table) is not None:
        return _not_completed(form.email, table)
    counter = rate_limits.window(rate_limits.REGISTER_PER_SOURCE, source_ip)
    attempt = stored_rate_limits.attempt_entry(counter, table=table)
    link = links.issue(record, "verify_email", table=table, new_patient=True)
    record = record.model_copy(update={"link_verify_email": link.token_sha256})
    entries = [
        attempt,
        patients.new_patient_entry(record, normalise.email(record.email), table=table),
        stored_usernames.claim_entry(form.username, record.patient_id, table=table),
        *link.entries,
    ]
    try:
        table.transact(entries, conflict="The username is taken.")
    except ConflictError as error:
        if stored_usernames.owner_of(form.username) is None:
            raise TooManyRequestsError("Too many attempts; try again later.") from error
        return _not_completed(form.email, table)
    patient_users.set_password(record.patient_id, form.password)
    return REGISTERED
