"""Checks a site written by `convene publish` with independent tools and prints what it found as JSON.

usage: check_site.py SITE_DIR [--browser CHROMIUM --page NAME --width W --height H]

Feeds (*.ics): raw bytes (CRLF, 75-octet lines, no METHOD, no ATTENDEE), then Python's icalendar (every
component's .errors), TZID <-> VTIMEZONE, and the events (UID, start, end, summary, URL).
Pages (*.html): html5lib with errors collected (strict parse), duplicate ids, tables and their captions, h1s,
lang, scripts and external assets, the table rows and the history items.
With --browser: Chromium headless takes a screenshot of the page (PNG decoded here: size and how many pixels
differ from the background) and dumps the DOM (returned as text).
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

import html5lib
import icalendar


def check_feed(path):
    raw = open(path, "rb").read()
    problems = []
    if not raw.endswith(b"\r\n"):
        problems.append("does not end with CRLF")
    lines = raw.split(b"\r\n")[:-1]
    for number, line in enumerate(lines, 1):
        if b"\n" in line or b"\r" in line:
            problems.append(f"line {number}: bare LF or CR")
        if len(line) > 75:
            problems.append(f"line {number}: {len(line)} octets")
    unfolded = []
    for line in lines:
        if line.startswith(b" ") and unfolded:
            unfolded[-1] += line[1:]
        else:
            unfolded.append(line)
    names = [line.split(b":", 1)[0].split(b";", 1)[0].decode() for line in unfolded]
    calendar_lines = [line.decode() for line in unfolded]
    if "METHOD" in names:
        problems.append("has a METHOD")
    if "ATTENDEE" in names:
        problems.append("has an ATTENDEE")
    calendar = icalendar.Calendar.from_ical(raw)
    for component in calendar.walk():
        for error in getattr(component, "errors", []):
            problems.append(f"{component.name}: {error}")
    zones = {str(c["TZID"]) for c in calendar.walk("VTIMEZONE")}
    events = []
    for event in calendar.walk("VEVENT"):
        for key in ("DTSTART", "DTEND"):
            tzid = event[key].params.get("TZID")
            if tzid and tzid not in zones:
                problems.append(f"{event['UID']}: TZID {tzid} without VTIMEZONE")
        events.append({
            "uid": str(event["UID"]),
            "start": event.decoded("DTSTART").isoformat(),
            "end": event.decoded("DTEND").isoformat(),
            "summary": str(event["SUMMARY"]),
            "url": str(event["URL"]) if "URL" in event else None,
            "status": str(event.get("STATUS", "")),
        })
    head = [line for line in calendar_lines if not line.startswith((" ",))]
    return {
        "problems": problems,
        "events": events,
        "refresh": [line for line in head if line.startswith("REFRESH-INTERVAL")],
        "ttl": [line for line in head if line.startswith("X-PUBLISHED-TTL")],
        "vtimezones": len(zones),
    }


def text(element):
    return " ".join(" ".join(element.itertext()).split())


def check_page(path):
    parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
    document = parser.parse(open(path, "rb"), transport_encoding="utf-8")
    errors = [f"{line}:{col}: {code} {data}" for (line, col), code, data in parser.errors]
    ids = [e.get("id") for e in document.iter() if e.get("id") is not None]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    tables = document.findall(".//table")
    uncaptioned = [i for i, t in enumerate(tables) if len(t) == 0 or t[0].tag != "caption" or not text(t[0])]
    external = []
    for element in document.iter():
        for attribute in ("src", "href"):
            value = element.get(attribute) or ""
            if element.tag in ("link", "script", "img", "iframe") and value.startswith(("http:", "https:", "//")):
                external.append(f"<{element.tag} {attribute}={value}>")
    rows = []
    for table in tables:
        for row in table.findall("./tbody/tr"):
            rows.append([text(cell) for cell in row])
    history = [text(item) for item in document.iter("li") if "app-c-published-dates__change-item" in (item.get("class") or "")]
    links = [{"text": text(a), "href": a.get("href")} for a in document.iter("a")]
    return {
        "errors": errors,
        "duplicate_ids": duplicates,
        "tables": len(tables),
        "uncaptioned_tables": uncaptioned,
        "captions": [text(t[0]) for t in tables if len(t) and t[0].tag == "caption"],
        "h1": [text(h) for h in document.iter("h1")],
        "lang": document.get("lang"),
        "scripts": len(document.findall(".//script")),
        "external": external,
        "rows": rows,
        "history": history,
        "details": len(document.findall(".//details")),
        "links": links,
        "text": text(document),
    }


def png_pixels(path):
    """Width, height and the RGB(A) rows of an 8-bit PNG (all filter types)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    offset, idat, width = 8, b"", None
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), f"unexpected PNG format {depth}/{colour}"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[x] = (line[x] + predictor) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, channels, rows


def browse(chromium, page, width, height):
    folder = tempfile.mkdtemp(prefix="convene-chromium-")
    shot = os.path.join(folder, "page.png")
    common = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
              f"--user-data-dir={folder}/profile", f"--window-size={width},{height}"]
    url = "file://" + os.path.abspath(page)
    subprocess.run(common + [f"--screenshot={shot}", url], check=True, capture_output=True, timeout=120)
    dom = subprocess.run(common + ["--dump-dom", url], check=True, capture_output=True, timeout=120).stdout.decode()
    w, h, channels, rows = png_pixels(shot)
    counts = {}
    for row in rows[::4]:
        for x in range(0, len(row), channels * 4):
            pixel = row[x:x + channels]
            counts[pixel] = counts.get(pixel, 0) + 1
    sampled = sum(counts.values())
    background = max(counts.values())
    return {"width": w, "height": h, "differing_fraction": (sampled - background) / sampled, "colours": len(counts),
            "dom": dom}


def main():
    site = sys.argv[1]
    args = sys.argv[2:]
    result = {"feeds": {}, "pages": {}}
    for name in sorted(os.listdir(site)):
        path = os.path.join(site, name)
        if name.endswith(".ics"):
            result["feeds"][name] = check_feed(path)
        elif name.endswith(".html"):
            result["pages"][name] = check_page(path)
    if "--browser" in args:
        option = lambda key: args[args.index(key) + 1]
        result["browser"] = browse(
            option("--browser"), os.path.join(site, option("--page")), int(option("--width")), int(option("--height")))
    json.dump(result, sys.stdout)


main()
