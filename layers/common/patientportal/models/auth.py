"""API shapes of sign-in."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints

from patientportal.models.common import ApiModel, Model

Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class Login(ApiModel):
    username: Username
    password: Password


class NewPasswordChallenge(ApiModel):
    username: Username
    session: Annotated[str, StringConstraints(min_length=1, max_length=4096)]
    new_password: Password


class Tokens(Model):
    access_token: str
    expires_in: int
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a token type, not a secret


class Challenge(Model):
    challenge: Literal["NEW_PASSWORD_REQUIRED"]
    session: str


class AccountKind(ApiModel):
    """Which refresh cookie a refresh or sign-out is about: staff and patient pages share one origin."""

    account: Literal["patient", "staff"] = "patient"


class SignedOut(Model):
    signed_out: bool


class Practice(Model):
    name: str
    phone: str
    portal_path: str
    password_rules: str
