#!/usr/bin/env python3
"""Writes config/hosted/: the shipped example with the Directors' breakfast as a hosted series, and a roster big
enough that its tables must rotate (the example's people plus generated Directors). Deterministic: run it again and
the files come out byte for byte the same, so they are committed.

usage: gen_hosted_example.py [ROOT]   (ROOT: the repository, default the current folder)
"""
import csv
import io
import os
import random
import sys

EXTRA_DIRECTORS = 80
NEW_DEPARTMENTS = ["Department for Business and Trade", "Department for Science, Innovation and Technology",
                   "Department for Culture, Media and Sport", "Ministry of Housing, Communities and Local Government",
                   "Northern Ireland Office", "Office of the Advocate General"]
FIRST = ["Amara", "Ben", "Catherine", "David", "Eleanor", "Farid", "Grace", "Hamish", "Imogen", "James", "Kiran",
         "Laura", "Mohammed", "Niamh", "Oliver", "Priya", "Rhys", "Sophie", "Tomasz", "Zoë"]
LAST = ["Adeyemi", "Bennett", "Campbell", "Davies", "Evans", "Fraser", "Hughes", "Iqbal", "Khan", "Lewis", "O'Neill",
        "Patel", "Roberts", "Stewart", "Thomas", "Walsh", "Young", "Zhang", "Nwosu", "Okafor"]

HOSTED = """  - id: directors-breakfast
    title: "Breakfast with a Permanent Secretary: Leading Through Change"
    forums: [directors]
    start: 2027-02-12 08:00
    duration: 1h30m
    repeat: every 2 weeks for 8 times
    location: 70 Whitehall, London SW1A 2AS
    description: |
      A small, informal breakfast for up to twelve Directors, hosted by a Permanent Secretary.
    capacity: 12                   # places per breakfast, the host not counted
    hosts: [permanent-secretaries] # each breakfast's host is drawn from this forum; no one hosts twice
    mix: department                # one Director per department at a table, none from the host's
    offer: 48h                     # a declined place is offered to the next Director for 48 hours
    invite: 21 days before at 09:00
    offers_close: 2 days before
"""


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    config = open(os.path.join(root, "config/convene.yaml"), encoding="utf-8").read()
    start = config.index("  - id: directors-breakfast\n")
    end = config.index("  - id: cslg-leadership-day\n")
    config = config[:start] + HOSTED + "\n" + config[end:]
    config = config.replace(
        "# convene rules file: the example programme of the cross-government leadership networks.\n",
        "# convene rules file: the example programme with the Directors' breakfast as a hosted series.\n"
        "# Written by scripts/lib/gen_hosted_example.py from config/convene.yaml; edit that script, not this file.\n")
    config = config.replace("  roster: roster.csv\n", "  roster: roster.csv                 # the example's people and 80 more Directors\n")
    config = config.replace("  templates: templates\n", "  templates: ../templates\n")
    config = config.replace("  holidays: holidays-england-and-wales.txt", "  holidays: ../holidays-england-and-wales.txt")
    config = config.replace(
        "  - id: directors\n",
        "  - id: permanent-secretaries\n    name: Permanent Secretaries\n    grades: [PS]\n  - id: directors\n")
    for needed in ("capacity: 12", "../templates", "../holidays", "permanent-secretaries\n    name"):
        assert needed in config, needed

    rows = list(csv.reader(open(os.path.join(root, "config/roster.csv"), encoding="utf-8", newline="")))
    header, people = rows[0], rows[1:]
    departments = sorted({r[header.index("department")] for r in people
                          if r[header.index("grade")] == "SCS2"}) + NEW_DEPARTMENTS
    rng = random.Random(2027)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(people)
    for i in range(EXTRA_DIRECTORS):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        row = {name: "" for name in header}
        row.update({
            "employee_id": f"E09{i:03d}", "email": f"director{i:03d}@example.gov.uk", "name": f"{first} {last}",
            "grade": "SCS2", "department": departments[i % len(departments)],
        })
        writer.writerow([row[name] for name in header])
    folder = os.path.join(root, "config/hosted")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "convene.yaml"), "w", encoding="utf-8") as f:
        f.write(config)
    with open(os.path.join(folder, "roster.csv"), "w", encoding="utf-8", newline="") as f:
        f.write(out.getvalue())


if __name__ == "__main__":
    main()
