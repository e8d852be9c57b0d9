#!/usr/bin/env python3
"""Where a node's CPU went, from a JFR recording's execution samples (bench/run-scale-out.sh with
JFR=1 records each node during the measured run).

Prints the share of samples whose stack passes through each subsystem (inclusive: one sample may
count in several), the hottest methods by self samples, and the GC pause total.

  python3 bench/tools/jfr_top.py node-2.jfr [more.jfr ...]
"""
import collections
import json
import subprocess
import sys

# first match wins for the "by owner" split; every match counts for the inclusive one
SUBSYSTEMS = [
    ("serialization (Jackson CBOR, Pekko serialization)",
     ("com.fasterxml.jackson", "org.apache.pekko.serialization")),
    ("remoting (Artery)", ("org.apache.pekko.remote",)),
    ("cluster sharding", ("org.apache.pekko.cluster.sharding",)),
    ("HTTP edge (pekko-http)", ("org.apache.pekko.http",)),
    ("JDBC (PostgreSQL driver, HikariCP)", ("org.postgresql", "com.zaxxer")),
    ("persistence (journal, snapshots)", ("org.apache.pekko.persistence",)),
    ("projections (read models)", ("org.apache.pekko.projection",)),
    ("Freshet's own code", ("dev.freshet",)),
    ("Pekko streams", ("org.apache.pekko.stream",)),
    ("Pekko actors, dispatchers", ("org.apache.pekko.actor", "org.apache.pekko.dispatch")),
]


def frames(event):
    trace = event["values"].get("stackTrace") or {}
    for f in trace.get("frames") or []:
        m = f.get("method") or {}
        # JFR names types in their internal form (java/util/HashMap)
        yield ((m.get("type") or {}).get("name", "?") + "." + m.get("name", "?")).replace("/", ".")


def events(path, kind):
    out = subprocess.run(["jfr", "print", "--json", "--events", kind, path],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["recording"]["events"]


def main(paths):
    for path in paths:
        samples = events(path, "jdk.ExecutionSample")
        inclusive = collections.Counter()
        owner = collections.Counter()
        hot = collections.Counter()
        for e in samples:
            stack = list(frames(e))
            if not stack:
                continue
            hot[stack[0]] += 1
            hit = set()
            for name, prefixes in SUBSYSTEMS:
                if any(fr.startswith(prefixes) for fr in stack):
                    hit.add(name)
            inclusive.update(hit)
            # the owner: the subsystem of the top-most frame that belongs to one
            for fr in stack:
                found = next((n for n, p in SUBSYSTEMS if fr.startswith(p)), None)
                if found:
                    owner[found] += 1
                    break
            else:
                owner["JDK and other libraries only"] += 1
        pauses = events(path, "jdk.GCPhasePause")
        pause_ms = sum(parse_ms(p["values"]["duration"]) for p in pauses)
        n = max(1, len(samples))
        print(f"== {path}: {len(samples)} execution samples, GC pauses {pause_ms:.0f} ms in {len(pauses)}")
        print("   stacks through (inclusive):")
        for name, c in inclusive.most_common():
            print(f"     {100 * c / n:5.1f} %  {name}")
        print("   by the top-most subsystem on the stack:")
        for name, c in owner.most_common():
            print(f"     {100 * c / n:5.1f} %  {name}")
        print("   hottest methods (self):")
        for name, c in hot.most_common(15):
            print(f"     {100 * c / n:5.1f} %  {name}")


def parse_ms(duration):
    # JFR's JSON durations are ISO-8601, e.g. "PT0.001234S"
    if isinstance(duration, (int, float)):
        return duration / 1e6
    d = duration.replace("PT", "")
    total = 0.0
    for unit, factor in (("H", 3600e3), ("M", 60e3), ("S", 1e3)):
        if unit in d:
            value, d = d.split(unit, 1)
            total += float(value) * factor
    return total


if __name__ == "__main__":
    main(sys.argv[1:])
