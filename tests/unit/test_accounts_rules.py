"""The account rules, each in its one place: usernames, one-time link tokens, throttling
windows, identity matching after normalisation, and link emails."""

from __future__ import annotations

import base64
import datetime

from patientportal import clock, limits
from patientportal.auth import link_tokens, usernames
from patientportal.email import templates
from patientportal.logic.accounts.recovery import matches
from patientportal.models.accounts import IdentityDetails
from patientportal.models.records import PatientRecord

PRACTICE = templates.Practice(name="Riverbend", phone="", portal_url="https://p.example/portal/")


def test_usernames_need_3_to_40_safe_characters_starting_with_a_letter_or_digit():
    for good in ("ava", "ava.thompson", "A_1-b.c", "x" * 40):
        assert usernames.problem(good) is None, good
    for bad in ("ab", "x" * 41, ".ava", "ava thompson", "ava@home", "ävä", ""):
        assert usernames.problem(bad), bad


def test_link_tokens_are_32_random_bytes_and_only_their_sha256_is_kept():
    token = link_tokens.new_token()
    assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) == 32
    assert token != link_tokens.new_token()
    assert link_tokens.digest(token) != token
    assert len(link_tokens.digest(token)) == 64
    assert link_tokens.LIFETIME_SECONDS == {"reset": 3600, "invitation": 72 * 3600, "verify_email": 24 * 3600}
    # Invitations and resets share one slot: the newer of either revokes the older
    assert link_tokens.SLOT["reset"] == link_tokens.SLOT["invitation"] != link_tokens.SLOT["verify_email"]


def test_rate_windows_hash_the_value_and_expire_after_their_window(monkeypatch):
    monkeypatch.setattr(clock, "epoch_seconds", lambda: 900 * 1000 + 5)
    window = limits.window(limits.PER_EMAIL, "ines.moreau@example.com")
    assert "ines" not in window.key
    assert window.window == "1000"
    assert window.expires_at > 900 * 1001
    assert (limits.PER_EMAIL.attempts, limits.PER_EMAIL.window_seconds) == (5, 900)
    assert (limits.PER_SOURCE.attempts, limits.PER_SOURCE.window_seconds) == (20, 3600)


def test_identity_details_match_after_normalising_case_spaces_accents_and_zip4():
    patient = PatientRecord(
        patient_id="p-1",
        first_name="Inès",
        last_name="Ndiaye-Núñez",
        date_of_birth="1992-07-30",
        email="x@example.com",
        zip="02142-1011",
    )
    typed = IdentityDetails(
        email="X@example.com", last_name=" ndiaye nunez ", date_of_birth=datetime.date(1992, 7, 30), zip="02142"
    )
    assert matches(patient, typed)
    assert not matches(patient, typed.model_copy(update={"date_of_birth": datetime.date(1992, 7, 31)}))
    assert not matches(patient, typed.model_copy(update={"zip": "02143"}))
    assert not matches(patient, typed.model_copy(update={"last_name": "Ndiaye"}))


def test_link_emails_carry_the_token_only_in_the_fragment():
    rendered = templates.render("account_link", PRACTICE, link_fragment="tok_en-123")
    assert "https://p.example/portal/#token=tok_en-123" in rendered.text
    assert 'href="https://p.example/portal/#token=tok_en-123"' in rendered.html
    assert "?token" not in rendered.text + rendered.html
    assert "tok_en-123" not in rendered.subject
    # Without a token, no fragment
    assert "#token" not in templates.render("could_not_verify", PRACTICE).text
