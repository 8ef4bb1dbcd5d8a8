"""API shape of audit entries."""

from patientportal.models.common import Model


class AuditEntry(Model):
    """Who did what to which patient's data, when, and in which API request. ``view_list``
    entries say a staff list showed the patient: ``view`` names the list, ``at`` is the start
    of the hour, and one entry stands for every page of that list shown in that hour."""

    entry_id: str
    actor: str
    action: str
    patient_id: str
    at: str
    request_id: str
    view: str = ""
