"""An OAuth 2.0 token endpoint for convene's XOAUTH2 tests: client-credentials grant over TLS.

Usage: token_server.py --port 0 --cert C --key K --client-id ID --client-secret S --scope SCOPE
                       [--lifetime SECONDS] [--status CODE] [--outdir DIR]

* Prints "PORT n" as the first line on stdout once it listens (n is the chosen port when --port 0), then nothing
  else on stdout; logs go to stderr (never a secret or a token).
* POST any path with an application/x-www-form-urlencoded body. Checks grant_type (client_credentials), client_id,
  client_secret and scope, and answers as Entra ID does:
  - 200 {"token_type": "Bearer", "expires_in": LIFETIME, "ext_expires_in": LIFETIME, "access_token": T}
    with a new random T each time;
  - a wrong secret: 401 {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret
    provided."} (with the CR LF and trace id Entra ID appends, which clients must not print raw);
  - a wrong client id: 400 unauthorized_client; a wrong scope: 400 invalid_scope; another grant: 400
    unsupported_grant_type.
* --status CODE answers every request with CODE and a JSON error instead (e.g. 503: the endpoint is down).
* --outdir DIR appends to DIR/tokens.jsonl {"token", "issued_at", "expires_at"} (Unix seconds) for every token
  issued (smtp_server.py --xoauth2-tokens reads it), and to DIR/requests.jsonl {"status", "grant_type",
  "client_id", "scope", "secret_ok"} for every request.
* Stops on SIGTERM or SIGINT.
"""

import argparse
import json
import os
import secrets
import signal
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--scope", required=True)
    parser.add_argument("--lifetime", type=int, default=3)
    parser.add_argument("--status", type=int)
    parser.add_argument("--outdir")
    return parser.parse_args(argv)


class TokenHandler(BaseHTTPRequestHandler):
    args = None
    lock = threading.Lock()
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *values):
        # The request line only: the body (with the secret) is never logged.
        print("%s %s" % (self.address_string(), format % values), file=sys.stderr, flush=True)

    def record(self, name, record):
        if self.args.outdir:
            with self.lock, open(os.path.join(self.args.outdir, name), "a") as f:
                f.write(json.dumps(record) + "\n")

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True, strict_parsing=False)

        def field(name):
            values = form.get(name, [])
            return values[0] if len(values) == 1 else None

        args = self.args
        grant, client, secret, scope = field("grant_type"), field("client_id"), field("client_secret"), field("scope")
        trace = "\r\nTrace ID: 0000aaaa-11bb-cccc-dd22-eeeeee333333\r\nCorrelation ID: 4444ffff\r\nTimestamp: 2027"
        if args.status is not None:
            status, body = args.status, {"error": "temporarily_unavailable",
                                         "error_description": "AADSTS90033: A transient error has occurred." + trace}
        elif grant != "client_credentials":
            status, body = 400, {"error": "unsupported_grant_type",
                                 "error_description": "AADSTS70003: The app requested an unsupported grant type."}
        elif client != args.client_id:
            status, body = 400, {"error": "unauthorized_client",
                                 "error_description": "AADSTS700016: Application with identifier '%s' was not found "
                                                      "in the directory." % client + trace}
        elif secret != args.client_secret:
            status, body = 401, {"error": "invalid_client",
                                 "error_description": "AADSTS7000215: Invalid client secret provided." + trace}
        elif scope != args.scope:
            status, body = 400, {"error": "invalid_scope",
                                 "error_description": "AADSTS70011: The provided value for scope is not valid."}
        else:
            token = secrets.token_urlsafe(32)
            now = time.time()
            self.record("tokens.jsonl", {"token": token, "issued_at": now, "expires_at": now + args.lifetime})
            status, body = 200, {"token_type": "Bearer", "expires_in": args.lifetime,
                                 "ext_expires_in": args.lifetime, "access_token": token}
        self.record("requests.jsonl", {"status": status, "grant_type": grant, "client_id": client, "scope": scope,
                                       "secret_ok": secret == args.client_secret})
        self.answer(status, body)


def main():
    args = parse_arguments(sys.argv[1:])
    if args.outdir:
        os.makedirs(args.outdir, exist_ok=True)
    TokenHandler.args = args
    server = ThreadingHTTPServer((args.host, args.port), TokenHandler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    sys.stdout.write("PORT %d\n" % server.server_address[1])
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
