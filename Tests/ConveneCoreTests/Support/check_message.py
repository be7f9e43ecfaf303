#!/usr/bin/env python3
"""Validate a message written by convene with Python's `email` package and direct byte checks.

Usage: check_message.py FILE.eml   Prints one JSON object of findings for the Swift tests to assert on.
`email.policy.strict` misses a missing Date, raw 8-bit headers and injected headers, so those are
checked on the bytes here. Calendar parts are passed to check_ical.inspect_ics.
"""
import email
import email.policy
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_ical import inspect_ics  # noqa: E402

ENCODED_WORD = re.compile(rb"=\?[^?\s]+\?[QqBb]\?[^?\s]*\?=")


def header_block(data: bytes) -> bytes:
    end = data.find(b"\r\n\r\n")
    return data[: end + 2] if end >= 0 else data


def header_names(block: bytes) -> list:
    return [line.split(b":", 1)[0].decode("ascii", "replace") for line in block.split(b"\r\n") if line and line[:1] not in b" \t"]


def quoted_strings(unfolded: bytes) -> list:
    return re.findall(rb'"(?:[^"\\]|\\.)*"', unfolded)


def byte_facts(data: bytes) -> dict:
    lines = data.split(b"\r\n")
    headers = header_block(data)
    all_header_lines = []  # top-level and part headers: every line up to a blank line after a boundary
    body_lines = []
    in_headers = True
    for line in lines:
        if in_headers:
            if line == b"":
                in_headers = False
            else:
                all_header_lines.append(line)
        elif line.startswith(b"--"):
            in_headers = True
        else:
            body_lines.append(line)
    unfolded = re.sub(rb"\r\n[ \t]", b" ", headers)
    words = ENCODED_WORD.findall(headers)
    return {
        "seven_bit": all(b < 128 for b in data),
        "bare_lf": len(re.findall(rb"(?<!\r)\n", data)),
        "bare_cr": len(re.findall(rb"\r(?!\n)", data)),
        "nul_or_controls": sum(1 for b in data if (b < 32 and b not in (9, 10, 13)) or b == 127),
        "ends_with_crlf": data.endswith(b"\r\n"),
        "max_line": max(len(line) for line in lines),
        "max_header_line": max(len(line) for line in all_header_lines),
        "max_body_line": max((len(line) for line in body_lines), default=0),
        "header_names": header_names(headers),
        "encoded_words": [w.decode("ascii") for w in words],
        "max_encoded_word": max((len(w) for w in words), default=0),
        "encoded_word_in_quotes": any(b"=?" in q for q in quoted_strings(unfolded)),
        "dot_stuffed_lines": sum(1 for line in lines if line.startswith(b"..")),
    }


def strict_facts(data: bytes) -> dict:
    try:
        message = email.message_from_bytes(data, policy=email.policy.strict)
        for name, value in message.items():
            str(value)
        for part in message.walk():
            for name, value in part.items():
                str(value)
            if not part.is_multipart():
                part.get_content()
        return {"strict_error": None}
    except Exception as error:
        return {"strict_error": repr(error)}


def addresses(message, name):
    header = message[name]
    if header is None:
        return None
    return [{"name": a.display_name, "address": a.addr_spec} for a in header.addresses]


def structure(part) -> str:
    if part.is_multipart():
        return part.get_content_type() + "(" + ",".join(structure(p) for p in part.iter_parts()) + ")"
    return part.get_content_type()


def default_facts(data: bytes) -> dict:
    message = email.message_from_bytes(data, policy=email.policy.default)
    defects = [repr(d) for d in message.defects]
    for name, value in message.items():
        defects += [f"{name}: {d!r}" for d in getattr(value, "defects", [])]
    parts = []
    for part in message.walk():
        defects += [repr(d) for d in part.defects]
        if part is message:
            continue
        for name, value in part.items():
            defects += [f"{name}: {d!r}" for d in getattr(value, "defects", [])]
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        facts = {
            "type": part.get_content_type(),
            "params": {k: v for k, v in part.get_params()[1:]},
            "transfer_encoding": part.get("Content-Transfer-Encoding"),
            "disposition": part.get_content_disposition(),
            "filename": part.get_filename(),
            "header_names": list(part.keys()),
            "text": payload.decode("utf-8"),
        }
        if facts["type"] in ("text/calendar", "application/ics"):
            facts["ical"] = inspect_ics(payload)
        parts.append(facts)
    return {
        "defects": defects,
        "from": addresses(message, "From"),
        "to": addresses(message, "To"),
        "cc": addresses(message, "Cc"),
        "reply_to": addresses(message, "Reply-To"),
        "subject": str(message["Subject"]) if message["Subject"] is not None else None,
        "date": message["Date"].datetime.isoformat() if message["Date"] is not None else None,
        "message_id": str(message["Message-ID"]) if message["Message-ID"] is not None else None,
        "mime_version": str(message["MIME-Version"]) if message["MIME-Version"] is not None else None,
        "auto_submitted": str(message["Auto-Submitted"]) if message["Auto-Submitted"] is not None else None,
        "structure": structure(message),
        "parts": parts,
    }


def main(path):
    data = open(path, "rb").read()
    facts = byte_facts(data)
    facts.update(strict_facts(data))
    facts.update(default_facts(data))
    print(json.dumps(facts))


if __name__ == "__main__":
    main(sys.argv[1])
