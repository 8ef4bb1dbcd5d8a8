"""Patients: staff finding, adding and changing them (``demographics``), a patient's detail as
staff see it (``detail``), and the audit trail of every staff read or change (``audit``).

Offered to the other domains: ``audit`` and ``detail``. ``demographics`` is this room's own,
but for the queue's change sets (``queue.change_sets``), which apply a patient's requested
changes through its ``update_patient``, the same rule as staff editing the patient.
"""
