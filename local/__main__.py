"""``make run``: the whole portal on this machine, with demo data. Ctrl-C stops it all."""

from __future__ import annotations

import os
import signal
import time

from local.demo_data import PATIENT_LOGINS, SAMPLE_IMPORT, STAFF_LOGINS
from local.runtime import Runtime


def banner(runtime: Runtime, seconds: float) -> str:
    lines = [
        f"Patient portal running locally (started in {seconds:.1f} s). Ctrl-C stops everything.",
        "",
        f"  Staff queue      {runtime.url}/staff/",
        f"  Onboarding tool  {runtime.url}/staff/onboarding",
        f"  Staff accounts   {runtime.url}/staff/accounts   (administrators)",
        f"  Settings         {runtime.url}/staff/settings   (administrators: hours, overdue wait, saved replies)",
        f"  Patient portal   {runtime.url}/portal/",
        f"  API              {runtime.url}/api/",
        f"  Mailbox          {runtime.url}/_dev/mail   (JSON: {runtime.url}/_dev/mail.json)",
        f"  Authenticator    {runtime.url}/_dev/totp   (JSON: {runtime.url}/_dev/totp.json)",
        f"  AWS emulator     http://127.0.0.1:{runtime.emulator_port}",
        "",
        "  Demo logins (invented people):",
    ]
    for login in (*STAFF_LOGINS, *PATIENT_LOGINS):
        lines.append(f"    {login.who:8} {login.username:14} {login.password:26} {login.note}")
    lines += [
        "",
        "  The first administrator, as a new stack has it on AWS:",
        "    staff    admin          its invitation email, with a temporary password, is in the mailbox;",
        "                            the first sign-in sets a new password and enrols an authenticator app",
        "",
        "  Staff sign-ins then ask for an authenticator-app code: the demo staff are enrolled with",
        f"  the emulator's one secret, and {runtime.url}/_dev/totp shows its current code (the",
        "  same for every staff member; a member you add enrols at their first sign-in).",
    ]
    sample = SAMPLE_IMPORT.relative_to(SAMPLE_IMPORT.parents[1])
    lines += ["", f"  A patient list to import (as manager, on the onboarding page; docs/import.md): {sample}"]
    return "\n".join(lines)


def main() -> None:
    started = time.monotonic()
    runtime = Runtime(
        port=int(os.environ.get("PORT", "3000")),
        emulator_port=int(os.environ.get("EMULATOR_PORT", "0")),
        demo_data=os.environ.get("DEMO_DATA", "1") != "0",
    )
    # Ctrl-C and SIGTERM are held back from here on (every thread started below inherits
    # this) and taken by sigwait once everything runs, so one that arrives early is kept
    # pending, not lost. (A handler that set a threading.Event could deadlock: it runs in
    # the main thread, which may be inside that Event's own lock in wait().)
    stopping = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stopping)
    runtime.start()
    print(banner(runtime, time.monotonic() - started), flush=True)
    print("READY", runtime.url, flush=True)  # Ctrl-C from here on stops everything cleanly
    signal.sigwait(stopping)
    runtime.stop()
    print("Stopped.", flush=True)


if __name__ == "__main__":
    main()
