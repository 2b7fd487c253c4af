#!/bin/bash
# learning.sh - learning from corrections (SPEC 5.7; issue 13 item 5): a
# school's form whose labels the vocabulary does not know is read with
# those fields missing; an officer corrects them (cmectl edit, and by
# email); the labels are learned for the school's domain and the next
# message in that layout from that domain reads fully.  The same layout
# from another domain, and an unauthenticated message's labels, teach
# nothing.  Speaks TAP.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
CMECTL=$top_builddir/cmectl
PY=/usr/bin/python3
T=$(mktemp -d /tmp/cme-learning.XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cme.sh"
cme_state_init "$T" || bail "cannot make the state directory"
C=$T/l.conf
cme_conf_write "$C" "$T" 0 UserID root ShippedVocabularyDir "$top_srcdir/vocabulary"
ctl() { "$CMECTL" -c "$C" "$@"; }
kids() { $PY -c "import json,sys; c=(json.load(sys.stdin).get('children') or [{}])[0]; print(c.get('forename','-'), c.get('surname','-'), c.get('dob','-'))"; }
child() { ctl show "$1" --json | $PY -c "import json,sys; d=json.load(sys.stdin); print(d.get('forename') or '-', d.get('surname') or '-', d.get('dob') or '-')"; }
events() { ctl show "$1" --json | $PY -c "import json,sys; [print(e['detail']) for e in json.load(sys.stdin)['timeline'] if e['type']=='$2']"; }
learned() { ctl vocabulary --learned --json | $PY -c "import json,sys; [print(r['domain'], r['label'], r['field'], r['taught_by']) for r in json.load(sys.stdin)]"; }

# form DOMAIN MSGID FORENAME SURNAME DOB [noauth]: a school's referral in
# a layout of its own ("Legal forename on register", "Birthday of pupil")
form() {
	if [ "${6:-}" != noauth ]; then
		printf 'Authentication-Results: mx.la.test;\n dkim=pass header.d=%s header.s=mail;\n spf=pass smtp.mailfrom=%s;\n dmarc=pass header.from=%s\n' "$1" "$1" "$1"
	fi
	cat <<EOF
From: Attendance Office <office@$1>
To: cme@la.test
Subject: Child missing education referral
Date: Mon, 02 Nov 2026 10:00:00 +0000
Message-ID: <$2@$1>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Please find below a pupil who has stopped attending.

Legal forename on register: $3
Registered family name: $4
Birthday of pupil: $5
Year group: 5
Address: 12 Mill Lane, Ipswich IP4 2AB
Reason: Not attended since 12 October, family not contactable

Amy Reid
Attendance Officer
Oakfield Primary School
EOF
}
form oakfield.sch.test a1 Maisie Okonjo 14/03/2015 > "$T/a1.eml"
form oakfield.sch.test a2 Leo Farrow 02/09/2016 > "$T/a2.eml"
form elmtree.sch.test b1 Leo Farrow 02/09/2016 > "$T/b1.eml"
form birch.sch.test c1 Ruby Quayle 05/05/2014 noauth > "$T/c1.eml"

# the labels are really unknown to the shipped vocabulary
is "$(ctl parse "$T/a1.eml" | kids)" "- Okonjo -" "the form's forename and DOB labels are not in the vocabulary"

a=$(ctl ingest --now 2026-11-02T10:00:00Z "$T/a1.eml" | awk '{print $3}')
is "$a|$(child "$a")" "CME-2026-00001|- Okonjo -" "ingested: the case lacks forename and DOB"
is "$(ctl vocabulary --learned --json | tr -d ' \n')" "[]" "nothing is learned before an officer corrects"

# an officer corrects the forename with cmectl (another case: the value counts)
ctl edit "$a" forename=maisie --now 2026-11-03T09:00:00Z >/dev/null
is "$(events "$a" learned)" "learned: label 'Legal forename on register' means forename for oakfield.sch.test" \
	"cmectl edit: the label that held the value is learned, on the timeline"
# ... and the DOB by email, in another date form
cat > "$T/officer.eml" <<EOF
Authentication-Results: mx.la.test;
 dkim=pass header.d=la.test header.s=mail;
 spf=pass smtp.mailfrom=la.test;
 dmarc=pass header.from=la.test
From: Jo Bloggs <jo.bloggs@la.test>
To: cme@la.test
Subject: RE: [$a] Child missing education referral
Date: Tue, 03 Nov 2026 09:10:00 +0000
Message-ID: <learn-officer-1@la.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Date of birth: 2015-03-14

Jo
EOF
is "$(ctl ingest --now 2026-11-03T09:11:00Z "$T/officer.eml" | awk '{print $2}')|$(child "$a")" \
	"updated|maisie Okonjo 2015-03-14" "the officer's email corrects the DOB"
is "$(learned | sort | paste -sd '|')" \
	"oakfield.sch.test Birthday of pupil dob jo.bloggs@la.test|oakfield.sch.test Legal forename on register forename cmectl" \
	"vocabulary --learned: both labels, for the school's domain, with who taught them"
ctl vocabulary --learned | grep -q '^oakfield.sch.test  *Birthday of pupil  *dob  *2026-11-03T09:11:00Z  *jo.bloggs@la.test'
ok $? "vocabulary --learned: a table with the domain, label, field, when and by whom"

# the next message in that layout from that domain reads fully
b=$(ctl ingest --now 2026-11-04T10:00:00Z "$T/a2.eml" | awk '{print $3}')
is "$(child "$b")" "Leo Farrow 2016-09-02" "the second message from oakfield.sch.test parses fully"
is "$(ctl parse "$T/a2.eml" | kids)" "- Farrow -" "cmectl parse reads with the vocabulary alone (no database)"
# ... and from another domain it does not
c=$(ctl ingest --now 2026-11-04T10:05:00Z "$T/b1.eml" | awk '{print $3}')
is "$(child "$c")" "- Farrow -" "the same layout from elmtree.sch.test does not use oakfield's labels"

# an unauthenticated message's unknown labels teach nothing
d=$(ctl ingest --now 2026-11-04T10:10:00Z "$T/c1.eml" | awk '{print $3}')
ctl edit "$d" forename=Ruby dob=05/05/2014 --now 2026-11-04T11:00:00Z >/dev/null
is "$(events "$d" learned)|$(learned | grep -c birch)" "|0" "an officer's correction of an unauthenticated message's case teaches nothing"

# a school's own correction is no officer's: it teaches nothing
cat > "$T/school.eml" <<EOF
Authentication-Results: mx.la.test;
 dkim=pass header.d=elmtree.sch.test header.s=mail;
 spf=pass smtp.mailfrom=elmtree.sch.test;
 dmarc=pass header.from=elmtree.sch.test
From: Attendance Office <office@elmtree.sch.test>
To: cme@la.test
Subject: RE: [$c] Child missing education referral
Date: Thu, 05 Nov 2026 09:00:00 +0000
Message-ID: <school-fix-1@elmtree.sch.test>
In-Reply-To: <b1@elmtree.sch.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Sorry, we left these out:

Forename: Leo
Date of birth: 02/09/2016
EOF
ctl ingest --now 2026-11-05T09:01:00Z "$T/school.eml" >/dev/null
is "$(child "$c")|$(learned | grep -c elmtree)" "Leo Farrow 2016-09-02|0" \
	"a school's own correction updates its case and teaches nothing"

# the export is a vocabulary file the LA can install (global, and says so)
mkdir -p "$T/la-vocab"
ctl vocabulary --export oakfield.sch.test > "$T/la-vocab/labels-learned.vocab"
grep -q 'GLOBAL' "$T/la-vocab/labels-learned.vocab"
ok $? "export: the header says VocabularyDir files are global"
is "$(grep -v '^#' "$T/la-vocab/labels-learned.vocab" | sed 's/  */ /g' | sort | paste -sd '|')" \
	"dob | Birthday of pupil|forename | Legal forename on register" "export: FIELD | label lines"
sed "s|^ShippedVocabularyDir .*|&\nVocabularyDir $T/la-vocab|" "$C" > "$T/v.conf"
is "$("$CMECTL" -c "$T/v.conf" parse "$T/b1.eml" | kids)" "Leo Farrow 2016-09-02" \
	"export: installed in VocabularyDir, it reads the layout from any sender"
refused_usage=$(ctl vocabulary 2>&1 >/dev/null; echo "rc=$?")
is "${refused_usage##*rc=}" "1" "vocabulary without --learned or --export is a user error"

echo "1..$n"
[ "$failed" -eq 0 ]
