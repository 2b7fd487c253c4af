#!/usr/bin/python3
"""populate.py DB N - fill a cme-milter database with N existing cases.

The database must already have its schema (run any cmectl command on it
first).  The cases look like an LA's history: 98% closed (their deadlines
met or cancelled), 2% open with three pending deadlines, children with
distinct names, DOBs, UPN-shaped numbers and match keys, one message and
two timeline events each, spread over 50 officers.  Rows go in with plain
SQL in large transactions: this is a fixture for bench/growth.sh, not a
path the product takes.
"""
import random
import sqlite3
import sys
import time

db, n = sys.argv[1], int(sys.argv[2])
random.seed(42)
con = sqlite3.connect(db, isolation_level=None)
con.execute("PRAGMA journal_mode=WAL")
con.execute("PRAGMA synchronous=OFF")
base = int(time.time()) - 3 * 365 * 86400
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def word(i, length=6):
    out = ""
    for _ in range(length):
        out = LETTERS[i % 26] + out
        i //= 26
    return out.capitalize()


con.execute("BEGIN")
year_counter = {}
for i in range(n):
    opened = base + i * (3 * 365 * 86400 // max(n, 1))
    year = time.gmtime(opened).tm_year
    year_counter[year] = year_counter.get(year, 0) + 1
    ref = "CME-%d-%05d" % (year, year_counter[year] % 100000)
    if year_counter[year] >= 100000:
        ref = "CME-%d-%d" % (year, year_counter[year])
    closed = random.random() < 0.98
    # open cases past their review are long-term already, as the milter's
    # sweep would have made them
    status = "closed" if closed else ("long-term" if opened + 182 * 86400 < time.time() else "open")
    officer = "officer%02d@la.test" % (i % 50)
    cur = con.execute(
        "INSERT INTO cases (ref, status, outcome, opened_at, closed_at, officer,"
        " referrer_email, flags, immediate, verified) VALUES (?,?,?,?,?,?,?,?,0,1)",
        (ref, status, "located-on-roll" if closed else None,
         opened, opened + 20 * 86400 if closed else None, officer,
         "attendance@school%03d.sch.test" % (i % 400), ""))
    cid = cur.lastrowid
    sur, fore = word(i), word(i * 7 + 3, 4)
    dob = "%04d-%02d-%02d" % (2008 + i % 12, 1 + i % 12, 1 + i % 28)
    con.execute(
        "INSERT INTO children (case_id, forename, surname, dob, upn, upn_valid, postcode,"
        " school, reason, match_key, case_open) VALUES (?,?,?,?,?,1,?,?,?,?,?)",
        (cid, fore, sur, dob, "X%012d" % i, "IP%d 1AA" % (1 + i % 30),
         "School %03d" % (i % 400), "moved-away-unknown",
         "%s|%s|%s" % (sur.lower(), fore.lower(), dob),
         # as the status trigger keeps it for a case closed by the milter
         0 if closed else 1))
    cur = con.execute(
        "INSERT INTO messages (msg_key, message_id, received_at, kind, action, from_addr)"
        " VALUES (?,?,?,?,?,?)",
        ("<hist-%d@school.sch.test>" % i, "<hist-%d@school.sch.test>" % i, opened,
         "referral", "opened", "attendance@school.sch.test"))
    con.execute("INSERT INTO message_cases (message_row, case_id) VALUES (?,?)",
                (cur.lastrowid, cid))
    for t, d in (("state", "opened"), ("deadline", "home-visit due")):
        con.execute("INSERT INTO events (case_id, at, type, source, detail) VALUES (?,?,?,?,?)",
                    (cid, opened, t, "populate", d))
    for k, due in (("home-visit", 3), ("escalation", 28), ("long-term-review", 182)):
        con.execute(
            "INSERT INTO deadlines (case_id, kind, due, status, sequence, updated_at)"
            " VALUES (?,?,?,?,?,?)",
            (cid, k, opened + due * 86400,
             # an open case's deadlines that have passed were met (or,
             # for the review, fired when the case went long-term)
             "cancelled" if closed else (
                 "pending" if opened + due * 86400 > time.time() else
                 ("fired" if k == "long-term-review" else "met")),
             1 if closed else 0, opened))
    if i % 50000 == 49999:
        con.execute("COMMIT")
        con.execute("BEGIN")
for year, last in year_counter.items():
    con.execute("INSERT OR REPLACE INTO ref_counter (year, last) VALUES (?,?)", (year, last))
con.execute("COMMIT")
con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
print("populated %d cases" % n)
