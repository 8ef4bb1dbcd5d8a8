"""`make bench`: every benchmark, one after another."""

from __future__ import annotations

import warnings

from benchmarks import account_timing, cold_start, pages, scale, startup, warm_requests

warnings.simplefilter("ignore")

for benchmark in (cold_start, warm_requests, startup, pages, account_timing, scale):
    benchmark.main()
    print()

try:
    from benchmarks import bytecode
except ImportError:
    pass
else:
    bytecode.main()
