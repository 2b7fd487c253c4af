#!/usr/bin/python3
# reminders-cal.py - reads what tests/reminders.sh captured, with parsers
# that share no code with the product.
#
# Owns:
#   reminders-cal.py events CALDIR OUTDIR MAIL...
#       One line per mail: "M FILE to=ADDR importance=V priority=V
#       urgent=N subject=S" (V "-" when absent, N the number of "URGENT" in
#       the decoded Subject), then one line per VEVENT of its text/calendar
#       parts: "E METHOD UID STATUS start=DAY YYYY-MM-DD HH:MM
#       alarm=DAY YYYY-MM-DD HH:MM|none inhours=yes|no|none wdbefore=N",
#       times local to Europe/London, the alarm computed as DTSTART +
#       TRIGGER (or TRIGGER itself when absolute); inhours says whether the
#       alarm is on a working day (Monday-Friday, not a closure of
#       CALDIR/england-and-wales-bank-holidays.ics) between 08:00 and
#       18:00; wdbefore counts the working days from the alarm's date up to
#       (not including) DTSTART's date.  Each text/calendar part is also
#       written to OUTDIR/FILE-K.ics for the validators.
#   reminders-cal.py icalendar FILE...
#       Each file parsed by python's icalendar (a third parser); "ok FILE:
#       N events" per good one, problems on stderr.  Exit 0 all good, 1 a
#       bad file, 2 the module cannot be imported (the test SKIPs).
import datetime
import email
import email.header
import os
import re
import sys
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def closures(caldir):
    """The closed dates of the bank-holiday calendar, read as plain text
    (all-day events, DTSTART;VALUE=DATE and DTEND;VALUE=DATE exclusive)."""
    days = set()
    text = open(os.path.join(caldir, "england-and-wales-bank-holidays.ics")).read()
    for ev in text.split("BEGIN:VEVENT")[1:]:
        s = re.search(r"^DTSTART;VALUE=DATE:(\d{8})", ev, re.M)
        e = re.search(r"^DTEND;VALUE=DATE:(\d{8})", ev, re.M)
        d = datetime.datetime.strptime(s.group(1), "%Y%m%d").date()
        end = datetime.datetime.strptime(e.group(1), "%Y%m%d").date() if e else \
            d + datetime.timedelta(days=1)
        while d < end:
            days.add(d)
            d += datetime.timedelta(days=1)
    return days


def local(dt):
    return dt.astimezone(LONDON).strftime("%a %Y-%m-%d %H:%M")


def events_cmd(caldir, outdir, mails):
    import vobject
    closed = closures(caldir)

    def working(d):
        return d.weekday() < 5 and d not in closed

    for path in mails:
        m = email.message_from_binary_file(open(path, "rb"))
        subj = str(email.header.make_header(email.header.decode_header(m["Subject"] or "")))
        name = os.path.basename(path)
        print("M %s to=%s importance=%s priority=%s urgent=%d subject=%s" % (
            name, m["To"], m["Importance"] or "-", m["X-Priority"] or "-",
            subj.count("URGENT"), subj))
        k = 0
        for part in m.walk():
            if part.get_content_type() != "text/calendar":
                continue
            k += 1
            raw = part.get_payload(decode=True)
            open(os.path.join(outdir, "%s-%d.ics" % (name, k)), "wb").write(raw)
            cal = vobject.readOne(raw.decode("utf-8"))
            method = cal.method.value if hasattr(cal, "method") else "-"
            for ev in cal.contents.get("vevent", []):
                start = ev.dtstart.value
                status = ev.status.value if hasattr(ev, "status") else "-"
                alarm, inhours, wd = None, "none", 0
                for va in ev.contents.get("valarm", []):
                    trig = va.trigger.value
                    alarm = start + trig if isinstance(trig, datetime.timedelta) else trig
                if alarm is not None:
                    la = alarm.astimezone(LONDON)
                    inhours = "yes" if working(la.date()) and \
                        datetime.time(8, 0) <= la.time() <= datetime.time(18, 0) else "no"
                    d, due = la.date(), start.astimezone(LONDON).date()
                    while d < due:
                        wd += working(d)
                        d += datetime.timedelta(days=1)
                print("E %s %s %s start=%s alarm=%s inhours=%s wdbefore=%d" % (
                    method, ev.uid.value, status, local(start),
                    local(alarm) if alarm is not None else "none", inhours, wd))


def icalendar_cmd(files):
    try:
        import icalendar
    except ImportError as e:
        sys.stderr.write("reminders-cal: cannot import icalendar (%s)\n" % e)
        return 2
    bad = 0
    for path in files:
        try:
            cal = icalendar.Calendar.from_ical(open(path, "rb").read())
            evs = cal.walk("VEVENT")
            for ev in evs:
                for key in ("UID", "DTSTAMP", "DTSTART"):
                    if key not in ev:
                        raise ValueError("a VEVENT lacks %s" % key)
                ev.decoded("DTSTART")
                for va in ev.walk("VALARM"):
                    va.decoded("TRIGGER")
            if cal.get("VERSION") != "2.0" or "PRODID" not in cal:
                raise ValueError("VERSION/PRODID")
            print("ok %s: %d events" % (path, len(evs)))
        except Exception as e:  # any failure of the parser is a finding
            sys.stderr.write("reminders-cal: %s: %s\n" % (path, e))
            bad = 1
    return bad


def main(argv):
    if len(argv) >= 4 and argv[1] == "events":
        events_cmd(argv[2], argv[3], argv[4:])
        return 0
    if len(argv) >= 2 and argv[1] == "icalendar":
        return icalendar_cmd(argv[2:])
    sys.stderr.write("usage: reminders-cal.py events CALDIR OUTDIR MAIL... | "
                     "icalendar FILE...\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
