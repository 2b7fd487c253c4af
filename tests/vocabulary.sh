#!/bin/bash
# vocabulary.sh - the vocabulary files (SPEC 3.2 VocabularyDir): the
# shipped files pass `cme-milter -n`; every kind of bad line in an LA's
# file is refused as FILE:LINE: message by `cme-milter -n` and by cmectl,
# which exit non-zero; a missing shipped vocabulary is a start-up error;
# and a label an LA adds is read only when its file is there.  Speaks TAP.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
CMECTL=$top_builddir/cmectl
MILTER=$top_builddir/cme-milter
PY=/usr/bin/python3
T=$(mktemp -d /tmp/cme-vocab.XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$top_srcdir/tests/lib/tap.sh"

# conf FILE SHIPPED LADIR
conf() {
	cat > "$1" <<CONF
Socket                inet:39999@127.0.0.1
Mailbox               cme@la.test
TrustedAuthservIDs    mx.la.test
Policy                default
PolicyDir             $top_srcdir/policies
CalendarDir           $top_srcdir/calendars
ShippedVocabularyDir  $2
VocabularyDir         $3
DutyOfficer           duty@la.test
Database              $T/cases.db
ReminderDir           $T/reminders
UserID                $(id -un)
Syslog                no
CONF
}
mkdir -p "$T/reminders" "$T/la"
C=$T/c.conf

conf "$C" "$top_srcdir/vocabulary" "$T/la"
"$MILTER" -n -c "$C" >"$T/out" 2>&1
ok $? "cme-milter -n passes on the shipped vocabulary and an empty VocabularyDir" || diag <"$T/out"

conf "$C" "$top_srcdir/vocabulary" "$T/no-such-dir"
"$MILTER" -n -c "$C" >"$T/out" 2>&1
ok $? "a VocabularyDir that does not exist adds nothing (not an error)" || diag <"$T/out"

# bad NAME FILE CONTENT WANT: an LA file with one bad line; both programs
# refuse it with WANT (FILE:LINE: message) on stderr and exit non-zero.
bad() {
	local what=$1 file=$2 content=$3 want=$4 rc
	rm -f "$T"/la/*
	printf '# an LA file\n%s\n' "$content" > "$T/la/$file"
	conf "$C" "$top_srcdir/vocabulary" "$T/la"
	"$MILTER" -n -c "$C" >"$T/out" 2>"$T/err"
	rc=$?
	ok $([ $rc -ne 0 ] && grep -qF -- "$want" "$T/err"; echo $?) \
		"cme-milter -n: $what -> '$want'" || diag <"$T/err"
	printf 'Subject: x\n\nName: Ann Lee\n' | "$CMECTL" -c "$C" parse - >"$T/out" 2>"$T/err"
	rc=$?
	ok $([ $rc -ne 0 ] && grep -qF -- "$want" "$T/err"; echo $?) \
		"cmectl: $what is refused the same way" || diag <"$T/err"
}
L=$T/la
bad "unknown field" labels-form.vocab "pupil_shoe_size | shoe size" \
	"$L/labels-form.vocab:2: unknown field 'pupil_shoe_size'"
bad "unknown flag" flags.vocab "child-on-fire | on fire" \
	"$L/flags.vocab:2: unknown flag 'child-on-fire'"
bad "unknown reason" reasons.vocab "went-to-the-moon | moon | 4" \
	"$L/reasons.vocab:2: unknown reason 'went-to-the-moon'"
bad "unknown word list" words.vocab "shouting | OI" \
	"$L/words.vocab:2: unknown word list 'shouting'"
bad "a line without '|'" labels.vocab "surname" \
	"$L/labels.vocab:2: malformed line: expected 'field | text'"
bad "a reason without a weight" reasons.vocab "moved-abroad | to the continent" \
	"$L/reasons.vocab:2: malformed line: expected 'reason | text | weight'"
bad "a weight out of range" outcomes.vocab "died | deceased child | 12" \
	"$L/outcomes.vocab:2: weight '12' is not a number from 1 to 9"
bad "an unterminated quote" words.vocab 'name_end | " aged' \
	"$L/words.vocab:2: malformed line: unterminated quote"
bad "a label the shipped files already have" labels.vocab "surname | Child's Surname:" \
	"$L/labels.vocab:2: duplicate entry 'Child's Surname:' (first at $top_srcdir/vocabulary/labels.vocab:"
bad "a file that names no kind" colours.vocab "red | rouge" \
	"$L/colours.vocab: names no vocabulary kind"

# A duplicate inside one LA file names both lines.
printf 'surname | apellido\nforename | Apellido\n' > "$T/la/labels.vocab"
rm -f "$T/la/colours.vocab"
"$MILTER" -n -c "$C" >"$T/out" 2>"$T/err"
ok $([ $? -ne 0 ] && grep -qF "$L/labels.vocab:2: duplicate entry 'Apellido' (first at $L/labels.vocab:1)" "$T/err"; echo $?) \
	"a label given two meanings in one file: FILE:LINE and the first line" || diag <"$T/err"

# A missing shipped vocabulary is a start-up error, never an empty one.
rm -f "$T"/la/*
conf "$C" "$T/nowhere" "$T/la"
"$MILTER" -n -c "$C" >"$T/out" 2>"$T/err"
ok $([ $? -ne 0 ] && grep -qF "$T/nowhere: the shipped vocabulary directory (ShippedVocabularyDir) cannot be read" "$T/err"; echo $?) \
	"cme-milter -n: a missing shipped vocabulary is an error" || diag <"$T/err"
printf 'Subject: x\n\nName: Ann Lee\n' | "$CMECTL" -c "$C" parse - >"$T/out" 2>"$T/err"
ok $([ $? -ne 0 ] && grep -qF "ShippedVocabularyDir" "$T/err"; echo $?) \
	"cmectl parse: a missing shipped vocabulary is an error" || diag <"$T/err"
mkdir -p "$T/part" && cp "$top_srcdir"/vocabulary/*.vocab "$T/part/" && rm "$T/part/flags.vocab"
conf "$C" "$T/part" "$T/la"
"$MILTER" -n -c "$C" >"$T/out" 2>"$T/err"
ok $([ $? -ne 0 ] && grep -qF "$T/part/flags.vocab: cannot read the vocabulary file" "$T/err"; echo $?) \
	"a shipped file missing from the directory is an error" || diag <"$T/err"

# An LA's own form: a label the shipped vocabulary does not know is read
# once the LA's file names it (a data change, no rebuild).
cat > "$T/form.eml" <<'EML'
From: office@northgate.sch.test
To: cme@la.test
Subject: CME referral
Date: Mon, 23 Nov 2026 09:00:00 +0000
Message-ID: <vocab-la-form@northgate.sch.test>

Nombre del alumno: Lucia
Apellido del alumno: Fernandez
Date of birth: 04/05/2015
Reason: moved abroad
EML
surname() { "$CMECTL" -c "$C" parse "$T/form.eml" |
	$PY -c 'import json,sys; d=json.load(sys.stdin); c=d.get("children") or [{}]; print(c[0].get("surname") or "")'; }
conf "$C" "$top_srcdir/vocabulary" "$T/la"
got=$(surname)
[ "$got" != "Fernandez" ]
ok $? "without the LA's file the form's surname label is not read (got '$got')"
printf '# the Spanish-language form\nforename | Nombre del alumno\nsurname  | Apellido del alumno\n' \
	> "$T/la/labels-spanish-form.vocab"
"$MILTER" -n -c "$C" >"$T/out" 2>&1
ok $? "cme-milter -n accepts the LA's labels file" || diag <"$T/out"
is "$(surname)" "Fernandez" "with labels-spanish-form.vocab in VocabularyDir the surname is read"

echo "1..$n"
[ "$failed" -eq 0 ]
