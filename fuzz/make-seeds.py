#!/usr/bin/python3
"""fuzz/make-seeds.py - write the fuzz seed corpora.

    /usr/bin/python3 fuzz/make-seeds.py [CORPUSDIR]          text seeds
    /usr/bin/python3 fuzz/make-seeds.py --docx CORPUSDIR     docx/ and xlsx/ seeds

CORPUSDIR defaults to fuzz/corpus.  Owns the seeds: message/ (small
varied emails), calendar/, policy/, config/ (all committed, regenerated
by the first form), docx/ and xlsx/.  Those hold ZIP files, so it is made at
fuzzing time (tests/fuzz.sh runs the second form into its scratch copy)
rather than kept as binaries in the repository.  Seeds are small on purpose: libFuzzer
mutates small inputs fastest, and size limits are found by mutation.
"""
import base64
import io
import os
import sys
import zipfile

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def document(body, dtd=""):
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n%s'
           '<w:document xmlns:w="%s"><w:body>%s<w:sectPr/></w:body>'
           '</w:document>' % (dtd, W, body))


def docx(body, main="word/document.xml", dtd=""):
    xml = document(body, dtd)
    rels = ('<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns='
            '"http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="%s"/>'
            '</Relationships>' % main)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"/>')
        z.writestr("_rels/.rels", rels)
        z.writestr(main, xml)
    return buf.getvalue()


def p(t):
    return "<w:p><w:r><w:t>%s</w:t></w:r></w:p>" % t


def row(*cells):
    return "<w:tr>%s</w:tr>" % "".join("<w:tc>%s</w:tc>" % p(c) for c in cells)


FORM = (p("CME referral form") + "<w:tbl>" + row("Surname", "Kowalski") +
        row("Forename", "Anna") + row("Date of birth", "03/04/2014") +
        row("UPN", "E935204414117") + "</w:tbl>")

HDRS = ("From: Priya Patel <attendance@northgate.sch.test>\n"
        "To: cme@la.test\n"
        "Date: Mon, 5 Oct 2026 10:00:00 +0100\n"
        "Message-ID: <seed@northgate.sch.test>\n")

MESSAGES = {
    # thread splitter: an inline forward, quoted history, a signature
    "forward.eml": HDRS + "Subject: FW: referral\n\nPlease see below.\n\n"
    "---------- Forwarded message ---------\nFrom: Jo Bloggs <jo@school.sch.test>\n"
    "Date: Mon, 5 Oct 2026\nSubject: referral\nTo: head@school.sch.test\n\n"
    "Liam CARTER, Year 3, DOB 13/05/2019\nMum's name is Kirsty Carter, 07700 900745\n"
    "> On Mon, 5 Oct 2026 at 09:00, Office wrote:\n> Child protection plan? Yes / No\n\n"
    "Kind regards\nJo Bloggs\nAttendance Officer | School | IP1 2BX\n",
    "gmail-quote.eml": HDRS + "Subject: Re: CME\nMIME-Version: 1.0\n"
    "Content-Type: text/html\n\n<div>Home visit 24/11/2026, child not seen.</div>"
    "<div class=\"gmail_quote\"><blockquote type=\"cite\">Surname: Old<br>"
    "CP plan: <s>Yes</s> No &#9746;</blockquote></div>"
    "<div id=\"divRplyFwdMsg\"><b>From:</b> x<br><b>Sent:</b> y</div>\n",
    "plain.eml": HDRS + "Subject: CME referral\n\n"
    "Child's surname: Smith\nForename: Jayden\nDOB: 03/04/2014\n"
    "UPN: E935204414117\nAddress: 12 Rose Lane, Ipswich IP1 2BX\n"
    "Reason: moved away, whereabouts unknown\nChild protection plan: yes\n",

    "html-table.eml": HDRS + "Subject: Referral\nMIME-Version: 1.0\n"
    "Content-Type: text/html; charset=utf-8\n\n"
    "<html><body><p>Dear CME team,</p><table><tr><td>Surname</td>"
    "<td>Kowalski</td></tr><tr><th>Address</th><td>3 Mill Court<br>Preston"
    "</td></tr><tr><td>DOB</td><td>3rd April 2014</td></tr></table>"
    "<script>x</script><p>Regards,<br>Priya</p></body></html>\n",

    "csv.eml": HDRS + "Subject: Children missing education\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
    "Content-Type: text/plain\n\nSee attached.\n--b\n"
    "Content-Type: text/csv; name=list.csv\n"
    "Content-Disposition: attachment; filename=list.csv\n\n"
    "Forename,Surname,DOB,UPN\nKai,Jones,12/05/2012,A123\n"
    "\"Mia, Rose\",Jones,2013-01-02,\n--b--\n",

    "alternative.eml": HDRS + "Subject: Re: CME-2026-00001\nMIME-Version: 1.0\n"
    "In-Reply-To: <a@la.test>\nReferences: <a@la.test>\n"
    "Content-Type: multipart/alternative; boundary=\"alt\"\n\n--alt\n"
    "Content-Type: text/plain; charset=us-ascii\n\nChild located on roll at "
    "Westbourne Academy.\n--alt\nContent-Type: text/html\n\n"
    "<p>Child <b>located</b> on roll at Westbourne Academy.</p>\n--alt--\n",

    "forwarded.eml": HDRS + "Subject: Fwd: pupil left\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"o\"\n\n--o\n"
    "Content-Type: text/plain\n\nFYI\n--o\nContent-Type: message/rfc822\n\n"
    "From: office@school.sch.test\nSubject: deletion from roll\n\n"
    "Name: Zoe Brown\nDate of birth: 01.02.2015\nLast attended: 2 Oct 2026\n"
    "--o--\n",

    "report.eml": "From: MAILER-DAEMON@la.test\nTo: cme@la.test\n"
    "Subject: Undelivered Mail\nMIME-Version: 1.0\nAuto-Submitted: auto-replied\n"
    "Content-Type: multipart/report; report-type=delivery-status; "
    "boundary=r\n\n--r\nContent-Type: text/plain\n\nDelivery failed.\n--r\n"
    "Content-Type: message/delivery-status\n\nReporting-MTA: dns; la.test\n\n"
    "Final-Recipient: rfc822; x@y.test\nAction: failed\nStatus: 5.1.1\n--r--\n",

    "broken-boundary.eml": HDRS + "Subject: broken\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"never\"\n\n--nevr\n"
    "Content-Type: text/plain\n\nSurname: Lost\n--never\n"
    "Content-Type: multipart/alternative; boundary=in\n\n--in\n"
    "Content-Type: text/plain\n\nunclosed\n",

    "encoded-word.eml": "From: =?utf-8?B?Wm/DqyBLb3dhbHNrYQ==?= <zoe@school.sch.test>\n"
    "To: cme@la.test\nSubject: =?iso-8859-1?Q?R=E9f=E9rence_?= =?utf-8?q?caf=C3=A9?=\n"
    "Date: 5 Oct 26 10:00 GMT\n\nForename: Zo\u00eb\n",

    "qp.eml": HDRS + "Subject: qp\nMIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=windows-1252\n"
    "Content-Transfer-Encoding: quoted-printable\n\n"
    "Surname: O=92Brien=\n long line\nNotes: =E9l=E8ve =3D pupil\n",

    "base64.eml": HDRS + "Subject: b64\nMIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
    + base64.encodebytes("Surname: Nowak\nDOB: 2014-04-03\nSection 47 enquiry\n"
                         .encode()).decode(),

    "auth-results.eml": "Authentication-Results: mx.la.test; dkim=pass "
    "header.d=northgate.sch.test; dmarc=pass header.from=northgate.sch.test\n"
    + HDRS + "Subject: referral\nAuto-Submitted: no\n\nChild: Ali Khan born 3rd Apr 2014\n",

    "docx.eml": HDRS + "Subject: referral form\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=d\n\n--d\n"
    "Content-Type: text/plain\n\nForm attached.\n--d\n"
    "Content-Type: application/vnd.openxmlformats-officedocument."
    "wordprocessingml.document; name=form.docx\n"
    "Content-Transfer-Encoding: base64\n\n"
    + base64.encodebytes(docx(FORM)).decode() + "--d--\n",

    "rfc2231-name.eml": HDRS + "Subject: x\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=q\n\n--q\n"
    "Content-Type: text/csv\nContent-Disposition: attachment;\n"
    " filename*0*=utf-8''Zo%C3%AB;\n filename*1=.csv\n\nForename,Surname\nA,B\n--q--\n",
}

CALENDARS = {
    "bank.ics": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//seed//EN\r\n"
    "BEGIN:VEVENT\r\nUID:1@seed\r\nDTSTART;VALUE=DATE:20261225\r\n"
    "DTEND;VALUE=DATE:20261226\r\nSUMMARY:Christmas Day\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n",
    "rrule.ics": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//seed//EN\r\n"
    "BEGIN:VEVENT\r\nUID:2@seed\r\nDTSTART;VALUE=DATE:20261026\r\n"
    "DTEND;VALUE=DATE:20261031\r\nRRULE:FREQ=YEARLY;COUNT=3\r\n"
    "EXDATE;VALUE=DATE:20271026\r\nSUMMARY:Half term\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:3@seed\r\nDTSTART;VALUE=DATE:20270101\r\n"
    "SUMMARY:New Year\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    "timed.ics": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//seed//EN\r\n"
    "BEGIN:VEVENT\r\nUID:4@seed\r\nDTSTART;TZID=Europe/London:20261102T090000\r\n"
    "DURATION:P2D\r\nSUMMARY:INSET\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
}

POLICIES = {
    "default.policy": "name = default\ntimezone = Europe/London\n"
    "working_day = 09:00-17:00\n"
    "working_closures = england-and-wales-bank-holidays.ics\n"
    "school_closures = example-school-holidays-2026-27.ics\n"
    "home_visit = 3 working-days\nescalation = 20 school-days\n"
    "long_term = 6 months\nimmediate = child-protection-plan section-47 fgm\n",
    "hours.policy": "# comment\nname = Borough\ntimezone = UTC\n"
    "working_day = 08:30-16:30   # trailing comment\nhome_visit = 72 hours\n"
    "escalation = immediate\nlong_term = none\nimmediate = looked-after, sen\n",
    "bad.policy": "name\n= value\nhome_visit = 0 days\nunknown_key = 1\n"
    "working_day = 17:00-09:00\ntimezone = Mars/Olympus\n",
}

CONFIGS = {
    "full.conf": "# cme-milter.conf\nSocket inet:8894@127.0.0.1\n"
    "Database /var/lib/cme-milter/cases.db\nMailbox cme@la.test\n"
    "Mailbox cme-team@la.test\nPolicy default\nUMask 007\n"
    "MaxMessageSize 26214400\nTrustedAuthservIds mx.la.test\n"
    "InternalHosts 192.0.2.0/24 2001:db8::/32\nReminderDetail minimal\n"
    "On-InternalError tempfail\nNotifyOfficers yes\n",
    "bad.conf": "Socket\nUMask 99999\nMaxMessageSize -1\nNoSuchKey x\n"
    "ReminderDetail chatty\nInternalHosts 300.1.1.1/40\n",
    "empty.conf": "\n# nothing\n",
}

DOCX = {
    "form.docx": docx(FORM),
    "paras.docx": docx(p("Dear team,") + "<w:p/>" + p("Child: Kai Jones") +
                       "<w:p><w:r><w:t>a</w:t><w:br/><w:tab/><w:t>b</w:t></w:r></w:p>"),
    "sdt.docx": docx("<w:tbl><w:tr><w:tc>" + p("Surname") + "</w:tc><w:tc>"
                     "<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent>"
                     + p("Click here") + "</w:sdtContent></w:sdt></w:tc></w:tr>"
                     "<w:tr><w:tc><w:tbl>" + row("x", "y") + "</w:tbl></w:tc></w:tr>"
                     "</w:tbl>"),
    "doc2.docx": docx(p("second main part"), main="word/document2.xml"),
    # answers: content-control and legacy check boxes, struck text
    "checkbox.docx": docx(
        "<w:p><w:r><w:t>CP plan</w:t></w:r><w:sdt><w:sdtPr><w14:checkbox "
        "xmlns:w14=\"http://schemas.microsoft.com/office/word/2010/wordml\">"
        "<w14:checked w14:val=\"1\"/></w14:checkbox></w:sdtPr><w:sdtContent><w:r>"
        "<w:t>\u2612</w:t></w:r></w:sdtContent></w:sdt></w:p>"
        "<w:p><w:r><w:fldChar w:fldCharType=\"begin\"><w:ffData><w:checkBox>"
        "<w:default w:val=\"0\"/></w:checkBox></w:ffData></w:fldChar></w:r>"
        "<w:r><w:instrText>FORMCHECKBOX</w:instrText></w:r><w:r><w:fldChar "
        "w:fldCharType=\"end\"/></w:r><w:r><w:t>Looked after</w:t></w:r></w:p>"
        "<w:p><w:r><w:rPr><w:strike/></w:rPr><w:t>Yes</w:t></w:r><w:r><w:t> No"
        "</w:t></w:r></w:p>"),
    # bare XML: fuzz_docx packs it as word/document.xml itself
    "form.xml": document(FORM),
    "features.xml": document(
        "<w:p><w:del><w:r><w:delText>x</w:delText></w:r></w:del><w:r>"
        "<w:t xml:space=\"preserve\"> a\u00a0b\u2002</w:t><w:noBreakHyphen/>"
        "<w:cr/><w:ptab/></w:r></w:p><w:p><w:r><mc:AlternateContent xmlns:mc="
        "\"http://schemas.openxmlformats.org/markup-compatibility/2006\">"
        "<mc:Choice><w:txbxContent>" + p("box") + "</w:txbxContent></mc:Choice>"
        "<mc:Fallback>" + p("box") + "</mc:Fallback></mc:AlternateContent>"
        "</w:r></w:p>"),
    "dtd.xml": document(p("&e;"), dtd='<!DOCTYPE d [<!ENTITY e "x">]>\n'),
}


S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = ('<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="%s"><sheetData>'
         '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
         '<c r="C1" t="inlineStr"><is><t>Date of Birth</t></is></c></row>'
         '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>1</v></c>'
         '<c r="C2" s="1"><v>42465</v></c><c r="D2" t="b"><v>1</v></c></row>'
         '</sheetData></worksheet>' % S)
STRINGS = ('<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="%s" count="3">'
           '<si><t>Surname</t></si><si><r><t>Fore</t></r><r><t>name</t></r></si>'
           '<si><t xml:space="preserve">SMITH, Jo </t></si></sst>' % S)
STYLES = ('<?xml version="1.0" encoding="UTF-8"?>\n<styleSheet xmlns="%s">'
          '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
          '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs>'
          '</styleSheet>' % S)


def xlsx(sheet=SHEET, strings=STRINGS, styles=STYLES, date1904=False):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", '<workbook xmlns="%s"><workbookPr date1904="%d"/>'
                   '</workbook>' % (S, 1 if date1904 else 0))
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        z.writestr("xl/sharedStrings.xml", strings)
        z.writestr("xl/styles.xml", styles)
    return buf.getvalue()


# fuzz_xlsx: an archive, or worksheet NUL shared strings NUL styles
XLSX = {
    "export.xlsx": xlsx(),
    "export1904.xlsx": xlsx(date1904=True),
    "parts.txt": SHEET + "\0" + STRINGS + "\0" + STYLES,
    "sheet-only.xml": SHEET,
}


def write(d, files):
    os.makedirs(d, exist_ok=True)
    for name, data in files.items():
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


def main():
    args = sys.argv[1:]
    only_docx = bool(args) and args[0] == "--docx"
    if only_docx:
        args = args[1:]
    top = args[0] if args else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus")
    if only_docx:
        write(os.path.join(top, "docx"), DOCX)
        write(os.path.join(top, "xlsx"), XLSX)
        return
    write(os.path.join(top, "message"), MESSAGES)
    write(os.path.join(top, "calendar"), CALENDARS)
    write(os.path.join(top, "policy"), POLICIES)
    write(os.path.join(top, "config"), CONFIGS)


if __name__ == "__main__":
    main()
