#!/usr/bin/env python3
"""service/full_disk_alert: does an alert rule fire on what the VM's metrics said?

    alert_check.py RULES BEFORE.prom FULL.prom

BEFORE and FULL are the metrics file of proclife.service just before the
recordings' file system was filled and once it was full (tests/service/scenario.py
sends them back). Every alert of RULES whose expression uses
proclife_recording_errors_total is evaluated by promtool's rule unit test on
series made of them, as node_exporter would give them to Prometheus: every
sample of FULL for 30 minutes, after one minute of BEFORE's, the error counter
going on rising as it did (the disk stays full). It passes when one of those
alerts is firing at some point (promtool's own ALERTS series says so).
One line: PASS/FAIL/SKIP service/full_disk_alert.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

NAME = 'service/full_disk_alert'
METRIC = 'proclife_recording_errors_total'
MINUTES = 30
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)')


def samples(path):
    """{series: value} of a Prometheus text file (comments and timestamps aside)."""
    out = {}
    with open(path) as f:
        for line in f:
            m = SAMPLE.match(line)
            if m:
                out[m.group(1) + (m.group(2) or '{}')] = float(m.group(3))
    return out


def alerts_on(rules_text, metric):
    """Names of the alerting rules whose expression names metric (a rule runs from its
    '- alert:' line to the next rule)."""
    names = []
    for chunk in re.split(r'(?m)^\s*-\s+(?=alert:|record:)', rules_text)[1:]:
        m = re.match(r'alert:\s*(\S+)', chunk)
        if m and re.search(r'\b%s\b' % metric, chunk.split('labels:')[0]):
            names.append(m.group(1).strip('"\''))
    return names


def labelled(series):
    """The series as Prometheus stores it from node_exporter: with instance and job."""
    name, labels = series.split('{', 1)
    labels = labels.rstrip('}')
    return '%s{%s%sinstance="vm",job="node"}' % (name, labels, ',' if labels else '')


def main():
    rules, before_path, full_path = sys.argv[1:4]
    if not shutil.which('promtool'):
        print('SKIP %s: no promtool (tools/deps.sh installs prometheus)' % NAME)
        return 0
    for p in (before_path, full_path):
        if not os.path.exists(p):
            print('FAIL %s: the VM sent no %s (the full-disk scenario did not get that far)' %
                  (NAME, os.path.basename(p)))
            return 1
    before, full = samples(before_path), samples(full_path)
    errors = {s: v for s, v in full.items() if s.startswith(METRIC + '{')}
    with open(rules) as f:
        names = alerts_on(f.read(), METRIC)
    problems = []
    if not errors:
        problems.append('the metrics file of a full disk has no %s' % METRIC)
    if not names:
        problems.append('no alert of %s uses %s' % (rules, METRIC))
    if problems:
        print('FAIL %s: %s' % (NAME, '; '.join(problems)))
        return 1
    series = []
    for s, v in sorted(full.items()):
        if not s.startswith('proclife_'):
            continue
        v0 = before.get(s, 0.0 if s in errors else v)
        if s in errors and v > v0:  # a failing errno: its counter goes on rising as it did
            values = '%g %g+%gx%d' % (v0, v, v - v0, MINUTES)
        else:
            values = '%g %gx%d' % (v0, v, MINUTES)
        series.append("      - series: '%s'\n        values: '%s'" % (labelled(s), values))
    alerts = '|'.join(re.escape(n) for n in names)
    test = '''rule_files:
  - %s
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
%s
    promql_expr_test:
      - expr: '(count(max_over_time(ALERTS{alertname=~"%s",alertstate="firing"}[%dm])) > bool 0) or vector(0)'
        eval_time: %dm
        exp_samples:
          - labels: '{}'
            value: 1
''' % (os.path.abspath(rules), '\n'.join(series), alerts, MINUTES + 1, MINUTES)
    with tempfile.NamedTemporaryFile('w', suffix='.yml', delete=False) as f:
        f.write(test)
    try:
        p = subprocess.run(['promtool', 'test', 'rules', f.name], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=120)
    finally:
        os.unlink(f.name)
    if p.returncode == 0:
        print('PASS %s' % NAME)
        return 0
    for line in p.stdout.decode(errors='replace').splitlines():
        if line.strip():
            print('# promtool: ' + line.strip())
    print('FAIL %s: none of %s fired in %d minutes of a full disk (%s %s)' %
          (NAME, ', '.join(names), MINUTES, METRIC, ', '.join('%g' % v for v in errors.values())))
    return 1


if __name__ == '__main__':
    sys.exit(main())
