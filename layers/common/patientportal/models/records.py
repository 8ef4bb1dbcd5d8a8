"""Stored-record shapes: what the table holds, kept apart from the API models so the
table can change without changing the API (docs/architecture.md "Conventions")."""

import datetime
from typing import Any, Literal, Protocol, Self

from pydantic import ConfigDict, Field

from patientportal.models.common import Model


class Record(Model):
    """Stored items carry key attributes too; records ignore what they do not name."""

    model_config = ConfigDict(extra="ignore", defer_build=True)


class Demographics(Protocol):
    """What every form that brings in a new patient gives (staff adding one, the registration form)."""

    first_name: str
    last_name: str
    date_of_birth: datetime.date
    email: str
    zip: str
    phone: str


class PatientRecord(Record):
    patient_id: str
    first_name: str
    last_name: str
    date_of_birth: str
    email: str = ""
    zip: str = ""
    phone: str = ""
    portal_access_enabled: bool = False
    username: str = ""
    first_login_at: str = ""
    last_login_at: str = ""
    email_undeliverable: bool = False
    sessions_valid_after: int = 0
    unread_messages: int = 0
    created_at: str = ""
    version: int = 1
    # Accounts: the SHA-256 of the live one-time link of each slot; a newer link replaces
    # the older, which is then refused (auth/links.py).
    link_password: str = ""
    link_verify_email: str = ""
    email_confirmed_by: str = ""
    email_confirmed_at: str = ""
    registered_online: bool = False
    # Set only on a self-registration whose email is not confirmed yet: the verification
    # link's expiry (epoch seconds), when the table's TTL removes the record. Until then it
    # takes no part in claim, forgot or an import's duplicate check.
    expires_at: int = 0
    # The latest invitation email staff sent (onboarding): "sent", "opened" (the link page
    # inspected it), "used" or "bounced"; "expired" is worked out from the expiry. The
    # SHA-256 of its link tells the invitation from a later reset in the same slot.
    invitation_state: str = ""
    invitation_sent_at: str = ""
    invitation_expires_at: int = 0
    invitation_link: str = ""
    # When staff last sent a password-reset email instead of an invitation (the patient already
    # had a username): with ``invitation_sent_at``, what a send minutes later asks to confirm.
    reset_sent_at: str = ""

    @classmethod
    def new(
        cls,
        patient_id: str,
        details: Demographics,
        *,
        created_at: str,
        confirmed_by: str = "",
        registered_online: bool = False,
        expires_at: int = 0,
    ) -> Self:
        """A patient new to the practice, from a form's details. ``confirmed_by``: the staff
        member whose word confirms the email address, which turns portal access on at once;
        without one, access stays off."""
        return cls(
            patient_id=patient_id,
            first_name=details.first_name,
            last_name=details.last_name,
            date_of_birth=details.date_of_birth.isoformat(),
            email=details.email,
            zip=details.zip,
            phone=details.phone,
            portal_access_enabled=bool(confirmed_by),
            email_confirmed_by=confirmed_by,
            email_confirmed_at=created_at if confirmed_by else "",
            registered_online=registered_online,
            expires_at=expires_at,
            created_at=created_at,
        )

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def unconfirmed(self) -> bool:
        """A self-registration still waiting for its emailed link (see ``expires_at``)."""
        return self.expires_at > 0


class RequestRecord(Record):
    request_id: str
    patient_id: str
    patient_name: str
    patient_date_of_birth: str
    type: Literal["refill", "appointment", "records", "demographics", "message"]
    state: Literal["open", "completed", "not_completed"] = "open"
    summary: str
    details: dict[str, Any]
    created_at: str
    version: int = 1
    history: list[dict[str, Any]] = Field(default_factory=list)
    dismissed_at: str = ""
    dismissed_by: str = ""
    helper_summary: str = ""
    assigned_to: str = ""  # while open: the member of staff who has it


class MessageRecord(Record):
    message_id: str
    patient_id: str
    author: Literal["patient", "practice"]
    author_id: str
    body: str
    created_at: str
    request_id: str | None = None
    read_at: str | None = None
    in_reply_to: str | None = None


class OutboxEntry(Record):
    """An email to send. It holds the template and, when fixed at writing, the address;
    never message content. Without an address, notify uses the patient's current one."""

    outbox_id: str
    template: str
    patient_id: str
    created_at: str
    # The one-time link's token, only for account emails; notify appends it to the portal
    # URL as ``#token=...`` and clears it once sent (docs/decisions.md, accounts).
    link_fragment: str = ""
    to: str = ""
