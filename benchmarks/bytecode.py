"""Cold-start import time with and without the checked-hash bytecode that `make build` ships.

Run: `python -m benchmarks.bytecode` or `python benchmarks/bytecode.py` (after `make build`).

Lambda unpacks the code read-only and dated 1980, so ordinary .pyc files never validate and
cannot be rewritten: without help, every cold start compiles the layer again. This compares,
in fresh interpreters, the time to import the layer's heavy packages plus one built function
module (`import app`), in three setups:

  (a) baseline   sources as built, writable cache (timestamp .pyc written by a warm-up run)
  (b) 1980       sources dated 1980, no .pyc, nothing may be written (-B)
  (c) 1980+hash  sources dated 1980, the build's checked-hash .pyc, nothing may be written

Each setup is a copy in a temporary directory, so the build itself is never touched. Timings
are medians over fresh processes, reported as ratios against (a) measured in the same run
(docs/performance.md "Bytecode": (c) should stay within 1.1 x (a)). Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BUILD = ROOT / ".aws-sam" / "build"
LAMBDA_PYTHON = (3, 13)
DATE_1980 = 315532800  # 1980-01-01T00:00:00Z, the date SAM gives every packaged file
BUDGET = 1.1  # docs/performance.md "Bytecode": (c) <= 1.1 x (a)
HEAVY_PACKAGES = ("boto3", "botocore", "pydantic", "aws_lambda_powertools")

# What the child process runs: the layer's heavy packages, then the function module, timed
# from the first import; it also counts the modules compiled from source on the way.
CHILD = """
import json, sys, time
import importlib._bootstrap_external as bootstrap
compiled = 0
_source_to_code = bootstrap.SourceLoader.source_to_code
def counting(self, *args, **kwargs):
    global compiled
    compiled += 1
    return _source_to_code(self, *args, **kwargs)
bootstrap.SourceLoader.source_to_code = counting
sys.path[:0] = [{function!r}, {layer!r}]
started = time.perf_counter()
import {packages}
import app
elapsed = time.perf_counter() - started
print(json.dumps({{"seconds": elapsed, "compiled": compiled, "modules": len(sys.modules)}}))
"""

# Settings the function modules read at import, with harmless values; fake credentials so
# that no client ever looks for real ones (or waits for an instance metadata service).
CHILD_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "benchmark",
    "AWS_SECRET_ACCESS_KEY": "benchmark",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_LAMBDA_FUNCTION_NAME": "benchmark",
    "TABLE_NAME": "benchmark-table",
    "PRACTICE_NAME": "Benchmark Practice",
    "PRACTICE_PHONE": "(555) 010-0000",
    "STAFF_USER_POOL_ID": "us-east-1_benchmark",
    "STAFF_CLIENT_ID": "benchmarkstaffclient",
    "PATIENT_USER_POOL_ID": "us-east-1_benchmark2",
    "PATIENT_CLIENT_ID": "benchmarkpatientclient",
    "POWERTOOLS_METRICS_NAMESPACE": "PatientPortal",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "POWERTOOLS_SERVICE_NAME": "benchmark",
    "SENDER_EMAIL": "portal@example.org",
    "SES_CONFIGURATION_SET": "benchmark",
    "PORTAL_URL": "https://portal.example.org/portal/",
}


class CannotRunError(Exception):
    """The benchmark cannot run here; the message says why and what to do."""


@dataclass
class Setup:
    key: str
    label: str
    function: Path
    layer: Path
    write_cache: bool


def pyc_flags(path: Path) -> int:
    """The flags word of a .pyc header (PEP 552): 0 timestamp, 3 checked hash."""
    with path.open("rb") as handle:
        header = handle.read(8)
    return int.from_bytes(header[4:8], "little")


def check_build(build: Path, function: str) -> tuple[Path, Path]:
    if not build.is_dir():
        raise CannotRunError(f"{build} does not exist: run `make build` first.")
    function_dir, layer_dir = build / function, build / "CommonLayer" / "python"
    if not (function_dir / "app.py").is_file():
        functions = sorted(p.name for p in build.iterdir() if (p / "app.py").is_file())
        raise CannotRunError(f"{function_dir}/app.py not found; built functions: {', '.join(functions) or 'none'}.")
    if not layer_dir.is_dir():
        raise CannotRunError(f"{layer_dir} not found: run `make build` first.")
    pyc = function_dir / "__pycache__" / f"app.{sys.implementation.cache_tag}.pyc"
    if not pyc.is_file() or pyc_flags(pyc) != 3:
        raise CannotRunError(
            f"{function}/app.py has no checked-hash {sys.implementation.cache_tag} .pyc: run `make build` "
            "(or scripts/compile_bytecode.py .aws-sam/build) first."
        )
    return function_dir, layer_dir


def copy(source: Path, target: Path, *, with_bytecode: bool) -> None:
    ignore = None if with_bytecode else shutil.ignore_patterns("__pycache__")
    shutil.copytree(source, target, ignore=ignore, symlinks=True)


def date_1980(tree: Path) -> None:
    for directory, _, files in os.walk(tree):
        for name in files:
            os.utime(Path(directory) / name, (DATE_1980, DATE_1980))
        os.utime(directory, (DATE_1980, DATE_1980))


def elf_machine(path: Path) -> int | None:
    """The ELF header's e_machine (62 x86-64, 183 aarch64), or None for other formats."""
    with path.open("rb") as handle:
        header = handle.read(20)
    if header[:4] != b"\x7fELF":
        return None
    return int.from_bytes(header[18:20], "little" if header[5] == 1 else "big")


def use_host_extensions(layer: Path) -> list[str]:
    """Swap native modules built for Lambda (arm64) for this machine's build of the same version.

    Only the extension files change (they are loaded the same way in every setup); every .py
    file and .pyc measured is the one from the build.
    """
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    host_machine = elf_machine(Path(sys.executable).resolve())
    owners: dict[str, importlib.metadata.Distribution] = {}
    for installed in importlib.metadata.distributions(path=[str(layer)]):
        for file in installed.files or ():
            owners[file.as_posix()] = installed
    swapped: list[str] = []
    for native in sorted(layer.rglob("*.so")):
        stem, _, native_suffix = native.name.partition(".")
        machine = elf_machine(native)
        if machine is not None and host_machine is not None:
            if machine == host_machine:
                continue
        elif f".{native_suffix}" in (suffix, ".abi3.so"):
            continue
        relative = native.relative_to(layer)
        dist = owners.get(relative.as_posix())
        name = dist.metadata["Name"] if dist else relative.parts[0]
        wanted = dist.version if dist else None
        host: importlib.metadata.Distribution | None
        try:
            host = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            host = None
        if host is None or (wanted and host.version != wanted):
            have = f"version {host.version}" if host else "nothing"
            raise CannotRunError(
                f"the layer's {relative} is built for Lambda's architecture and this interpreter has "
                f"{have} of {name} to stand in for it; install {name}=={wanted} here (e.g. `make test` "
                "sets up .venv) and run the benchmark with that interpreter."
            )
        candidates = [Path(str(host.locate_file(relative.parent / f"{stem}{suffix}")))]
        candidates.append(candidates[0].with_name(f"{stem}.abi3.so"))
        replacement = next((c for c in candidates if c.is_file()), None)
        if replacement is None:
            raise CannotRunError(
                f"no native build of {relative.parent / stem} for this machine in {name} {host.version}."
            )
        native.unlink()
        shutil.copy2(replacement, native.with_name(replacement.name))
        swapped.append(f"{name} {host.version}")
    return swapped


def prepare(work: Path, function_dir: Path, layer_dir: Path) -> tuple[list[Setup], list[str]]:
    setups = [
        Setup("a", "baseline: as built, writable cache", work / "a" / "task", work / "a" / "python", write_cache=True),
        Setup("b", "1980 sources, no .pyc, read-only", work / "b" / "task", work / "b" / "python", write_cache=False),
        Setup("c", "1980 sources + checked-hash .pyc", work / "c" / "task", work / "c" / "python", write_cache=False),
    ]
    swapped: list[str] = []
    for setup in setups:
        keep_pyc = setup.key == "c"
        copy(function_dir, setup.function, with_bytecode=keep_pyc)
        copy(layer_dir, setup.layer, with_bytecode=keep_pyc)
        swapped = use_host_extensions(setup.layer)
        if setup.key != "a":
            date_1980(setup.function)
            date_1980(setup.layer)
    return setups, sorted(set(swapped))


def run_once(setup: Setup, home: Path) -> dict[str, float]:
    code = CHILD.format(function=str(setup.function), layer=str(setup.layer), packages=", ".join(HEAVY_PACKAGES))
    environment = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "LANG": "C.UTF-8", **CHILD_ENVIRONMENT}
    # -S: no site-packages, so every package comes from the layer copy (as on Lambda).
    command = [sys.executable, "-S"]
    if not setup.write_cache:
        command.append("-B")
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
    result = subprocess.run(
        [*command, "-c", code], capture_output=True, text=True, env=environment, cwd=home, check=False
    )
    if result.returncode != 0:
        raise CannotRunError(f"importing app failed in setup ({setup.key}):\n{result.stderr.strip()[-2000:]}")
    measured: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return measured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Cold-start import time with and without checked-hash bytecode.")
    parser.add_argument("--build-dir", type=Path, default=DEFAULT_BUILD, help="sam build's output (.aws-sam/build)")
    parser.add_argument("--function", default="QueueFunction", help="built function to import (default QueueFunction)")
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per setup (at least 5; default 7)")
    args = parser.parse_args(argv)
    runs = max(args.runs, 5)

    if sys.version_info[:2] != LAMBDA_PYTHON:
        print(
            f"skipped: the build's .pyc files are for Python {LAMBDA_PYTHON[0]}.{LAMBDA_PYTHON[1]} (Lambda's runtime); "
            f"this is {sys.version_info[0]}.{sys.version_info[1]}. Run with .venv/bin/python."
        )
        return 0
    started = time.perf_counter()
    try:
        function_dir, layer_dir = check_build(args.build_dir, args.function)
        with tempfile.TemporaryDirectory(prefix="bytecode-bench-") as temporary:
            work = Path(temporary)
            setups, swapped = prepare(work, function_dir, layer_dir)
            results: dict[str, list[dict[str, float]]] = {setup.key: [] for setup in setups}
            home = work / "home"
            home.mkdir()
            run_once(setups[0], home)  # warm-up: writes (a)'s timestamp .pyc files
            for _ in range(runs):  # interleaved, so drift on a shared machine hits every setup alike
                for setup in setups:
                    results[setup.key].append(run_once(setup, home))
    except CannotRunError as reason:
        print(f"skipped: {reason}")
        return 0

    medians = {key: statistics.median(r["seconds"] for r in rows) for key, rows in results.items()}
    baseline = medians["a"]
    print(f"Import of {', '.join(HEAVY_PACKAGES)} + {args.function}'s app, fresh interpreters, median of {runs}")
    if swapped:
        print(f"(native modules built for Lambda replaced by this machine's build: {', '.join(swapped)})")
    print()
    print(f"  {'setup':<40} {'median ms':>10} {'min ms':>8} {'x (a)':>7} {'compiled':>9} {'modules':>8}")
    for setup in setups:
        rows = results[setup.key]
        print(
            f"  ({setup.key}) {setup.label:<36} {medians[setup.key] * 1000:>10.0f} "
            f"{min(r['seconds'] for r in rows) * 1000:>8.0f} {medians[setup.key] / baseline:>7.2f} "
            f"{int(statistics.median(r['compiled'] for r in rows)):>9} {int(rows[0]['modules']):>8}"
        )
    ratio = medians["c"] / baseline
    verdict = "within" if ratio <= BUDGET else "OVER"
    print()
    print(f"(c)/(a) = {ratio:.2f}: {verdict} the budget of {BUDGET} x (docs/performance.md)", end="; ")
    print(f"(b)/(a) = {medians['b'] / baseline:.2f}")
    print(f"'compiled' counts modules compiled from source per process. Took {time.perf_counter() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
