"""Throttling windows (patientportal.limits): fixed windows numbered from the epoch, the same
key for the same value, and an item kept a minute past its window's end."""

from __future__ import annotations

import pytest

from patientportal import clock, limits


@pytest.mark.parametrize(
    ("now", "number"),
    [(0, 0), (899, 0), (900, 1), (1799, 1), (900 * 2000 + 450, 2000)],
)
def test_a_window_is_the_number_of_whole_windows_since_the_epoch(monkeypatch, now, number):
    monkeypatch.setattr(clock, "epoch_seconds", lambda: now)
    window = limits.window(limits.PER_EMAIL, "ines@example.com")
    assert window.window == str(number)
    assert window.expires_at == (number + 1) * 900 + 60
    assert window.limit is limits.PER_EMAIL


def test_the_last_second_of_a_window_and_the_first_of_the_next_are_different_windows(monkeypatch):
    moments = iter([3599, 3600])
    monkeypatch.setattr(clock, "epoch_seconds", lambda: next(moments))
    last = limits.window(limits.PER_SOURCE, "203.0.113.9")
    first = limits.window(limits.PER_SOURCE, "203.0.113.9")
    assert (last.window, first.window) == ("0", "1")
    assert last.key == first.key
    assert last.expires_at == 3660
    assert first.expires_at == 7260


def test_the_key_is_a_short_hash_that_tells_values_apart_but_not_what_they_were(monkeypatch):
    monkeypatch.setattr(clock, "epoch_seconds", lambda: 0)
    one = limits.window(limits.PER_DESTINATION, "ava@example.com").key
    assert len(one) == 32
    assert int(one, 16) >= 0  # hexadecimal
    assert one == limits.window(limits.REGISTER_PER_SOURCE, "ava@example.com").key
    assert one != limits.window(limits.PER_DESTINATION, "Ava@example.com").key
    assert "ava" not in one
