"""One-time links: issuing them (with their email, in the caller's transaction), and
inspecting, checking a username against and completing them (each on the patient's press:
opening the page consumes nothing, so a mail scanner that follows a link changes nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from patientportal import clock, limits, normalise
from patientportal.auth import cognito, link_tokens
from patientportal.dal import links as stored_links
from patientportal.dal import patients
from patientportal.dal import usernames as stored_usernames
from patientportal.dal.messages import outbox_item
from patientportal.dal.table import Table
from patientportal.email import outbox
from patientportal.errors import ConflictError, GoneError, ValidationFailedError
from patientportal.logic.accounts import credentials
from patientportal.models.accounts import AccountReady, LinkInfo, UsernameCheck
from patientportal.models.records import PatientRecord

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

TEMPLATE_OF = {"reset": "account_link", "invitation": "invitation", "verify_email": "verify_email"}
GONE = "This link was already used, has expired or was replaced by a newer one. Ask for a new one."


def invitation_sent(patient_id: str, token_sha256: str, expires_at: int) -> dict[str, Any]:
    """The onboarding tool's record of the latest invitation, kept on the patient."""
    return {
        **patients.invitation_fields("sent", patient_id=patient_id, expires_at=expires_at),
        "invitation_sent_at": clock.timestamp(),
        "invitation_expires_at": expires_at,
        "invitation_link": token_sha256,
    }


def _is_invitation(link: LiveLink) -> bool:
    return link.purpose == "invitation" and link.patient.invitation_link == link.token_sha256


@dataclass(frozen=True)
class IssuedLink:
    entries: list[TransactWriteItemTypeDef]
    expires_at: int
    token_sha256: str


def issue(
    patient: PatientRecord,
    purpose: link_tokens.Purpose,
    *,
    table: Table,
    new_patient: bool = False,
    also: dict[str, Any] | None = None,
) -> IssuedLink:
    """The link item, the patient's pointer to it (revoking the older) and the email that
    carries it to the address on file: transaction entries for the caller to write. For a
    patient written in the same transaction, the pointer goes on the new record instead
    (``IssuedLink.token_sha256``). ``also``: more patient fields set with the pointer."""
    token = link_tokens.new_token()
    token_sha256 = link_tokens.digest(token)
    expires_at = clock.epoch_seconds() + link_tokens.LIFETIME_SECONDS[purpose]
    email = outbox.email_to(patient.email, patient.patient_id, TEMPLATE_OF[purpose], link_fragment=token)
    entries = [
        stored_links.link_entry(
            token_sha256,
            purpose=purpose,
            patient_id=patient.patient_id,
            expires_at=expires_at,
            created_at=clock.timestamp(),
            table=table,
        ),
        table.put_entry(outbox_item(email, outbox.expiry())),
    ]
    if not new_patient:
        fields = dict(also or {})
        if purpose == "invitation":
            fields.update(invitation_sent(patient.patient_id, token_sha256, expires_at))
        entries.append(
            stored_links.point_patient_entry(
                patient.patient_id, link_tokens.SLOT[purpose], token_sha256, table=table, also=fields
            )
        )
    return IssuedLink(entries=entries, expires_at=expires_at, token_sha256=token_sha256)


@dataclass(frozen=True)
class LiveLink:
    token_sha256: str
    purpose: link_tokens.Purpose
    expires_at: int
    patient: PatientRecord


def live_link(token: str) -> LiveLink:
    """The link if it is unused, unexpired and still its slot's newest; otherwise 410."""
    token_sha256 = link_tokens.digest(token)
    item: dict[str, Any] | None = stored_links.get_link(token_sha256)
    if item is None or item.get("used_at") or int(item["expires_at"]) <= clock.epoch_seconds():
        raise GoneError(GONE, field="token")
    purpose = item["purpose"]
    patient = patients.get_patient(str(item["patient_id"]))
    slot = stored_links.slot_attribute(link_tokens.SLOT[purpose])
    if patient is None or getattr(patient, slot) != token_sha256:
        raise GoneError(GONE, field="token")
    return LiveLink(token_sha256=token_sha256, purpose=purpose, expires_at=int(item["expires_at"]), patient=patient)


def inspect(token: str) -> LinkInfo:
    """What the link page needs to show; opening the page never consumes the link (an
    invitation is only marked "opened" for the onboarding tool's counts)."""
    link = live_link(token)
    if _is_invitation(link) and link.patient.invitation_state == "sent":
        patients.mark_invitation_opened(link.patient.patient_id, link.token_sha256)
    return LinkInfo(
        purpose=link.purpose, needs_username=not link.patient.username, expires_at=clock.iso(link.expires_at)
    )


def check_username(token: str, username: str) -> UsernameCheck:
    """The link page's live check, only while the link's account still needs a username, and
    at most ``USERNAME_CHECKS_PER_LINK`` times a link, counted before the name is looked up:
    a live link is no way to test which usernames exist."""
    link = live_link(token)
    if link.patient.username:
        raise ValidationFailedError("This account already has a username.", field="username")
    stored_links.count_username_check(link.token_sha256, limit=limits.USERNAME_CHECKS_PER_LINK)
    return credentials.username_check(username, for_patient=link.patient.patient_id)


def _consume(
    link: LiveLink,
    fields: dict[str, Any],
    extra: list[TransactWriteItemTypeDef],
    table: Table,
    *,
    remove: list[str] | None = None,
) -> None:
    entries = stored_links.consume_entries(
        link.token_sha256,
        slot=link_tokens.SLOT[link.purpose],
        patient_id=link.patient.patient_id,
        now=clock.epoch_seconds(),
        used_at=clock.timestamp(),
        patient_fields=fields,
        remove=remove or [],
        table=table,
    )
    table.transact([*entries, *extra], conflict=GONE)


def complete(token: str, username: str | None, password: str) -> AccountReady:
    """Consumes an invitation, reset or email-confirmation link, on the patient's press:
    sets the username (when the patient has none) and the password, and signs the patient
    out everywhere else (docs/security.md "Sessions"); a confirmation link also turns access on."""
    link = live_link(token)
    patient = link.patient
    table = Table()
    fields: dict[str, Any] = {"sessions_valid_after": clock.revocation_point()}
    remove: list[str] = []
    if _is_invitation(link):
        fields.update(patients.invitation_fields("used", patient_id=patient.patient_id, expires_at=link.expires_at))
    if link.purpose == "verify_email":
        # The link proves a self-registered patient's address: access turns on.
        confirmed, remove = patients.access_on_fields(
            patient, normalise.email(patient.email), confirmed_by="patient", at=clock.timestamp()
        )
        fields.update(confirmed)
        fields.update(patients.status_fields(patients.as_updated(patient, confirmed, remove)))
    extra: list[TransactWriteItemTypeDef] = []
    chosen = patient.username
    if not chosen:
        if not username:
            raise ValidationFailedError("Choose a username.", field="username")
        credentials.require_valid_username(username)
        stored_links.count_username_check(link.token_sha256, limit=limits.USERNAME_CHECKS_PER_LINK)
        if credentials.taken(username, patient.patient_id):
            raise ConflictError("This username is taken.", field="username")
        chosen = username
        fields["username"] = username
        extra.append(stored_usernames.claim_entry(username, patient.patient_id, table=table))
    credentials.check_password(password, patient, chosen)
    try:
        _consume(link, fields, extra, table, remove=remove)
    except ConflictError as error:
        if extra and credentials.taken(chosen, patient.patient_id):
            raise ConflictError("This username is taken.", field="username") from error
        raise GoneError(GONE, field="token") from error
    cognito.set_patient_password(patient.patient_id, password)
    cognito.sign_out_patient_everywhere(patient.patient_id)
    return AccountReady(username=chosen)
