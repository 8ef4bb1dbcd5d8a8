"""Email templates. Emails carry no PHI: no name, no message text, no request details;
only the practice's name, a generic sentence and a link (docs/architecture.md "Email")."""

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
    # Accounts. The link emails carry a one-time link (the token only in the URL fragment).
    "account_link": Template(
        subject="Set up or reset your {practice} portal sign-in",
        lines=(
            (
                "Someone asked to set up or reset the sign-in for a {practice} patient portal account "
                "that uses this email address."
            ),
            (
                "Use the link below to choose your username (if you have none yet) and a new password. "
                "It works once and expires soon. If you did not ask for this, you can ignore this email."
            ),
        ),
        action="Set your password",
    ),
    "invitation": Template(
        subject="Your invitation to the {practice} patient portal",
        lines=(
            "{practice} invites you to its patient portal, where you can send requests and read secure messages.",
            (
                "Use the link below within 72 hours to choose your username (if you have none yet) and a password. "
                "It works once."
            ),
        ),
        action="Set up your portal account",
    ),
    "could_not_verify": Template(
        subject="We could not verify your {practice} portal account",
        lines=(
            (
                "Someone asked to set up or reset a {practice} patient portal account with this email address, "
                "but the details given did not match our records."
            ),
            (
                "Please check your last name, date of birth and zip code and try again, "
                "or call the practice so we can check the details we have on file."
            ),
        ),
        action="Open the patient portal",
    ),
    "contact_practice": Template(
        subject="Please contact {practice} about your portal account",
        lines=(
            "Someone asked to set up or reset a {practice} patient portal account with this email address.",
            "We cannot do this online for this address. Please call the practice and we will help you.",
        ),
        action="Open the patient portal",
    ),
    "verify_email": Template(
        subject="Confirm your email address for {practice}",
        lines=(
            "Thank you for registering with {practice}.",
            (
                "Use the link below within 24 hours to confirm this email address, choose your username and "
                "password, and turn on your portal access. If you did not register, you can ignore this email."
            ),
        ),
        action="Confirm your email address",
    ),
    "email_changed": Template(
        subject="Your email address at {practice} was changed",
        lines=(
            (
                "The email address {practice} has on file for your patient portal account was changed, "
                "and this address will no longer receive portal emails."
            ),
            "If you did not ask for this change, please call the practice right away.",
        ),
        action="Open the patient portal",
    ),
}


def link_url(portal_url: str, link_fragment: str) -> str:
    """A one-time link: the token only in the fragment, which browsers never send to a server."""
    return f"{portal_url}#token={link_fragment}" if link_fragment else portal_url


def render(template_name: str, practice: Practice, *, link_fragment: str = "") -> RenderedEmail:
    template = TEMPLATES[template_name]
    url = link_url(practice.portal_url, link_fragment)
    subject = template.subject.format(practice=practice.name)
    lines = [line.format(practice=practice.name) for line in template.lines]
    footer = f"Questions? Call {practice.name} at {practice.phone}." if practice.phone else ""
    text = "\n\n".join([*lines, f"{template.action}: {url}", footer]).strip() + "\n"
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    link = f'<p><a href="{html.escape(url, quote=True)}">{html.escape(template.action)}</a></p>'
    body_html = (
        f"<!doctype html><html><body>{paragraphs}{link}<p><small>{html.escape(footer)}</small></p></body></html>"
    )
    return RenderedEmail(subject=subject, text=text, html=body_html)
