"""Writes the hostile replies `scripts/bench` times `convene replies --once` on (issue 16's bounded-time promise):

  1. a 3.2 MB message of 2,000 quoted-printable parts with no calendar part (MIME parsing and decoding);
  2. an Outlook counter-proposal to a real invitation whose typed note is an HTML body of 25,000 unclosed <style>
     tags (the note's HTML-to-text scan).

usage: bench_replies.py INVITATION.eml MAILDIR
The invitation (any message from a `convene run --dry-run` outbox) gives the UID and attendee, so the counter-proposal
reaches the note's scan instead of stopping at "no such invitation".
"""
import email
import email.policy
import os
import sys

import icalendar


def main(invitation_path, maildir):
    with open(invitation_path, "rb") as f:
        message = email.message_from_binary_file(f, policy=email.policy.default)
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    event = next(c for c in icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT"))
    uid = str(event["UID"])
    attendee = str(event["ATTENDEE"]).removeprefix("mailto:").removeprefix("MAILTO:")
    for folder in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(maildir, folder), exist_ok=True)

    big = ["From: someone@example.gov.uk\r\nMessage-ID: <bench-big@example.gov.uk>\r\n"
           "Content-Type: multipart/mixed; boundary=x\r\n\r\n"]
    for index in range(2000):
        big.append("--x\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
        big.append(("=3D=\r\nline %d " % index) * 100 + "\r\n")
    big.append("--x--\r\n")

    counter = (
        "From: %s\r\nMessage-ID: <bench-counter@example.gov.uk>\r\n"
        "Content-Type: multipart/alternative; boundary=y\r\n\r\n"
        "--y\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n%s\r\n"
        "--y\r\nContent-Type: text/calendar; method=COUNTER; charset=UTF-8\r\n\r\n"
        "BEGIN:VCALENDAR\r\nPRODID:Microsoft Exchange Server 2010\r\nVERSION:2.0\r\nMETHOD:COUNTER\r\n"
        "BEGIN:VEVENT\r\nUID:%s\r\nSEQUENCE:0\r\nATTENDEE;PARTSTAT=TENTATIVE:mailto:%s\r\n"
        "DTSTART:20270107T130000Z\r\nDTEND:20270107T140000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n--y--\r\n"
    ) % (attendee, "<style>x" * 25000, uid, attendee)

    for name, text in (("1.bench-big", "".join(big)), ("2.bench-counter", counter)):
        with open(os.path.join(maildir, "new", name), "w", newline="") as f:
            f.write(text)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
