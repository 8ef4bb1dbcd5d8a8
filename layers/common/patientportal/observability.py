"""Logger and metrics shared by the functions. The X-Ray SDK is deliberately not imported:
the template turns on active tracing instead, which costs nothing at cold start."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

logger = Logger()
metrics = Metrics()
