"""Benchmarks (`make bench`): timings as ratios against a baseline measured in the same run,
medians of several fresh processes. Nothing here asserts a time; tests assert counts."""

import local  # noqa: F401 - puts the layer's package on the path, as Lambda does
