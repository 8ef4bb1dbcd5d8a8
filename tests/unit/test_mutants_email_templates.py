"""The email-content builder (email/templates.py), written where mutation testing found it
untested (docs/security.md "Mutation testing"): the exact text and HTML a patient receives,
the practice's name and phone where the template puts them, and a link that cannot break
out of its attribute."""

from __future__ import annotations

from patientportal.email import templates

PRACTICE = templates.Practice(name="Riverbend", phone="(555) 010-0199", portal_url="https://p.example/portal/")
INVITATION = (
    "Riverbend invites you to its patient portal, where you can send requests and read secure messages.",
    "Use the link below within 72 hours to choose your username (if you have none yet) and a password. It works once.",
)


def test_an_invitation_reads_exactly_so_in_text_and_html():
    rendered = templates.render("invitation", PRACTICE, link_fragment="tok")
    assert rendered.subject == "Your invitation to the Riverbend patient portal"
    assert rendered.text == (
        f"{INVITATION[0]}\n\n{INVITATION[1]}\n\n"
        "Set up your portal account: https://p.example/portal/#token=tok\n\n"
        "Questions? Call Riverbend at (555) 010-0199.\n"
    )
    assert rendered.html == (
        "<!doctype html><html><body>"
        f"<p>{INVITATION[0]}</p><p>{INVITATION[1]}</p>"
        '<p><a href="https://p.example/portal/#token=tok">Set up your portal account</a></p>'
        "<p><small>Questions? Call Riverbend at (555) 010-0199.</small></p>"
        "</body></html>"
    )


def test_without_a_phone_there_is_no_footer():
    practice = templates.Practice(name="Riverbend", phone="", portal_url="https://p.example/portal/")
    rendered = templates.render("invitation", practice)
    assert (
        rendered.text
        == f"{INVITATION[0]}\n\n{INVITATION[1]}\n\nSet up your portal account: https://p.example/portal/\n"
    )
    assert rendered.html.endswith("<p><small></small></p></body></html>")
    assert "Questions?" not in rendered.html


def test_every_template_names_the_practice_in_its_subject_and_text():
    for name in templates.TEMPLATES:
        rendered = templates.render(name, PRACTICE)
        assert "Riverbend" in rendered.subject, name
        assert "None" not in rendered.subject + rendered.text + rendered.html, name
        assert rendered.text.count("Riverbend") >= 2, name  # a line of the template and the footer


def test_a_portal_address_with_a_quote_cannot_break_out_of_the_link():
    practice = templates.Practice(name="R", phone="", portal_url='https://p.example/"onmouseover="x')
    rendered = templates.render("account_link", practice, link_fragment="tok")
    assert '"onmouseover' not in rendered.html
    assert 'href="https://p.example/&quot;onmouseover=&quot;x#token=tok"' in rendered.html
