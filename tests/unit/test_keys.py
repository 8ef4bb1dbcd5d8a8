"""Key builders: one module, and the shapes the indexes rely on."""

from __future__ import annotations

from patientportal.dal import keys


def test_open_queue_entry_sorts_by_arrival_and_names_the_type():
    entry = keys.open_queue_entry("2026-11-28T05:00:00.000000Z", "r1", "refill")
    assert entry == {
        "queue_pk": "QUEUE#OPEN",
        "queue_type_pk": "QUEUE#OPEN#refill",
        "assignee_pk": "QUEUE#UNASSIGNED",  # a new item is nobody's
        "queue_sk": "2026-11-28T05:00:00.000000Z#r1",
    }


def test_archive_entry_is_partitioned_by_month_of_the_request():
    assert keys.archive_entry("2026-03-09T10:00:00.000000Z", "r2")["queue_pk"] == "ARCHIVE#2026-03"


def test_usernames_are_unique_without_regard_to_case():
    assert keys.username("Ava.Thompson") == keys.username("ava.thompson")


def test_name_partition_is_the_folded_initial_and_non_letters_share_one():
    assert keys.name_partition("thompson") == "NAMES#T"
    assert keys.name_partition("Ünal") == keys.name_partition("unal") == "NAMES#U"
    assert keys.name_partition("'t Hooft") == keys.name_partition("Thomas") == "NAMES#T"
    assert keys.name_partition("1st") == keys.name_partition("---") == "NAMES##"


def test_a_typed_prefix_matches_names_whatever_their_accents_case_and_punctuation():
    for typed, last in (("nunez", "Núñez"), ("NÚÑ", "Nunez"), ("obr", "O'Brien"), ("van der", "Van der Berg")):
        assert keys.name_sort(last, "Ana", "p1").startswith(keys.name_prefix(typed))
        assert keys.name_partition(typed) == keys.name_partition(last)
    assert not keys.name_sort("Nunes", "Ana", "p1").startswith(keys.name_prefix("nunez"))


def test_every_index_has_cursor_attributes_that_include_the_table_key():
    for attributes in keys.CURSOR_ATTRIBUTES.values():
        assert attributes[:2] == ("pk", "sk")


def test_name_keys_and_typed_prefixes_fit_a_sort_key_however_names_fold():
    # U+FDFA folds (NFKD) to 18 letters; the longest names and prefixes the API takes
    name, typed = "\ufdfa" * 200, "\ufdfa" * 100
    sort_key = keys.name_sort(name, name, "0" * 32)
    assert len(sort_key.encode()) <= 1024
    assert len(keys.name_prefix(typed).encode()) <= 1024
    assert sort_key.startswith(keys.name_prefix(typed))
