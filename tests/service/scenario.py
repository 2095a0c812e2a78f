#!/usr/bin/python3
"""proclife's two units under real systemd: the scenario, run inside the VM.

tests/service/run.sh boots a Debian VM with systemd as PID 1 and this script as
the last unit of multi-user.target (proclife-scenario.service, as root). It
installs the real .deb, starts proclife.service and proclife-events.service,
and puts them through what a host does to them: a workload, a reload, a
SIGKILL, a full disk, a stop. Each check is one line on the second serial
port (/dev/ttyS1): PASS name, or FAIL name: why after "# ..." lines saying
what differed (no SKIP: each check runs whenever its scenario does). run.sh
re-prints them as "PASS service/name". Files the host checks further (the metrics files, for
the alert rule) go out on the third port (/dev/ttyS2), base64 between
"@@ARTIFACT name" and "@@END" lines.

Every wait is on a condition, bounded; every oracle is outside proclife where
one exists: systemd's own view of the units (systemctl show, the journal),
the pids and argv this script ran and the statuses waitpid gave it, the file
system, and an independent reader of the recording format
(docs/RECORDING.md) for headers, blocks and end marks.

Argument: the JSON file run.sh put in the initramfs:
{"scenarios": [...], "nonce": "...", "unit_caps": "capabilities added to the units, for diagnostics"}.
"""

import base64
import errno
import hashlib
import json
import os
import re
import signal
import stat
import struct
import subprocess
import sys
import time
import traceback
import zlib

DEB = '/root/proclife.deb'
STATE_DIR = '/var/lib/proclife'
REC = STATE_DIR + '/proclife.plr'
EVENTS = '/var/log/proclife/events.json'
METRICS = '/var/lib/prometheus/node-exporter/proclife.prom'
DEFAULTS = '/etc/default/proclife'
UNITS = ('proclife', 'proclife-events')
# The recordings' file system: small, so that the full-disk scenario can fill it.
STATE_FS_SIZE = '8m'
# Options an administrator sets in /etc/default/proclife for this host: three
# files kept (so that one restart-shift too many deletes a real recording, and
# shows), metrics every second (so the scenario need not wait 15 s for them).
ADMIN_CONFIG = {'PROCLIFE_ROTATE_COUNT': '3', 'PROCLIFE_OPTS': '"--metrics-interval 1"'}

# The scenarios and their checks, in the order they run. install, start, stop
# and journal_clean always run (the others stand on them); run.sh's SERVICE_CHECKS
# picks among the others. workload_recording is checked once the workload's
# piece is closed: after the reload, else after the stop.
SCENARIOS = {
    'install': ['install'],
    'start': ['start', 'start_files', 'start_journal'],
    'workload': ['workload_events_log', 'workload_recording'],
    'reload': ['reload', 'reload_pieces', 'reload_replay'],
    'kill': ['kill_restart', 'kill_kept', 'kill_replay'],
    'full_disk': ['full_disk_survives', 'full_disk_metric', 'full_disk_resume', 'full_disk_said_once',
                  'full_disk_kept'],
    'stop': ['stop', 'stop_files'],
    'journal_clean': ['journal_clean'],
}
ALWAYS = ('install', 'start', 'stop', 'journal_clean')

# Bounds of the waits, in seconds. BPF programs load slowly under emulation
# (TCG, and a host that may be busy): generous, but each ends a wait early.
START_WAIT = 240
EVENT_WAIT = 60
RESTART_WAIT = 120
FULL_DISK_WAIT = 60
# For journald to have a line of something that already happened.
JOURNAL_WAIT = 10
# For the next rewrite of the metrics file (--metrics-interval 1).
METRICS_WAIT = 10


# ---------------------------------------------------------------- reporting

class Report:
    """The result lines, on ttyS1 (for run.sh) and stdout (the console and the journal)."""

    def __init__(self, port):
        self.port = open(port, 'w', buffering=1) if os.path.exists(port) else sys.stdout
        self.done = set()

    def line(self, text):
        self.port.write(text + '\n')
        if self.port is not sys.stdout:
            print(text, flush=True)

    def result(self, name, ok, why='', details=()):
        if name in self.done:
            return
        self.done.add(name)
        if ok:
            self.line('PASS ' + name)
            return
        for d in details:
            self.line('# ' + one_line(d))
        self.line('FAIL %s: %s' % (name, one_line(why)))



def one_line(text, limit=600):
    """text on one line, cut at limit, control characters escaped (journal lines and process
    output reach the host's terminal through it)."""
    text = ''.join(c if c.isprintable() else '\\x%02x' % ord(c) for c in ' '.join(str(text).split()))
    return text if len(text) <= limit else text[:limit] + '...'


class Artifacts:
    """Files for the host, base64 on ttyS2."""

    def __init__(self, port):
        self.port = open(port, 'w') if os.path.exists(port) else None

    def send(self, name, data):
        if self.port is None:
            return
        self.port.write('@@ARTIFACT %s\n' % name)
        b = base64.b64encode(data).decode()
        for i in range(0, len(b), 76):
            self.port.write(b[i:i + 76] + '\n')
        self.port.write('@@END\n')
        self.port.flush()


def log(text):
    print('scenario: ' + text, flush=True)


# ---------------------------------------------------------------- helpers

def run(*argv, check=False, timeout=120):
    p = subprocess.run(list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    out, err = p.stdout.decode(errors='replace'), p.stderr.decode(errors='replace')
    if check and p.returncode != 0:
        raise RuntimeError('%s: exit %d: %s' % (' '.join(argv), p.returncode, err.strip()))
    return p.returncode, out, err


def wait_for(cond, timeout, step=0.2):
    """cond() until it returns something true, for at most timeout seconds: that value, else None."""
    end = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() >= end:
            return None
        time.sleep(step)


def unit(name):
    """systemd's view of a unit: the properties the checks use."""
    props = 'ActiveState,SubState,MainPID,NRestarts,UnitFileState'
    _, out, _ = run('systemctl', 'show', '-p', props, name + '.service')
    d = dict(l.split('=', 1) for l in out.splitlines() if '=' in l)
    for k in ('MainPID', 'NRestarts'):
        d[k] = int(d.get(k) or 0)
    return d


def journal(units, since_us=0):
    """The units' journal entries since since_us (CLOCK_MONOTONIC µs): (µs, unit, message) each."""
    argv = ['journalctl', '--no-pager', '-o', 'json']
    for u in units:
        argv += ['-u', u + '.service']
    _, out, _ = run(*argv)
    entries = []
    for l in out.splitlines():
        try:
            e = json.loads(l)
        except ValueError:
            continue
        msg = e.get('MESSAGE', '')
        if isinstance(msg, list):  # not UTF-8: journald gives the bytes
            msg = bytes(msg).decode(errors='replace')
        t = int(e.get('__MONOTONIC_TIMESTAMP', 0))
        if t >= since_us:
            # systemd's own lines about a unit come from init.scope and name it in UNIT.
            u = e.get('UNIT') or e.get('_SYSTEMD_UNIT') or '?'
            entries.append((t, u.replace('.service', ''), msg))
    return entries


def mono_us():
    return int(time.clock_gettime(time.CLOCK_MONOTONIC) * 1e6)


def cmdline(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            return [a.decode(errors='replace') for a in f.read().split(b'\0')[:-1]]
    except OSError:
        return None


def proc_state(pid):
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0]
    except OSError:
        return None


def metric(text, name):
    """The sum of a metric's samples in a Prometheus text file, or None when it has none."""
    total = None
    for l in text.splitlines():
        m = re.match(r'^%s(\{[^}]*\})?\s+(\S+)' % re.escape(name), l)
        if m:
            total = (total or 0) + float(m.group(2))
    return total


def read_text(path):
    try:
        with open(path, errors='replace') as f:
            return f.read()
    except OSError:
        return ''


# ---------------------------------------------------------------- recordings

REC_MAGIC = b'\x89PLREC\r\n'
BLOCK_MAGIC = 0x4B424C50
REC_SNAP_PROC, REC_END = 3, 10
PIECE_RE = re.compile(r'^proclife\.plr(\.[0-9]+)?$')


def read_recording(path):
    """What docs/RECORDING.md says of a file, read independently of proclife: its header,
    whether every block is whole and sound and (format 2) chained to what came before it,
    whether it ends with REC_END (and when)."""
    with open(path, 'rb') as f:
        data = f.read()
    info = {'path': path, 'size': len(data), 'data': data, 'header': data[:64], 'problem': None,
            'end': False, 'end_ts': None, 'last_ts': None, 'seq': None, 'start_ns': None, 'boot_id': None,
            'blocks': 0, 'torn': False}
    if len(data) < 64 or data[:8] != REC_MAGIC:
        info['problem'] = 'no recording header (%d bytes)' % len(data)
        return info
    major, minor, hdr_size, start_ns, _wall, _flags, _args_cap, seq = struct.unpack_from('<HHIQqIII', data, 8)
    info.update(seq=seq, start_ns=start_ns, boot_id=data[44:60].hex(), header=data[:hdr_size])
    if struct.unpack_from('<I', data, 60)[0] != zlib.crc32(data[:60]):
        info['problem'] = 'header CRC32 mismatch'
        return info
    # Format 2: 96-byte block headers (prev, seal, hdr_crc at 92); 1.x: 32 bytes (hdr_crc at 28).
    bh, crc_at = (96, 92) if major >= 2 else (32, 28)
    chain = hashlib.sha256(data[:hdr_size]).digest()
    off, last_kind, last_ts = hdr_size, None, None
    while off < len(data):
        if len(data) - off < bh:
            info.update(problem='cut inside a block header at offset %d' % off, torn=True)
            break
        magic, plen, rlen, nrec, bseq, pcrc = struct.unpack_from('<IIIIQI', data, off)
        hcrc = struct.unpack_from('<I', data, off + crc_at)[0]
        if magic != BLOCK_MAGIC or hcrc != zlib.crc32(data[off:off + crc_at]) or bseq != info['blocks']:
            info['problem'] = 'block %d at offset %d: bad header' % (info['blocks'], off)
            break
        if major >= 2 and data[off + 28:off + 60] != chain:
            info['problem'] = 'block %d at offset %d: not chained to what comes before it' % (bseq, off)
            break
        payload = data[off + bh:off + bh + plen]
        if len(payload) < plen:
            info.update(problem='block %d cut short at offset %d' % (bseq, off), torn=True)
            break
        if zlib.crc32(payload) != pcrc:
            info['problem'] = 'block %d: payload CRC32 mismatch' % bseq
            break
        chain = hashlib.sha256(data[off:off + 60] + payload).digest()
        raw = zlib.decompress(payload, -15)
        p = n = 0
        while p + 8 <= len(raw):
            size, kind = struct.unpack_from('<IH', raw, p)
            if size < 8:
                break
            if kind != REC_SNAP_PROC and size >= 16:
                last_ts = struct.unpack_from('<Q', raw, p + 8)[0]
            last_kind = kind
            p += (size + 7) & ~7
            n += 1
        if len(raw) != rlen or n != nrec:
            info['problem'] = 'block %d: %d records in %d bytes, the header says %d in %d' % (bseq, n, len(raw),
                                                                                          nrec, rlen)
            break
        info['blocks'] += 1
        off += bh + plen
    info['last_ts'] = last_ts
    if not info['problem'] and last_kind == REC_END:
        info.update(end=True, end_ts=last_ts)
    return info


def pieces():
    """The recording's pieces now: proclife.plr and proclife.plr.N, each read."""
    names = sorted((n for n in os.listdir(STATE_DIR) if PIECE_RE.match(n)),
                   key=lambda n: int(n.rsplit('.', 1)[1]) if n[-1].isdigit() else 0)
    return [read_recording(os.path.join(STATE_DIR, n)) for n in names]


def pieces_by_start():
    return sorted(pieces(), key=lambda p: (p['start_ns'] or 0, p['seq'] or 0))


def kept(before, after):
    """What of the pieces before is gone or changed after: a piece is known by its header (its
    start time is in it); its bytes before must still begin the file after."""
    now = {p['header']: p for p in after}
    lost = []
    for p in before:
        q = now.get(p['header'])
        name = os.path.basename(p['path'])
        if q is None:
            lost.append('%s (seq %s, %d bytes) is gone' % (name, p['seq'], p['size']))
        elif not q['data'].startswith(p['data']):
            lost.append('%s (seq %s, now %s) was rewritten: its first %d bytes changed' %
                        (name, p['seq'], os.path.basename(q['path']), p['size']))
    return lost


def describe(ps):
    return ', '.join('%s seq %s %d B%s' % (os.path.basename(p['path']), p['seq'], p['size'],
                                          ' end' if p['end'] else '') for p in ps) or 'none'


def replay(paths):
    """proclife watch --json -r each path: (exit status, events, stderr lines)."""
    argv = ['proclife', 'watch', '--json']
    for p in paths:
        argv += ['-r', p]
    rc, out, err = run(*argv)
    events = []
    for l in out.splitlines():
        try:
            events.append(json.loads(l))
        except ValueError:
            pass
    return rc, events, [l for l in err.splitlines() if l.strip()]


def events_log(strict=False):
    """The events log's JSON lines: (events, lines that are no JSON object). A last line
    without its newline is a write in progress, unless strict (the writer stopped)."""
    try:
        with open(EVENTS, 'rb') as f:
            data = f.read()
    except OSError:
        return [], []
    lines = data.split(b'\n')
    tail = lines.pop()
    if tail and strict:
        lines.append(tail)
    events, bad = [], []
    for l in lines:
        try:
            e = json.loads(l)
            if not isinstance(e, dict):
                raise ValueError
            events.append(e)
        except ValueError:
            bad.append(l[:200].decode(errors='replace'))
    return events, bad


def fill(directory):
    """Fills directory's file system with one file, until ENOSPC; its path."""
    path = os.path.join(directory, 'plsvc-filler')
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        while True:
            os.write(fd, b'\0' * 65536)
    except OSError as e:
        if e.errno != errno.ENOSPC:
            raise
    finally:
        os.close(fd)
    return path


def has_exec(events, argv):
    return any(e.get('event') == 'exec' and e.get('argv') == argv for e in events)


# ---------------------------------------------------------------- the workload

class Workload:
    """Processes of known argv and outcome, started by this script (whose pid is the parent
    of each): an exit status, a signal, a zombie. expected() is what proclife must say of them."""

    def __init__(self, nonce):
        self.me = os.getpid()
        self.nonce = nonce
        self.procs = {}

    def run(self):
        n = self.nonce
        # An exit status: sh runs `exit 7` itself (no other exec).
        argv = ['/bin/sh', '-c', 'exit 7', 'plsvc-exit-' + n]
        p = subprocess.Popen(argv)
        status = p.wait()
        self.procs['exit'] = (p.pid, argv, '/bin/sh', status)
        # A signal: sleep under another argv[0], killed by SIGTERM from here once it is sleep.
        argv = ['plsvc-sig-' + n, '30']
        p = subprocess.Popen(argv, executable='/bin/sleep')
        if not wait_for(lambda: cmdline(p.pid) == argv, 30):
            raise RuntimeError('sleep %d never showed its argv in /proc' % p.pid)
        os.kill(p.pid, signal.SIGTERM)
        status = p.wait()
        self.procs['signal'] = (p.pid, argv, '/bin/sleep', status)
        # A zombie: exits 5, reaped only once proclife said it is a zombie (reap_zombie()).
        argv = ['plsvc-zombie-' + n, '-c', 'exit 5']
        self.zombie = subprocess.Popen(argv, executable='/bin/sh')
        if not wait_for(lambda: proc_state(self.zombie.pid) == 'Z', 30):
            raise RuntimeError('%d never became a zombie' % self.zombie.pid)
        self.procs['zombie'] = (self.zombie.pid, argv, '/bin/sh', None)

    def reap_zombie(self):
        status = self.zombie.wait()
        pid, argv, filename, _ = self.procs['zombie']
        self.procs['zombie'] = (pid, argv, filename, status)

    def pids(self):
        return {v[0] for v in self.procs.values()}

    def expected(self, zombie_reaped=True):
        """(description, predicate) for each event proclife must report, from what waitpid said."""
        me, out = self.me, []

        def ev(kind, pid, desc, **fields):
            def pred(e):
                return e.get('event') == kind and e.get('pid') == pid and all(
                    f(e.get(k)) if callable(f) else e.get(k) == f for k, f in fields.items())
            out.append(('%s of %d (%s)' % (kind, pid, desc), pred))

        for what, (pid, argv, filename, status) in self.procs.items():
            out.append(('fork %d -> %d' % (me, pid),
                        lambda e, pid=pid: e.get('event') == 'fork' and e.get('pid') == me and e.get('child') == pid))
            ev('exec', pid, ' '.join(argv), argv=argv, filename=filename)
            if what == 'exit':
                # waitpid: 7 (Popen gives the exit code).
                ev('exit', pid, 'exit %d' % status, exit_code=status, term_signal=None)
                ev('reap', pid, 'reaped by %d' % me, reaper=me, exit_code=status)
            elif what == 'signal':
                # waitpid: killed by SIGTERM (Popen gives -15).
                out.append(('signal SIGTERM %d -> %d' % (me, pid),
                            lambda e, pid=pid: e.get('event') == 'signal' and e.get('pid') == me and
                            e.get('target') == pid and e.get('sig') == signal.SIGTERM and
                            e.get('result') == 'delivered'))
                ev('exit', pid, 'killed by SIGTERM from %d' % me, term_signal=-status, exit_code=None,
                   killed_by=lambda k: isinstance(k, dict) and k.get('pid') == me)
                ev('reap', pid, 'reaped by %d' % me, reaper=me, term_signal=-status)
            else:
                ev('exit', pid, 'exit 5', exit_code=5)
                ev('zombie', pid, 'a zombie of %d' % me, exit_code=5, parent=me)
                if zombie_reaped:
                    ev('reap', pid, 'reaped by %d' % me, reaper=me, exit_code=status)
        return out

    def mine(self, events):
        """The events about the workload's processes (and the forks and signals that made them)."""
        pids = self.pids()
        return [e for e in events if e.get('pid') in pids or
                (e.get('event') == 'fork' and e.get('child') in pids) or
                (e.get('event') == 'signal' and e.get('target') in pids)]


# What of a kernel event two tracers must agree on (not when, nor what each measured).
STORY = {
    'fork': ('child', 'child_ppid', 'thread'),
    'exec': ('filename', 'argv', 'argc', 'truncated'),
    'exit': ('exit_code', 'term_signal', 'core_dumped', 'status', 'killed_by.pid', 'killed_by.sig'),
    'reap': ('reaper', 'how', 'exit_code', 'term_signal', 'status'),
    'signal': ('sig', 'target', 'result', 'code', 'syscall'),
}


def story(events):
    out = []
    for e in events:
        if e.get('event') not in STORY:
            continue
        t = [e.get('event'), e.get('pid'), e.get('ppid'), e.get('comm')]
        for f in STORY[e['event']]:
            head, _, sub = f.partition('.')
            v = e.get(head)
            t.append(v.get(sub) if sub and isinstance(v, dict) else (None if sub else v))
        out.append(t)
    # Two tracers may order events of two CPUs apart: compare them as sets (with repeats).
    return sorted(out, key=json.dumps)


def missing(expected, events):
    return [desc for desc, pred in expected if not any(pred(e) for e in events)]


# ---------------------------------------------------------------- the scenarios

class Scenario:
    def __init__(self, conf):
        self.r = Report('/dev/ttyS1')
        self.art = Artifacts('/dev/ttyS2')
        self.nonce = conf['nonce']
        self.run_set = set(conf['scenarios']) | set(ALWAYS)
        self.unit_caps = conf.get('unit_caps', '')
        self.work = None
        self.workload_checked = False
        # Journal windows whose lines a scenario of its own judges (the full disk's).
        self.journal_exempt = []
        self.started = mono_us()

    def plan(self):
        checks = [c for s, cs in SCENARIOS.items() if s in self.run_set for c in cs]
        self.r.line('@@PLAN ' + ' '.join(checks))
        return checks

    def marker(self, tag):
        """Runs /bin/true with an argv of its own (a recognisable exec); returns that argv."""
        argv = ['/bin/true', 'plsvc-%s-%s' % (tag, self.nonce)]
        subprocess.run(argv, check=True)
        return argv

    def marker_recorded(self, tag, paths_fn, timeout):
        """Runs markers until one is in the replay of paths_fn() (a flush comes every second)."""
        def seen():
            argv = self.marker(tag)
            paths = paths_fn()
            return paths and has_exec(replay(paths)[1], argv)
        return wait_for(seen, timeout, step=0.5)

    # -------------------------------------------------------- install, start

    def install(self):
        rc, out, err = run('dpkg', '-i', DEB)
        details = [l for l in (out + err).splitlines() if l.strip()][-5:]
        if rc != 0:
            self.r.result('install', False, 'dpkg -i exited %d' % rc, details)
            return False
        states = {u: unit(u) for u in UNITS}
        bad = ['%s: UnitFileState=%s' % (u, s.get('UnitFileState')) for u, s in states.items()
               if s.get('UnitFileState') != 'disabled']
        # The package's promise: installed, known to systemd, not enabled (README: Operating proclife).
        self.r.result('install', not bad, 'the units are not installed disabled: ' + '; '.join(bad), details)
        return True

    def configure(self):
        """What an administrator does before starting: /etc/default/proclife, and here the
        recordings' own small file system (the full-disk scenario fills it)."""
        text = read_text(DEFAULTS)
        for k, v in ADMIN_CONFIG.items():
            text, n = re.subn(r'(?m)^%s=.*$' % k, '%s=%s' % (k, v), text)
            if not n:
                text += '%s=%s\n' % (k, v)
        with open(DEFAULTS, 'w') as f:
            f.write(text)
        if self.unit_caps:
            # Diagnostics only (run.sh's SERVICE_UNIT_CAPS): more capabilities than the units give.
            for u in UNITS:
                d = '/etc/systemd/system/%s.service.d' % u
                os.makedirs(d, exist_ok=True)
                with open(d + '/plsvc-caps.conf', 'w') as f:
                    f.write('[Service]\nCapabilityBoundingSet=%s\n' % self.unit_caps)
            run('systemctl', 'daemon-reload', check=True)
            self.r.line('# NOTE: both units run with CapabilityBoundingSet= %s added (SERVICE_UNIT_CAPS)' %
                        self.unit_caps)
        os.makedirs(STATE_DIR, exist_ok=True)
        run('mount', '-t', 'tmpfs', '-o', 'size=%s,mode=0700' % STATE_FS_SIZE, 'proclife-state', STATE_DIR,
            check=True)

    def start(self):
        t0 = mono_us()
        rc, _, err = run('systemctl', 'start', *['%s.service' % u for u in UNITS])
        if rc != 0:
            self.r.result('start', False, 'systemctl start exited %d: %s' % (rc, err))
            return False

        # Ready: the recorder said it records, and proclife-events logged an exec of ours. A
        # restart while starting ends the wait: the unit is failing.
        ready = {}

        def started():
            if 'rec' not in ready and any('recording to ' + REC in m for _, u, m in journal(['proclife'], t0)):
                ready['rec'] = True
            if 'ev' not in ready and has_exec(events_log()[0], self.marker('ready')):
                ready['ev'] = True
            return len(ready) == 2 or any(unit(u)['NRestarts'] for u in UNITS)
        t = time.monotonic()
        wait_for(started, START_WAIT, step=0.5)
        rec_ready, ev_ready = ready.get('rec'), ready.get('ev')
        waited = 'in %.0f s' % (time.monotonic() - t)
        states = {u: unit(u) for u in UNITS}
        bad = ['%s is %s/%s (MainPID %d, %d restarts)' % (u, s['ActiveState'], s['SubState'], s['MainPID'],
                                                         s['NRestarts'])
               for u, s in states.items() if s['ActiveState'] != 'active' or s['NRestarts']]
        if not rec_ready:
            bad.append('proclife.service did not say "recording to %s" %s' % (REC, waited))
        if not ev_ready:
            bad.append('no exec of ours in %s %s' % (EVENTS, waited))
        self.r.result('start', not bad, '; '.join(bad), self.journal_tail(t0))
        if bad:
            return False
        self.check_start_files()
        self.check_start_journal(t0)
        return True

    def check_start_files(self):
        bad = []

        def mode_is(path, want, what):
            try:
                st = os.stat(path)
            except OSError as e:
                bad.append('%s: %s' % (path, e.strerror))
                return
            if stat.S_IMODE(st.st_mode) != want or st.st_uid != 0:
                bad.append('%s (%s) is mode %04o uid %d, expected %04o uid 0' % (path, what, stat.S_IMODE(st.st_mode),
                                                                                st.st_uid, want))
        mode_is(STATE_DIR, 0o700, 'StateDirectoryMode=')
        mode_is(REC, 0o600, 'recordings hold argv')
        mode_is(os.path.dirname(EVENTS), 0o700, 'LogsDirectoryMode=')
        mode_is(EVENTS, 0o600, 'the events hold argv')
        mode_is(METRICS, 0o644, 'node_exporter reads it')
        p = read_recording(REC)
        boot_id = read_text('/proc/sys/kernel/random/boot_id').strip().replace('-', '')
        if p['seq'] != 0 or p['boot_id'] != boot_id:
            bad.append('%s: header seq %s boot id %s, expected seq 0 and this boot %s' % (REC, p['seq'],
                                                                                      p['boot_id'], boot_id))
        if metric(read_text(METRICS), 'proclife_build_info') != 1:
            bad.append('%s has no proclife_build_info 1' % METRICS)
        self.r.result('start_files', not bad, '; '.join(bad))

    def check_start_journal(self, t0):
        # systemd's "Started UNIT - Description." (v252) for each, and the recorder's own line.
        want = [('proclife', 'Started proclife.service'), ('proclife-events', 'Started proclife-events.service'),
                ('proclife', 'proclife: recording to ' + REC)]
        entries = journal(UNITS, t0)
        bad = ['no "%s" line of %s in the journal' % (w, u) for u, w in want
               if not any(uu == u and m.startswith(w) for _, uu, m in entries)]
        self.r.result('start_journal', not bad, '; '.join(bad), self.journal_tail(t0))

    def journal_tail(self, since, n=8):
        return ['journal: %s: %s' % (u, m) for _, u, m in journal(UNITS, since)[-n:]]

    # -------------------------------------------------------- workload

    def workload(self):
        self.work = Workload(self.nonce)
        try:
            self.work.run()
        except Exception as e:  # the workload itself failed: nothing to compare
            self.r.result('workload_events_log', False, 'the workload could not run: %s' % e)
            self.r.result('workload_recording', False, 'the workload could not run: %s' % e)
            self.work = None
            return
        # The zombie event comes --zombie-after (5 s) after its exit; then it is reaped.
        zombie_seen = wait_for(lambda: not missing(self.work.expected(False), events_log()[0]), EVENT_WAIT)
        self.work.reap_zombie()
        exp = self.work.expected()
        wait_for(lambda: not missing(exp, events_log()[0]), EVENT_WAIT)
        events, bad = events_log()
        miss = missing(exp, events)
        details = ['expected: %s' % d for d in miss] + ['events of ours in the log: %s' %
                                                        json.dumps(self.work.mine(events))[:1500]]
        why = '%d of %d expected events not in %s%s: %s' % (len(miss), len(exp), EVENTS,
                                                             '' if zombie_seen else ' (no zombie event)',
                                                             '; '.join(miss))
        if bad:
            miss.append('bad lines')
            why += '; lines that are no JSON object: %s' % bad[:3]
        self.r.result('workload_events_log', not miss, why, details if miss else ())

    def check_workload_recording(self, paths):
        """The workload in the recording pieces, replayed as one: the same events as the
        oracle expects, and the very same JSON objects as the events log wrote."""
        if self.work is None or self.workload_checked:
            return
        self.workload_checked = True
        rc, events, err = replay(paths)
        exp = self.work.expected()
        miss = missing(exp, events)
        bad = ['expected: %s' % d for d in miss]
        if rc != 0:
            bad.append('proclife watch --json -r ... exited %d: %s' % (rc, err[-3:]))
        # The recorder and proclife-events each load programs of their own, so they time and
        # measure each event apart (ktime_ns, runtime_ns, cpu_ns differ): they must tell the
        # same story, field for field of STORY.
        rec = story(self.work.mine(events))
        log_ = story(self.work.mine(events_log()[0]))
        if rec != log_:
            bad.append('the recording and the events log differ on the workload: only in the recording %s; '
                       'only in the log %s' % ([e for e in rec if e not in log_], [e for e in log_ if e not in rec]))
        self.r.result('workload_recording', not bad,
                      '%d of %d expected events not in the recording%s' % (len(miss), len(exp),
                                                                           '' if not bad[len(miss):] else
                                                                           '; ' + bad[-1][:300]), bad)

    # -------------------------------------------------------- reload

    def rotate(self):
        """systemctl reload proclife: (None, (new piece, old piece)) once the new piece is there and
        the old one ended, else (why, None)."""
        cur = read_recording(REC)
        rc, _, err = run('systemctl', 'reload', 'proclife.service')
        if rc != 0:
            return 'systemctl reload exited %d: %s' % (rc, err), None

        def rotated():
            try:
                new = read_recording(REC)
                old = [p for p in pieces() if p['header'] == cur['header']]
            except FileNotFoundError:  # a piece renamed between the listing and the reading
                return False
            return new['seq'] == cur['seq'] + 1 and old and old[0]['end'] and (new, old[0])
        done = wait_for(rotated, EVENT_WAIT)
        if not done:
            return ('no new piece with seq %d and the old one ended in %d s (now: %s)' %
                    (cur['seq'] + 1, EVENT_WAIT, describe(pieces()))), None
        return None, done

    def reload(self):
        before = pieces()
        t0 = mono_us()
        why, done = self.rotate()
        said = wait_for(lambda: any('SIGHUP' in m for _, u, m in journal(['proclife'], t0)), EVENT_WAIT)
        s = unit('proclife')
        bad = [why] if why else []
        if s['ActiveState'] != 'active' or s['NRestarts']:
            bad.append('proclife.service is %s with %d restarts' % (s['ActiveState'], s['NRestarts']))
        if not said:
            bad.append('the journal does not say what SIGHUP did')
        self.r.result('reload', not bad, '; '.join(bad), self.journal_tail(t0))
        if not done:
            for c in ('reload_pieces', 'reload_replay'):
                self.r.result(c, False, 'no rotation: ' + why)
            return
        new, old = done
        # The old piece is kept whole: what it held before is still its beginning, it ends with
        # its end mark, and the new piece continues it exactly (docs/RECORDING.md, Rotation).
        after = pieces()
        bad = kept(before, after)
        if old['problem'] or not old['end']:
            bad.append('%s: %s' % (old['path'], old['problem'] or 'no REC_END at its end'))
        if (new['start_ns'], new['boot_id']) != (old['end_ts'], old['boot_id']):
            bad.append('the new piece starts at %s (boot %s), the old one ends at %s (boot %s): not one recording'
                       % (new['start_ns'], new['boot_id'], old['end_ts'], old['boot_id']))
        if os.path.basename(old['path']) != 'proclife.plr.1':
            bad.append('the old piece is %s, expected proclife.plr.1' % old['path'])
        self.r.result('reload_pieces', not bad, '; '.join(bad), ['pieces: ' + describe(after)])
        # All pieces replayed as one: no gap, no damage.
        paths = [p['path'] for p in after]
        rc, events, err = replay(paths)
        gaps = [l for l in err if 'gap' in l or 'overlap' in l or 'damage' in l.lower() or 'corrupt' in l]
        bad = []
        if rc != 0:
            bad.append('exit %d' % rc)
        if gaps:
            bad.append('it says: %s' % gaps)
        if not events:
            bad.append('no events')
        self.r.result('reload_replay', not bad, 'proclife watch --json -r %s: %s' % (' -r '.join(paths),
                                                                                   '; '.join(bad)), err[-5:])
        self.check_workload_recording(paths)

    # -------------------------------------------------------- kill

    def kill(self):
        s0 = unit('proclife')
        # Something known written before the kill: a marker, until the live piece holds it.
        marked = self.marker_recorded('prekill', lambda: [REC], EVENT_WAIT)
        prekill = ['/bin/true', 'plsvc-prekill-%s' % self.nonce]
        before = pieces()
        killed = read_recording(REC)
        t0 = mono_us()
        rc, _, err = run('systemctl', 'kill', '-s', 'KILL', 'proclife.service')
        if rc != 0:
            self.r.result('kill_restart', False, 'systemctl kill exited %d: %s' % (rc, err))
            return

        def restarted():
            s = unit('proclife')
            return (s['NRestarts'] == s0['NRestarts'] + 1 and s['ActiveState'] == 'active' and
                    s['MainPID'] not in (0, s0['MainPID']) and s)
        s = wait_for(restarted, RESTART_WAIT, step=0.5)
        # Tracing again: the new piece (seq one more, --rotate-existing) records a marker.
        new_piece = wait_for(lambda: read_recording(REC)['seq'] == killed['seq'] + 1, RESTART_WAIT, step=0.5)
        tracing = new_piece and self.marker_recorded('postkill', lambda: [REC], START_WAIT)
        bad = []
        if not s:
            s = unit('proclife')
            bad.append('not restarted in %d s: %s/%s, MainPID %d (was %d), %d restarts (were %d)' %
                       (RESTART_WAIT, s['ActiveState'], s['SubState'], s['MainPID'], s0['MainPID'],
                        s['NRestarts'], s0['NRestarts']))
        if not new_piece:
            bad.append('no new piece with seq %d (now: %s)' % (killed['seq'] + 1, describe(pieces())))
        elif not tracing:
            bad.append('the restarted recorder did not record an exec in %d s' % START_WAIT)
        self.r.result('kill_restart', not bad, '; '.join(bad), self.journal_tail(t0))
        if not marked:
            self.r.result('kill_kept', False, 'no marker exec reached the recording before the kill')
            return
        # Nothing written before is lost or overwritten: every piece's bytes are still there.
        after = pieces()
        bad = kept(before, after)
        self.r.result('kill_kept', not bad, '; '.join(bad), ['before: ' + describe(before),
                                                             'after: ' + describe(after)])
        # The killed piece replays up to where it was cut: the marker is in it, it has no end mark.
        k = [p for p in after if p['header'] == killed['header']]
        bad = []
        if not k:
            bad.append('the killed piece is gone')
        else:
            k = k[0]
            rc, events, err = replay([k['path']])
            if rc != 0:
                bad.append('its replay exited %d: %s' % (rc, err[-3:]))
            if not has_exec(events, prekill):
                bad.append('the exec of %s written before the kill is not in it' % prekill)
            if k['end']:
                bad.append('it ends with an end mark, though its recorder was killed')
            elif k['problem'] and not k['torn']:
                bad.append('damaged: %s' % k['problem'])
        self.r.result('kill_replay', not bad, '; '.join(bad))

    # -------------------------------------------------------- full disk

    def full_disk(self):
        # As many pieces as are kept (reloads make them): a restart's shift of the pieces
        # would then delete the oldest, and show.
        while len(pieces()) < int(ADMIN_CONFIG['PROCLIFE_ROTATE_COUNT']):
            why, _ = self.rotate()
            if why:
                raise RuntimeError('making pieces before the disk fills: ' + why)
        s0 = unit('proclife')
        before = pieces()
        self.art.send('metrics-before-full.prom', read_text(METRICS).encode())
        t0 = mono_us()
        filler = fill(STATE_DIR)
        log('%s is full: %s' % (STATE_DIR, run('df', '-k', STATE_DIR)[1].splitlines()[-1]))
        seen, s1, m1 = self.watch_full_disk(s0)
        self.art.send('metrics-full.prom', m1.encode())
        bad = []
        if seen['pids'] != {s0['MainPID']} or s1['NRestarts'] != s0['NRestarts']:
            bad.append('the recorder did not survive: MainPID %d then %s, %d restarts' %
                       (s0['MainPID'], sorted(seen['pids'] - {s0['MainPID']}), s1['NRestarts'] - s0['NRestarts']))
        if seen['states'] != {'active'}:
            bad.append('proclife.service was %s' % '/'.join(sorted(seen['states'])))
        self.r.result('full_disk_survives', not bad, '; '.join(bad),
                      ['journal: %s' % m for _, _, m in journal(['proclife'], t0)[-8:]])
        v = metric(m1, 'proclife_recording_errors_total')
        self.r.result('full_disk_metric', (v or 0) > 0,
                      'proclife_recording_errors_total is %s in %s with %s full' %
                      ('absent' if v is None else v, METRICS, STATE_DIR))
        # Space again: the recording goes on (a marker reaches the newest piece).
        os.unlink(filler)
        resumed = self.marker_recorded('resume', lambda: [p['path'] for p in pieces_by_start()[-1:]],
                                       RESTART_WAIT)
        s2 = unit('proclife')
        after = pieces()
        # This window's journal is judged here, not by journal_clean.
        self.journal_exempt.append((t0, mono_us()))
        self.r.result('full_disk_resume', bool(resumed) and s2['ActiveState'] == 'active',
                      'after the disk was freed: %s, proclife.service %s' %
                      ('an exec was recorded' if resumed else 'no exec recorded in %d s' % RESTART_WAIT,
                       s2['ActiveState']), ['pieces: ' + describe(after)])
        # Said once (issue 20: "says it once, retries"), and systemd saw no failure, from the
        # fill to the recording going on again.
        entries = journal(['proclife'], t0)
        enospc = [m for _, _, m in entries if 'No space left on device' in m]
        exits = [m for _, _, m in entries if 'Main process exited' in m or 'Failed with result' in m]
        bad = []
        if len(enospc) != 1:
            bad.append('%d journal lines say "No space left on device", expected 1' % len(enospc))
        if exits:
            bad.append('systemd: %s' % exits[:2])
        self.r.result('full_disk_said_once', not bad, '; '.join(bad), ['journal: ' + m for m in enospc[:4]])
        # Nothing recorded before is deleted (a restart's --rotate-existing shift) or rewritten.
        lost = kept(before, after)
        self.r.result('full_disk_kept', not lost, '; '.join(lost), ['before: ' + describe(before),
                                                                    'after: ' + describe(after)])

    def watch_full_disk(self, s0):
        """While the disk is full and events go on (a marker each turn), until the metrics count a
        failed write (or the unit restarted twice: a restart loop), then one metrics rewrite more
        (every second): ({MainPIDs and ActiveStates seen}, the unit then, the metrics then)."""
        seen = {'pids': set(), 'states': set()}

        def look():
            s = unit('proclife')
            seen['pids'].add(s['MainPID'])
            seen['states'].add(s['ActiveState'])
            return s

        def failure_counted():
            self.marker('full')
            s = look()
            v = metric(read_text(METRICS), 'proclife_recording_errors_total')
            return (v or 0) > 0 or s['NRestarts'] >= s0['NRestarts'] + 2
        wait_for(failure_counted, FULL_DISK_WAIT, step=0.5)
        mtime = os.stat(METRICS).st_mtime if os.path.exists(METRICS) else 0
        wait_for(lambda: os.path.exists(METRICS) and os.stat(METRICS).st_mtime != mtime, METRICS_WAIT)
        return seen, look(), read_text(METRICS)

    # -------------------------------------------------------- stop

    def stop(self):
        t0 = mono_us()
        rc, _, err = run('systemctl', 'stop', *['%s.service' % u for u in UNITS])
        bad = [] if rc == 0 else ['systemctl stop exited %d: %s' % (rc, err)]
        # A clean end, as the journal tells it (systemd unloads an inactive unit, and with it
        # what systemctl show would say of its exit): proclife's closing count (it took the
        # SIGTERM), then systemd's "Deactivated successfully" (exit status 0: a failure is
        # "Main process exited, code=exited, status=1/FAILURE" and "Failed with result").
        def said(u, pattern):
            return [m for _, uu, m in journal(UNITS, t0) if uu == u and re.search(pattern, m)]

        def deactivated(u):
            return said(u, r'^%s\.service: Deactivated successfully' % u)
        # systemctl stop returned once both stopped; journald may take a moment to have it all.
        wait_for(lambda: all(deactivated(u) for u in UNITS), JOURNAL_WAIT)
        for u in UNITS:
            if unit(u)['ActiveState'] != 'inactive':
                bad.append('%s is %s' % (u, unit(u)['ActiveState']))
            if not deactivated(u):
                bad.append('%s: no "Deactivated successfully" in the journal' % u)
            if not said(u, r'^proclife: [0-9]+ events seen'):
                bad.append('%s: no closing count from proclife in the journal' % u)
            failed = said(u, r'Main process exited|Failed with result')
            if failed:
                bad.append('%s: %s' % (u, failed))
        self.r.result('stop', not bad, '; '.join(bad), self.journal_tail(t0))
        last = read_recording(REC)
        bad = []
        if last['problem'] or not last['end']:
            bad.append('%s: %s' % (REC, last['problem'] or 'no REC_END at its end'))
        rc, _, err = replay([REC])
        if rc != 0:
            bad.append('its replay exited %d: %s' % (rc, err[-3:]))
        events, lines = events_log(strict=True)
        if lines:
            bad.append('%s: %d lines that are no whole JSON object: %s' % (EVENTS, len(lines), lines[:3]))
        if not events:
            bad.append('%s is empty' % EVENTS)
        self.r.result('stop_files', not bad, '; '.join(bad), ['pieces: ' + describe(pieces())])
        self.check_workload_recording([p['path'] for p in pieces()])

    # -------------------------------------------------------- journal

    # What the two units may say (anything else is unexpected): systemd's lines about
    # starting, reloading, stopping, and the SIGKILL the kill scenario sent; proclife's
    # start, SIGHUP, a feature this kernel does not give, and its closing count.
    JOURNAL_OK = [
        r'^(Starting|Started|Stopping|Stopped|Reloading|Reloaded) proclife(-events)?\.service\b',
        r'^proclife(-events)?\.service: (Deactivated successfully|Consumed .* CPU time)\.?$',
        r'^proclife: recording to /var/lib/proclife/proclife\.plr, Ctrl-C to stop$',
        r'^proclife: tracing process lifecycle events, Ctrl-C to stop$',
        r'^proclife: SIGHUP: (started a new|reopened) ',
        r'^proclife: [0-9]+ events seen \(.*\), 0 lost$',
        r'^proclife: .* is (off|reduced) on this kernel',
    ]
    JOURNAL_OK_KILL = [
        r'^proclife\.service: Sent signal SIGKILL to main process [0-9]+ \(proclife\) on client request\.$',
        r'^proclife\.service: Main process exited, code=killed, status=9/KILL$',
        r'^proclife\.service: Failed with result .signal.\.$',
        r'^proclife\.service: Scheduled restart job, restart counter is at 1\.$',
    ]
    # The closing count of what a full disk kept out of the recording (each gap is marked in it).
    JOURNAL_OK_FULL_DISK = [
        r'^proclife: recording: [0-9]+ events could not be written to /var/lib/proclife/proclife\.plr '
        r'\([0-9]+ gaps?, each marked in the recording\)$',
    ]

    def journal_clean(self):
        ok = self.JOURNAL_OK + (self.JOURNAL_OK_KILL if 'kill' in self.run_set else []) + \
            (self.JOURNAL_OK_FULL_DISK if 'full_disk' in self.run_set else [])
        unexpected = []
        for t, u, m in journal(UNITS, self.started):
            if any(a <= t <= b for a, b in self.journal_exempt):
                continue
            if not any(re.search(p, m) for p in ok):
                unexpected.append('%s: %s' % (u, m))
        self.r.result('journal_clean', not unexpected,
                      '%d unexpected lines in the journal of %s' % (len(unexpected), ' and '.join(UNITS)),
                      unexpected[:20])

    # -------------------------------------------------------- all

    def step(self, name):
        """Runs scenario name; one that raises fails its checks not yet reported, and the
        next goes on (the stop and the journal check always come)."""
        log('scenario ' + name)
        try:
            return getattr(self, name)()
        except Exception as e:
            log('scenario %s raised:\n%s' % (name, traceback.format_exc()))
            for c in SCENARIOS[name]:
                self.r.result(c, False, 'the scenario raised %s: %s' % (type(e).__name__, e))
            return False

    def main(self):
        checks = self.plan()
        log('nonce %s, scenarios %s' % (self.nonce, sorted(self.run_set)))
        why = 'the scenario ended before it'
        try:
            if not self.step('install'):
                why = 'the package could not be installed'
                return
            self.configure()
            if not self.step('start'):
                why = 'the units did not start'
                self.step('stop')
                return
            for name in ('workload', 'reload', 'kill', 'full_disk', 'stop', 'journal_clean'):
                if name in self.run_set:
                    self.step(name)
        finally:
            for c in checks:
                self.r.result(c, False, 'not run: ' + why)
            self.art.send('journal.txt', '\n'.join('%d %s: %s' % e for e in journal(UNITS)).encode())
            self.r.line('@@DONE')


def main():
    with open(sys.argv[1]) as f:
        conf = json.load(f)
    Scenario(conf).main()


if __name__ == '__main__':
    main()
