"""What a typed search means: dates of birth as staff type them, the name forms of the
patient search and the Queries that answer each, the archive's orders of a name, and the
search keys a patient item carries."""

from __future__ import annotations

import pytest

from patientportal import normalise
from patientportal.dal import cursors, keys, patients
from patientportal.errors import BadRequestError, ValidationFailedError
from patientportal.logic.patients.demographics import patient_searches
from patientportal.logic.queue.archive import text_forms
from patientportal.models.records import PatientRecord


@pytest.mark.parametrize("typed", ["03/12/1984", "3/12/1984", "03-12-1984", " 1984-03-12 ", "1984-3-12"])
def test_dates_of_birth_are_read_month_first_or_iso(typed):
    assert normalise.looks_like_a_date(typed)
    assert normalise.birth_date(typed) == "1984-03-12"


@pytest.mark.parametrize("typed", ["02/30/1984", "13/01/1984", "03/12/84", "1984-13-01", "0/1/1984"])
def test_what_looks_like_a_date_but_is_none_reads_as_none(typed):
    assert normalise.looks_like_a_date(typed)
    assert normalise.birth_date(typed) is None


@pytest.mark.parametrize("typed", ["Thompson", "1984", "Ava 1984", "12/1984"])
def test_names_and_years_do_not_look_like_dates(typed):
    assert not normalise.looks_like_a_date(typed)


def shape(typed: str) -> list[tuple[str, str, str | None]]:
    return [
        (search.index, search.partition[1], search.sort[1] if search.sort else None)
        for search in patient_searches(typed)
    ]


def test_each_form_is_the_queries_that_answer_it_in_the_order_shown():
    assert shape("1984-03-12") == shape("03/12/1984") == [("PatientsByBirthDate", "BORN#1984-03-12", None)]
    assert shape("Thompson, Ava") == [("PatientsByName", "NAMES#T", "thompson#ava")]
    assert shape("Thompson,") == [("PatientsByName", "NAMES#T", "thompson#")]
    assert shape("Ava") == [("PatientsByName", "NAMES#A", "ava"), ("PatientsByFirstName", "FIRSTNAMES#A", "ava")]
    assert shape("Ava Thom") == [
        ("PatientsByName", "NAMES#A", "avathom"),  # "De La" is the start of a last name
        ("PatientsByFirstName", "FIRSTNAMES#A", "ava#thom"),  # First Last
        ("PatientsByName", "NAMES#A", "ava#thom"),  # Last First
    ]
    assert len(shape("Rosa De La Vega")) == 7


@pytest.mark.parametrize("typed", ["-", ", Ava", "02/30/1984", "one two three four five"])
def test_what_cannot_be_searched_is_refused_on_q(typed):
    with pytest.raises(ValidationFailedError) as refused:
        patient_searches(typed)
    assert refused.value.field == "q"


def test_a_later_query_skips_the_patients_an_earlier_one_finds():
    by_last, by_first = patient_searches("Ava")
    assert by_last.finds("avalon", "ava")
    assert by_first.finds("avalon", "ava")
    assert not by_last.finds("thompson", "ava")
    (last_first,) = patient_searches("Thompson, Av")
    assert last_first.finds("thompson", "ava")
    assert not last_first.finds("thompsonsmith", "ava")


def test_search_cursors_of_another_search_or_tampered_are_refused():
    searches = patient_searches("Ava")
    foreign = {"pk": "PATIENT#p", "sk": "PROFILE", "name_pk": "NAMES#B", "name_sk": "brown#ava#p"}
    outside = {**foreign, "name_pk": "NAMES#A", "name_sk": "adams#ava#p"}  # right partition, not "ava…"
    for cursor in (
        "not a cursor",
        cursors.encode({"s": 2, "k": None}),
        cursors.encode({"s": True, "k": None}),
        cursors.encode({"s": 0, "k": foreign}),
        cursors.encode({"s": 0, "k": outside}),
    ):
        with pytest.raises(BadRequestError):
            patients.search_patients(searches, limit=5, cursor=cursor)


@pytest.mark.parametrize(
    ("typed", "forms"),
    [
        ("Thompson Ava", ("thompson ava", "ava thompson")),
        ("Thompson, Ava", ("thompson, ava", "ava thompson")),
        ("Ava", ("ava",)),
        ("mary ann smith", ("mary ann smith", "ann smith mary", "smith mary ann")),
        ("Refill: metformin 500 mg now please", ("refill: metformin 500 mg now please",)),
    ],
)
def test_the_archive_reads_a_name_in_each_order(typed, forms):
    assert text_forms(typed) == (forms, "")


def test_the_archive_reads_a_date_of_birth_too():
    assert text_forms("03/12/1984") == (("03/12/1984",), "1984-03-12")
    assert text_forms("02/30/1984") == (("02/30/1984",), "")


def test_a_patient_item_carries_every_search_key():
    record = PatientRecord(
        patient_id="p1", first_name="Zoé", last_name="Núñez", date_of_birth="2004-08-08", email="", zip=""
    )
    item = patients.patient_item(record, "")
    assert (item["name_pk"], item["name_sk"]) == ("NAMES#N", "nunez#zoe#p1")
    assert (item["first_pk"], item["first_sk"]) == ("FIRSTNAMES#Z", "zoe#nunez#p1")
    assert item["born_pk"] == keys.birth_date_partition("2004-08-08") == "BORN#2004-08-08"
    assert set(keys.CURSOR_ATTRIBUTES["PatientsByBirthDate"]) <= set(item)
    assert set(keys.CURSOR_ATTRIBUTES["PatientsByFirstName"]) <= set(item)
