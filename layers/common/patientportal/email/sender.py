"""Sending through SES: one MIME message with text and HTML parts, via the configuration set."""

from __future__ import annotations

from email.message import EmailMessage

from patientportal import aws
from patientportal.email.templates import RenderedEmail


def mime_message(sender: str, to: str, email: RenderedEmail) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = email.subject
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message.as_bytes()


def send(sender: str, to: str, email: RenderedEmail, configuration_set: str) -> str:
    """Returns SES's message id."""
    arguments: dict[str, object] = {
        "FromEmailAddress": sender,
        "Destination": {"ToAddresses": [to]},
        "Content": {"Raw": {"Data": mime_message(sender, to, email)}},
    }
    if configuration_set:
        arguments["ConfigurationSetName"] = configuration_set
    answer = aws.sesv2().send_email(**arguments)  # type: ignore[arg-type]
    return answer["MessageId"]
