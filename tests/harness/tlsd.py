#!/usr/bin/env python3
# tlsd.py: a TLS and STARTTLS server for the end-to-end tests of
# "trustbuild probe", friendly or hostile.  It listens on 127.0.0.1 (::1
# with --ipv6) on a port the kernel picks (or --port's), writes it to PORTFILE
# once listening (whole or absent: written beside it, then renamed), serves
# each connection in a thread and exits by itself after --lifetime seconds
# (default 120).  tests/harness/tlsd.sh starts and stops it (tlsd_start, tlsd_stop).
#   python3 tests/harness/tlsd.py PORTFILE PROTO CERTFILE KEYFILE [--mode MODE]
#       [--ipv6] [--port N] [--lifetime SECONDS] [--log FILE]
#       [--banner-lines N] [--reply-lines N]
# CERTFILE is PEM; its certificates are sent as the chain exactly as given:
# a file with only the leaf makes a server that sends only the leaf.  No
# default CA store is loaded, so OpenSSL cannot complete the chain itself.
#
# PROTO, what is spoken before TLS:
#   tls     TLS at once; then reads and drops until the client goes
#   https   TLS at once; any HTTP request gets "200 OK" and "tlsd ok\n"
#   smtp    "220 localhost ESMTP tlsd"; EHLO (multi-line 250 with
#           250-STARTTLS), HELO (one line, as RFC 5321 has it), STARTTLS ->
#           "220 2.0.0 Ready to start TLS"; before and after TLS a whole
#           small SMTP server: MAIL FROM, RCPT TO, DATA (until "."), RSET,
#           NOOP, VRFY, HELP, QUIT, with PIPELINING, SIZE, 8BITMIME and
#           ENHANCEDSTATUSCODES, so that a real client delivers through
#           it (curl and python's smtplib do, in tlsd_selfcheck.sh).
#           Messages are logged, not delivered.
#   imap    "* OK [CAPABILITY IMAP4rev1 STARTTLS] tlsd ready"; TAG
#           CAPABILITY, NOOP, LOGOUT; TAG STARTTLS -> "TAG OK Begin TLS
#           negotiation now"
#   pop3    "+OK tlsd ready"; CAPA (lists STLS), NOOP, QUIT; STLS ->
#           "+OK Begin TLS"
#   ftp     "220 tlsd ready"; FEAT, NOOP, SYST, PBSZ, PROT, QUIT; AUTH TLS
#           -> "234 AUTH TLS successful"
#   ldap    an LDAPv3 StartTLS ExtendedRequest (RFC 4511 4.14, OID
#           1.3.6.1.4.1.1466.20037) -> an ExtendedResponse, success, with
#           the request's messageID and that OID as responseName, then
#           TLS.  Another extended operation -> protocolError (2); an
#           UnbindRequest closes; anything else, or BER that does not
#           parse, -> a Notice of Disconnection (RFC 4511 4.4.1), close.
# A line protocol's reply to a command it does not know is its usual error
# (500 5.5.2, TAG BAD, -ERR, 502).  TLS bytes (16 03) where a command line
# is due, as from "openssl s_client -starttls" pressing on after a refusal,
# get an error line and the connection closed, not a wait for a newline.
#
# --mode, for odd and hostile servers:
#   normal      as above (default)
#   nostarttls  STARTTLS is not offered, and refused: smtp "502 5.5.1",
#               imap "TAG BAD", pop3 "-ERR", ftp "500", ldap resultCode
#               protocolError (2)
#   refuse      offered, but answered with a temporary failure: smtp
#               "454 4.7.0 TLS not available", imap "TAG NO [UNAVAILABLE]",
#               pop3 "-ERR [SYS/TEMP]", ftp "431", ldap unavailable (52)
#   garbage     ~4 KB of random bytes (first bytes 00 ff) instead of the
#               banner, then close
#   stall       accept, read, never write, keep the connection until the
#               client goes or the lifetime ends
#   longline    a banner of 1 MiB without a newline, then as stall
#   manylines   an endless multi-line reply at full speed: smtp and ftp
#               "220-" banner lines; imap untagged "* CAPABILITY" lines in
#               answer to the first command; pop3 CAPA's list without its
#               final "."
#   slowbanner  the banner (ldap: the StartTLS response) one byte a second
#   close       accept and close at once
#   tlsfail     STARTTLS accepted (tls, https: the ClientHello read), then
#               plain text instead of a handshake, then close
# Modes that make no sense for a PROTO are a usage error (exit 2): tls and
# https take normal, garbage, stall, close, tlsfail; ldap all but longline
# and manylines.
#
# Replies of N lines, for the edge of a client's bound on lines (N from 1
# to 100000; another PROTO is a usage error):
#   --banner-lines N   smtp, ftp: the banner is N lines, N - 1 of them
#                      "220-... tlsd banner line K" before the usual one
#   --reply-lines N    smtp: the EHLO reply is N lines (padded with
#                      "250-X-TLSD-PAD-K" after the first, when it has
#                      fewer: it has 7 before TLS, 6 after); imap: N - 1
#                      untagged "* OK tlsd line K" before the tagged OK to
#                      STARTTLS
#
# --log FILE appends, one line each, "N EVENT ..." where N numbers the
# connection: "N connect ADDR"; "N plain|tls COMMAND LINE" for each command
# received (ldap: "N plain ExtendedRequest id=ID OID"); "N tls-ok VERSION
# CIPHER"; "N tls-error REASON"; "N tlsfail sent plain text"; "N discarded
# K bytes sent before the handshake" (pipelined after STARTTLS); "N
# plain|tls message from=<A> to=<B>[,<C>] bytes=K" followed by the
# message's lines, dot-unstuffed, as "N | LINE" (all in one write); "N
# plain|tls bad LDAP input: WHY"; "N close".
#
# Every connection has a 30 s socket timeout (stall and longline keep it
# open until the client goes or the lifetime ends); lines are capped at
# 64 KB, messages at 10 MB, connections at 256 at once.  Nothing a client
# does makes the server exit.
import argparse
import os
import socket
import ssl
import sys
import threading
import time
import traceback

CONN_TIMEOUT = 30
MAX_LINE = 65536
MAX_MSG = 10 * 1024 * 1024
MAX_RCPTS = 100
MAX_CONNS = 256
LONGLINE = 1024 * 1024
STARTTLS_OID = "1.3.6.1.4.1.1466.20037"
NOTICE_OID = "1.3.6.1.4.1.1466.20036"
HOST = "localhost"

PROTOS = ("tls", "https", "smtp", "imap", "pop3", "ftp", "ldap")
MODES = ("normal", "nostarttls", "refuse", "garbage", "stall", "longline",
         "manylines", "slowbanner", "close", "tlsfail")
MODES_FOR = {
    "tls": ("normal", "garbage", "stall", "close", "tlsfail"),
    "https": ("normal", "garbage", "stall", "close", "tlsfail"),
    "ldap": ("normal", "nostarttls", "refuse", "garbage", "stall", "close",
             "tlsfail", "slowbanner"),
}
# what a line protocol's banner starts with, for longline
LONG_PREFIX = {"smtp": b"220 ", "imap": b"* OK ", "pop3": b"+OK ",
               "ftp": b"220 "}
NOT_TLS = b"tlsd: this is not a TLS handshake\r\n"


class Closed(Exception):
    """The session is over: the client went, or we hung up."""


class BadInput(Exception):
    """The client sent what the protocol does not allow."""


class Server:
    def __init__(self, args):
        self.proto = args.proto
        self.mode = args.mode
        self.banner_lines = args.banner_lines or 1
        self.reply_lines = args.reply_lines or 0
        self.deadline = time.monotonic() + args.lifetime
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(args.certfile, args.keyfile)
        # the name the client asked for (SNI), logged as "sni NAME"
        self.ctx.sni_callback = lambda sock, name, ctx: self.log(
            "sni %s" % (name if name is not None else "-"))
        self.logf = open(args.log, "a", encoding="utf-8",
                         errors="backslashreplace") if args.log else None
        self.loglock = threading.Lock()
        self.nlock = threading.Lock()
        self.n = 0
        self.nmsg = 0
        self.slots = threading.BoundedSemaphore(MAX_CONNS)

    def log(self, text):
        if self.logf is None:
            return
        with self.loglock:
            self.logf.write(text if text.endswith("\n") else text + "\n")
            self.logf.flush()

    def next_id(self):
        with self.nlock:
            self.n += 1
            return self.n

    def next_msg(self):
        with self.nlock:
            self.nmsg += 1
            return self.nmsg


class Session:
    def __init__(self, srv, sock, peer):
        self.srv = srv
        self.mode = srv.mode
        self.sock = sock
        self.buf = b""
        self.tls = False
        self.id = srv.next_id()
        self.log("connect %s" % peer[0])

    def log(self, text):
        self.srv.log("%d %s" % (self.id, text))

    def log_cmd(self, line):
        self.log("%s %s" % ("tls" if self.tls else "plain", line))

    # -- output
    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError:
            raise Closed()

    def reply(self, *lines):
        self.send("".join(l + "\r\n" for l in lines).encode("latin-1"))

    def multi(self, code, lines):
        """An SMTP or FTP multi-line reply: CODE-... CODE-... CODE ..."""
        self.reply(*["%s%s%s" % (code, "-" if i < len(lines) - 1 else " ",
                                 l) for i, l in enumerate(lines)])

    def banner(self, line):
        """The banner line, after --banner-lines' continuation lines."""
        more = ["%s-%s tlsd banner line %d" % (line[:3], HOST, k)
                for k in range(1, self.srv.banner_lines)]
        data = "".join(l + "\r\n" for l in more + [line]).encode("latin-1")
        if self.mode == "slowbanner":
            self.slow(data)
        else:
            self.send(data)

    def slow(self, data):
        for i in range(len(data)):
            if time.monotonic() > self.srv.deadline:
                raise Closed()
            self.send(data[i:i + 1])
            time.sleep(1)

    def flood(self, fmt):
        """Lines fmt % i for ever, until the client goes or time is up."""
        i = 0
        while time.monotonic() < self.srv.deadline:
            chunk = "".join((fmt % (i + k)) + "\r\n" for k in range(100))
            self.send(chunk.encode("latin-1"))
            i += 100
        raise Closed()

    # -- input
    def fill(self):
        try:
            d = self.sock.recv(65536)
        except OSError:
            d = b""
        if not d:
            raise Closed()
        self.buf += d

    def readline(self):
        """One line without its CR LF (latin-1); Closed at the end."""
        while True:
            if not self.tls and self.buf[:2] == b"\x16\x03":
                raise BadInput("TLS data without STARTTLS")
            i = self.buf.find(b"\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 1:]
                if len(line) > MAX_LINE:
                    raise BadInput("line too long")
                return line.rstrip(b"\r").decode("latin-1")
            if len(self.buf) > MAX_LINE:
                raise BadInput("line too long")
            self.fill()

    def command(self, bad):
        """The next command line, logged; on bad input, the reply bad % the
        reason and a hangup."""
        try:
            line = self.readline()
        except BadInput as e:
            self.reply(bad % e)
            self.hangup()
        self.log_cmd(line)
        return line

    def read_exact(self, n):
        while len(self.buf) < n:
            self.fill()
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def read_ber(self):
        """One whole BER element (definite length, at most 64 KB)."""
        while len(self.buf) < 2:
            self.fill()
        if self.buf[0] != 0x30:
            raise BadInput("not an LDAPMessage SEQUENCE")
        first = self.buf[1]
        if first == 0x80:
            raise BadInput("indefinite length")
        if first < 0x80:
            hlen, n = 2, first
        else:
            k = first & 0x7f
            if k > 4:
                raise BadInput("length of %d bytes" % k)
            while len(self.buf) < 2 + k:
                self.fill()
            hlen, n = 2 + k, int.from_bytes(self.buf[2:2 + k], "big")
        if hlen + n > MAX_LINE:
            raise BadInput("LDAPMessage of %d bytes" % n)
        return self.read_exact(hlen + n)

    def hold(self):
        """Read and drop until the client goes or the lifetime ends."""
        while time.monotonic() < self.srv.deadline:
            try:
                self.sock.settimeout(1)
                if not self.sock.recv(65536):
                    break
            except socket.timeout:
                continue
            except OSError:
                break
        raise Closed()

    def hangup(self):
        """Close without a reset that would eat what we sent: shut our side,
        read what comes for up to 2 s, then close."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
            self.sock.settimeout(2)
            end = time.monotonic() + 2
            while time.monotonic() < end and self.sock.recv(65536):
                pass
        except OSError:
            pass
        raise Closed()

    def fixed(self, cmd, answers):
        """Answer a command whose reply never changes: answers maps it to
        its reply; the reply to QUIT (or LOGOUT) ends the session.  False
        if cmd is not in answers."""
        if cmd not in answers:
            return False
        self.reply(answers[cmd])
        if cmd in ("QUIT", "LOGOUT"):
            self.hangup()
        return True

    # -- TLS
    def refusal(self, active, unsupported, refused):
        """What to answer a STARTTLS with instead of going on: TLS already
        active, the mode nostarttls or the mode refuse; else None."""
        if self.tls:
            return active
        if self.mode == "nostarttls":
            return unsupported
        if self.mode == "refuse":
            return refused
        return None

    def starttls(self):
        """After the positive answer to STARTTLS.  Closed on failure."""
        if self.mode == "tlsfail":
            self.send(NOT_TLS + os.urandom(1024))
            self.log("tlsfail sent plain text")
            self.hangup()
        if self.buf:
            # RFC 3207 5: nothing sent before TLS may count after it
            self.log("discarded %d bytes sent before the handshake"
                     % len(self.buf))
            self.buf = b""
        try:
            self.sock = self.srv.ctx.wrap_socket(self.sock, server_side=True)
        except (OSError, ValueError) as e:
            self.log("tls-error %s" % e)
            raise Closed()
        self.tls = True
        self.log("tls-ok %s %s" % (self.sock.version(),
                                   self.sock.cipher()[0]))


# -- the protocols

def smtp(s):
    if s.mode == "manylines":
        s.flood("220-" + HOST + " tlsd flood line %d")
    s.banner("220 %s ESMTP tlsd" % HOST)
    helo = None
    mail = None
    rcpts = []
    while True:
        verb, _, arg = s.command("500 5.5.2 %s").partition(" ")
        v = verb.upper()
        arg = arg.strip()
        if v == "EHLO":
            if not arg:
                s.reply("501 5.5.4 Syntax: EHLO hostname")
                continue
            helo, mail, rcpts = arg, None, []
            ext = ["%s Hello %s" % (HOST, arg), "PIPELINING",
                   "SIZE %d" % MAX_MSG, "8BITMIME", "ENHANCEDSTATUSCODES"]
            if not s.tls and s.mode != "nostarttls":
                ext.append("STARTTLS")
            ext.append("HELP")
            ext[1:1] = ["X-TLSD-PAD-%d" % k
                        for k in range(1, s.srv.reply_lines - len(ext) + 1)]
            s.multi(250, ext)
        elif v == "HELO":
            if not arg:
                s.reply("501 5.5.4 Syntax: HELO hostname")
                continue
            helo, mail, rcpts = arg, None, []
            s.reply("250 %s Hello %s" % (HOST, arg))
        elif v == "STARTTLS":
            no = s.refusal("503 5.5.1 TLS already active",
                           "502 5.5.1 not supported",
                           "454 4.7.0 TLS not available")
            if arg and not s.tls:
                s.reply("501 5.5.4 Syntax: STARTTLS")
            elif no:
                s.reply(no)
            else:
                s.reply("220 2.0.0 Ready to start TLS")
                s.starttls()
                helo, mail, rcpts = None, None, []
        elif v == "MAIL":
            path = smtp_path(arg, "FROM:")
            if helo is None:
                s.reply("503 5.5.1 Error: send HELO/EHLO first")
            elif mail is not None:
                s.reply("503 5.5.1 Error: nested MAIL command")
            elif path is None:
                s.reply("501 5.5.4 Syntax: MAIL FROM:<address>")
            else:
                mail = path
                s.reply("250 2.1.0 Ok")
        elif v == "RCPT":
            path = smtp_path(arg, "TO:")
            if mail is None:
                s.reply("503 5.5.1 Error: need MAIL command")
            elif path is None or path == "<>":
                s.reply("501 5.5.4 Syntax: RCPT TO:<address>")
            elif len(rcpts) >= MAX_RCPTS:
                s.reply("452 4.5.3 Error: too many recipients")
            else:
                rcpts.append(path)
                s.reply("250 2.1.5 Ok")
        elif v == "DATA":
            if arg:
                s.reply("501 5.5.4 Syntax: DATA")
            elif mail is None:
                s.reply("503 5.5.1 Error: need MAIL command")
            elif not rcpts:
                s.reply("554 5.5.1 Error: no valid recipients")
            else:
                s.reply("354 End data with <CR><LF>.<CR><LF>")
                smtp_data(s, mail, rcpts)
                mail, rcpts = None, []
        elif v == "RSET":
            mail, rcpts = None, []
            s.reply("250 2.0.0 Ok")
        elif not s.fixed(v, SMTP_FIXED):
            s.reply("500 5.5.2 Error: command not recognized")


SMTP_FIXED = {"NOOP": "250 2.0.0 Ok", "VRFY": "252 2.0.0 Cannot VRFY user",
              "HELP": "214 2.0.0 tlsd: RFC 5321 and RFC 3207",
              "QUIT": "221 2.0.0 Bye"}


def smtp_path(arg, what):
    """"<a@b>" from "FROM:<a@b> SIZE=10", or None."""
    if not arg.upper().startswith(what):
        return None
    rest = arg[len(what):].strip()
    if not rest.startswith("<") or ">" not in rest:
        return None
    return rest[:rest.index(">") + 1]


def smtp_data(s, mail, rcpts):
    lines = []
    size = 0
    while True:
        try:
            line = s.readline()
        except BadInput as e:
            s.reply("500 5.5.2 %s" % e)
            s.hangup()
        if line == ".":
            break
        if line.startswith("."):
            line = line[1:]
        size += len(line) + 2
        if size <= MAX_MSG:
            lines.append(line)
    if size > MAX_MSG:
        s.log("%s message from=%s refused: %d bytes"
              % ("tls" if s.tls else "plain", mail, size))
        s.reply("552 5.3.4 Error: message too big")
        return
    head = "%d %s message from=%s to=%s bytes=%d\n" % (
        s.id, "tls" if s.tls else "plain", mail, ",".join(rcpts), size)
    s.srv.log(head + "".join("%d | %s\n" % (s.id, l) for l in lines))
    s.reply("250 2.0.0 Ok: queued as TLSD%d" % s.srv.next_msg())


def imap(s):
    def caps():
        c = "IMAP4rev1"
        if not s.tls and s.mode != "nostarttls":
            c += " STARTTLS"
        return c
    s.banner("* OK [CAPABILITY %s] tlsd ready" % caps())
    while True:
        tag, _, rest = s.command("* BAD %s").partition(" ")
        cmd, _, arg = rest.partition(" ")
        cmd = cmd.upper()
        if not tag or not cmd or tag == "*" or tag == "+":
            s.reply("* BAD missing tag or command")
            continue
        if s.mode == "manylines":
            s.flood("* CAPABILITY IMAP4rev1 X-FLOOD-%d")
        if cmd == "CAPABILITY":
            s.reply("* CAPABILITY " + caps(),
                    tag + " OK CAPABILITY completed")
        elif cmd == "STARTTLS":
            no = s.refusal("BAD TLS already active",
                           "BAD STARTTLS not supported",
                           "NO [UNAVAILABLE] TLS not available")
            if no:
                s.reply(tag + " " + no)
            else:
                s.reply(*["* OK tlsd line %d" % k
                          for k in range(1, s.srv.reply_lines)] +
                        [tag + " OK Begin TLS negotiation now"])
                s.starttls()
        elif cmd == "NOOP":
            s.reply(tag + " OK NOOP completed")
        elif cmd == "LOGOUT":
            s.reply("* BYE tlsd logging out", tag + " OK LOGOUT completed")
            s.hangup()
        else:
            s.reply(tag + " BAD unknown command")


def pop3(s):
    s.banner("+OK tlsd ready")
    while True:
        cmd = s.command("-ERR %s").partition(" ")[0].upper()
        if cmd == "CAPA":
            if s.mode == "manylines":
                s.reply("+OK Capability list follows")
                s.flood("X-FLOOD-%d")
            c = ["+OK Capability list follows", "TOP", "UIDL"]
            if not s.tls and s.mode != "nostarttls":
                c.append("STLS")
            s.reply(*(c + ["."]))
        elif cmd == "STLS":
            no = s.refusal("-ERR TLS already active",
                           "-ERR STLS not supported",
                           "-ERR [SYS/TEMP] TLS not available")
            if no:
                s.reply(no)
            else:
                s.reply("+OK Begin TLS")
                s.starttls()
        elif not s.fixed(cmd, {"NOOP": "+OK",
                                "QUIT": "+OK tlsd signing off"}):
            s.reply("-ERR unknown command")


def ftp(s):
    if s.mode == "manylines":
        s.flood("220-tlsd flood line %d")
    s.banner("220 tlsd ready")
    while True:
        cmd, _, arg = s.command("500 %s").partition(" ")
        cmd = cmd.upper()
        arg = arg.strip().upper()
        if cmd == "AUTH":
            no = s.refusal("503 TLS already active",
                           "500 AUTH not understood",
                           "431 TLS not available")
            # a bad mechanism is answered before the refusal of "refuse"
            if arg not in ("TLS", "TLS-C") and (not no or no[:3] == "431"):
                s.reply("504 AUTH %s not supported" % arg)
            elif no:
                s.reply(no)
            else:
                s.reply("234 AUTH TLS successful")
                s.starttls()
        elif cmd == "FEAT":
            f = ["Features:"]
            if s.mode != "nostarttls":
                f += [" AUTH TLS", " PBSZ", " PROT"]
            s.multi(211, f + ["End"])
        elif cmd == "PBSZ":
            s.reply("200 PBSZ=0" if s.tls else "503 PBSZ needs TLS")
        elif cmd == "PROT":
            s.reply("200 PROT %s" % arg if s.tls else "503 PROT needs TLS")
        elif not s.fixed(cmd, {"NOOP": "200 NOOP ok",
                                "SYST": "215 UNIX Type: L8",
                                "QUIT": "221 Goodbye"}):
            s.reply("502 command not implemented")


# -- LDAP: just enough BER (X.690, definite lengths) for StartTLS

def ber_tlv(buf, pos, end):
    """(tag, content start, content end) of the element at pos."""
    if end - pos < 2:
        raise BadInput("truncated BER element")
    tag = buf[pos]
    if tag & 0x1f == 0x1f:
        raise BadInput("multi-byte tag")
    first = buf[pos + 1]
    pos += 2
    if first == 0x80:
        raise BadInput("indefinite length")
    if first < 0x80:
        n = first
    else:
        k = first & 0x7f
        if k > 4 or end - pos < k:
            raise BadInput("bad length")
        n = int.from_bytes(buf[pos:pos + k], "big")
        pos += k
    if n > end - pos:
        raise BadInput("element longer than what holds it")
    return tag, pos, pos + n


def ber_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def ber(tag, content):
    return bytes([tag]) + ber_len(len(content)) + content


def ber_int(tag, v):
    return ber(tag, v.to_bytes((v.bit_length() + 8) // 8, "big",
                               signed=True))


def ldap_parse(msg):
    """(messageID, protocolOp tag, requestName or None) of an LDAPMessage:
    SEQUENCE { messageID INTEGER (0..2^31-1), protocolOp, controls [0]
    OPTIONAL }; for an ExtendedRequest, [APPLICATION 23] { requestName
    [0] LDAPOID, requestValue [1] OPTIONAL }."""
    tag, a, b = ber_tlv(msg, 0, len(msg))
    if tag != 0x30 or b != len(msg):
        raise BadInput("not one SEQUENCE")
    tag, x, y = ber_tlv(msg, a, b)
    if tag != 0x02 or not 1 <= y - x <= 4 or msg[x] & 0x80:
        raise BadInput("bad messageID")
    msgid = int.from_bytes(msg[x:y], "big")
    tag, p, q = ber_tlv(msg, y, b)
    name = None
    if tag == 0x77:                 # [APPLICATION 23] constructed
        t, r, e = ber_tlv(msg, p, q)
        if t != 0x80:               # [0] primitive
            raise BadInput("ExtendedRequest without requestName")
        name = bytes(msg[r:e]).decode("latin-1")
        if e < q:
            t, _, e2 = ber_tlv(msg, e, q)
            if t != 0x81 or e2 != q:    # [1] requestValue, nothing after
                raise BadInput("bad ExtendedRequest")
    if q < b:
        t, _, e = ber_tlv(msg, q, b)
        if t != 0xa0 or e != b:     # controls [0] constructed
            raise BadInput("trailing data after protocolOp")
    return msgid, tag, name


def ldap_response(msgid, code, diag="", name=None):
    """LDAPMessage { messageID, ExtendedResponse [APPLICATION 24] {
    resultCode ENUMERATED, matchedDN "", diagnosticMessage, responseName
    [10] OPTIONAL } }"""
    body = ber_int(0x0a, code) + ber(0x04, b"") + \
        ber(0x04, diag.encode("latin-1"))
    if name is not None:
        body += ber(0x8a, name.encode("latin-1"))
    return ber(0x30, ber_int(0x02, msgid) + ber(0x78, body))


def ldap(s):
    while True:
        try:
            msgid, op, name = ldap_parse(s.read_ber())
        except BadInput as e:
            s.log("%s bad LDAP input: %s" % ("tls" if s.tls else "plain", e))
            s.send(ldap_response(0, 2, "tlsd: %s" % e, NOTICE_OID))
            s.hangup()
        if op == 0x42:              # UnbindRequest
            s.log_cmd("UnbindRequest id=%d" % msgid)
            s.hangup()
        if op != 0x77:
            s.log_cmd("op 0x%02x id=%d" % (op, msgid))
            s.send(ldap_response(0, 2, "tlsd: only StartTLS", NOTICE_OID))
            s.hangup()
        s.log_cmd("ExtendedRequest id=%d %s" % (msgid, name))
        no = s.refusal((1, "TLS already active"),
                       (2, "StartTLS not supported"),
                       (52, "TLS not available"))
        if name != STARTTLS_OID:
            s.send(ldap_response(msgid, 2, "unsupported extended operation"))
        elif no:
            s.send(ldap_response(msgid, *no))
        else:
            r = ldap_response(msgid, 0, "", STARTTLS_OID)
            if s.mode == "slowbanner":
                s.slow(r)
            else:
                s.send(r)
            s.starttls()


def tls(s):
    if s.mode == "tlsfail":
        # the ClientHello, or whatever comes first, then no ServerHello
        try:
            s.fill()
        except Closed:
            return
        s.buf = b""
    s.starttls()
    while True:                 # until the client goes, or 30 s of silence
        s.fill()
        s.buf = b""


def https(s):
    if s.mode == "tlsfail":
        tls(s)
    s.starttls()
    while b"\r\n\r\n" not in s.buf and b"\n\n" not in s.buf:
        if len(s.buf) > MAX_LINE:
            s.send(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                   b"Content-Length: 0\r\nConnection: close\r\n\r\n")
            s.hangup()
        s.fill()
    s.log_cmd(s.buf.split(b"\n", 1)[0].rstrip(b"\r").decode("latin-1"))
    body = b"tlsd ok\n"
    s.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
           b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
           + body)
    s.hangup()


SERVE = {"tls": tls, "https": https, "smtp": smtp, "imap": imap,
         "pop3": pop3, "ftp": ftp, "ldap": ldap}


def serve(srv, c, peer):
    s = None
    try:
        c.settimeout(CONN_TIMEOUT)
        s = Session(srv, c, peer)
        mode = srv.mode
        if mode == "close":
            pass
        elif mode == "garbage":
            # never a digit, "*", "+", 0x16 or 0x30: no protocol's start
            s.send(b"\x00\xff" + os.urandom(4094))
            s.hangup()
        elif mode == "stall":
            s.hold()
        elif mode == "longline":
            p = LONG_PREFIX[srv.proto]
            s.send(p + b"a" * (LONGLINE - len(p)))
            s.hold()
        else:
            SERVE[srv.proto](s)
    except Closed:
        pass
    except Exception:               # a bug here, not the client's doing
        traceback.print_exc()
        if s is not None:
            s.log("error %s" % sys.exc_info()[1])
    finally:
        if s is not None:
            s.log("close")
        try:
            (s.sock if s is not None else c).close()
        except OSError:
            pass
        srv.slots.release()


def main():
    ap = argparse.ArgumentParser(
        prog="tlsd.py", description="a TLS and STARTTLS test server")
    ap.add_argument("portfile")
    ap.add_argument("proto", choices=PROTOS)
    ap.add_argument("certfile")
    ap.add_argument("keyfile")
    ap.add_argument("--mode", choices=MODES, default="normal")
    ap.add_argument("--ipv6", action="store_true")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--lifetime", type=float, default=120)
    ap.add_argument("--log")
    ap.add_argument("--banner-lines", type=int, metavar="N")
    ap.add_argument("--reply-lines", type=int, metavar="N")
    args = ap.parse_args()
    for opt, n, protos in (("--banner-lines", args.banner_lines,
                            ("smtp", "ftp")),
                           ("--reply-lines", args.reply_lines,
                            ("smtp", "imap"))):
        if n is not None and not 1 <= n <= 100000:
            ap.error("%s %d: from 1 to 100000" % (opt, n))
        if n is not None and args.proto not in protos:
            ap.error("%s is for %s only" % (opt, " and ".join(protos)))
    if args.mode not in MODES_FOR.get(args.proto, MODES):
        ap.error("mode %s makes no sense for %s (it takes: %s)" % (
            args.mode, args.proto, ", ".join(MODES_FOR[args.proto])))
    try:
        srv = Server(args)
    except (OSError, ssl.SSLError) as e:
        sys.stderr.write("tlsd.py: %s, %s: %s\n" % (args.certfile,
                                                     args.keyfile, e))
        sys.exit(2)
    fam = socket.AF_INET6 if args.ipv6 else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    if args.port:   # a fixed port: again at once, past the last TIME_WAIT
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if args.ipv6:
        s.bind(("::1", args.port))
    else:
        s.bind(("127.0.0.1", args.port))
    s.listen(64)
    # whole or absent for the shell that polls it
    with open(args.portfile + ".tmp", "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.replace(args.portfile + ".tmp", args.portfile)
    s.settimeout(1)
    while time.monotonic() < srv.deadline:
        try:
            c, peer = s.accept()
        except socket.timeout:
            continue
        except OSError:             # EMFILE and the like: wait, go on
            time.sleep(0.1)
            continue
        if not srv.slots.acquire(blocking=False):
            c.close()
            continue
        try:
            threading.Thread(target=serve, args=(srv, c, peer),
                             daemon=True).start()
        except RuntimeError:
            c.close()
            srv.slots.release()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)                 # threads still holding go with it


if __name__ == "__main__":
    main()
