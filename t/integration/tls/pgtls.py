#!/usr/bin/python3
"""pgtls.py - raw PostgreSQL protocol over TLS, for what psql cannot show.

test_tls.sh uses it against pgpin (trust authentication):

  pgtls.py cancel HOST PORT USER DB tls|plain|none
      Log in, run SELECT pg_sleep(30), then send a CancelRequest on a second
      connection.  tls: both over TLS (the cancel after SSLRequest and the
      handshake); plain: the session over TLS, the cancel in plain text (as
      libpq 15 does); none: both in plain text.  Prints the SQLSTATE of the
      error the query ends with, and how long it took.

  pgtls.py login HOST PORT USER DB plain|tls [CERT KEY]
      Log in (in plain text, or over TLS with an optional client
      certificate) and print "ok", or the SQLSTATE and message of the error.

  pgtls.py inject HOST PORT
      Send an SSLRequest and a startup packet in one write (plain-text bytes
      behind the SSLRequest: CVE-2021-23214).  Prints the answer byte and
      then the SQLSTATE and message of the ErrorResponse that follows.
"""
import socket
import ssl
import struct
import sys
import time

SSL_REQUEST = struct.pack("!II", 8, 80877103)


def startup_packet(user, db):
    body = struct.pack("!I", 196608)
    for k, v in (("user", user), ("database", db)):
        body += k.encode() + b"\0" + v.encode() + b"\0"
    body += b"\0"
    return struct.pack("!I", len(body) + 4) + body


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("connection closed after %d of %d bytes" % (len(data), n))
        data += chunk
    return data


def read_msg(sock):
    hdr = recv_exact(sock, 5)
    typ, length = hdr[0:1], struct.unpack("!I", hdr[1:5])[0]
    return typ, recv_exact(sock, length - 4)


def error_fields(body):
    fields = {}
    for part in body.split(b"\0"):
        if part:
            fields[chr(part[0])] = part[1:].decode(errors="replace")
    return fields


def tls_connect(host, port, cert=None, key=None):
    sock = socket.create_connection((host, port), timeout=20)
    sock.sendall(SSL_REQUEST)
    answer = recv_exact(sock, 1)
    if answer != b"S":
        raise RuntimeError("server answered %r to SSLRequest" % answer)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if cert:
        ctx.load_cert_chain(cert, key)
    return ctx.wrap_socket(sock)


def login(host, port, user, db, how, cert=None, key=None):
    if how == "tls":
        sock = tls_connect(host, port, cert, key)
    else:
        sock = socket.create_connection((host, port), timeout=20)
    sock.sendall(startup_packet(user, db))
    while True:
        typ, body = read_msg(sock)
        if typ == b"E":
            f = error_fields(body)
            print("%s %s" % (f.get("C"), f.get("M")))
            return 0
        if typ == b"Z":
            print("ok")
            return 0


def cancel(host, port, user, db, how):
    if how == "none":
        sock = socket.create_connection((host, port), timeout=20)
    else:
        sock = tls_connect(host, port)
    sock.sendall(startup_packet(user, db))
    pid = key = None
    while True:
        typ, body = read_msg(sock)
        if typ == b"K":
            pid, key = struct.unpack("!II", body)
        elif typ == b"E":
            print("login failed: %s" % error_fields(body).get("M"))
            return 1
        elif typ == b"Z":
            break
    q = b"SELECT pg_sleep(30)\0"
    sock.sendall(b"Q" + struct.pack("!I", len(q) + 4) + q)
    time.sleep(0.5)
    start = time.time()
    if how == "tls":
        c = tls_connect(host, port)
    else:
        c = socket.create_connection((host, port), timeout=20)
    c.sendall(struct.pack("!IIII", 16, 80877102, pid, key))
    try:
        c.recv(1)  # the server closes once it has the request
    except OSError:
        pass
    c.close()
    while True:
        typ, body = read_msg(sock)
        if typ == b"E":
            f = error_fields(body)
            print("%s after %.1fs" % (f.get("C"), time.time() - start))
        elif typ == b"Z":
            break
    sock.close()
    return 0


def inject(host, port):
    sock = socket.create_connection((host, port), timeout=20)
    sock.sendall(SSL_REQUEST + startup_packet("nobody", "nowhere"))
    answer = recv_exact(sock, 1)
    print(answer.decode())
    typ, body = read_msg(sock)
    if typ == b"E":
        f = error_fields(body)
        print("%s %s" % (f.get("C"), f.get("M")))
    else:
        print("unexpected message %r" % typ)
    return 0


def main():
    if sys.argv[1] == "cancel":
        return cancel(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6])
    if sys.argv[1] == "login":
        return login(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6],
                     *sys.argv[7:9])
    if sys.argv[1] == "inject":
        return inject(sys.argv[2], int(sys.argv[3]))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
