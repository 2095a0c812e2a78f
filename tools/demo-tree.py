#!/usr/bin/env python3
"""A small process family for the README and for trying `proclife tree`:
a stopped child, a zombie whose parent never waits, and an orphan adopted
by a subreaper. Prints its pid, lives 60 s (or until killed)."""
import ctypes, os, signal, sys, time

PR_SET_CHILD_SUBREAPER = 36
ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)

stopped = os.fork()
if stopped == 0:
    os.execvp("sleep", ["sleep", "60"])
time.sleep(0.2)                  # let it exec first
os.kill(stopped, signal.SIGSTOP)

lazy = os.fork()                 # a parent that never waits
if lazy == 0:
    if os.fork() == 0:
        os._exit(7)              # becomes a zombie under `lazy`
    time.sleep(60)
    os._exit(0)

middle = os.fork()               # dies, leaving its child to us (a subreaper)
if middle == 0:
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "61"])
    os._exit(0)
os.waitpid(middle, 0)

print(os.getpid(), flush=True)
try:
    time.sleep(60)
finally:
    os.kill(stopped, signal.SIGKILL)
