#!/usr/bin/env python3
"""Validate iCalendar objects written by convene with the real `icalendar` (7.x) parser.

Usage: check_ical.py FILE.ics...   Prints one JSON object: {"files": [findings, ...]}.
The Swift tests assert on the findings; this script only reports facts, it decides nothing.
"""
import copy
import datetime
import json
import re
import sys
import zoneinfo

import icalendar

UTC = datetime.timezone.utc


def raw_line_facts(data: bytes) -> dict:
    """Checks on the octets that icalendar would silently accept."""
    bare_lf = len(re.findall(rb"(?<!\r)\n", data))
    bare_cr = len(re.findall(rb"\r(?!\n)", data))
    physical = data.split(b"\r\n")
    if physical and physical[-1] == b"":
        physical = physical[:-1]
    try:
        data.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    # Every physical line must itself be valid UTF-8: a fold inside a sequence breaks this.
    split_sequences = 0
    for line in physical:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            split_sequences += 1
    unfolded = data.replace(b"\r\n ", b"").replace(b"\r\n\t", b"").split(b"\r\n")
    names = [re.split(rb"[;:]", line, maxsplit=1)[0].decode("ascii", "replace") for line in unfolded if line]
    return {
        "bare_lf": bare_lf,
        "bare_cr": bare_cr,
        "ends_with_crlf": data.endswith(b"\r\n"),
        "utf8": utf8,
        "split_utf8_lines": split_sequences,
        "max_line_octets": max((len(line) for line in physical), default=0),
        "empty_continuations": sum(1 for line in physical if line in (b" ", b"\t")),
        "content_line_names": names,
    }


def ical_text(value) -> str:
    """A property value as it was written (vRecur and friends print differently through str())."""
    text = value.to_ical() if hasattr(value, "to_ical") else value
    return text.decode("utf-8") if isinstance(text, bytes) else str(text)


def iso(value):
    return value.isoformat() if value is not None else None


def event_facts(event, own_zones: dict) -> dict:
    facts = {"properties": [name for name, _ in event.property_items(recursive=False)][1:-1]}
    for key in ("UID", "STATUS", "SUMMARY", "LOCATION", "DESCRIPTION", "URL", "TRANSP"):
        facts[key.lower()] = str(event[key]) if key in event else None
    conference = event.get("CONFERENCE")
    if isinstance(conference, list):  # several show in content_line_names; the tests count them there
        conference = conference[0]
    facts["conference"] = {"value": str(conference), "params": dict(conference.params)} if conference else None
    facts["sequence"] = int(event["SEQUENCE"]) if "SEQUENCE" in event else None
    facts["dtstamp"] = iso(event.decoded("DTSTAMP")) if "DTSTAMP" in event else None
    organizer = event.get("ORGANIZER")
    facts["organizer"] = {"value": str(organizer), "cn": organizer.params.get("CN")} if organizer else None
    attendees = event.get("ATTENDEE", [])
    if not isinstance(attendees, list):
        attendees = [attendees]
    facts["attendees"] = [{"value": str(a), "params": dict(a.params)} for a in attendees]
    for key in ("DTSTART", "DTEND"):
        if key not in event:
            continue
        prop = event[key]
        value = prop.dt
        tzid = prop.params.get("TZID")
        # The instant by the VTIMEZONE that travels with the object (not icalendar's zoneinfo lookup).
        if tzid is not None and tzid in own_zones:
            own = value.replace(tzinfo=None).replace(tzinfo=own_zones[tzid]).astimezone(UTC)
        elif value.tzinfo is not None:
            own = value.astimezone(UTC)
        else:
            own = None
        facts[key.lower() + "_utc"] = iso(own)
        facts[key.lower() + "_tzid"] = tzid
        facts[key.lower() + "_local"] = value.replace(tzinfo=None).isoformat()
    return facts


def zone_mismatches(tzid: str, own, year: int) -> dict:
    """Compare the offsets of our VTIMEZONE with the system tzdata every 3 hours over the event's year
    and the two after it."""
    try:
        reference = zoneinfo.ZoneInfo(tzid)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return {"tzid": tzid, "compared": 0, "mismatches": []}
    start = datetime.datetime(year, 1, 1, tzinfo=UTC)
    mismatches = []
    compared = 0
    for step in range(0, 3 * 366 * 8):
        instant = start + datetime.timedelta(hours=3 * step)
        compared += 1
        ours = instant.astimezone(own).utcoffset()
        theirs = instant.astimezone(reference).utcoffset()
        if ours != theirs and len(mismatches) < 5:
            mismatches.append({"utc": instant.isoformat(), "ours": str(ours), "tzdata": str(theirs)})
    return {"tzid": tzid, "compared": compared, "mismatches": mismatches}


# zone_mismatches' findings by (TZID, the VTIMEZONE's bytes, year): a pure function of those, and by far the
# costliest check (about 17,500 conversions through dateutil); a long-lived validator.py sees the same zone in most
# calendars it checks, so it compares each distinct one once and answers the same findings for the others.
_zone_checks = {}


def zone_check(tzid: str, vtimezone, own, year: int) -> dict:
    """zone_mismatches(tzid, own, year), remembered for a VTIMEZONE with the same bytes and year."""
    key = (tzid, vtimezone.to_ical(), year)
    if key not in _zone_checks:
        _zone_checks[key] = zone_mismatches(tzid, own, year)
    return copy.deepcopy(_zone_checks[key])


def inspect_ics(data: bytes) -> dict:
    facts = raw_line_facts(data)
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except Exception as error:  # a parse failure is a finding, not a crash
        facts["parse_error"] = repr(error)
        return facts
    facts["parse_error"] = None
    components = list(calendar.walk())
    facts["components"] = [c.name for c in components]
    facts["errors"] = [{"component": c.name, "errors": [repr(e) for e in c.errors]} for c in components if c.errors]
    facts["method"] = str(calendar.get("METHOD")) if "METHOD" in calendar else None
    facts["calendar_properties"] = {k: str(v) for k, v in calendar.property_items(recursive=False)[1:-1]}
    used = set(re.findall(r";TZID=(\"[^\"]*\"|[^;:]*)", data.decode("utf-8", "replace").replace("\r\n ", "")))
    facts["tzids_used"] = sorted(t.strip('"') for t in used)
    own_zones = {}
    vtimezones = {}
    facts["vtimezones"] = []
    for vtimezone in calendar.walk("VTIMEZONE"):
        tzid = str(vtimezone["TZID"])
        facts["vtimezones"].append(
            {
                "tzid": tzid,
                "subcomponents": [
                    {
                        "name": sub.name,
                        **{k.lower(): ical_text(v) for k, v in sub.property_items(recursive=False)[1:-1]},
                    }
                    for sub in vtimezone.subcomponents
                ],
            }
        )
        own_zones[tzid] = vtimezone.to_tz(lookup_tzid=False)
        vtimezones[tzid] = vtimezone
    facts["events"] = [event_facts(event, own_zones) for event in calendar.walk("VEVENT")]
    year = None
    if facts["events"] and facts["events"][0].get("dtstart_local"):
        year = int(facts["events"][0]["dtstart_local"][:4])
    facts["zone_checks"] = [zone_check(tzid, vtimezones[tzid], tz, year) for tzid, tz in own_zones.items()] if year else []
    return facts


def main(paths):
    print(json.dumps({"files": [dict(file=p, **inspect_ics(open(p, "rb").read())) for p in paths]}))


if __name__ == "__main__":
    main(sys.argv[1:])
