"""Every key and index value of the table, built in this one module (docs/data-model.md).

The table has ``pk``/``sk`` and these sparse global secondary indexes:

- ``Queue``: ``QUEUE#OPEN`` while an item is open, ``ARCHIVE#<yyyy-mm>`` once dismissed,
  each sorted by ``<created>#<request id>``;
- ``QueueByType``: ``QUEUE#OPEN#<type>`` while open, for the queue's type filter;
- ``QueueByAssignee``: ``QUEUE#UNASSIGNED`` or ``QUEUE#ASSIGNED#<username>`` while open, for
  the queue's Unassigned and Assigned to me views;
- ``PatientItems``: a patient's requests and messages, ``REQUEST#``/``MSG#<created>#<id>``;
- ``PatientsByEmail``: ``EMAIL#<normalised email>``;
- ``PatientsByName``: ``NAMES#<first letter>`` / ``<last>#<first>#<id>``, names folded
  (``normalise.name``: case, accents, spaces and punctuation do not count), so "nunez"
  finds Núñez and "obr" finds O'Brien;
- ``PatientsByFirstName``: ``FIRSTNAMES#<first letter>`` / ``<first>#<last>#<id>``, folded alike;
- ``PatientsByBirthDate``: ``BORN#<yyyy-mm-dd>`` / ``name_sk`` (by last, then first name);
- ``Roster``: every patient under ``ROSTER``, by ``<last>#<first>#<id>`` (the onboarding list);
- ``RosterByStatus``: ``ROSTER#<portal status>``, same sort key (the list filtered by status);
- ``StatusCounts``: the same keys, keys only, so counting a status reads a few bytes a patient;
- ``InvitationStates``: ``INVITATIONS#<state>`` / ``<expiry epoch>#<id>``, keys only, for counts;
- jobs: ``JOB#<id>`` holds the job (``JOB``) and its chunks (``CHUNK#<n>``).
"""

from __future__ import annotations

from patientportal.normalise import name as folded

OPEN_QUEUE = "QUEUE#OPEN"
UNASSIGNED = "QUEUE#UNASSIGNED"
PROFILE = "PROFILE"

Key = dict[str, str]


def patient(patient_id: str) -> Key:
    return {"pk": f"PATIENT#{patient_id}", "sk": PROFILE}


def request(request_id: str) -> Key:
    return {"pk": f"REQUEST#{request_id}", "sk": "REQUEST"}


def request_partition(request_id: str) -> str:
    """A request, its thread of messages and its history share one partition."""
    return f"REQUEST#{request_id}"


def thread_message(request_id: str, message_id: str) -> Key:
    """Message ids are time-ordered (``ids.time_ordered_id``), so the thread sorts by time."""
    return {"pk": request_partition(request_id), "sk": f"MSG#{message_id}"}


def patient_message(patient_id: str, message_id: str) -> Key:
    """A secure message not tied to a request lives with the patient."""
    return {"pk": f"PATIENT#{patient_id}", "sk": f"MSG#{message_id}"}


def helper_result(request_id: str) -> Key:
    """At most one helper result per request: a second press finds this one."""
    return {"pk": request_partition(request_id), "sk": "HELPER"}


def open_queue_of_type(request_type: str) -> str:
    return f"{OPEN_QUEUE}#{request_type}"


def open_queue_entry(created_at: str, request_id: str, request_type: str) -> Key:
    """Present only while the item is open: the queue indexes are sparse. A new item is
    nobody's yet."""
    return {
        "queue_pk": OPEN_QUEUE,
        "queue_type_pk": open_queue_of_type(request_type),
        "assignee_pk": UNASSIGNED,
        "queue_sk": f"{created_at}#{request_id}",
    }


def assigned_to(username: str) -> str:
    """The open items one member of staff has (usernames are case-insensitive in the pool)."""
    return f"QUEUE#ASSIGNED#{username.lower()}"


def archive_partition(month: str) -> str:
    """``month`` is ``yyyy-mm`` of the request's creation."""
    return f"ARCHIVE#{month}"


def archive_entry(created_at: str, request_id: str) -> Key:
    return {"queue_pk": archive_partition(created_at[:7]), "queue_sk": f"{created_at}#{request_id}"}


def queue_moves(created_at: str, request_type: str) -> dict[str, str]:
    """Kept on every request so dismissing and restoring are one write with no read first:
    the update copies these into the queue index attributes."""
    return {"archive_pk": archive_partition(created_at[:7]), "open_type_pk": open_queue_of_type(request_type)}


def patient_items_partition(patient_id: str) -> str:
    return f"PATIENT#{patient_id}"


def patient_request_entry(patient_id: str, created_at: str, request_id: str) -> Key:
    return {"patient_pk": patient_items_partition(patient_id), "patient_sk": f"REQUEST#{created_at}#{request_id}"}


def patient_message_entry(patient_id: str, message_id: str) -> Key:
    return {"patient_pk": patient_items_partition(patient_id), "patient_sk": f"MSG#{message_id}"}


def email_partition(normalised_email: str) -> str:
    return f"EMAIL#{normalised_email}"


def email_entry(normalised_email: str, patient_id: str) -> Key:
    return {"email_pk": email_partition(normalised_email), "email_sk": f"PATIENT#{patient_id}"}


def _initial(name: str) -> str:
    """A folded name's initial, upper case; digits and the like share ``#``."""
    initial = folded(name)[:1]
    return initial.upper() if initial.isalpha() else "#"


def name_partition(last_name: str) -> str:
    """The folded last name's initial; digits and the like share ``#``."""
    return f"NAMES#{_initial(last_name)}"


# A sort key holds at most 1,024 bytes. Folding can lengthen a name (NFKD turns one
# character into up to 18), so each folded name is cut at this many characters: at most
# 4 bytes each, two names, the id and two separators stay well inside the limit.
NAME_KEY_CHARACTERS = 100


def name_sort(last_name: str, first_name: str, patient_id: str) -> str:
    return f"{folded(last_name)[:NAME_KEY_CHARACTERS]}#{folded(first_name)[:NAME_KEY_CHARACTERS]}#{patient_id}"


def name_prefix(typed: str) -> str:
    """What a typed start of a last name matches in ``name_sort`` (cut as the key is)."""
    return folded(typed)[:NAME_KEY_CHARACTERS]


def name_entry(last_name: str, first_name: str, patient_id: str) -> Key:
    return {"name_pk": name_partition(last_name), "name_sk": name_sort(last_name, first_name, patient_id)}


def names_prefix(first: str, then_prefix: str) -> str:
    """What "this whole name, then a name starting so" matches in ``name_sort`` or
    ``first_name_sort``: "Thompson, Av" is ``thompson#av``."""
    return f"{name_prefix(first)}#{name_prefix(then_prefix)}"


def first_name_partition(first_name: str) -> str:
    """The folded first name's initial, as ``name_partition`` is the last name's."""
    return f"FIRSTNAMES#{_initial(first_name)}"


def first_name_sort(first_name: str, last_name: str, patient_id: str) -> str:
    """First, then last name, folded and cut as in ``name_sort``."""
    return f"{name_prefix(first_name)}#{name_prefix(last_name)}#{patient_id}"


def first_name_entry(first_name: str, last_name: str, patient_id: str) -> Key:
    return {
        "first_pk": first_name_partition(first_name),
        "first_sk": first_name_sort(first_name, last_name, patient_id),
    }


def birth_date_partition(date_of_birth: str) -> str:
    """``date_of_birth`` is ISO ``yyyy-mm-dd``; the index sorts it by ``name_sk``."""
    return f"BORN#{date_of_birth}"


def search_entries(last_name: str, first_name: str, date_of_birth: str, patient_id: str) -> Key:
    """Every key the patient search reads: by last name, by first name, by date of birth
    (docs/data-model.md, "Finding a patient")."""
    return {
        **name_entry(last_name, first_name, patient_id),
        **first_name_entry(first_name, last_name, patient_id),
        "born_pk": birth_date_partition(date_of_birth),
    }


ROSTER = "ROSTER"


def status_partition(status: str) -> str:
    return f"{ROSTER}#{status}"


def roster_entry(last_name: str, first_name: str, patient_id: str, status: str) -> Key:
    """On every patient: the whole list, and the list of one portal status."""
    return {
        "roster_pk": ROSTER,
        "roster_sk": name_sort(last_name, first_name, patient_id),
        "status_pk": status_partition(status),
    }


def invitation_partition(state: str) -> str:
    return f"INVITATIONS#{state}"


def invitation_sort(expires_at: int) -> str:
    """Zero-padded epoch seconds: "expired" is a sort-key range, so no sweeper is needed."""
    return f"{expires_at:012d}"


def invitation_entry(state: str, expires_at: int, patient_id: str) -> Key:
    return {
        "invite_pk": invitation_partition(state),
        "invite_sk": f"{invitation_sort(expires_at)}#{patient_id}",
    }


def job(job_id: str) -> Key:
    return {"pk": f"JOB#{job_id}", "sk": "JOB"}


def job_chunk(job_id: str, number: int) -> Key:
    return {"pk": f"JOB#{job_id}", "sk": f"CHUNK#{number:05d}"}


def username(name: str) -> Key:
    return {"pk": f"USERNAME#{name.casefold()}", "sk": "USERNAME"}


def one_time_link(token_sha256: str) -> Key:
    return {"pk": f"TOKEN#{token_sha256}", "sk": "TOKEN"}


def session(refresh_sha256: str) -> Key:
    """A signed-in session, found only by the SHA-256 of its refresh token (the cookie)."""
    return {"pk": f"SESSION#{refresh_sha256}", "sk": "SESSION"}


def staff_partition(username: str) -> str:
    """A staff member's own items; staff usernames do not depend on case (the staff pool)."""
    return f"STAFF#{username.casefold()}"


def staff_member(username: str) -> Key:
    """What the portal keeps of a staff member: when their sign-out was, their last sign-in and
    their authenticator app's last reset (Cognito keeps the rest)."""
    return {"pk": staff_partition(username), "sk": PROFILE}


def rate_window(scope: str, key: str, window: str) -> Key:
    return {"pk": f"RATE#{scope}#{key}#{window}", "sk": "RATE"}


def outbox(entry_id: str) -> Key:
    return {"pk": f"OUTBOX#{entry_id}", "sk": "OUTBOX"}


def audit(patient_id: str, at: str, entry_id: str) -> Key:
    return {"pk": f"PATIENT#{patient_id}", "sk": f"AUDIT#{at}#{entry_id}"}


def list_view(window: str, view: str, staff_username: str, shown_digest: str) -> Key:
    """Which patients a page of a staff list showed, per hour (``window`` is its start): one
    item per staff member, list and set of patients shown, so refreshing a page that shows
    the same patients within the hour finds its item already there."""
    return {"pk": f"SEEN#{window[:13]}", "sk": f"{view}#{staff_username}#{shown_digest}"}


def administrators_lease() -> Key:
    """Held while a change that could leave no administrator is made (usernames have no ``#``,
    so no member's partition is this one)."""
    return {"pk": "STAFF_ADMINISTRATORS", "sk": "LEASE"}


def staff_audit(username: str, at: str, entry_id: str) -> Key:
    """An audit entry about a staff member's account (an admin's reset of their second factor)."""
    return {"pk": staff_partition(username), "sk": f"AUDIT#{at}#{entry_id}"}


# The practice's own items share one partition: its settings, its saved replies (and their
# count, which keeps the list within its limit), and the audit entries of their changes.
PRACTICE = "PRACTICE"
SAVED_REPLY_PREFIX = "REPLY#"


def practice_settings() -> Key:
    return {"pk": PRACTICE, "sk": "SETTINGS"}


def saved_reply(reply_id: str) -> Key:
    """Reply ids are time-ordered (``ids.time_ordered_id``), so the list reads oldest first."""
    return {"pk": PRACTICE, "sk": f"{SAVED_REPLY_PREFIX}{reply_id}"}


def saved_reply_count() -> Key:
    """How many saved replies there are: not under ``REPLY#``, so the list never reads it."""
    return {"pk": PRACTICE, "sk": "REPLY_COUNT"}


def practice_audit(at: str, entry_id: str) -> Key:
    """An audit entry about the practice's settings or saved replies (no patient's data)."""
    return {"pk": PRACTICE, "sk": f"AUDIT#{at}#{entry_id}"}


def username_entry(name: str, patient_id: str) -> dict[str, str]:
    """The stored username item: the typed name (lower-cased in the key) -> the patient."""
    return {**username(name), "kind": "username", "patient_id": patient_id}


# The attributes that make up a page cursor, for the table and for each index.
CURSOR_ATTRIBUTES: dict[str | None, tuple[str, ...]] = {
    None: ("pk", "sk"),
    "Queue": ("pk", "sk", "queue_pk", "queue_sk"),
    "QueueByType": ("pk", "sk", "queue_type_pk", "queue_sk"),
    "QueueByAssignee": ("pk", "sk", "assignee_pk", "queue_sk"),
    "PatientItems": ("pk", "sk", "patient_pk", "patient_sk"),
    "PatientsByEmail": ("pk", "sk", "email_pk", "email_sk"),
    "PatientsByName": ("pk", "sk", "name_pk", "name_sk"),
    "PatientsByFirstName": ("pk", "sk", "first_pk", "first_sk"),
    "PatientsByBirthDate": ("pk", "sk", "born_pk", "name_sk"),
    "Roster": ("pk", "sk", "roster_pk", "roster_sk"),
    "RosterByStatus": ("pk", "sk", "status_pk", "roster_sk"),
    "StatusCounts": ("pk", "sk", "status_pk", "roster_sk"),
    "InvitationStates": ("pk", "sk", "invite_pk", "invite_sk"),
}
