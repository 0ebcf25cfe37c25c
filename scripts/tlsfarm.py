#!/usr/bin/env python3
# tlsfarm.py: many TLS servers in one process, for scripts/bench_probe.sh.
#   python3 scripts/tlsfarm.py PORTFILE N CERTFILE KEYFILE DELAY_MS LIFETIME_S
# Listens on N ports of 127.0.0.1 (chosen by the kernel; written to
# PORTFILE, one per line, atomically), and on each connection waits
# DELAY_MS before the TLS handshake -- the round trips of a server across
# the Internet -- then sends the chain in CERTFILE as it is (a leaf alone:
# the case AIA chasing fixes) and closes.  Exits after LIFETIME_S.
import os
import selectors
import socket
import ssl
import sys
import threading
import time


def serve(conn, ctx, delay):
    try:
        conn.settimeout(10)
        time.sleep(delay)
        with ctx.wrap_socket(conn, server_side=True) as t:
            try:
                t.recv(1)
            except (ssl.SSLError, OSError):
                pass
    except (ssl.SSLError, OSError):
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    if len(sys.argv) != 7:
        sys.stderr.write("usage: tlsfarm.py PORTFILE N CERT KEY DELAY_MS LIFETIME_S\n")
        sys.exit(2)
    portfile, n, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    delay, lifetime = int(sys.argv[5]) / 1000.0, int(sys.argv[6])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    sel = selectors.DefaultSelector()
    ports = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        s.listen(64)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        ports.append(s.getsockname()[1])
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("".join("%d\n" % p for p in ports))
    os.rename(tmp, portfile)
    end = time.time() + lifetime
    while time.time() < end:
        for k, _ in sel.select(timeout=0.5):
            try:
                conn, _ = k.fileobj.accept()
            except OSError:
                continue
            conn.setblocking(True)
            threading.Thread(target=serve, args=(conn, ctx, delay),
                             daemon=True).start()


if __name__ == "__main__":
    main()
