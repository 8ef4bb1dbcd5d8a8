"""Sending through SES: one MIME message with text and HTML parts, via the configuration set."""

from __future__ import annotations

import time
from collections.abc import Callable
from email.message import EmailMessage

from botocore.exceptions import ClientError

from patientportal import aws
from patientportal.email.templates import RenderedEmail

# SES refuses a send over the account's rate ("Maximum sending rate exceeded"): SES v2 says
# TooManyRequestsException, the classic API Throttling. Each is tried again after a pause.
THROTTLED = frozenset({"Throttling", "TooManyRequestsException", "ThrottlingException"})
RETRY_PAUSES = (0.2, 0.5, 1.0, 2.0, 4.0)


class SendFailedError(Exception):
    """SES refused a send. It carries SES's error code alone: SES's message can name the
    recipient ("Email address is not verified: <address>"), and what a batch failure says ends
    up in the function's log (docs/security.md "Data handling")."""

    def __init__(self, code: str) -> None:
        super().__init__(f"SES refused the send ({code or 'no error code'}).")
        self.code = code


def throttled(error: ClientError) -> bool:
    details = error.response.get("Error", {})
    return details.get("Code", "") in THROTTLED or "Maximum sending rate exceeded" in details.get("Message", "")


def mime_message(sender: str, to: str, email: RenderedEmail) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = " ".join(to.splitlines())
    # A header is one line: a line break in what it quotes (a name, an address) becomes a space.
    message["Subject"] = " ".join(email.subject.splitlines())
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message.as_bytes()


def send(
    sender: str,
    to: str,
    email: RenderedEmail,
    configuration_set: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Returns SES's message id. A throttled send is tried again after a pause; any other
    error (and throttling that outlasts every pause) is the caller's to retry, as a
    ``SendFailedError`` naming SES's error code and nothing of the message."""
    arguments: dict[str, object] = {
        "FromEmailAddress": sender,
        "Destination": {"ToAddresses": [to]},
        "Content": {"Raw": {"Data": mime_message(sender, to, email)}},
    }
    if configuration_set:
        arguments["ConfigurationSetName"] = configuration_set
    for pause in (*RETRY_PAUSES, None):
        try:
            answer = aws.sesv2().send_email(**arguments)  # type: ignore[arg-type]
        except ClientError as error:
            if pause is None or not throttled(error):
                raise SendFailedError(str(error.response.get("Error", {}).get("Code", ""))) from None
            sleep(pause)
        else:
            return answer["MessageId"]
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
