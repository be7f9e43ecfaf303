"""A real SMTP server for convene's transport tests, built on aiosmtpd.

Usage: smtp_server.py --port 0 [--cert C --key K] [--user U --password P] [--no-starttls]
                      [--implicit-tls] [--rcpt-rule ADDR=CODE[:once]]... [--outdir DIR]
                      [--idle-timeout SECONDS] [--greeting CODE] [--hang-after-data]

* Prints "PORT n" as the first line on stdout once it accepts connections (n is the chosen port
  when --port 0), then nothing else on stdout; logs go to stderr.
* With --cert/--key (and without --no-starttls) STARTTLS is offered and required before MAIL;
  AUTH PLAIN/LOGIN is offered only after TLS. With --user, AUTH is required before MAIL and a
  wrong password gets 535 (the authenticator says handled=False, otherwise clients hang).
* --implicit-tls wraps the listening socket in TLS (smtps), AUTH available at once.
* --rcpt-rule "addr=451:once" answers RCPT for addr with 451 the first time and accepts it later;
  "addr=550" always refuses it with 550.
* --rcpt-rule "addr=451:3" answers 451 the first 3 times, then accepts it.
* --greeting 421 (or 554) greets every connection with that code instead of 220 and hangs up, as a
  relay that is shutting down or refusing service does.
* --data-reply "554 5.2.0 …" answers every final dot with that reply instead of accepting the message (a relay's
  quota or block, as Exchange Online words it); nothing is saved.
* --hang-after-data reads the message and its final dot and then never answers (the connection stays
  open, QUIT included): a relay stuck after the dot.
* --outdir DIR saves each accepted message as NNN.eml (the bytes after dot-unstuffing, exactly as
  the client sent them) and appends a JSON line to DIR/messages.jsonl:
  {"file", "mail_from", "rcpt_tos", "peer", "session", "helo", "tls", "auth"}.
  "session" numbers connections, so tests can count how many connections carried the messages.
* --xoauth2-tokens FILE offers AUTH XOAUTH2 (and an OAUTHBEARER that always fails, as Google's does for
  libcurl) instead of PLAIN/LOGIN, and requires it: the SASL string must name --user and carry a token listed in
  FILE (token_server.py's tokens.jsonl) that has not expired; otherwise "535 5.7.3 Authentication unsuccessful",
  as Exchange Online answers. Every AUTH is appended to DIR/auth.jsonl {"mechanism", "ok", "reason",
  "seconds_left"} (with --outdir).
* Stops cleanly on SIGTERM or SIGINT.
"""

import argparse
import asyncio
import json
import os
import signal
import ssl
import sys
import threading
import time
from base64 import b64decode

from aiosmtpd.smtp import MISSING, SMTP, AuthResult, LoginPassword


class Rules:
    """Per-recipient RCPT replies from --rcpt-rule."""

    MESSAGES = {4: "4.2.0 Mailbox temporarily unavailable", 5: "5.1.1 Mailbox unavailable"}

    def __init__(self, specs):
        self.rules = {}
        self.refusals = {}
        for spec in specs:
            address, _, reply = spec.partition("=")
            code, _, mode = reply.partition(":")
            # None: always; "once" is 1; a number N refuses the first N times.
            times = None if mode == "" else 1 if mode == "once" else int(mode)
            self.rules[address.lower()] = (int(code), times)

    def reply_for(self, address):
        """The refusal for address, or None to accept it."""
        rule = self.rules.get(address.lower())
        if rule is None:
            return None
        code, times = rule
        if times is not None:
            count = self.refusals.get(address.lower(), 0)
            if count >= times:
                return None
            self.refusals[address.lower()] = count + 1
        return "%d %s" % (code, self.MESSAGES.get(code // 100, "Refused by test rule"))


class Handler:
    """Accepts mail, applies the recipient rules and records each message."""

    def __init__(self, rules, outdir, hang_after_data=False):
        self.rules = rules
        self.outdir = outdir
        self.hang_after_data = hang_after_data
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = self.rules.reply_for(address)
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if getattr(self, "data_reply", None):
            return self.data_reply
        if self.hang_after_data:
            # The message and its dot have arrived; the verdict never comes, and the session reads no more
            # commands (aiosmtpd handles one at a time), so QUIT goes unanswered too.
            print("hanging after the final dot", file=sys.stderr, flush=True)
            await asyncio.sleep(3600)
        with self.lock:
            self.count += 1
            number = self.count
        if self.outdir:
            name = "%03d.eml" % number
            with open(os.path.join(self.outdir, name), "wb") as f:
                f.write(envelope.original_content)
            record = {
                "file": name,
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "peer": list(session.peer) if session.peer else None,
                "session": server.connection_number,
                "helo": session.host_name,
                # session.ssl is set only by STARTTLS; with implicit TLS the transport itself is TLS.
                "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
                "auth": bool(session.authenticated),
            }
            with open(os.path.join(self.outdir, "messages.jsonl"), "a") as f:
                f.write(json.dumps(record) + "\n")
        return "250 2.0.0 Message accepted for delivery"


class XOAuth2Handler(Handler):
    """Handler that authenticates with XOAUTH2 against the tokens token_server.py issued."""

    def __init__(self, rules, outdir, hang_after_data, user, tokens_file):
        super().__init__(rules, outdir, hang_after_data)
        self.user = user
        self.tokens_file = tokens_file

    def record_auth(self, mechanism, ok, reason, seconds_left=None):
        if self.outdir:
            with self.lock, open(os.path.join(self.outdir, "auth.jsonl"), "a") as f:
                f.write(json.dumps({"mechanism": mechanism, "ok": ok, "reason": reason,
                                    "seconds_left": seconds_left}) + "\n")

    def expiry_of(self, token):
        try:
            with open(self.tokens_file) as f:
                for line in f:
                    record = json.loads(line)
                    if record["token"] == token:
                        return record["expires_at"]
        except FileNotFoundError:
            pass
        return None

    async def auth_XOAUTH2(self, server, args):
        refused = AuthResult(success=False, handled=False, message="535 5.7.3 Authentication unsuccessful")
        if len(args) == 1:
            blob = await server.challenge_auth("", encode_to_b64=False)
            if blob is MISSING:
                return AuthResult(success=False, handled=True)
        else:
            try:
                blob = b64decode(args[1], validate=True)
            except Exception:
                await server.push("501 5.5.2 Can't decode base64")
                return AuthResult(success=False, handled=True)
        # user=USER ^A auth=Bearer TOKEN ^A ^A
        parts = blob.decode(errors="replace").split("\x01")
        fields = dict(part.split("=", 1) for part in parts if "=" in part)
        bearer = fields.get("auth", "")
        token = bearer[len("Bearer "):] if bearer.startswith("Bearer ") else None
        if fields.get("user") != self.user or token is None or parts[-2:] != ["", ""]:
            self.record_auth("XOAUTH2", False, "malformed or wrong user")
            return refused
        expires = self.expiry_of(token)
        if expires is None:
            self.record_auth("XOAUTH2", False, "unknown token")
            return refused
        left = expires - time.time()
        if left <= 0:
            self.record_auth("XOAUTH2", False, "expired", left)
            return refused
        self.record_auth("XOAUTH2", True, "", left)
        return AuthResult(success=True, auth_data=LoginPassword(self.user.encode(), b""))

    async def auth_OAUTHBEARER(self, server, args):
        self.record_auth("OAUTHBEARER", False, "OAUTHBEARER is refused here, as Google refuses it")
        return AuthResult(success=False, handled=False, message="535 5.7.8 OAUTHBEARER is not accepted")


class NumberedSMTP(SMTP):
    """SMTP that numbers its connections (one protocol instance each; STARTTLS keeps the number)."""

    connections = 0
    # --greeting: the code to greet with instead of 220 (then the connection is closed).
    greeting = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        NumberedSMTP.connections += 1
        self.connection_number = NumberedSMTP.connections

    async def _handle_client(self):
        if NumberedSMTP.greeting is None:
            return await super()._handle_client()
        text = {421: "4.3.2 Service not available, closing transmission channel",
                554: "5.3.2 No SMTP service here"}.get(NumberedSMTP.greeting, "Refused by test rule")
        await self.push("%d convene-test-server %s" % (NumberedSMTP.greeting, text))
        print("greeted with %d" % NumberedSMTP.greeting, file=sys.stderr, flush=True)
        self.transport.close()


def make_authenticator(user, password):
    def authenticator(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        if auth_data.login.decode() == user and auth_data.password.decode() == password:
            return AuthResult(success=True)
        # handled=False makes aiosmtpd send 535; handled=True without a reply leaves clients hanging.
        return AuthResult(success=False, handled=False)

    return authenticator


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--no-starttls", action="store_true")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--rcpt-rule", action="append", default=[])
    parser.add_argument("--outdir")
    parser.add_argument("--idle-timeout", type=float, default=300)
    parser.add_argument("--greeting", type=int)
    parser.add_argument("--hang-after-data", action="store_true")
    parser.add_argument("--data-reply")
    parser.add_argument("--xoauth2-tokens")
    return parser.parse_args(argv)


async def serve(args):
    loop = asyncio.get_running_loop()
    context = None
    if args.cert and args.key:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
    if args.xoauth2_tokens:
        handler = XOAuth2Handler(Rules(args.rcpt_rule), args.outdir, args.hang_after_data, args.user,
                                 args.xoauth2_tokens)
    else:
        handler = Handler(Rules(args.rcpt_rule), args.outdir, args.hang_after_data)
    NumberedSMTP.greeting = args.greeting
    handler.data_reply = args.data_reply
    starttls = context is not None and not args.no_starttls and not args.implicit_tls
    options = dict(
        hostname="convene-test-server",
        timeout=args.idle_timeout,
        tls_context=context if starttls else None,
        require_starttls=starttls,
        auth_require_tls=starttls,
        auth_required=args.user is not None,
    )
    if args.xoauth2_tokens:
        options["auth_required"] = True
        options["auth_exclude_mechanism"] = ["PLAIN", "LOGIN"]
    elif args.user is not None:
        options["authenticator"] = make_authenticator(args.user, args.password or "")
    if not starttls:
        # Plain or implicit TLS: AUTH cannot wait for a STARTTLS that never comes.
        options["auth_require_tls"] = False
    server = await loop.create_server(
        lambda: NumberedSMTP(handler, **options),
        host=args.host,
        port=args.port,
        ssl=context if args.implicit_tls else None,
    )
    port = server.sockets[0].getsockname()[1]
    sys.stdout.write("PORT %d\n" % port)
    sys.stdout.flush()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    server.close()
    # Every message is already on disk; skip asyncio's slow teardown of open client connections.
    sys.stdout.flush()
    os._exit(0)


def main():
    args = parse_arguments(sys.argv[1:])
    if args.outdir:
        os.makedirs(args.outdir, exist_ok=True)
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
