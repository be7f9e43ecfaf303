#!/usr/bin/env python3
"""The baseline scripts/bench compares convene with: the invitation job written the way an admin would.

usage: naive_sender.py ROSTER.csv COUNT --port P --journal FILE [--host H]

Reads the roster, and for each of the first COUNT people renders an invitation with the standard `email`
package (plain text and HTML alternatives, the calendar inline and as an .ics attachment, built with the
`icalendar` package), sends it over one reused `smtplib` connection, and appends + fsyncs one JSON line per
message to the journal. Prints `sent=N average_bytes=B` on success; any SMTP refusal stops it with exit status 1.
"""
import csv
import datetime
import json
import os
import smtplib
import sys
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from zoneinfo import ZoneInfo

import icalendar

LONDON = ZoneInfo("Europe/London")
START = datetime.datetime(2027, 1, 25, 10, 0, tzinfo=LONDON)
END = START + datetime.timedelta(minutes=90)
TITLE = "Senior Leaders Forum"
ORGANIZER = "collective.leadership@example.gov.uk"
FROM = f"Collective Leadership Team <{ORGANIZER}>"
JOIN = "https://meet.example.gov.uk/leaders-forum"


def calendar(person):
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Leadership team//invitations//EN")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    event = icalendar.Event()
    event.add("uid", "leaders-forum-20270125@example.gov.uk")
    event.add("sequence", 0)
    event.add("dtstamp", datetime.datetime.now(datetime.timezone.utc))
    event.add("dtstart", START)
    event.add("dtend", END)
    event.add("summary", TITLE)
    event.add("location", "Online")
    event.add("url", JOIN)
    organizer = icalendar.vCalAddress(f"mailto:{ORGANIZER}")
    organizer.params["cn"] = "Collective Leadership Team"
    event.add("organizer", organizer)
    attendee = icalendar.vCalAddress(f"mailto:{person['email']}")
    attendee.params["cn"] = person["name"]
    attendee.params["role"] = "REQ-PARTICIPANT"
    attendee.params["partstat"] = "NEEDS-ACTION"
    attendee.params["rsvp"] = "TRUE"
    event.add("attendee", attendee)
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def message(person):
    first = person["name"].split()[0]
    when = START.strftime("%A %-d %B %Y")
    text = (f"{TITLE}\n\nDear {first},\n\nYou are invited to {TITLE}, for members of the Senior Leaders Network.\n\n"
            f"- Date: {when}\n- Time: 10:00 to 11:30\n- Where: Online\n\nJoin online: {JOIN}\n\n"
            "Please accept the attached invitation, or decline it if you cannot come.\n\n"
            f"This email is for {person['name']} ({person['email']}).\n")
    html = (f"<html><body><h1>{TITLE}</h1><p>Dear {first},</p>"
            f"<p>You are invited to {TITLE}, for members of the Senior Leaders Network.</p>"
            f"<ul><li>Date: {when}</li><li>Time: 10:00 to 11:30</li><li>Where: Online</li></ul>"
            f"<p><a href=\"{JOIN}\">Join online</a></p>"
            "<p>Please accept the attached invitation, or decline it if you cannot come.</p>"
            f"<p>This email is for {person['name']} ({person['email']}).</p></body></html>\n")
    ics = calendar(person)
    msg = EmailMessage()
    msg["From"] = FROM
    msg["To"] = f"{person['name']} <{person['email']}>"
    msg["Subject"] = f"Invitation: {TITLE}, {when}"
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="example.gov.uk")
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    msg.add_alternative(ics.decode("utf-8"), subtype="calendar", params={"method": "REQUEST"})
    msg.add_attachment(ics, maintype="application", subtype="ics", filename="invite.ics")
    return msg


def main():
    args = sys.argv[1:]
    def option(name, default=None):
        if name in args:
            i = args.index(name)
            value = args[i + 1]
            del args[i:i + 2]
            return value
        if default is None:
            sys.exit(f"naive_sender.py: {name} is required\n{__doc__}")
        return default
    port = int(option("--port"))
    journal_path = option("--journal")
    host = option("--host", "127.0.0.1")
    if len(args) != 2:
        sys.exit(__doc__)
    roster_path, count = args[0], int(args[1])
    with open(roster_path, newline="", encoding="utf-8-sig") as f:
        people = [row for _, row in zip(range(count), csv.DictReader(f))]
    if len(people) < count:
        sys.exit(f"naive_sender.py: the roster has {len(people)} people, fewer than {count}")
    sent = 0
    sample = []  # sizes of the first messages, for the table; measuring every one would slow the baseline
    with open(journal_path, "a", encoding="utf-8") as journal, smtplib.SMTP(host, port) as smtp:
        smtp.ehlo("admin-script.example.gov.uk")
        for person in people:
            msg = message(person)
            if len(sample) < 20:
                sample.append(len(msg.as_bytes()))
            smtp.send_message(msg)  # raises on any refusal: the admin's script stops there
            journal.write(json.dumps({"sent": person["email"], "message_id": msg["Message-ID"],
                                      "at": datetime.datetime.now(datetime.timezone.utc).isoformat()}) + "\n")
            journal.flush()
            os.fsync(journal.fileno())
            sent += 1
    print(f"sent={sent} average_bytes={sum(sample) // max(len(sample), 1)}")


if __name__ == "__main__":
    main()
