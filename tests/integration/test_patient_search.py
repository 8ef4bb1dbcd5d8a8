"""Searching the way staff type, in-process under moto: the patient search (GET
/api/staff/patients) and the archive's patient-name text take "Last, First", "First Last",
"Last First", a last-name prefix, a first name and a date of birth (docs/api.md "Finding
a patient"), each an index Query with a counted number of reads, with 20,000 patients
on file."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import pytest

from local import demo_data
from patientportal import normalise
from patientportal.dal import batches, keys, patients
from patientportal.dal.table import Table
from patientportal.models.records import PatientRecord

FRONTDESK = demo_data.STAFF_LOGINS[0]


@pytest.fixture
def staff(login) -> str:
    return str(login("staff", FRONTDESK.username, FRONTDESK.password))


def search(call_patients, staff: str, typed: str, extra: str = "") -> dict[str, Any]:
    status, page, _ = call_patients("GET", "/api/staff/patients", query=f"q={quote(typed)}{extra}", token=staff)
    assert status == 200, (typed, page)
    return page


def found(page: dict[str, Any]) -> list[str]:
    return [item["patient_id"] for item in page["items"]]


# -- the demo's patients: each form, and what it costs --------------------------------------


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(
    ("typed", "queries"),
    [
        ("Thompson, Ava", 1),  # the results list's own format: one Query on the name index
        ("thompson,ava", 1),
        ("Thompson,", 1),  # the whole last name, any first name
        ("Ava Thompson", 3),  # last-name prefix of it all, then First Last, then Last First
        ("Thompson Ava", 3),
        ("Ava Thom", 3),  # First Last, while the last name is still being typed
        ("Ava", 2),  # a last-name prefix, then a first name
        ("03/12/1984", 1),  # a date of birth: one Query on its own index
        ("3/12/1984", 1),
        ("1984-03-12", 1),
    ],
)
def test_each_form_staff_type_finds_the_patient_in_a_counted_number_of_queries(
    staff, call_patients, aws_calls, typed, queries
):
    aws_calls.reset()
    page = search(call_patients, staff, typed)
    assert found(page) == ["p-ava"], typed
    # The sign-out check, the Queries of the form, and the one write of whom the page showed
    assert aws_calls.operations() == {"GetItem": 1, "Query": queries, "PutItem": 1}, typed
    assert aws_calls.items_read["Query"] == 1
    assert aws_calls.items_read["Scan"] == 0


@pytest.mark.usefixtures("people")
def test_a_first_name_with_accents_and_a_last_name_prefix_both_answer(staff, call_patients):
    # "ines" finds Inès by her first name; "okaf" still finds both Okafors by the last name
    assert found(search(call_patients, staff, "ines")) == ["p-ines"]
    assert found(search(call_patients, staff, "okaf")) == ["p-leo", "p-maya"]
    assert found(search(call_patients, staff, "Fernández, Lucía")) == ["p-lucia"]
    assert found(search(call_patients, staff, "lucia fernandez")) == ["p-lucia"]
    # A last name alone after the comma is the whole last name, not a prefix of it
    assert found(search(call_patients, staff, "Okafo, Maya")) == []


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("typed", ["02/30/1984", "13/01/1984", "03/12/84", "1984-13-01", "-", "a b c d e"])
def test_what_cannot_be_searched_is_a_422_on_q(staff, call_patients, aws_calls, typed):
    aws_calls.reset()
    status, body, _ = call_patients("GET", "/api/staff/patients", query=f"q={quote(typed)}", token=staff)
    assert (status, body["error"]["field"]) == (422, "q"), typed
    assert aws_calls.operations()["Query"] == 0


# -- the archive: the same forms in its text ------------------------------------------------


@pytest.fixture
def archive_api(call_queue, staff):
    def call(query: str) -> dict[str, Any]:
        status, page, _ = call_queue("GET", "/api/staff/archive", query=query, token=staff)
        assert status == 200, page
        return page

    return call


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(
    "typed", ["Ava Thompson", "Thompson Ava", "Thompson, Ava", "thompson,ava", "03/12/1984", "1984-03-12", "Thomp"]
)
def test_the_archive_finds_a_patient_by_each_form_at_the_same_cost(archive_api, aws_calls, typed):
    aws_calls.reset()
    plain = archive_api("q=Ava")
    plain_queries = aws_calls.operations()["Query"]
    aws_calls.reset()
    page = archive_api(f"q={quote(typed)}")
    assert {row["patient_id"] for row in page["items"]} == {"p-ava"}, typed
    assert len(page["items"]) == len(plain["items"]) == 2
    # The same month partitions read as any other text search: one Query a month here
    assert aws_calls.operations()["Query"] == plain_queries
    assert aws_calls.items_read["Scan"] == 0


# -- 20,000 patients ------------------------------------------------------------------------

LAST_STEMS: tuple[str, ...] = ("Brann", "Corv", "Dell", "Fenw", "Galt", "Hask", "Jorv", "Kell", "Lind", "Marr")
LAST_STEMS += ("Norr", "Pell", "Quarr", "Ross", "Sand", "Tarr", "Vell", "Wick", "Yarr", "Zell")
LAST_ENDS = ("ick", "ley", "ford", "by", "ham", "ston", "mere", "wood", "dale", "croft")
FIRST_STARTS = ("Al", "Bri", "Cal", "Dor", "El", "Fen", "Gil", "Hal", "Iv", "Jor")
FIRST_ENDS = ("a", "en", "is", "o", "ric", "wyn", "ette", "an", "ia", "us")
LASTS = [stem + end for stem in LAST_STEMS for end in LAST_ENDS]  # 200 last names
FIRSTS = [start + end for start in FIRST_STARTS for end in FIRST_ENDS]  # 100 first names
BULK = 20_000
SHARED_BIRTHDAYS = 15_000  # patients n and n + 15,000 share a birthday
# A few more, each for one form (all invented, as are the 20,000)
EXTRA = (
    ("x-ava-avalon", "Ava", "Avalon", "1961-05-05"),  # both a last-name prefix and a first name
    ("x-lena-avant", "Lena", "Avant", "1962-06-06"),
    ("x-ava-brannick", "Ava", "Brannick", "1963-07-07"),
    ("x-mary-ann", "Mary Ann", "Whitcombe", "1984-03-12"),  # Ava Thompson's birthday too
    ("x-rosa", "Rosa", "De La Vega", "1964-08-08"),
)


def bulk_patient(number: int) -> tuple[str, str, str, str]:
    birthday = date(1940, 1, 1) + timedelta(days=number % SHARED_BIRTHDAYS)
    return f"bulk-{number:05d}", FIRSTS[number // len(LASTS)], LASTS[number % len(LASTS)], birthday.isoformat()


def load_patients(table: Table) -> float:
    """20,000 invented patients and the extras, through the layer's own batches; the seconds it took."""
    began = time.monotonic()
    rows = [bulk_patient(number) for number in range(BULK)] + list(EXTRA)
    items = []
    for patient_id, first, last, born in rows:
        record = PatientRecord(
            patient_id=patient_id, first_name=first, last_name=last, date_of_birth=born, email="", zip="02139"
        )
        items.append(patients.patient_item(record, normalise.email(record.email)))
    calls = batches.put_all(items, table=table)
    assert calls == -(-len(items) // batches.WRITE_BATCH)
    return time.monotonic() - began


@pytest.mark.usefixtures("people")
def test_each_form_reads_a_counted_few_items_with_twenty_thousand_patients(staff, call_patients, stack, aws_calls):
    # Given 20,000 patients on file besides the demo's (about 800 BatchWriteItem calls)
    seconds = load_patients(Table(stack.ref("PortalTable")))
    print(f"loaded {BULK + len(EXTRA)} patients in {seconds:.1f} s")  # noqa: T201 - the load time, for the report
    cases: list[tuple[str, list[str], int, int]] = [
        # typed, patients found in order, Queries, items read
        ("Thompson, Ava", ["p-ava"], 1, 1),
        ("Brannick, Al", [f"bulk-{FIRSTS.index('Al' + end) * 200:05d}" for end in sorted(FIRST_ENDS)], 1, 10),
        ("Ava Thompson", ["p-ava"], 3, 1),
        ("Thompson Ava", ["p-ava"], 3, 1),
        # A last-name prefix first (Avalon, Avant), then first names (Ava Avalon only once)
        ("Ava", ["x-ava-avalon", "x-lena-avant", "x-ava-brannick", "p-ava"], 2, 5),
        ("Mary Ann Whitcombe", ["x-mary-ann"], 5, 1),
        ("Rosa De La Vega", ["x-rosa"], 7, 1),  # four words: three places the names could part
        ("De La Vega", ["x-rosa"], 5, 1),
        ("03/12/1984", ["p-ava", "x-mary-ann"], 1, 2),  # by last, then first name
        ("1984-03-12", ["p-ava", "x-mary-ann"], 1, 2),
        ("1940-04-10", ["bulk-00100", "bulk-15100"], 1, 2),
    ]
    for typed, expected, queries, items in cases:
        # When staff search
        aws_calls.reset()
        page = search(call_patients, staff, typed, "&limit=20")
        # Then the right patients, in exactly the Queries of the form and the items they read
        assert found(page) == expected, typed
        assert page["next_cursor"] is None, typed
        assert aws_calls.operations() == {"GetItem": 1, "Query": queries, "PutItem": 1}, typed
        assert aws_calls.items_read["Query"] == items, typed
        assert aws_calls.items_read["Scan"] == 0

    # And a common last name pages: 101 Brannicks, 50 a page, a page reading limit + 1
    brannicks = {f"bulk-{number:05d}" for number in range(BULK) if bulk_patient(number)[2] == "Brannick"}
    brannicks.add("x-ava-brannick")
    seen: list[str] = []
    cursor = ""
    costs = []
    while True:
        aws_calls.reset()
        page = search(call_patients, staff, "brannick", f"&limit=50{cursor}")
        costs.append((aws_calls.operations()["Query"], aws_calls.items_read["Query"]))
        seen += found(page)
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert len(seen) == len(set(seen)) == 101
    assert set(seen) == brannicks
    # two full pages of one Query each; the last reads the one left and asks the first names
    assert costs == [(1, 51), (1, 51), (2, 1)]


# -- patients written before the search keys ------------------------------------------------


@pytest.mark.usefixtures("people")
def test_the_backfill_gives_patients_written_before_the_upgrade_their_search_keys(
    staff, call_patients, stack, aws_calls
):
    # Given Ava's record as an older release wrote it: no first-name or birth-date key
    table = Table(stack.ref("PortalTable"))
    table.update(keys.patient("p-ava"), expression="REMOVE first_pk, first_sk, born_pk")
    assert found(search(call_patients, staff, "Ava")) == []
    assert found(search(call_patients, staff, "03/12/1984")) == []
    # When the backfill runs: one roster page read, one conditional write, for her alone
    aws_calls.reset()
    assert patients.backfill_after_upgrade(table=table) == 1
    assert aws_calls.operations() == {"Query": 1, "UpdateItem": 1}
    # Then she is found by first name and date of birth, and her version is untouched
    assert found(search(call_patients, staff, "Ava")) == ["p-ava"]
    assert found(search(call_patients, staff, "03/12/1984")) == ["p-ava"]
    assert patients.existing_patient("p-ava", table=table).version == 1
    # And a second run writes nothing
    aws_calls.reset()
    assert patients.backfill_after_upgrade(table=table) == 0
    assert aws_calls.operations() == {"Query": 1}


@pytest.mark.usefixtures("people")
def test_the_backfill_gives_patients_stored_under_an_older_status_rule_the_current_status(stack, aws_calls):
    # Given Ava stored with a status the current rule does not give her (as an older release
    # could have written it), her search keys already in place
    table = Table(stack.ref("PortalTable"))
    ava = patients.existing_patient("p-ava", table=table)
    right = patients.status_fields(ava)
    wrong = "active" if right["portal_status"] == "inactive" else "inactive"
    table.update(
        keys.patient("p-ava"),
        expression="SET portal_status = :status, status_pk = :partition",
        values={":status": wrong, ":partition": keys.status_partition(wrong)},
    )
    # When the backfill runs: one roster page read, one conditional write, for her alone
    aws_calls.reset()
    assert patients.backfill_after_upgrade(table=table) == 1
    assert aws_calls.operations() == {"Query": 1, "UpdateItem": 1}
    # Then her stored status (and its index partition) is the rule's again, her version untouched
    stored = table.get(keys.patient("p-ava"))
    assert stored is not None
    assert {name: stored[name] for name in right} == right
    assert patients.existing_patient("p-ava", table=table).version == ava.version
    # And a second run writes nothing
    aws_calls.reset()
    assert patients.backfill_after_upgrade(table=table) == 0
    assert aws_calls.operations() == {"Query": 1}
