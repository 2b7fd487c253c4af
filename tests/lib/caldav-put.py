#!/usr/bin/python3
# caldav-put.py PORT NAME FEED - the body of radicale_put (tests/lib/radicale.sh):
# every VEVENT of FEED PUT into http://127.0.0.1:PORT/officer/NAME/ as its
# own calendar object, read back with GET, and compared field by field.
import sys
import urllib.error
import urllib.request

import vobject


def req(method, url, body=None, ctype=None):
    r = urllib.request.Request(url, data=body, method=method)
    if ctype:
        r.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(r, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def fields(text):
    """UID, DTSTART, SUMMARY, DESCRIPTION and the TRIGGERs of the one
    VEVENT of a calendar object."""
    ev = vobject.readOne(text).vevent
    get = lambda n: getattr(ev, n).value if hasattr(ev, n) else None
    return (get("uid"), ev.dtstart.value, get("summary"), get("description"),
            [va.trigger.value for va in ev.contents.get("valarm", [])])


def main(port, name, feed):
    base = "http://127.0.0.1:%s/officer/%s/" % (port, name)
    mk = b'''<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:set><D:prop><D:displayname>CME</D:displayname></D:prop></D:set></C:mkcalendar>'''
    req("MKCOL", "http://127.0.0.1:%s/officer/" % port)   # the principal's collection
    print("MKCALENDAR", req("MKCALENDAR", base, mk, "application/xml")[0])
    text = open(feed, newline="").read()
    head, _, rest = text.partition("BEGIN:VEVENT")
    events = ["BEGIN:VEVENT" + e for e in ("BEGIN:VEVENT" + rest).split("BEGIN:VEVENT")[1:]]
    for i, ev in enumerate(events):
        ev = ev.split("END:VCALENDAR")[0]
        body = head + ev + "END:VCALENDAR\r\n"
        sent = fields(body)
        st, _ = req("PUT", base + "ev%d.ics" % i, body.encode(), "text/calendar; charset=utf-8")
        st2, got = req("GET", base + "ev%d.ics" % i)
        try:
            back = fields(got.decode())
        except Exception:  # unparsable answer: not the same
            back = (None,)
        print("PUT", st, "GET", st2, "UID", back[0] == sent[0], "SAME", back == sent, sent[0])
        if back != sent:
            sys.stderr.write("sent %r\ngot  %r\n" % (sent, back))


if __name__ == "__main__":
    main(*sys.argv[1:4])
