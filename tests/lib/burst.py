#!/usr/bin/python3
"""burst.py PORT COUNT THREADS PREFIX [--bench] [--attach FILE] [--rate R]

Send COUNT distinct CME referrals (one child each, Message-ID
<PREFIX-N@burst.sch.test>) over THREADS parallel SMTP sessions to
127.0.0.1:PORT.  A refused or failed message is retried on a new session
(for up to 5 minutes, backing off), as a sending MTA would.  Prints how many were accepted;
with --bench also the elapsed seconds and per-message latencies (ms) of
the DATA phase, p50 and p99.  With --attach FILE every message also
carries FILE, base64, as a Word attachment (tests/memory.sh sends hostile
DOCX files so).  With --rate R the load is offered at R messages a second
(message N is sent no earlier than N/R seconds after the start, on
session N mod THREADS; an open loop, as mail arrives) instead of as
fast as the sessions go.
"""
import base64
import smtplib
import sys
import threading
import time

port, count, threads, prefix = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
bench = "--bench" in sys.argv
rate = float(sys.argv[sys.argv.index("--rate") + 1]) if "--rate" in sys.argv else 0.0
attach = None
if "--attach" in sys.argv:
    with open(sys.argv[sys.argv.index("--attach") + 1], "rb") as f:
        b64 = base64.encodebytes(f.read()).decode().replace("\n", "\r\n")
    attach = ("--b0undary\r\n"
              "Content-Type: application/vnd.openxmlformats-officedocument."
              "wordprocessingml.document; name=\"referral.docx\"\r\n"
              "Content-Disposition: attachment; filename=\"referral.docx\"\r\n"
              "Content-Transfer-Encoding: base64\r\n\r\n" + b64 +
              "--b0undary--\r\n")
accepted = [0] * threads
latencies = [[] for _ in range(threads)]


FORENAMES = ("Amelia Oliver Isla George Ava Noah Mia Leo Ivy Arthur Freya Muhammad "
             "Lily Harry Florence Oscar Willow Archie Rosie Jack Sophia Henry Grace "
             "Theo Evie Alfie Poppy Charlie Ella Finley Aisha Zain Maja Jakub Amira "
             "Yusuf Chloe Reggie Hannah Tommy").split()


def letters(i):
    """i as letters (a name never holds digits: the extractor stops at one),
    scrambled (a bijection mod 26**5) so that consecutive children do not
    differ by one letter: distinct children, as in a real month, not near
    namesakes that are each other's possible duplicates."""
    out = ""
    i = (i * 2654435761) % 26 ** 5
    for _ in range(5):
        out = chr(ord("a") + i % 26) + out
        i //= 26
    return out


def body(i):
    text = plain(i)
    if attach is None:
        return text
    head, sep, rest = text.partition("\r\n\r\n")
    return (head + "\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"b0undary\"\r\n\r\n"
            "--b0undary\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
            rest + attach)


def plain(i):
    return ("From: Attendance <attendance@burst.sch.test>\r\n"
            "To: cme@la.test\r\n"
            "Subject: CME referral %d\r\n"
            "Message-ID: <%s-%d@burst.sch.test>\r\n"
            "Date: Mon, 16 Nov 2026 09:00:00 +0000\r\n"
            "\r\n"
            "Child's forename: %s\r\nChild's surname: Burst%s%s\r\n"
            "Date of birth: %02d/%02d/%d\r\nPostcode: IP1 2BX\r\n"
            "Reason for referral: moved away, address unknown\r\n") % (
                i, prefix, i, FORENAMES[i * 7 % 40], prefix.capitalize(), letters(i),
                1 + i % 28, 1 + i // 28 % 12, 2010 + i % 11)


def worker(k):
    s = None
    for i in range(k, count, threads):
        # a sending MTA retries a 451 for days; here for up to 5 minutes
        # a message, backing off from 0.2 s to 2 s (under the sanitizers
        # MaxMemory answers 451 far more often: nothing is lost, it is slower)
        if rate > 0:
            wait = start + i / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        give_up, pause = time.monotonic() + 300, 0.2
        while time.monotonic() < give_up:
            try:
                if s is None:
                    s = smtplib.SMTP("127.0.0.1", port, timeout=120)
                t0 = time.monotonic()
                s.sendmail("attendance@burst.sch.test", ["cme@la.test"], body(i))
                latencies[k].append((time.monotonic() - t0) * 1000)
                accepted[k] += 1
                break
            except Exception:
                try:
                    s.close()
                except Exception:
                    pass
                s = None
                time.sleep(pause)
                pause = min(pause * 2, 2.0)
    if s is not None:
        try:
            s.quit()
        except Exception:
            pass


start = time.monotonic()
workers = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
for t in workers:
    t.start()
for t in workers:
    t.join()
elapsed = time.monotonic() - start
print(sum(accepted))
if bench:
    lat = sorted(x for per in latencies for x in per)
    if lat:
        print("elapsed %.3f" % elapsed)
        print("p50 %.2f" % lat[len(lat) // 2])
        print("p99 %.2f" % lat[min(len(lat) - 1, int(len(lat) * 0.99))])
