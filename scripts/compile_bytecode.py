"""Compile every .py file of a `sam build` output to checked-hash bytecode.

Usage: python scripts/compile_bytecode.py [BUILD_DIR]   (default: .aws-sam/build)

Why: Lambda's code directories (/var/task and the layers under /opt) are read-only, and the
deployment package dates every file 1 January 1980. A normal (timestamp-based) .pyc never
matches such a source, and Python cannot write a fresh one, so every cold start would
compile the whole layer again (docs/performance.md "Bytecode"). A checked-hash .pyc records a
hash of its source instead of a date: it stays valid whatever the file times are, and still
refuses to load if the source changed.

.pyc files only load in the Python minor version that wrote them, so this script must run
under the same version as the functions' Lambda runtime (python3.13); it refuses otherwise.
"""

from __future__ import annotations

import argparse
import importlib.util
import py_compile
import re
import sys
import time
from pathlib import Path

# The template's `Runtime: python3.13`. When the built template is present, its runtimes are
# read and checked too, so a runtime bump cannot silently ship bytecode of the wrong version.
LAMBDA_PYTHON = (3, 13)
RUNTIME_PATTERN = re.compile(r"\bpython(\d+)\.(\d+)\b")

# Where Lambda mounts each kind of artifact: function code at /var/task, layers at /opt.
# Used only as the file name recorded in the bytecode (tracebacks), never to find files.
FUNCTION_ROOT = "/var/task"
LAYER_ROOT = "/opt"


def required_version(build_dir: Path) -> tuple[int, int]:
    template = build_dir / "template.yaml"
    if not template.is_file():
        return LAMBDA_PYTHON
    versions = {
        (int(major), int(minor))
        for line in template.read_text(encoding="utf-8").splitlines()
        if "Runtime" in line
        for major, minor in RUNTIME_PATTERN.findall(line)
    }
    if len(versions) > 1:
        listed = ", ".join(f"python{major}.{minor}" for major, minor in sorted(versions))
        raise SystemExit(f"error: the built template mixes runtimes ({listed}); one .pyc set cannot serve them all.")
    return versions.pop() if versions else LAMBDA_PYTHON


def check_interpreter(required: tuple[int, int]) -> None:
    running = sys.version_info[:2]
    if running != required:
        raise SystemExit(
            f"error: this is Python {running[0]}.{running[1]}, but the functions run on "
            f"python{required[0]}.{required[1]}. .pyc files only load in the minor version that "
            f"wrote them, so run this script with a Python {required[0]}.{required[1]} interpreter "
            "(`make build` uses .venv-sam/bin/python)."
        )
    if sys.implementation.name != "cpython":
        raise SystemExit(f"error: Lambda runs CPython; this is {sys.implementation.name}.")


def sources(artifact: Path) -> list[Path]:
    return sorted(p for p in artifact.rglob("*.py") if "__pycache__" not in p.parts and p.is_file())


def compile_artifact(artifact: Path) -> tuple[int, list[str]]:
    """Compile one function or layer directory; returns (files compiled, errors)."""
    is_layer = (artifact / "python").is_dir() and not (artifact / "app.py").exists()
    root = LAYER_ROOT if is_layer else FUNCTION_ROOT
    compiled, errors = 0, []
    for source in sources(artifact):
        relative = source.relative_to(artifact).as_posix()
        try:
            py_compile.compile(
                str(source),
                cfile=importlib.util.cache_from_source(str(source), optimization=""),
                dfile=f"{root}/{relative}",
                doraise=True,
                optimize=0,
                invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH,
            )
        except py_compile.PyCompileError as error:
            errors.append(f"{artifact.name}/{relative}: {error.exc_type_name}: {error.exc_value}")
        else:
            compiled += 1
    return compiled, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build_dir", nargs="?", default=".aws-sam/build", type=Path, help="sam build's --build-dir")
    args = parser.parse_args(argv)
    build_dir: Path = args.build_dir

    if not build_dir.is_dir():
        print(f"error: {build_dir} does not exist; run `sam build` (or `make build`) first.", file=sys.stderr)
        return 2
    check_interpreter(required_version(build_dir))

    started = time.perf_counter()
    artifacts = sorted(p for p in build_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    total, all_errors = 0, []
    for artifact in artifacts:
        compiled, errors = compile_artifact(artifact)
        total += compiled
        all_errors.extend(errors)
        print(f"  {artifact.name}: {compiled} files")

    tag = sys.implementation.cache_tag
    print(
        f"compiled {total} files in {len(artifacts)} artifacts to checked-hash {tag} bytecode "
        f"in {time.perf_counter() - started:.1f} s"
    )
    if all_errors:
        print(f"error: {len(all_errors)} files do not compile under Python {sys.version.split()[0]}:", file=sys.stderr)
        for line in all_errors:
            print(f"  {line}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
