"""Identity details compare after normalising case, spaces, accents and ZIP+4."""

from __future__ import annotations

from patientportal import normalise


def test_names_ignore_case_accents_spaces_and_punctuation():
    assert normalise.name("Ndiaye-Núñez") == normalise.name(" ndiaye nunez ")
    assert normalise.name("O'Brien") == normalise.name("obrien")
    assert normalise.name("Lucía") != normalise.name("Lucas")


def test_zip_plus_four_matches_the_five_digit_zip():
    assert normalise.zip_code("02139-4307") == normalise.zip_code(" 02139 ") == "02139"


def test_emails_ignore_case_and_surrounding_space():
    assert normalise.email(" Ava.Thompson@Example.COM ") == "ava.thompson@example.com"
