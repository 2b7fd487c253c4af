#!/usr/bin/python3
"""tcpcount.py LISTENPORT TARGETPORT LOGFILE

A TCP relay on 127.0.0.1:LISTENPORT to 127.0.0.1:TARGETPORT that appends
one line, "connect N", to LOGFILE for every connection it accepts (and
flushes it at once).  tests/routed.sh puts it between Postfix and the
milter, so the test can count how often Postfix opened a milter
conversation: cme-milter itself logs only the messages it keeps.
"""
import socket
import sys
import threading

lport, tport, logname = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]


def pipe(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", lport))
srv.listen(64)
n = 0
with open(logname, "a", buffering=1) as log:
    while True:
        c, _ = srv.accept()
        n += 1
        log.write("connect %d\n" % n)
        try:
            t = socket.create_connection(("127.0.0.1", tport), timeout=10)
            t.settimeout(None)
        except OSError:
            c.close()
            continue
        for a, b in ((c, t), (t, c)):
            threading.Thread(target=pipe, args=(a, b), daemon=True).start()
