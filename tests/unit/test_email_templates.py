"""Emails say a message waits and link to the portal; nothing else (no PHI)."""

from __future__ import annotations

import email
from email.policy import default

from patientportal.email import templates
from patientportal.email.sender import mime_message

PRACTICE = templates.Practice(
    name="Riverbend <Family> Practice", phone="(555) 010-0199", portal_url="https://p.example/portal/"
)


def test_every_template_links_to_the_portal_and_escapes_the_practice_name_in_html():
    for name in templates.TEMPLATES:
        rendered = templates.render(name, PRACTICE)
        assert PRACTICE.portal_url in rendered.text
        assert 'href="https://p.example/portal/"' in rendered.html
        assert "<Family>" not in rendered.html
        assert "&lt;Family&gt;" in rendered.html


def test_the_mime_message_has_text_and_html_parts():
    rendered = templates.render("secure_message_waiting", PRACTICE)
    parsed = email.message_from_bytes(mime_message("from@example.org", "to@example.com", rendered), policy=default)
    kinds = [part.get_content_type() for part in parsed.walk()]
    assert "text/plain" in kinds
    assert "text/html" in kinds
    assert parsed["To"] == "to@example.com"
