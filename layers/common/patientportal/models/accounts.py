"""API shapes of accounts and portal access: claim, forgot, links, registration, and the
staff side (adding patients, access, invitations, credentials)."""

from typing import Annotated, Literal

from pydantic import ConfigDict, StringConstraints

from patientportal.models.common import ApiModel, IsoDate, Model, OptionalShortText, ShortText, WholeNumber

# An address SES can send to: an ASCII dot-atom before the @ (RFC 5322's, no quoting, no
# comments) and host names of letters, digits and inner hyphens, a top-level name of letters.
# The document states it as the field's pattern, so what the document calls valid is what is
# accepted and sendable (docs/decisions.md 52); a looser one let `(a@b.c` through to be
# refused by SES in the mail stream.
EMAIL_ADDRESS = (
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254, pattern=f"^{EMAIL_ADDRESS}$")]
OptionalEmail = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254, pattern=f"^$|^{EMAIL_ADDRESS}$")
]
Zip = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10, pattern=r"^$|^\d{5}(-?\d{4})?$")]
RequiredZip = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10, pattern=r"^\d{5}(-?\d{4})?$")]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)]
Token = Annotated[str, StringConstraints(strip_whitespace=True, min_length=20, max_length=128)]
NewUsername = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
NewPassword = Annotated[str, StringConstraints(min_length=1, max_length=128)]


DateOfBirth = IsoDate


class IdentityDetails(ApiModel):
    """What "Create my portal account" and "I forgot my password" ask for."""

    email: Email
    last_name: ShortText
    date_of_birth: DateOfBirth
    zip: RequiredZip


class Accepted(Model):
    """The one answer of claim, forgot and register, whatever matched (docs/security.md "Identity")."""

    accepted: bool
    message: str


class LinkToken(ApiModel):
    token: Token


class LinkUsername(ApiModel):
    token: Token
    username: NewUsername


class LinkCompletion(ApiModel):
    token: Token
    username: NewUsername | None = None
    password: NewPassword


class LinkInfo(Model):
    purpose: Literal["invitation", "reset", "verify_email"]
    needs_username: bool
    expires_at: str


class UsernameCheck(Model):
    valid: bool
    available: bool
    reason: str


class AccountReady(Model):
    """The link's work is done; the patient signs in as usual (a link is never a sign-in)."""

    username: str


class Registration(ApiModel):
    """The electronic registration form. The username and password are chosen on the
    emailed link's page, once the address is proven (docs/decisions.md 39)."""

    first_name: ShortText
    last_name: ShortText
    date_of_birth: DateOfBirth
    email: Email
    zip: RequiredZip
    phone: Phone = ""


class NewPatient(ApiModel):
    """A patient added by hand by staff."""

    first_name: ShortText
    last_name: ShortText
    date_of_birth: DateOfBirth
    email: OptionalEmail = ""
    zip: Zip = ""
    phone: Phone = ""
    activate_without_confirmation: bool = False


class PatientChanges(ApiModel):
    """Demographics to change; an email change of a patient with access needs both guards."""

    first_name: ShortText | None = None
    last_name: ShortText | None = None
    date_of_birth: DateOfBirth | None = None
    email: OptionalEmail | None = None
    zip: Zip | None = None
    phone: Phone | None = None
    confirm_email_change: bool = False
    reason: OptionalShortText = ""
    expected_version: WholeNumber | None = None


class PortalAccess(ApiModel):
    enabled: bool
    identity_confirmed: bool = False


class Credentials(ApiModel):
    """A username, a password or both (one of the two is needed)."""

    model_config = ConfigDict(
        extra="forbid",
        defer_build=True,
        strict=True,
        json_schema_extra={
            "anyOf": [
                {"required": ["username"], "properties": {"username": {"type": "string"}}},
                {"required": ["password"], "properties": {"password": {"type": "string"}}},
            ]
        },
    )

    username: NewUsername | None = None
    password: NewPassword | None = None


class InvitationSent(Model):
    sent_to: str
    expires_at: str
    # "reset" when the patient already had a username: a password-reset email went instead.
    email: Literal["invitation", "reset"] = "invitation"
