#!/usr/bin/env python3
"""Plays systemd's side of sd_notify for scripts/bench: owns the datagram socket, starts the daemon, and times READY=1.

usage: notify_listener.py SOCKET TIMEOUT -- COMMAND [ARG...]

Binds an AF_UNIX datagram socket at SOCKET, starts COMMAND with NOTIFY_SOCKET=SOCKET, and prints (flushed, one
per line, so a shell can follow the output file):
  pid P              as soon as the command is started
  ready S            seconds from just before the start to the READY=1 datagram
  notify TEXT        every datagram after that (newlines shown as '|')
  exit RC            when the command has exited (its status; -N for a signal)
SIGTERM and SIGINT to the listener are passed on to the command. If no READY=1 arrives within TIMEOUT seconds
it prints `timeout`, kills the command and exits 1; if the command exits first it exits 1 too.
"""
import os
import select
import signal
import socket
import subprocess
import sys
import time


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main():
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        sys.exit(__doc__)
    path, timeout, command = sys.argv[1], float(sys.argv[2]), sys.argv[4:]
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    start = time.monotonic()
    child = subprocess.Popen(command, env=env)
    say(f"pid {child.pid}")

    def forward(signum, _frame):
        if child.poll() is None:
            child.send_signal(signum)
    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)

    ready = False
    status = 0
    try:
        while True:
            if not ready and time.monotonic() - start > timeout:
                say("timeout")
                child.kill()
                child.wait()
                status = 1
                break
            readable, _, _ = select.select([sock], [], [], 0.05)
            if readable:
                data = sock.recv(65536).decode("utf-8", "replace")
                fields = data.strip().split("\n")
                if not ready and "READY=1" in fields:
                    ready = True
                    say(f"ready {time.monotonic() - start:.3f}")
                say("notify " + "|".join(fields))
                continue
            code = child.poll()
            if code is not None:
                sock.setblocking(False)
                try:
                    while True:  # what the command said just before it exited, STOPPING=1 among it
                        say("notify " + "|".join(sock.recv(65536).decode("utf-8", "replace").strip().split("\n")))
                except BlockingIOError:
                    pass
                say(f"exit {code}")
                status = 0 if ready else 1
                break
    finally:
        sock.close()
        os.unlink(path)
    sys.exit(status)


if __name__ == "__main__":
    main()
