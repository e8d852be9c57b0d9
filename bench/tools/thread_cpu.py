#!/usr/bin/env python3
"""CPU seconds per kind of thread of running processes, from /proc: which pools a JVM's CPU went to
(Pekko dispatchers, remoting, the JIT compilers, the garbage collector, ...). Threads are grouped by
name with their numbers taken out (a pool's threads are one group).

  python3 bench/tools/thread_cpu.py snapshot PID... > before.json
  python3 bench/tools/thread_cpu.py diff before.json after.json [label]
"""
import collections
import json
import os
import re
import sys

TICK = os.sysconf("SC_CLK_TCK")


def group(name):
    return re.sub(r"[-#_ ]?\d+", "", name).strip() or name


def snapshot(pids):
    out = {}
    for pid in pids:
        groups = collections.Counter()
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                stat = open(f"/proc/{pid}/task/{tid}/stat").read()
            except OSError:
                continue
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            rest = stat[stat.rindex(")") + 2:].split()
            # threads that ended took their CPU with them; the pools measured here live as long as the JVM
            groups[group(name)] += (int(rest[11]) + int(rest[12])) / TICK
        out[str(pid)] = groups
    return out


def diff(before_path, after_path, label):
    before, after = json.load(open(before_path)), json.load(open(after_path))
    total = collections.Counter()
    for pid, groups in after.items():
        for name, seconds in groups.items():
            total[name] += seconds - before.get(pid, {}).get(name, 0.0)
    spent = sum(v for v in total.values() if v > 0)
    print(f"threads' CPU {label}: {spent:.1f} s over {len(after)} JVM(s), by kind of thread:")
    for name, seconds in total.most_common(12):
        if seconds <= 0:
            break
        print(f"  {seconds:6.1f} s  {100 * seconds / spent:5.1f} %  {name}")


if __name__ == "__main__":
    if sys.argv[1] == "snapshot":
        json.dump(snapshot(sys.argv[2:]), sys.stdout)
    else:
        diff(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "")
