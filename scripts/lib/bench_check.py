#!/usr/bin/env python3
"""Small measurements and checks for scripts/bench, each printing one line of `key=value` words.

usage:
  bench_check.py port                 a free TCP port on 127.0.0.1
  bench_check.py journal STATE_DIR    attempt=A sent=S failed=F skipped=K from STATE_DIR/journal.jsonl
  bench_check.py status FILE.json     sent=S failed=F skipped=K in_flight=I pending=P from `convene status --json`
  bench_check.py eml DIR              count=C bytes=B average=A over DIR/*.eml
  bench_check.py recipients DIR N     the first N .eml files of DIR as lines `ADDRESS PATH` (the To: address)
  bench_check.py proc PID             cpu=SECONDS hwm_kb=K rss_kb=K from /proc/PID/stat and /proc/PID/status
  bench_check.py sink FILE            messages=M sessions=S: smtp-sink -c's last counter line in FILE
  bench_check.py fdatasync DIR N      median_us=U: N appends of a journal-sized line to a file in DIR, each followed
                                      by fdatasync, as the journal's syncer does (the median of their durations)
"""
import email.parser
import email.utils
import json
import os
import re
import socket
import statistics
import sys
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"{s.getsockname()[1]}"


def journal(directory):
    counts = {"attempt": 0, "sent": 0, "failed": 0, "skipped": 0}
    with open(os.path.join(directory, "journal.jsonl"), encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            counts[record["type"]] = counts.get(record["type"], 0) + 1
    return " ".join(f"{k}={v}" for k, v in counts.items())


def status(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    counts = doc["counts"]
    total = lambda suffix: sum(v for k, v in counts.items() if k.endswith("." + suffix))
    return (f"sent={total('sent')} failed={total('failed')} skipped={total('skipped')} "
            f"in_flight={len(doc['in_flight'])} pending={doc['pending']}")


def eml(directory):
    sizes = [os.path.getsize(os.path.join(directory, n)) for n in os.listdir(directory) if n.endswith(".eml")]
    average = sum(sizes) // len(sizes) if sizes else 0
    return f"count={len(sizes)} bytes={sum(sizes)} average={average}"


def recipients(directory, n):
    names = sorted(name for name in os.listdir(directory) if name.endswith(".eml"))[:n]
    parser = email.parser.BytesHeaderParser()
    lines = []
    for name in names:
        path = os.path.join(directory, name)
        with open(path, "rb") as f:
            headers = parser.parse(f)
        address = email.utils.parseaddr(str(headers["To"]))[1]
        if not address:
            sys.exit(f"bench_check.py: no To: address in {path}")
        lines.append(f"{address} {path}")
    return "\n".join(lines)


def proc(pid):
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        after_name = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(after_name[11]) + int(after_name[12])) / ticks  # utime and stime: fields 14 and 15 of stat
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        status_text = f.read()
    kb = lambda key: re.search(rf"^{key}:\s+(\d+) kB", status_text, re.M).group(1)
    return f"cpu={cpu:.2f} hwm_kb={kb('VmHWM')} rss_kb={kb('VmRSS')}"


def sink(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    found = re.findall(r"sess=(\d+) quit=\d+ mesg=(\d+)", text)
    sessions, messages = found[-1] if found else ("0", "0")
    return f"messages={messages} sessions={sessions}"


def fdatasync(directory, n):
    path = os.path.join(directory, "fdatasync-probe.jsonl")
    line = b'{"at":"2027-01-04T09:00:00Z","key":"' + b"x" * 500 + b'","type":"sent","v":1}\n'
    durations = []
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_TRUNC, 0o600)
    try:
        for _ in range(n):
            start = time.perf_counter()
            os.write(fd, line)
            os.fdatasync(fd)
            durations.append(time.perf_counter() - start)
    finally:
        os.close(fd)
        os.unlink(path)
    return f"median_us={statistics.median(durations) * 1e6:.0f}"


def main():
    args = sys.argv[1:]
    commands = {
        "port": (0, free_port), "journal": (1, journal), "status": (1, status), "eml": (1, eml),
        "proc": (1, proc), "sink": (1, sink), "recipients": (2, lambda d, n: recipients(d, int(n))),
        "fdatasync": (2, lambda d, n: fdatasync(d, int(n))),
    }
    if not args or args[0] not in commands or len(args) - 1 != commands[args[0]][0]:
        sys.exit(__doc__)
    print(commands[args[0]][1](*args[1:]))


if __name__ == "__main__":
    main()
