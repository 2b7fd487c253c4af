#!/usr/bin/python3
"""tests/accuracy.py - extraction accuracy of `cmectl parse` against worked examples.

usage: tests/accuracy.py [--cmectl PATH] [--config FILE] [--tap] [-q] [DIR...]

For every NAME.eml in each DIR that has NAME.expected.json beside it, run
`cmectl -c CONF parse NAME.eml` and compare the referral JSON with the
expectation by the rule of SPEC section 4 and shared/samples/README.md:

  * every key in the expected file must come out equal; keys the expected
    file does not give are not checked (extra output is fine);
  * strings under a name key (forename, surname, name) are compared
    case- and whitespace-insensitively (and after Unicode NFC);
  * arrays are compared element-wise, in order, with the same length;
    arrays of objects (children, parents) key by key, so each field of
    each child is its own result ("children[0].dob"); arrays of strings
    (flags, case_refs, problems) as one result;
  * JSON types matter: true is not 1, 8 is not "8";
  * an expected null means the output must not give the key (absent, null
    or an empty array): "postcode": null says no postcode may be invented.

Output (default): one line per checked field,
    ok 01-portal-form children[0].dob
    FAIL 01-portal-form children[0].dob got "2014-03-04" want "2014-04-03"
then a per-field table (field: passed/total over all messages), the flag
figures over every message whose expected file gives "flags" (precision
and recall of the flags, and the count of false and missed immediate
escalations, immediate meaning a flag on the default policy's
"immediate" list), and, last, exactly one line "N passed, N failed"
counting messages.  Exit 0 when no message failed and no immediate
escalation was false or missed, 1 otherwise, 2 on a usage error.

--tap prints TAP for the automake TAP driver: "1..N", then "ok N - FILE" or
"not ok N - FILE" with a "# " diagnostic line per mismatching field; a
message listed in a DIR's KNOWN-GAPS file ("NAME  why", one a line) is a
TODO point ("not ok N - FILE # TODO known gap: why"): reported, not a
failure, and an XPASS - a failure to the driver - once it passes, so the
list only shrinks; the
summary follows as "# " comments.  One test point more than there are
messages says whether any immediate escalation was false or missed.  In TAP mode the exit status is 0 once the
plan is complete (the not-ok lines carry the failures), 2 on a usage error.

Without --config a configuration (SPEC section 3.2) is written to a temporary
directory using the source tree's policies/ and calendars/ (found from
$top_srcdir, else from this script's location).  cmectl is found from
--cmectl, $CMECTL, $top_builddir/cmectl, ./cmectl, the tree's ./cmectl, then
PATH.  With no DIR, the tree's tests/fixtures/referrals and, when it exists,
../shared/samples beside the tree are used.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata

NAME_KEYS = {"forename", "surname", "name"}
TIMEOUT = 300

HERE = os.path.dirname(os.path.abspath(__file__))


def srcdir():
    top = os.environ.get("top_srcdir")
    if top and os.path.isdir(os.path.join(top, "policies")):
        return os.path.abspath(top)
    return os.path.dirname(HERE)


def find_cmectl(given):
    if given:
        return given
    cands = []
    if os.environ.get("CMECTL"):
        cands.append(os.environ["CMECTL"])
    if os.environ.get("top_builddir"):
        cands.append(os.path.join(os.environ["top_builddir"], "cmectl"))
    cands.append(os.path.join(os.getcwd(), "cmectl"))
    cands.append(os.path.join(srcdir(), "cmectl"))
    for c in cands:
        if os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    p = shutil.which("cmectl")
    return p or cands[0] if cands else "cmectl"


def write_config(tmp):
    top = srcdir()
    os.makedirs(os.path.join(tmp, "rem"), exist_ok=True)
    conf = os.path.join(tmp, "cme-milter.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write(
            "Mailbox               cme@la.test\n"
            "TrustedAuthservIDs    mx.la.test\n"
            "TrustedSenderDomains  la.test portal.la.test *.sch.test\n"
            "Policy                default\n"
            "PolicyDir             %s\n"
            "CalendarDir           %s\n"
            "ShippedVocabularyDir  %s\n"
            "DutyOfficer           duty@la.test\n"
            "Database              %s\n"
            "ReminderDir           %s\n"
            % (os.path.join(top, "policies"), os.path.join(top, "calendars"),
               os.path.join(top, "vocabulary"),
               os.path.join(tmp, "x.db"), os.path.join(tmp, "rem")))
    return conf


def immediate_flags():
    """The default policy's immediate flags (SPEC section 4)."""
    path = os.path.join(srcdir(), "policies", "default.policy")
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\s*immediate\s*=\s*(.*)$", line)
            if m:
                return set(m.group(1).split())
    return set()


def norm_name(s):
    s = unicodedata.normalize("NFC", s).casefold()
    return re.sub(r"\s+", "", s)


def scalar_equal(want, got, key):
    if type(want) is not type(got):
        # JSON numbers: 8 and 8.0 are the same number; bools are not numbers
        if (isinstance(want, (int, float)) and isinstance(got, (int, float))
                and not isinstance(want, bool) and not isinstance(got, bool)):
            return want == got
        return False
    if isinstance(want, str) and key in NAME_KEYS:
        return norm_name(want) == norm_name(got)
    if isinstance(want, str):
        return unicodedata.normalize("NFC", want) == unicodedata.normalize("NFC", got)
    return want == got


def value_equal(want, got, key):
    """Whole-value equality under the rule (used for arrays of scalars and
    for nested values reported as one field)."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return False
        return all(k in got and value_equal(v, got[k], k) for k, v in want.items())
    if isinstance(want, list):
        if not isinstance(got, list) or len(want) != len(got):
            return False
        return all(value_equal(w, g, key) for w, g in zip(want, got))
    return scalar_equal(want, got, key)


MISSING = object()


def compare(want, got, path, key, out):
    """Append (path, ok, got, want) results for every expected leaf field."""
    if isinstance(want, dict):
        if want and got is not MISSING and not isinstance(got, dict):
            # wrong shape: every expected key fails against the whole value
            for k, v in want.items():
                compare(v, MISSING, "%s.%s" % (path, k) if path else k, k, out)
            return
        if not want:
            out.append((path, got is not MISSING and isinstance(got, dict), got, want))
            return
        for k, v in want.items():
            sub = got.get(k, MISSING) if isinstance(got, dict) else MISSING
            compare(v, sub, "%s.%s" % (path, k) if path else k, k, out)
        return
    if isinstance(want, list) and any(isinstance(w, (dict, list)) for w in want):
        glist = got if isinstance(got, list) else []
        for i, w in enumerate(want):
            g = glist[i] if i < len(glist) else MISSING
            compare(w, g, "%s[%d]" % (path, i), key, out)
        if isinstance(got, list) and len(got) != len(want):
            out.append((path + ".length", False, len(got), len(want)))
        elif got is MISSING or not isinstance(got, list):
            out.append((path + ".length", False, got, len(want)))
        else:
            out.append((path + ".length", True, len(got), len(want)))
        return
    if want is None:
        # null: the message does not give it, and nothing may be made up
        out.append((path, got is MISSING or got is None or got == [], got, want))
        return
    if got is MISSING:
        out.append((path, False, MISSING, want))
        return
    out.append((path, value_equal(want, got, key), got, want))


def field_key(path):
    return re.sub(r"\[\d+\]", "[]", path)


def show(v):
    if v is MISSING:
        return "(missing)"
    s = json.dumps(v, ensure_ascii=False, sort_keys=True)
    if len(s) > 300:
        s = s[:300] + "..."
    return s


def run_parse(cmectl, conf, eml):
    try:
        p = subprocess.run([cmectl, "-c", conf, "parse", eml],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, "cmectl parse timed out after %ds" % TIMEOUT
    except OSError as e:
        return None, "cannot run %s: %s" % (cmectl, e)
    if p.returncode != 0:
        err = p.stderr.decode("utf-8", "replace").strip().splitlines()
        return None, "cmectl exit %d%s" % (p.returncode, (": " + err[-1]) if err else "")
    try:
        return json.loads(p.stdout.decode("utf-8")), None
    except (ValueError, UnicodeDecodeError) as e:
        return None, "cmectl printed invalid JSON: %s" % e


def collect(dirs, prefix):
    cases = []
    for d in dirs:
        if not os.path.isdir(d):
            print("accuracy: %s: not a directory" % d, file=sys.stderr)
            sys.exit(2)
        base = os.path.basename(os.path.normpath(os.path.abspath(d)))
        for fn in sorted(os.listdir(d)):
            if not fn.endswith(".eml"):
                continue
            stem = fn[:-4]
            exp = os.path.join(d, stem + ".expected.json")
            if not os.path.isfile(exp):
                continue
            label = "%s/%s" % (base, stem) if prefix else stem
            cases.append((label, os.path.join(d, fn), exp))
    return cases


def known_gaps(dirs):
    """NAME -> why, from each DIR's KNOWN-GAPS file (absent: none)."""
    gaps = {}
    for d in dirs:
        try:
            with open(os.path.join(d, "KNOWN-GAPS"), encoding="utf-8") as f:
                for line in f:
                    line = line.strip()
                    if line and not line.startswith("#"):
                        name, _, why = line.partition(" ")
                        gaps[name] = why.strip() or "see KNOWN-GAPS"
        except OSError:
            pass
    return gaps


def main():
    ap = argparse.ArgumentParser(
        description="Compare `cmectl parse` with *.expected.json worked examples.")
    ap.add_argument("--cmectl", help="cmectl to run")
    ap.add_argument("--config", help="configuration file (default: a temporary one)")
    ap.add_argument("--tap", action="store_true", help="print TAP")
    ap.add_argument("-q", "--quiet", action="store_true",
                    help="print only failing fields (not with --tap)")
    ap.add_argument("dirs", nargs="*", metavar="DIR")
    a = ap.parse_args()

    dirs = a.dirs
    if not dirs:
        dirs = [os.path.join(HERE, "fixtures", "referrals")]
        samples = os.path.join(os.path.dirname(srcdir()), "shared", "samples")
        if os.path.isdir(samples):
            dirs.append(samples)
    cases = collect(dirs, len(dirs) > 1)
    gaps = known_gaps(dirs)
    cmectl = find_cmectl(a.cmectl)

    tmp = None
    conf = a.config
    if not conf:
        tmp = tempfile.mkdtemp(prefix="cme-accuracy.")
        conf = write_config(tmp)

    imm = immediate_flags()
    ftp = ffp = ffn = 0  # flags: true positives, false positives, misses
    false_imm = []
    missed_imm = []
    fields = {}          # field key -> [passed, total]
    order = []
    npass = nfail = 0
    try:
        if a.tap:
            print("1..%d" % (len(cases) + 1))
            sys.stdout.flush()
        for n, (label, eml, exp) in enumerate(cases, 1):
            try:
                with open(exp, encoding="utf-8") as f:
                    want = json.load(f)
            except (OSError, ValueError) as e:
                want, experr = None, "bad expected file %s: %s" % (exp, e)
            else:
                experr = None
            results = []
            got, err = (None, experr) if experr else run_parse(cmectl, conf, eml)
            if err is None:
                compare(want, got, "", None, results)
            elif isinstance(want, dict):
                compare(want, MISSING, "", None, results)
            for path, ok, g, w in results:
                k = field_key(path)
                if k not in fields:
                    fields[k] = [0, 0]
                    order.append(k)
                fields[k][1] += 1
                if ok:
                    fields[k][0] += 1
            if isinstance(want, dict) and isinstance(want.get("flags"), list):
                wf = set(want["flags"])
                gf = set(got.get("flags") or []) if isinstance(got, dict) else set()
                ftp += len(wf & gf)
                ffp += len(gf - wf)
                ffn += len(wf - gf)
                if (gf & imm) and not (wf & imm):
                    false_imm.append(label)
                elif (wf & imm) and not (gf & imm):
                    missed_imm.append(label)
            bad = [r for r in results if not r[1]]
            if err is None and not any(r[0] for r in results):
                # an expected file with no key would pass whatever came out
                err = "%s: no field to compare" % exp
            passed = err is None and not bad
            if passed:
                npass += 1
            else:
                nfail += 1
            if a.tap:
                gap = gaps.get(os.path.basename(label))
                print("%s %d - %s%s" % ("ok" if passed else "not ok", n, label,
                                        " # TODO known gap: " + gap if gap else ""))
                if err:
                    print("# %s" % err)
                for path, ok, g, w in bad:
                    print("#   %s got %s want %s" % (path, show(g), show(w)))
            else:
                if err:
                    print("FAIL %s: %s" % (label, err))
                for path, ok, g, w in results:
                    if ok and not a.quiet:
                        print("ok %s %s" % (label, path))
                    elif not ok:
                        print("FAIL %s %s got %s want %s" % (label, path, show(g), show(w)))
            sys.stdout.flush()
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    lead = "# " if a.tap else ""
    width = max([len(k) for k in order] + [5])
    print("%s" % lead.rstrip() if a.tap else "")
    print("%s%-*s  passed/total" % (lead, width, "field"))
    tp = tt = 0
    for k in sorted(order):
        p, t = fields[k]
        tp += p
        tt += t
        mark = "" if p == t else "   <--"
        print("%s%-*s  %d/%d%s" % (lead, width, k, p, t, mark))
    print("%s%-*s  %d/%d" % (lead, width, "(all fields)", tp, tt))
    prec = 100.0 * ftp / (ftp + ffp) if ftp + ffp else 100.0
    rec = 100.0 * ftp / (ftp + ffn) if ftp + ffn else 100.0
    print("%sflags: precision %.1f%% recall %.1f%% (%d right, %d false, %d missed)"
          % (lead, prec, rec, ftp, ffp, ffn))
    print("%simmediate escalations: %d false, %d missed%s"
          % (lead, len(false_imm), len(missed_imm),
             (" (" + " ".join(["false:" + x for x in false_imm] +
                              ["missed:" + x for x in missed_imm]) + ")")
             if false_imm or missed_imm else ""))
    imm_ok = not false_imm and not missed_imm
    if a.tap:
        print("%s %d - no false and no missed immediate escalation"
              % ("ok" if imm_ok else "not ok", len(cases) + 1))
    print("%s%d passed, %d failed" % (lead, npass, nfail))
    if a.tap:
        return 0
    return 0 if nfail == 0 and imm_ok else 1


if __name__ == "__main__":
    sys.exit(main())
