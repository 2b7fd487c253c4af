#!/usr/bin/python3
"""reminder-echo.py DB MAILDIR...: compare the outbox with what arrived.

For every outbox row (Message-ID, UID, SEQUENCE, METHOD read from the
calendar it carries) count the mails delivered into the MAILDIRs with
that Message-ID and that UID+SEQUENCE+METHOD.  Prints one line of
counts, then one line per problem:
  rows=N delivered=N once=N missing=N doubled=N sealed=N
  missing <message-id> / doubled <message-id> xN / sealed <file>
Exit 0 when every row arrived exactly once and no delivered reminder
still carries the seal header.
"""
import email
import email.policy
import glob
import re
import sqlite3
import sys
from collections import Counter


def calendar_key(msg):
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            text = part.get_payload(decode=True).decode("utf-8", "replace")
            text = re.sub(r"\r?\n[ \t]", "", text)
            uid = re.search(r"^UID:(.*)$", text, re.M)
            seq = re.search(r"^SEQUENCE:(\d+)", text, re.M)
            meth = re.search(r"^METHOD:(\w+)", text, re.M)
            return (uid.group(1).strip() if uid else "", seq.group(1) if seq else "0",
                    meth.group(1) if meth else "")
    return None


db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
rows = {}
for mid, message in db.execute("SELECT message_id, message FROM outbox"):
    rows[mid.strip()] = calendar_key(email.message_from_string(message, policy=email.policy.compat32))

seen = Counter()
sealed = []
for d in sys.argv[2:]:
    for f in glob.glob(d + "/new/*") + glob.glob(d + "/cur/*"):
        with open(f, "rb") as fh:
            msg = email.message_from_binary_file(fh, policy=email.policy.compat32)
        mid = (msg.get("Message-ID") or "").strip()
        if mid not in rows:
            continue
        if calendar_key(msg) != rows[mid]:
            continue        # not the reminder (e.g. a forgery naming its Message-ID)
        seen[mid] += 1
        if msg.get("X-Cmemilter-Seal") is not None:
            sealed.append(f)

missing = [m for m in rows if seen[m] == 0]
doubled = [m for m in rows if seen[m] > 1]
print("rows=%d delivered=%d once=%d missing=%d doubled=%d sealed=%d" % (
    len(rows), sum(seen.values()), sum(1 for m in rows if seen[m] == 1), len(missing),
    len(doubled), len(sealed)))
for m in missing[:5]:
    print("missing", m)
for m in doubled[:5]:
    print("doubled", m, "x%d" % seen[m])
for f in sealed[:5]:
    print("sealed", f)
sys.exit(0 if rows and not missing and not doubled and not sealed else 1)
