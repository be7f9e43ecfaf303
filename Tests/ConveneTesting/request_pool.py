"""The protocol every long-lived Python helper of the tests speaks (ConveneTesting's PythonValidator is the client):

    request:   KIND SP COUNT LF, then COUNT times: LENGTH LF and LENGTH bytes
    response:  one line of JSON, then LF; a request the helper cannot serve, or one that raised: {"error": "…"}

`serve` answers requests until end-of-file on stdin. With `fork=True` each request runs in a fresh forked child, so
no state (icalendar's time-zone cache, say) is shared between requests; the parent waits for the child and relays its
answer, so a child that dies becomes an error answer, never a hang or a zombie.
"""
import json
import os
import traceback


def read_exact(stream, length: int) -> bytes:
    data = stream.read(length)
    if len(data) != length:
        raise EOFError("request ended early")
    return data


def answer(handle, kind: str, items: list) -> tuple:
    """`handle(kind, items)`'s answer as JSON bytes, and 0, or the traceback as an error answer, and 1."""
    try:
        return json.dumps(handle(kind, items)).encode(), 0
    except Exception:  # the test must see what broke, not hang
        return json.dumps({"error": traceback.format_exc()}).encode(), 1


def answer_in_child(handle, kind: str, items: list) -> bytes:
    """Runs one request in a forked child and returns its answer line (without LF)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        data, status = answer(handle, kind, items)
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view) :]
        os._exit(status)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 1 << 16):
        chunks.append(chunk)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    data = b"".join(chunks)
    if not data:
        return json.dumps({"error": f"the reader child ended with wait status {status} and no answer"}).encode()
    return data


def serve(stdin, stdout, handle, fork: bool = False) -> None:
    """Answers each request on `stdin` with `handle(kind, items)` (a JSON-able value; raise for an unknown request)."""
    while True:
        header = stdin.readline()
        if not header:
            return
        kind, count = header.decode("ascii").split()
        items = [read_exact(stdin, int(stdin.readline())) for _ in range(int(count))]
        data = answer_in_child(handle, kind, items) if fork else answer(handle, kind, items)[0]
        stdout.write(data + b"\n")
        stdout.flush()
