"""Whole processes, timed and weighed: wall time and peak RSS of each run, medians, the machine."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Command:
    label: str
    argv: list[str]
    cwd: Path
    env: dict[str, str] | None = None
    expect: int = 0  # the exit code that proves the run did its job (the data is valid)
    max_runs: int | None = None  # a slow peer: fewer timed runs, no warm-up (its first run checks the exit code)


@dataclass
class Result:
    command: Command
    seconds: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak_rss_mib(self) -> float:
        return max(self.rss_kib) / 1024


class Failed(RuntimeError):
    """A command exited with an unexpected code: its figure would mean nothing."""


LAUNCH = Path(__file__).resolve().parent / "launch.py"


def run_once(command: Command) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one run of the whole process, start-up included.

    The command is started by `launch.py`, a small process of its own, so that its peak RSS is not
    floored at this runner's (Linux keeps the high-water mark across exec).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report"
        argv = [sys.executable, "-I", "-S", str(LAUNCH), str(report), *command.argv]
        code = subprocess.run(argv, cwd=command.cwd, env=command.env, stdout=out, stderr=subprocess.STDOUT).returncode
        if code != command.expect or not report.exists():  # (no report: the command could not be started)
            out.seek(0)
            shown = out.read(4000).decode("utf-8", "replace")
            typed = " ".join(command.argv)
            raise Failed(f"{command.label}: exit {code}, expected {command.expect}\n$ {typed}\n{shown}")
        seconds, rss = report.read_text(encoding="ascii").split()
    return float(seconds), int(rss)


def measure(commands: list[Command], runs: int, warmups: int = 1) -> list[Result]:
    """Every command `runs` times, interleaved round by round, so a slow patch of the machine hits all alike.

    The warm-up runs (not counted) fill the page cache, write bytecode caches and check exit codes.
    """
    results = [Result(command) for command in commands]
    for _ in range(warmups):
        for command in commands:
            if command.max_runs is None:
                run_once(command)
    for round_ in range(runs):
        for result in results:
            if result.command.max_runs is not None and round_ >= result.command.max_runs:
                continue
            seconds, rss = run_once(result.command)
            result.seconds.append(seconds)
            result.rss_kib.append(rss)
    return results


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> list[tuple[str, str]]:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = ""
    try:
        total = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        memory = f", {int(total.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration):
        pass
    return [
        ("CPU", f"{cpu_model()} ({os.cpu_count()} cores, {usable} usable{memory})"),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})"),
    ]
