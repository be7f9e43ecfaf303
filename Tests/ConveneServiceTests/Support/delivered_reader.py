#!/usr/bin/env python3
"""Reads what smtp_server.py saved for the service tests (Support/DeliveredMail.swift) with Python's `email`.

Starting Python costs more than most reads, so the tests keep a few of these running (ConveneTesting's
PythonValidator) and send each read to one over stdin/stdout, in validator.py's protocol:

    request:   `delivered 2` LF, then twice `LENGTH` LF and LENGTH bytes: the server's --outdir, and `full` or
               `headers` (headers only: several times faster, for counting thousands of messages)
    response:  one line of JSON: a list with one object per saved message, in arrival order;
               or {"error": "…"} (the client fails the test with it)

Every read runs in a fresh forked child, so no state is shared between reads; the parent waits for it and relays its
answer, so a child that dies becomes an error answer, never a hang or a zombie. It exits at end-of-file on stdin.
"""
import email
import email.parser
import email.policy
import email.utils
import json
import os
import sys
# The request protocol, shared by every long-lived helper: Tests/ConveneTesting/request_pool.py.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "ConveneTesting"))
from request_pool import serve  # noqa: E402


def read_delivered(outdir: str, headers_only: bool) -> list:
    results = []
    path = os.path.join(outdir, "messages.jsonl")
    with open(path) if os.path.exists(path) else open(os.devnull) as log:
        entries = [json.loads(line) for line in log.read().splitlines()]
    for entry in entries:
        with open(os.path.join(outdir, entry["file"]), "rb") as file:
            raw = file.read()
        calendar = {}
        if headers_only:
            message = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
            problems = []
        else:
            message = email.message_from_bytes(raw, policy=email.policy.default)
            problems = [repr(d) for d in message.defects]
            for part in message.walk():
                problems += [repr(d) for d in part.defects]
                if part.get_content_type() == "text/calendar":
                    text = part.get_payload(decode=True).decode("utf-8").replace("\r\n ", "")
                    for line in text.split("\r\n"):
                        name, _, value = line.partition(":")
                        if name in ("METHOD", "UID", "SEQUENCE") and name not in calendar:
                            calendar[name] = value
        if message["Date"] is None:
            problems.append("no Date header")
        head = raw.split(b"\r\n\r\n", 1)[0]
        if any(b > 127 for b in head):
            problems.append("8-bit header bytes")
        if raw.replace(b"\r\n", b"").find(b"\n") >= 0:
            problems.append("bare LF")
        addresses = [
            a.lower()
            for _, a in email.utils.getaddresses([str(v) for k in ("To", "Cc") for v in (message.get_all(k) or [])])
        ]
        results.append(
            {
                "file": entry["file"],
                "message_id": (message["Message-ID"] or "").strip().strip("<>"),
                "header_recipients": sorted(addresses),
                "envelope_recipients": sorted(a.lower() for a in entry["rcpt_tos"]),
                "subject": str(message["Subject"] or ""),
                "problems": problems,
                "calendar": calendar,
            }
        )
    return results


def handle(kind: str, items: list):
    if kind == "delivered" and len(items) == 2 and items[1] in (b"full", b"headers"):
        return read_delivered(items[0].decode("utf-8"), items[1] == b"headers")
    return {"error": f"unknown request {kind} {len(items)}"}

if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer, handle, fork=True)
