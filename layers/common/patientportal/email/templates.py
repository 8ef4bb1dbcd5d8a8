"""Email templates. Emails carry no PHI: no name, no message text, no request details;
only the practice's name, a generic sentence and a link (ARCHITECTURE §6)."""

from __future__ import annotations

import html
from dataclasses import dataclass


@dataclass(frozen=True)
class Practice:
    name: str
    phone: str
    portal_url: str


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Template:
    subject: str
    lines: tuple[str, ...]
    action: str


TEMPLATES: dict[str, Template] = {
    "secure_message_waiting": Template(
        subject="You have a new secure message from {practice}",
        lines=(
            "A new secure message is waiting for you in the {practice} patient portal.",
            "For your privacy, this email does not include the message. Sign in to the portal to read it.",
        ),
        action="Open the patient portal",
    ),
}


def render(template_name: str, practice: Practice) -> RenderedEmail:
    template = TEMPLATES[template_name]
    subject = template.subject.format(practice=practice.name)
    lines = [line.format(practice=practice.name) for line in template.lines]
    footer = f"Questions? Call {practice.name} at {practice.phone}." if practice.phone else ""
    text = "\n\n".join([*lines, f"{template.action}: {practice.portal_url}", footer]).strip() + "\n"
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    link = f'<p><a href="{html.escape(practice.portal_url, quote=True)}">{html.escape(template.action)}</a></p>'
    body_html = (
        f"<!doctype html><html><body>{paragraphs}{link}<p><small>{html.escape(footer)}</small></p></body></html>"
    )
    return RenderedEmail(subject=subject, text=text, html=body_html)
