#!/usr/bin/env python3
"""CPU (user, sys), minor page faults and writes of every thread of a JVM over a window, busiest first.

usage: bench/thread-cpu.py PID SECONDS

Reads /proc/PID/task/*/stat and /proc/PID/task/*/io at the start and the end of the window; thread
names come from jstack (the kernel keeps only 15 characters of a name). Clock ticks are taken as 10 ms
(USER_HZ = 100). "wrote" is the bytes a thread handed to the page cache with write calls (pwrite,
writev: LMDB's commits without a write map), counted when written, not when the disk got them; "calls"
counts its write system calls. Writes through a memory map (the kv environment's write map) are not
counted there.
"""
import os
import re
import subprocess
import sys
import time


def snapshot(pid):
    threads = {}
    for tid in os.listdir(f'/proc/{pid}/task'):
        try:
            stat = open(f'/proc/{pid}/task/{tid}/stat').read()
        except OSError:
            continue  # the thread ended meanwhile
        fields = stat[stat.rindex(')') + 2:].split()
        io = read_io(pid, tid)
        # minflt, utime, stime, write_bytes, syscw
        threads[tid] = (int(fields[7]), int(fields[11]), int(fields[12]), io.get('write_bytes', 0), io.get('syscw', 0))
    return threads


def read_io(pid, tid):
    try:
        return {k: int(v) for k, v in (line.split(': ') for line in open(f'/proc/{pid}/task/{tid}/io'))}
    except OSError:
        return {}  # ended meanwhile, or /proc/.../io not readable here
    return threads


def names(pid):
    out = subprocess.run(['jstack', pid], capture_output=True, text=True).stdout
    return {str(int(m.group(2), 16)): m.group(1)
            for m in re.finditer(r'^"([^"]+)".*?nid=0x([0-9a-f]+)', out, re.M)}


def main():
    pid, seconds = sys.argv[1], float(sys.argv[2])
    before = snapshot(pid)
    time.sleep(seconds)
    after = snapshot(pid)
    named = names(pid)
    rows = []
    for tid, (faults, user, system, wrote, calls) in after.items():
        f0, u0, s0, w0, c0 = before.get(tid, (0, 0, 0, 0, 0))
        rows.append(((user - u0) * 10, (system - s0) * 10, faults - f0, wrote - w0, calls - c0, named.get(tid, tid)))
    rows.sort(key=lambda r: -(r[0] + r[1]))
    for user, system, faults, wrote, calls, name in rows[:24]:
        print(f'{name[:60]:60s} user {user:6d} ms  sys {system:6d} ms  minflt {faults:8d}'
              f'  wrote {wrote / 1e6:8.1f} MB  calls {calls:7d}')
    print(f'total {sum(r[0] + r[1] for r in rows)} ms, {sum(r[3] for r in rows) / 1e6:.1f} MB written in {seconds:g} s')


if __name__ == '__main__':
    main()
