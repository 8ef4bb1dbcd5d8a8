"""The development mailbox: every email SES accepted in the emulator, with working links."""

from __future__ import annotations

import email
import html
from datetime import UTC, datetime
from email.message import Message
from email.policy import default as default_policy
from typing import Any

from moto.ses.models import ses_backends

from local.stack import ACCOUNT_ID


def _parts(raw: str) -> tuple[str, str, str]:
    message: Message = email.message_from_string(raw, policy=default_policy)
    text = html_body = ""
    for part in message.walk():
        if part.get_content_type() == "text/plain" and not text:
            text = part.get_content()  # type: ignore[attr-defined]
        elif part.get_content_type() == "text/html" and not html_body:
            html_body = part.get_content()  # type: ignore[attr-defined]
    return str(message.get("Subject", "")), text, html_body


# The emulator keeps no send time, so the mailbox notes when it first saw each email.
_first_seen: dict[str, str] = {}


def sent_emails(region: str) -> list[dict[str, Any]]:
    """Newest first: to, subject, text, html, sent_at and SES's message id."""
    backend = ses_backends[ACCOUNT_ID][region]
    emails = []
    for message in backend.sent_messages:
        raw = getattr(message, "raw_data", None)
        if raw is not None:
            subject, text, html_body = _parts(raw)
            recipients = list(dict.fromkeys(message.destinations))
        else:
            subject, text, html_body = message.subject, message.body, message.body
            recipients = list(dict.fromkeys(message.destinations.get("ToAddresses", [])))
        emails.append(
            {
                "message_id": message.id,
                "to": recipients,
                "subject": subject,
                "text": text,
                "html": html_body,
                "sent_at": _first_seen.setdefault(message.id, datetime.now(UTC).isoformat()),
            }
        )
    emails.reverse()
    return emails


def page(emails: list[dict[str, Any]]) -> str:
    """A plain page, no scripts or inline styles (the CSP applies here too)."""
    rows = []
    for sent in emails:
        links = "".join(
            f'<li><a href="{html.escape(word, quote=True)}">{html.escape(word)}</a></li>'
            for word in sent["text"].split()
            if word.startswith(("http://", "https://"))
        )
        rows.append(
            "<article>"
            f"<h2>{html.escape(sent['subject'])}</h2>"
            f"<p>To: {html.escape(', '.join(sent['to']))}</p>"
            f"<pre>{html.escape(sent['text'])}</pre>"
            f"<ul>{links}</ul>"
            "</article>"
        )
    body = "".join(rows) or "<p>No email has been sent yet.</p>"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Development mailbox</title></head><body>"
        f"<h1>Development mailbox</h1><p>{len(emails)} email(s), newest first.</p>{body}</body></html>"
    )
