"""Run one command from a small process and report its wall time and its own peak RSS.

Linux carries the memory high-water mark of a process across exec, and a command spawned by the
benchmark runner (tens of MB of generated data and tables) starts as a copy of it: its ru_maxrss
would be at least the runner's. Spawned from this small process (started with -I -S), a command's
figure is its own, unless it stays below a bare interpreter's few MB.

    python -I -S launch.py REPORT COMMAND [ARG ...]   # REPORT gets "<seconds> <peak RSS in KiB>"
"""
import os
import signal
import sys
import time

report, *argv = sys.argv[1:]
start = time.perf_counter()
# Python ignores these two; the command gets their defaults back, as subprocess would give them
defaults = (signal.SIGPIPE, signal.SIGXFSZ)
pid = os.posix_spawnp(argv[0], argv, os.environ, setsigdef=defaults)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
# ru_maxrss is KiB on Linux, bytes on macOS
rss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
with open(report, "w", encoding="ascii") as handle:
    handle.write(f"{seconds!r} {rss}")
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)  # killed by signal N: 128 + N, as a shell says it
