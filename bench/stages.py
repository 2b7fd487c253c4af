#!/usr/bin/python3
"""bench/stages.py - where cme-milter's time at end of message goes.

    bench/stages.py MILTER.LOG...

Reads the milter's per-message log lines ("QID: action=... cases=...
ms=4.90 parse=0.10 extract=0.31 queue=1.20 ... batch=3", see
include/stage_timing.h) and prints, for ms= and each stage after it, the
p50 and p99 in milliseconds and the mean share of ms=, then the mean
batch size (messages per COMMIT, as the messages saw it) and the mean
batch size per COMMIT (each batch counted once).  Stages are read from
the lines themselves, in their order, so a stage added to stage_timing.c
shows up here without a change.
"""
import re
import sys

FIELD = re.compile(r' ([a-z]+)=([0-9.]+)')


def percentile(values, p):
    """Nearest-rank percentile of sorted values (as throughput.sh's)."""
    if not values:
        return 0.0
    k = max(1, -(-len(values) * p // 100))   # ceil
    return values[int(k) - 1]


def main(paths):
    stages = {}          # name -> list of ms, in first-seen order
    batches = []
    for path in paths:
        with open(path, encoding='utf-8', errors='replace') as f:
            for line in f:
                at = line.find(' ms=')
                if ': action=' not in line or at < 0:
                    continue
                for name, value in FIELD.findall(line[at:]):
                    if name == 'batch':
                        batches.append(int(float(value)))
                    else:
                        stages.setdefault(name, []).append(float(value))
    total = stages.get('ms', [])
    if not total:
        print('no end-of-message log lines with ms= found')
        return 1
    whole = sum(total)
    print('milter time at end of message by stage (%d messages)' % len(total))
    print('%-8s %9s %9s %8s' % ('stage', 'p50 ms', 'p99 ms', 'share'))
    for name, values in stages.items():
        share = sum(values) / whole if whole > 0 else 0.0
        values.sort()
        print('%-8s %9.2f %9.2f %7.0f%%' % (name, percentile(values, 50),
                                          percentile(values, 99), share * 100))
    if batches:
        # a batch of n is seen by n messages: 1/n of each counts it once
        commits = sum(1.0 / b for b in batches if b > 0)
        print('batch size: mean %.2f as messages saw it, %.2f per COMMIT '
              '(%d commits), largest %d'
              % (sum(batches) / len(batches), len(batches) / commits if commits else 0,
                 round(commits), max(batches)))
    return 0


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.stderr.write('usage: bench/stages.py MILTER.LOG...\n')
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
