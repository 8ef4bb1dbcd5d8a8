"""Typed settings, read once from the environment the template gives each function."""

from __future__ import annotations

import os
from functools import cache

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    """What every function may need; fields a function never uses cost nothing."""

    model_config = ConfigDict(frozen=True)

    table_name: str = Field(min_length=1)
    practice_name: str = Field(min_length=1)
    practice_phone: str = ""
    staff_user_pool_id: str = ""
    staff_client_id: str = ""
    patient_user_pool_id: str = ""
    patient_client_id: str = ""
    sender_email: str = ""
    ses_configuration_set: str = ""
    portal_url: str = ""
    event_bus_name: str = ""
    # What CloudFront sends in X-Origin-Verify (the template's OriginVerifySecret); empty
    # refuses every API request (patientportal.http).
    origin_verify_secret: str = ""
    # A session with no new token for this long is not resumed (the template's SessionIdleMinutes).
    session_idle_minutes: int = Field(default=30, ge=1)

    @classmethod
    def from_environment(cls) -> Settings:
        names = cls.model_fields.keys()
        values = {name: os.environ[name.upper()] for name in names if name.upper() in os.environ}
        return cls.model_validate(values)


@cache
def get_settings() -> Settings:
    """The settings of this process, validated on first use (not at import, so tests can set them)."""
    return Settings.from_environment()


def region() -> str:
    """The AWS region this process runs in (Lambda sets AWS_REGION; the local runtime and
    tools set AWS_DEFAULT_REGION)."""
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
