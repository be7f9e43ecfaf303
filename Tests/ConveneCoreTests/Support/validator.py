#!/usr/bin/env python3
"""One long-lived validator for a whole test run: check_message.py and check_ical.py behind a small protocol.

Starting Python and importing `email` and `icalendar` costs far more than a check, so the Swift tests start this
once (ConveneTesting's PythonValidator) and send every check to it over stdin/stdout:

    request:   KIND SP COUNT LF, then COUNT times: LENGTH LF and LENGTH bytes
               KIND is `message` (COUNT is 1: one .eml) or `ical` (one .ics per item)
    response:  one line of JSON, then LF. `message`: check_message's findings; `ical`: {"files": [findings…]};
               a request the validator cannot serve: {"error": "…"} (the client fails the test with it)

It exits at end-of-file on stdin (the test process closed the pipe or ended).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_ical import inspect_ics  # noqa: E402
from check_message import byte_facts, default_facts, strict_facts  # noqa: E402
# The request protocol, shared by every long-lived helper: Tests/ConveneTesting/request_pool.py.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "ConveneTesting"))
from request_pool import serve  # noqa: E402


def message_facts(data: bytes) -> dict:
    facts = byte_facts(data)
    facts.update(strict_facts(data))
    facts.update(default_facts(data))
    return facts


def handle(kind: str, items: list):
    if kind == "message" and len(items) == 1:
        return message_facts(items[0])
    if kind == "ical":
        return {"files": [dict(file=f"invite-{i}.ics", **inspect_ics(d)) for i, d in enumerate(items)]}
    return {"error": f"unknown request {kind} {len(items)}"}

if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer, handle)
