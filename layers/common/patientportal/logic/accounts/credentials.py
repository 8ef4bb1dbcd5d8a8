"""Usernames and passwords: the live username check, and credentials set by staff."""

from __future__ import annotations

from typing import TYPE_CHECKING

from patientportal import clock
from patientportal.auth import cognito, passwords, usernames
from patientportal.auth.principal import Principal
from patientportal.dal import patients
from patientportal.dal import usernames as stored_usernames
from patientportal.dal.table import Table
from patientportal.errors import ConflictError, NotFoundError, ValidationFailedError
from patientportal.logic.patients import audit
from patientportal.models.accounts import Credentials, UsernameCheck
from patientportal.models.records import PatientRecord

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef


def username_check(username: str, *, for_patient: str | None = None) -> UsernameCheck:
    """Valid characters and length, and free without regard to case (a patient's own
    current username counts as available to them)."""
    problem = usernames.problem(username)
    if problem:
        return UsernameCheck(valid=False, available=False, reason=problem)
    owner = stored_usernames.owner_of(username)
    if owner is not None and owner != for_patient:
        return UsernameCheck(valid=True, available=False, reason="This username is taken.")
    return UsernameCheck(valid=True, available=True, reason="")


def require_valid_username(username: str) -> None:
    problem = usernames.problem(username)
    if problem:
        raise ValidationFailedError(problem, field="username")


def check_password(password: str, patient: PatientRecord, username: str, *, field: str = "password") -> None:
    passwords.check(password, username=username, email=patient.email, name=patient.display_name, field=field)


def taken(username: str, patient_id: str) -> bool:
    owner = stored_usernames.owner_of(username)
    return owner is not None and owner != patient_id


def _username_entries(patient: PatientRecord, new_username: str, table: Table) -> list[TransactWriteItemTypeDef]:
    if taken(new_username, patient.patient_id):
        raise ConflictError("This username is taken.", field="username")
    if new_username.casefold() == patient.username.casefold():
        return []  # only its case changes: the key stays the same
    entries = [stored_usernames.claim_entry(new_username, patient.patient_id, table=table)]
    if patient.username:
        entries.append(stored_usernames.release_entry(patient.username, patient.patient_id, table=table))
    return entries


def set_credentials(
    staff: Principal, patient_id: str, credentials: Credentials, *, api_request_id: str
) -> PatientRecord:
    """Staff set a username and/or a password by hand, to give the patient in person.
    Either change signs the patient out everywhere (docs/security.md "Sessions")."""
    if credentials.username is None and credentials.password is None:
        raise ValidationFailedError("Give a username, a password or both.", field="username")
    patient = patients.existing_patient(patient_id)
    new_username = credentials.username if credentials.username != patient.username else None
    if new_username is not None:
        require_valid_username(new_username)
    username = new_username or patient.username
    if credentials.password is not None:
        if not username:
            raise ValidationFailedError("Set a username before the password.", field="username")
        check_password(credentials.password, patient, username)
    table = Table()
    fields: dict[str, object] = {"sessions_valid_after": clock.revocation_point()}
    entries = [table.put_entry(audit.audit_item(staff, "set_credentials", patient_id, api_request_id))]
    if new_username is not None:
        entries.extend(_username_entries(patient, new_username, table))
        fields["username"] = new_username
        # A username is how a patient without an email gets in: the stored status can move.
        fields.update(patients.status_fields(patients.as_updated(patient, fields)))
    entries.append(patients.update_entry(patient_id, fields, expected_version=patient.version, table=table))
    try:
        table.transact(entries, conflict="This username is taken, or the record changed.")
    except ConflictError as error:
        if new_username is not None and taken(new_username, patient_id):
            raise ConflictError("This username is taken.", field="username") from error
        raise
    if credentials.password is not None:
        cognito.set_patient_password(patient_id, credentials.password)
    cognito.sign_out_patient_everywhere(patient_id)
    updated = patients.get_patient(patient_id)
    if updated is None:
        raise NotFoundError("There is no such patient.")
    return updated


def change_own_password(patient: PatientRecord, current: str, new: str) -> None:
    """A signed-in patient changes their password (for ``POST /api/portal/password``): the
    current one is checked with Cognito, the new one against the policy, and every session
    is revoked (docs/security.md "Sessions"); the page signs in again with the new password."""
    if not cognito.patient_password_is(patient.patient_id, current):
        raise ValidationFailedError("The current password is not right.", field="current_password")
    check_password(new, patient, patient.username, field="new_password")
    patients.update_patient(patient.patient_id, {"sessions_valid_after": clock.revocation_point()})
    cognito.set_patient_password(patient.patient_id, new)
    cognito.sign_out_patient_everywhere(patient.patient_id)
