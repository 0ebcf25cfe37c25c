#!/usr/bin/env python3
# badhttp.py: a hostile HTTP/1.1 server for the end-to-end tests, for the
# answers nginx will not give.  It listens on 127.0.0.1 on a port the
# kernel picks, writes that port to PORTFILE once listening, serves each
# connection in a thread and exits by itself after 120 s.  tests/harness/httpd.sh
# starts and stops it (badhttp_start, badhttp_stop).
#   python3 tests/harness/badhttp.py PORTFILE MODE [ARG]
# MODE:
#   truncated FILE  200 with the Content-Length of all of FILE, half of it,
#                   then close
#   stall           read the request, never answer (until the client goes)
#   garbage         random bytes that are no HTTP, then close
#   huge            200 with no Content-Length, "A"s until 300 MB are sent
#                   or the client goes
#   headers-flood   a status line, then header lines without end (300 MB)
#   headers-size N FILE
#                   200 with FILE as its body, whose head is exactly N bytes
#                   (N >= 200): the status line, the header lines and the
#                   empty line that ends them, each with its CRLF, which is
#                   what libcurl hands its header callback; X-Pad lines of
#                   at most 1000 bytes make up the size
import os
import socket
import sys
import threading
import time

LIFETIME = 120
HUGE = 300 * 1024 * 1024
MODES = ("truncated", "stall", "garbage", "huge", "headers-flood",
         "headers-size")


def read_request(c):
    """The request head, as much of it as comes within 10 s and 64 KB."""
    buf = b""
    c.settimeout(10)
    try:
        while b"\r\n\r\n" not in buf and len(buf) < 65536:
            d = c.recv(4096)
            if not d:
                break
            buf += d
    except OSError:
        pass
    c.settimeout(None)
    return buf


def send_until(c, head, chunk):
    """head, then chunk again and again until HUGE bytes or the client goes."""
    c.sendall(head)
    sent = len(head)
    while sent < HUGE:
        c.sendall(chunk)
        sent += len(chunk)


def head_of_size(n, body):
    """A 200's head for body, of exactly n bytes (n >= 200)."""
    fixed = [b"HTTP/1.1 200 OK\r\n",
             b"Content-Type: application/octet-stream\r\n",
             b"Content-Length: %d\r\n" % len(body),
             b"Connection: close\r\n"]
    left = n - sum(len(x) for x in fixed) - 2
    pad = []
    while left > 0:
        # a line is "X-Pad: " value CRLF, 10 bytes at least
        k = min(1000, left)
        if 0 < left - k < 10:
            k = left // 2
        pad.append(b"X-Pad: " + b"p" * (k - 9) + b"\r\n")
        left -= k
    head = b"".join(fixed + pad) + b"\r\n"
    assert len(head) == n
    return head


def serve(c, mode, body, size):
    try:
        read_request(c)
        if mode == "truncated":
            c.sendall(b"HTTP/1.1 200 OK\r\n"
                      b"Content-Type: application/octet-stream\r\n"
                      b"Content-Length: %d\r\n"
                      b"Connection: close\r\n\r\n" % len(body))
            c.sendall(body[:len(body) // 2])
            c.shutdown(socket.SHUT_WR)
        elif mode == "stall":
            while c.recv(4096):
                pass
        elif mode == "garbage":
            # never "HTTP/": the first byte is no 'H'
            c.sendall(b"\x00\xff" + os.urandom(4094))
            c.shutdown(socket.SHUT_WR)
        elif mode == "huge":
            send_until(c, b"HTTP/1.1 200 OK\r\n"
                       b"Content-Type: application/octet-stream\r\n"
                       b"Connection: close\r\n\r\n", b"A" * 65536)
        elif mode == "headers-size":
            c.sendall(head_of_size(size, body) + body)
            c.shutdown(socket.SHUT_WR)
        elif mode == "headers-flood":
            line = b"X-Flood: " + b"a" * 70 + b"\r\n"
            send_until(c, b"HTTP/1.1 200 OK\r\n", line * 512)
    except OSError:
        pass                    # the client went: what it may do
    finally:
        c.close()


def main():
    nargs = {"truncated": 4, "headers-size": 5}
    if len(sys.argv) < 3 or sys.argv[2] not in MODES or \
            len(sys.argv) != nargs.get(sys.argv[2], 3) or \
            (sys.argv[2] == "headers-size" and
             (not sys.argv[3].isdigit() or int(sys.argv[3]) < 200)):
        sys.stderr.write("usage: badhttp.py PORTFILE truncated FILE\n"
                         "       badhttp.py PORTFILE headers-size N FILE\n"
                         "       badhttp.py PORTFILE stall|garbage|huge|"
                         "headers-flood\n")
        sys.exit(2)
    portfile, mode = sys.argv[1], sys.argv[2]
    body = b""
    size = 0
    if mode == "truncated":
        with open(sys.argv[3], "rb") as f:
            body = f.read()
    elif mode == "headers-size":
        size = int(sys.argv[3])
        with open(sys.argv[4], "rb") as f:
            body = f.read()
        head_of_size(size, body)        # fail here, not in a thread
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    # whole or absent for the shell that polls it
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.replace(portfile + ".tmp", portfile)
    s.settimeout(1)
    deadline = time.monotonic() + LIFETIME
    while time.monotonic() < deadline:
        try:
            c, _ = s.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(c, mode, body, size),
                         daemon=True).start()
    sys.stdout.flush()
    os._exit(0)                 # threads still stalling go with it


if __name__ == "__main__":
    main()
