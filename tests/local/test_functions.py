"""Each function in a process of its own, with exactly its template environment
(local.functions): the load run's 500s came from one process hosting every function, where
Powertools had read the metric namespace before the functions' environment was set, and the
100th value of a metric then raised "Must contain a metric namespace" (docs/decisions.md 52)."""

from __future__ import annotations

import os

import pytest

from local.functions import FunctionError, FunctionPool, FunctionWorker, LambdaContext

PROBE = ("tests.local.probe_function", "handler")


def worker_for(environment: dict[str, str]) -> FunctionWorker:
    keep = {key: os.environ[key] for key in ("PATH", "PYTHONPATH") if key in os.environ}
    return FunctionWorker("ProbeFunction", *PROBE, {**keep, **environment})


def test_a_worker_sees_only_the_environment_it_was_given_and_reads_it_before_its_imports():
    worker = worker_for(
        {"POWERTOOLS_METRICS_NAMESPACE": "PatientPortal", "POWERTOOLS_SERVICE_NAME": "queue", "ONLY_HERE": "1"}
    )
    try:
        answer = worker.invoke({}, LambdaContext(function_name="ProbeFunction"))
    finally:
        worker.stop()
    assert answer["namespace"] == "PatientPortal"
    assert answer["service"] == "queue"
    assert answer["function_name"] == "ProbeFunction"
    assert answer["pid"] != os.getpid()
    assert answer["environment"]["ONLY_HERE"] == "1"
    assert "AWS_ENDPOINT_URL" not in answer["environment"]  # not given, so not there
    assert set(answer["environment"]) <= {
        "PATH",
        "PYTHONPATH",
        "POWERTOOLS_METRICS_NAMESPACE",
        "POWERTOOLS_SERVICE_NAME",
        "ONLY_HERE",
        "LC_CTYPE",  # Python's own UTF-8 mode may set it
    }


def test_a_hundred_and_fifty_metric_values_in_one_invocation_answer_and_an_error_is_the_callers():
    worker = worker_for({"POWERTOOLS_METRICS_NAMESPACE": "PatientPortal", "POWERTOOLS_METRICS_DISABLED": "true"})
    try:
        for _ in range(3):  # metrics off: Powertools keeps the values between invocations
            answer = worker.invoke({"metrics": 60}, LambdaContext(function_name="ProbeFunction"))
            assert answer["namespace"] == "PatientPortal"
        with pytest.raises(FunctionError, match="LookupError"):
            worker.invoke({"fail": True}, LambdaContext(function_name="ProbeFunction"))
        # and the worker serves the next invocation after an error, as a Lambda container does
        assert worker.invoke({}, LambdaContext(function_name="ProbeFunction"))["namespace"] == "PatientPortal"
    finally:
        worker.stop()


def test_without_the_namespace_the_hundredth_value_fails_the_invocation():
    """The failure the load run met, shown where it comes from."""
    worker = worker_for({"POWERTOOLS_METRICS_DISABLED": "true"})
    try:
        worker.invoke({"metrics": 99}, LambdaContext(function_name="ProbeFunction"))
        with pytest.raises(FunctionError, match="SchemaValidationError"):
            worker.invoke({"metrics": 1}, LambdaContext(function_name="ProbeFunction"))
    finally:
        worker.stop()


def pool_of(environment: dict[str, str], *, timeout: float, memory: int) -> FunctionPool:
    keep = {key: os.environ[key] for key in ("PATH", "PYTHONPATH") if key in os.environ}
    return FunctionPool("ProbeFunction", *PROBE, {**keep, **environment}, timeout=timeout, memory=memory)


def context(pool: FunctionPool) -> LambdaContext:
    return LambdaContext(
        function_name="ProbeFunction", timeout_ms=int(pool.timeout * 1000), memory_limit_in_mb=pool.memory
    )


def test_past_its_timeout_an_invocation_fails_and_the_next_gets_a_new_container():
    pool = pool_of({"POWERTOOLS_METRICS_NAMESPACE": "PatientPortal"}, timeout=1, memory=512)
    try:
        first = pool.invoke({}, context(pool))
        assert 0 < first["remaining_ms"] <= 1000  # the context counts down to the template's timeout
        with pytest.raises(FunctionError, match="timed out"):
            pool.invoke({"sleep": 5}, context(pool))
        assert pool.containers == 0  # that environment is gone, as Lambda ends a timed-out one
        again = pool.invoke({}, context(pool))
        assert again["pid"] != first["pid"]
        assert pool.containers == 1
    finally:
        pool.stop()


def test_a_container_that_outgrows_the_functions_memory_is_ended():
    # A fresh interpreter peaks near 120 MB while it compiles the modules it imports (a fresh
    # clone has no bytecode yet), and Lambda's measure is the peak too: 256 MB leaves room
    pool = pool_of({"POWERTOOLS_METRICS_NAMESPACE": "PatientPortal"}, timeout=10, memory=256)
    try:
        first = pool.invoke({"megabytes": 8}, context(pool))
        with pytest.raises(FunctionError, match="OutOfMemory"):
            pool.invoke({"megabytes": 300}, context(pool))
        assert pool.invoke({}, context(pool))["pid"] != first["pid"]
    finally:
        pool.stop()


def test_a_containers_memory_is_its_own_not_that_of_the_process_that_started_it():
    """Linux keeps getrusage's peak across exec: a runtime that had grown past a function's
    memory would have started every new container already out of memory (a fresh clone's
    pytest worker did). The peak counted is the container's own."""
    grown = bytearray(600 * 1024 * 1024)
    grown[::4096] = b"x" * len(grown[::4096])  # this process now peaked past 512 MB
    del grown
    pool = pool_of({"POWERTOOLS_METRICS_NAMESPACE": "PatientPortal"}, timeout=10, memory=512)
    try:
        assert pool.invoke({}, context(pool))["namespace"] == "PatientPortal"
    finally:
        pool.stop()


def test_a_container_that_crashes_fails_its_invocation_and_the_next_gets_a_new_one():
    pool = pool_of({"POWERTOOLS_METRICS_NAMESPACE": "PatientPortal"}, timeout=10, memory=512)
    try:
        first = pool.invoke({}, context(pool))
        with pytest.raises(FunctionError, match="stopped"):
            pool.invoke({"crash": True}, context(pool))
        assert pool.containers == 0
        assert pool.invoke({}, context(pool))["pid"] != first["pid"]
    finally:
        pool.stop()
