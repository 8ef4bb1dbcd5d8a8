"""Deferred model builds read nothing of the caller's frames (models.common.Model.model_rebuild).

pydantic builds a deferred model on its first validation and, by default, reads the locals
of the frame five levels up. On CPython 3.13.0 reading those of a frame that holds an
inlined comprehension's cell crashes the interpreter (SIGSEGV): the patient search did so in
every fresh process of the local runtime. This runs that first use in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

from local import template as cfn

FIRST_USE = """
import local
from patientportal.dal import patients
from patientportal.dal.table import Table

class OnePatient(Table):
    def __init__(self):
        self.name = "portal"

    def query(self, **_):
        item = {"pk": "PATIENT#p1", "sk": "PATIENT", "patient_id": "p1", "first_name": "Ava",
                "last_name": "Thompson", "date_of_birth": "1984-03-12"}
        return [item], None

found, _ = patients.search_patients([patients.by_last_name("thompson")], limit=5, cursor=None, table=OnePatient())
print(found[0].patient_id)
"""


def test_a_models_first_build_inside_the_patient_search_does_not_crash_a_fresh_interpreter():
    run = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", FIRST_USE], cwd=cfn.ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, (run.returncode, run.stderr[-2000:])
    assert run.stdout.strip() == "p1"


def test_no_model_looks_at_the_callers_frame_when_it_builds(monkeypatch):
    from pydantic._internal import _typing_extra  # noqa: PLC0415

    from patientportal.models.common import Model  # noqa: PLC0415

    class Late(Model):
        name: str

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("a caller's frame was read")

    monkeypatch.setattr(_typing_extra, "parent_frame_namespace", refuse)
    assert Late.model_validate({"name": "x"}).name == "x"
