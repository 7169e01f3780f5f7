#!/usr/bin/env python3
"""Where a running process's resident memory goes, from /proc/PID/smaps.

usage: footprint.py PID [--json]
Groups every mapping's Rss into: the executable's code and read-only data, its writable data and .bss, each native
library, the garbage-collected heap (the anonymous mappings inside the runtime's large address-space
reservation), thread stacks (the mapping each thread's stack pointer is in, read from
/proc/PID/task/TID/syscall, which needs the same user or root), the C heap and other anonymous memory.
"""
import json, os, sys

GC_RESERVATION = 1 << 30  # the GC reserves hundreds of GB of address space for its regions; nothing else does


def mappings(pid):
    """Yields (start, end, perms, path, rss_kb) per mapping."""
    current = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            head = line.split(None, 5)
            if "-" in head[0] and len(head) >= 5 and ":" not in head[0]:
                if current:
                    yield current
                start, end = (int(x, 16) for x in head[0].split("-"))
                path = head[5].strip() if len(head) > 5 else ""
                current = [start, end, head[1], path, 0]
            elif head[0] == "Rss:" and current:
                current[4] = int(head[1])
    if current:
        yield current


def stack_pointers(pid):
    sps = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/syscall") as f:
                fields = f.read().split()
        except OSError:
            continue
        # "nr a1 .. a6 sp pc" while in a system call, "-1 sp pc" when blocked otherwise; "running" has none.
        if len(fields) >= 3 and fields[0] != "running":
            sps.append(int(fields[-2], 16))
    return sps


def breakdown(pid):
    exe = os.path.realpath(f"/proc/{pid}/exe")
    maps = list(mappings(pid))
    sps = stack_pointers(pid)
    # The GC's reservation is one or more very large anonymous ranges, partly committed (rw-p) and the rest
    # ---p; they are adjacent, so a range counts as the GC's when it lies within a run of adjacent anonymous
    # mappings that together span more than GC_RESERVATION.
    gc = set()
    i = 0
    while i < len(maps):
        j = i
        while j + 1 < len(maps) and not maps[j + 1][3] and not maps[j][3] and maps[j + 1][0] == maps[j][1]:
            j += 1
        if not maps[i][3] and maps[j][1] - maps[i][0] >= GC_RESERVATION:
            gc.update(range(i, j + 1))
        i = j + 1
    groups = {}
    threads = len(os.listdir(f"/proc/{pid}/task"))

    def add(name, kb):
        groups[name] = groups.get(name, 0) + kb

    for n, (start, end, perms, path, rss) in enumerate(maps):
        after_exe = n > 0 and maps[n - 1][3] == exe and maps[n - 1][1] == start
        if path == exe:
            add("executable: code and read-only data" if "w" not in perms else "executable: writable data (relocated)", rss)
        elif path.startswith("/") and ".so" in path:
            lib = os.path.basename(path).split(".so")[0]
            add(f"library: {lib}", rss)
        elif not path and after_exe:
            # The executable's zero-initialised data (.bss): in a Native AOT build mostly the type data that
            # the runtime expands ("rehydrates") from its compressed form at start.
            add("executable: .bss (rehydrated type data, statics)", rss)
        elif path == "[heap]":
            add("C heap (malloc, main arena)", rss)
        elif path == "[stack]" or (not path and any(start <= sp < end for sp in sps)):
            add("thread stacks", rss)
        elif n in gc:
            add("GC heap (managed objects)", rss)
        elif not path:
            add("other anonymous (malloc arenas, runtime data)", rss)
        else:
            add(f"other: {path}", rss)
    total = sum(groups.values())
    return {"pid": pid, "threads": threads, "total_kb": total,
            "groups": dict(sorted(groups.items(), key=lambda kv: -kv[1]))}


def main():
    pid = int(sys.argv[1])
    result = breakdown(pid)
    if "--json" in sys.argv:
        print(json.dumps(result))
        return
    print(f"| part | resident |")
    print(f"| --- | ---: |")
    for name, kb in result["groups"].items():
        if kb >= 64:
            print(f"| {name} | {kb / 1024:.1f} MB |")
    small = sum(kb for kb in result["groups"].values() if kb < 64)
    print(f"| everything else (parts under 64 kB) | {small / 1024:.1f} MB |")
    print(f"| **total** ({result['threads']} threads) | **{result['total_kb'] / 1024:.1f} MB** |")


if __name__ == "__main__":
    main()
