"""Patients: staff finding, adding and changing them (``records``), a patient's detail as
staff see it (``detail``), and the audit trail of every staff read or change (``audit``).

Offered to the other domains: ``audit`` and ``detail``. ``records`` is this room's own.
"""
