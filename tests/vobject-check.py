#!/usr/bin/python3
# vobject-check.py - second, independent iCalendar validator for the
# end-to-end tests.
#
# Owns: `vobject-check.py FILE...`.  Each file is parsed with Python's
# vobject (a different parser from the libical the product uses, so a
# quirk shared by writer and checker cannot hide a bug), every top-level
# component is validate()d, and every VEVENT must carry UID and DTSTART
# (no DTEND: an instant, RFC 5545 3.6.1) and at most one VALARM (none
# when STATUS:CANCELLED; Outlook keeps only one).  Prints
# "ok FILE: N events" per good file; problems go to stderr naming the file.
# Exit 0 when every file is good, 1 when any is bad, 2 on a usage error.
#
# Run it with /usr/bin/python3: that is the interpreter Debian's
# python3-vobject is installed for.
import sys

try:
    import vobject
    from vobject.base import ParseError, ValidateError
except ImportError as e:  # pragma: no cover - environment problem
    sys.stderr.write("vobject-check: cannot import vobject (%s); "
                     "run with /usr/bin/python3 and python3-vobject\n" % e)
    sys.exit(2)

MAX_FILE = 64 * 1024 * 1024


def event_label(ev):
    uid = ev.contents.get("uid")
    return "VEVENT UID=%s" % uid[0].value if uid else "VEVENT"


def check_event(ev, problems):
    label = event_label(ev)
    # No DTEND is an instant event (RFC 5545 3.6.1): the deadline itself.
    for name in ("uid", "dtstart"):
        if name not in ev.contents:
            problems.append("%s lacks %s" % (label, name.upper()))
    status = ev.contents.get("status")
    cancelled = bool(status) and \
        str(status[0].value).strip().upper() == "CANCELLED"
    alarms = ev.contents.get("valarm", [])
    if len(alarms) > 1 or (cancelled and alarms):
        problems.append("%s has %d VALARMs, expected at most 1 (none when "
                        "cancelled)" % (label, len(alarms)))
    if "dtstart" in ev.contents and "dtend" in ev.contents:
        try:
            if ev.dtend.value < ev.dtstart.value:
                problems.append("%s: DTEND before DTSTART" % label)
        except TypeError:
            problems.append("%s: DTSTART and DTEND are not comparable "
                            "(DATE vs DATE-TIME, or floating vs UTC)"
                            % label)


def check_file(path):
    problems = []
    events = 0
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE + 1)
    except OSError as e:
        return ["cannot open: %s" % e.strerror], 0
    if len(raw) > MAX_FILE:
        return ["larger than %d bytes" % MAX_FILE], 0
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return ["not valid UTF-8 at byte %d" % e.start], 0
    if "\0" in text:
        return ["contains a NUL byte"], 0

    try:
        comps = list(vobject.readComponents(text, validate=False))
    except (ParseError, ValueError, TypeError) as e:
        return ["vobject could not parse it: %s" % e], 0
    if len(comps) != 1:
        problems.append("expected one top-level VCALENDAR, found %d "
                        "components" % len(comps))
    for comp in comps:
        if comp.name.upper() != "VCALENDAR":
            problems.append("top-level component is %s, not VCALENDAR"
                            % comp.name)
            continue
        # The calendar's validate() descends into its children and
        # stops at the first problem; each VEVENT and VALARM is also
        # validated below so every one is named.  `seen` keeps one
        # finding from being reported twice.
        seen = set()
        try:
            comp.validate(raiseException=True)
        except (ValidateError, ValueError, TypeError) as e:
            cal_problem = str(e)
        else:
            cal_problem = None
        for ev in comp.contents.get("vevent", []):
            try:
                ev.validate(raiseException=True)
            except (ValidateError, ValueError, TypeError) as e:
                seen.add(str(e))
                problems.append("%s: validate() failed: %s"
                                % (event_label(ev), e))
            for alarm in ev.contents.get("valarm", []):
                try:
                    alarm.validate(raiseException=True)
                except (ValidateError, ValueError, TypeError) as e:
                    seen.add(str(e))
                    problems.append("%s: VALARM validate() failed: %s"
                                    % (event_label(ev), e))
            check_event(ev, problems)
            events += 1
        if cal_problem is not None and cal_problem not in seen:
            problems.append("VCALENDAR validate() failed: %s" % cal_problem)
    return problems, events


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("usage: vobject-check.py FILE...\n")
        return 2
    bad = False
    for path in argv[1:]:
        problems, events = check_file(path)
        if problems:
            bad = True
            for p in problems:
                sys.stderr.write("vobject-check: %s: %s\n" % (path, p))
        else:
            print("ok %s: %d events" % (path, events))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
