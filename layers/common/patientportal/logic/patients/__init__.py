"""Patients: staff finding, adding and changing them (``demographics``), a patient's detail as
staff see it (``detail``), and the audit trail of every staff read or change (``audit``).

Offered to the other domains: ``audit`` and ``detail``. ``demographics`` is this room's own.
"""
