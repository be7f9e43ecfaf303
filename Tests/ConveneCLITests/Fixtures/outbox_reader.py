#!/usr/bin/env python3
"""Reads dry-run outboxes for the CLI tests (Support/Outbox.swift) with Python's `email` and `icalendar`.

Starting Python and importing `email` and `icalendar` costs far more than reading an outbox, so the tests keep a few
of these running (ConveneTesting's PythonValidator) and send each read to one over stdin/stdout, in validator.py's
protocol:

    request:   `outbox 1` LF, `LENGTH` LF and LENGTH bytes: the outbox directory's path
    response:  one line of JSON: a list with one object per .eml, in file-name order;
               or {"error": "…"} (the client fails the test with it)

The modules are imported once here, but every read runs in a fresh forked child: `icalendar` keeps per-process
caches (time zones), and a read must never see what an earlier, unrelated read left in them. The parent waits for
the child and relays its answer, so a child that dies becomes an error answer, never a hang or a zombie. It exits at
end-of-file on stdin (the test process closed the pipe or ended).
"""
import datetime
import email
import email.policy
import email.utils
import hashlib
import os
import sys

import icalendar
# The request protocol, shared by every long-lived helper: Tests/ConveneTesting/request_pool.py.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "ConveneTesting"))
from request_pool import serve  # noqa: E402


def listify(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def read_outbox(outdir: str) -> list:
    results = []
    for name in sorted(os.listdir(outdir)):
        if not name.endswith(".eml"):
            continue
        with open(os.path.join(outdir, name), "rb") as file:
            message = email.message_from_bytes(file.read(), policy=email.policy.default)
        plain, event, files = "", None, []
        for part in message.walk():
            if part.get_filename() and part.get_filename() != "invite.ics":
                files.append(
                    {
                        "filename": part.get_filename(),
                        "contentType": part.get_content_type(),
                        "disposition": part.get_content_disposition() or "",
                        "sha256": hashlib.sha256(part.get_payload(decode=True)).hexdigest(),
                    }
                )
            if part.get_content_type() == "text/plain":
                plain = part.get_content()
            elif part.get_content_type() == "text/calendar":
                calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
                for component in calendar.walk("VEVENT"):

                    def get(key, component=component):
                        return str(component.get(key)) if component.get(key) is not None else None

                    event = {
                        "method": str(calendar.get("METHOD")),
                        "uid": get("UID"),
                        "sequence": int(component.get("SEQUENCE", 0)),
                        "start": component.decoded("DTSTART").astimezone(datetime.timezone.utc).isoformat(),
                        "status": get("STATUS"),
                        "summary": get("SUMMARY"),
                        "location": get("LOCATION"),
                        "description": get("DESCRIPTION"),
                        "url": get("URL"),
                        "conference": [str(c) for c in listify(component.get("CONFERENCE"))],
                        "attendees": [str(a).lower().removeprefix("mailto:") for a in listify(component.get("ATTENDEE"))],
                    }
        addresses = lambda key: sorted(  # noqa: E731
            a.lower() for _, a in email.utils.getaddresses([str(v) for v in (message.get_all(key) or [])])
        )
        results.append(
            {
                "file": name,
                "messageID": (message["Message-ID"] or "").strip().strip("<>"),
                "subject": str(message["Subject"] or ""),
                "to": addresses("To"),
                "cc": addresses("Cc"),
                "plain": plain,
                "event": event,
                "attachments": files,
            }
        )
    return results


def handle(kind: str, items: list):
    if kind == "outbox" and len(items) == 1:
        return read_outbox(items[0].decode("utf-8"))
    return {"error": f"unknown request {kind} {len(items)}"}

if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer, handle, fork=True)
