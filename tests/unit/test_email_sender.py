"""A refused send carries SES's error code and nothing of SES's message, which can name the
recipient and would otherwise reach the notify function's log with a failed batch."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from patientportal import aws
from patientportal.email import sender
from patientportal.email.templates import RenderedEmail

EMAIL = RenderedEmail(subject="A message is waiting", text="Sign in to read it.", html="<p>Sign in to read it.</p>")


class RefusingSes:
    def __init__(self, code: str, message: str) -> None:
        self.error = {"Error": {"Code": code, "Message": message}}
        self.calls = 0

    def send_email(self, **_: Any) -> dict[str, str]:
        self.calls += 1
        raise ClientError(self.error, "SendEmail")  # type: ignore[arg-type]


def test_a_refused_send_names_the_code_and_not_the_recipient(monkeypatch: pytest.MonkeyPatch):
    ses = RefusingSes("MessageRejected", "Email address is not verified: inez.quarrow@example.com")
    monkeypatch.setattr(aws, "sesv2", lambda: ses)
    with pytest.raises(sender.SendFailedError) as refused:
        sender.send("portal@example.com", "inez.quarrow@example.com", EMAIL, "portal-set", sleep=lambda _: None)
    assert refused.value.code == "MessageRejected"
    assert "inez" not in str(refused.value)
    assert refused.value.__cause__ is None
    assert refused.value.__suppress_context__ is True
    assert ses.calls == 1  # not throttling: not tried again here


def test_throttling_is_tried_again_then_reported_by_its_code(monkeypatch: pytest.MonkeyPatch):
    ses = RefusingSes("TooManyRequestsException", "Maximum sending rate exceeded.")
    monkeypatch.setattr(aws, "sesv2", lambda: ses)
    pauses: list[float] = []
    with pytest.raises(sender.SendFailedError, match=r"\(TooManyRequestsException\)"):
        sender.send("portal@example.com", "inez.quarrow@example.com", EMAIL, "", sleep=pauses.append)
    assert pauses == list(sender.RETRY_PAUSES)
    assert ses.calls == len(sender.RETRY_PAUSES) + 1
