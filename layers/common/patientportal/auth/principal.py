"""Who is calling, from the claims API Gateway's JWT authorizer already verified.

The authorizer proves the token was signed by one of our pools; this module decides what
the caller may do. The pool is told by the issuer, never by anything the caller sends,
and a patient's id comes only from the token (docs/architecture.md "Identity and sessions").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from patientportal.errors import ForbiddenError, UnauthorizedError
from patientportal.settings import Settings, region

STAFF = "staff"
ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    kind: Literal["staff", "patient"]
    subject: str
    username: str
    groups: frozenset[str]
    issued_at: int

    @property
    def patient_id(self) -> str:
        """A patient's Cognito username is their patient id (see the template's patient pool)."""
        if self.kind != "patient":
            raise ForbiddenError("This route is for patients.")
        return self.username

    def require_staff(self) -> Principal:
        if self.kind != "staff" or not self.groups & {STAFF, ADMIN}:
            raise ForbiddenError("This route is for practice staff.")
        return self

    def require_admin(self) -> Principal:
        if self.kind != "staff" or ADMIN not in self.groups:
            raise ForbiddenError("This route is for practice administrators.")
        return self

    def require_patient(self) -> Principal:
        if self.kind != "patient":
            raise ForbiddenError("This route is for patients.")
        return self


def issuer_of(pool_id: str) -> str:
    return f"https://cognito-idp.{region()}.amazonaws.com/{pool_id}"


def parse_groups(value: Any) -> frozenset[str]:
    """HTTP APIs flatten array claims to a string such as ``[staff admin]``."""
    if isinstance(value, list):
        return frozenset(str(group) for group in value)
    if isinstance(value, str):
        return frozenset(part for part in value.strip("[]").replace(",", " ").split() if part)
    return frozenset()


def principal_from_claims(claims: Mapping[str, Any] | None, settings: Settings) -> Principal:
    if not claims:
        raise UnauthorizedError("Sign in first.")
    issuer = claims.get("iss")
    if claims.get("token_use") != "access":
        raise UnauthorizedError("Use an access token.")
    if settings.staff_user_pool_id and issuer == issuer_of(settings.staff_user_pool_id):
        kind: Literal["staff", "patient"] = "staff"
    elif settings.patient_user_pool_id and issuer == issuer_of(settings.patient_user_pool_id):
        kind = "patient"
    else:
        raise UnauthorizedError("Sign in first.")
    username = str(claims.get("username") or "")
    if not username:
        raise UnauthorizedError("Sign in first.")
    return Principal(
        kind=kind,
        subject=str(claims.get("sub", "")),
        username=username,
        groups=parse_groups(claims.get("cognito:groups")),
        issued_at=int(claims.get("iat", 0)),
    )
