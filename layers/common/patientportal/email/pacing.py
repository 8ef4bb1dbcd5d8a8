"""Keeping bulk sending within SES's sending rate.

A bulk job makes one email per invitation; the worker takes a turn before each one, so
emails enter the outbox no faster than the account's ``MaxSendRate`` (SES ``GetSendQuota``),
and notify, which sends them as they arrive, stays within it. The clock and the sleeper are
injected, so tests check the waits without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from patientportal import aws

# When SES cannot be asked: its lowest rate (the sandbox's).
FALLBACK_RATE = 1.0


def account_send_rate() -> float:
    """Emails per second the account may send, from SES."""
    quota = aws.ses().get_send_quota()
    rate = float(quota.get("MaxSendRate") or FALLBACK_RATE)
    return rate if rate > 0 else FALLBACK_RATE


class SendPacer:
    """Spaces turns ``1 / rate`` seconds apart; the rate is asked for on the first turn."""

    def __init__(
        self,
        rate: Callable[[], float] = account_send_rate,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._rate_source = rate
        self._rate: float | None = None
        self._clock = clock
        self._sleep = sleep
        self._next_turn = float("-inf")

    @property
    def rate(self) -> float:
        if self._rate is None:
            self._rate = self._rate_source()
        return self._rate

    def wait_turn(self) -> float:
        """Sleeps until this send may go; returns how long it waited."""
        interval = 1.0 / self.rate
        now = self._clock()
        wait = max(self._next_turn - now, 0.0)
        if wait:
            self._sleep(wait)
        self._next_turn = max(now, self._next_turn) + interval
        return wait
