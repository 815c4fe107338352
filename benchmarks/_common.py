"""Shared helpers of the benchmark scripts: thread setup, median-of-repeats timing, plain-text tables."""
from __future__ import annotations
import argparse, os, platform, statistics, time
from typing import Any, Callable, Sequence


def add_common_args(p:argparse.ArgumentParser) -> argparse.ArgumentParser:
    "Add the flags every benchmark takes: --threads, --quick, --repeats, --warmup."
    p.add_argument('--threads', type=int, default=None, help="torch CPU threads (default: torch's current setting)")
    p.add_argument('--quick', action='store_true', help="a few-second smoke version")
    p.add_argument('--repeats', type=int, default=None, help="timed repeats per measurement (median is reported)")
    p.add_argument('--warmup', type=int, default=None, help="untimed warm-up calls per measurement")
    return p


def setup_threads(n:int|None) -> int:
    "Set torch's intra-op thread count (if given) and return the count in effect."
    import torch  # imported here so that scripts without torch work (stage0_curve.py)
    if n is not None: torch.set_num_threads(n)
    return torch.get_num_threads()


def describe_machine(threads:int) -> str:
    "One line naming the CPU, the thread count and the load, so numbers are read with their conditions."
    import torch
    cpu = platform.processor() or platform.machine()
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'): cpu = line.split(':', 1)[1].strip(); break
    except OSError: pass
    load = os.getloadavg()[0] if hasattr(os, 'getloadavg') else float('nan')
    return (f"# {cpu}, {os.cpu_count()} cores, torch {torch.__version__} ({torch.backends.cpu.get_cpu_capability()}), "
            f"threads={threads}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, load avg 1m={load:.2f}")


def timeit(fn:Callable[[], Any], warmup:int=1, repeats:int=5) -> dict[str, float]:
    "Call `fn` `warmup` times untimed, then `repeats` times; median/min/max wall seconds and median process CPU seconds per call."
    return timeit_interleaved({'f': fn}, warmup, repeats)['f']


def timeit_interleaved(fns:dict[str, Callable[[], Any]], warmup:int=1, repeats:int=5) -> dict[str, dict[str, float]]:
    """Time several functions in interleaved rounds (each round calls every function once), so that ratios between
    them see the same machine load; per function: median/min/max wall seconds, median CPU seconds, and cpu/wall
    (≈ threads when the process had the cores to itself, lower when it was starved)."""
    for _ in range(warmup):
        for f in fns.values(): f()
    wall = {k: [] for k in fns}; cpu = {k: [] for k in fns}
    for _ in range(max(1, repeats)):
        for k, f in fns.items():
            c0, t0 = time.process_time(), time.perf_counter(); f()
            wall[k].append(time.perf_counter() - t0); cpu[k].append(time.process_time() - c0)
    out = {}
    for k in fns:
        w, c = statistics.median(wall[k]), statistics.median(cpu[k])
        out[k] = dict(median=w, min=min(wall[k]), max=max(wall[k]), cpu=c, cpu_per_wall=c / w if w else float('nan'), n=len(wall[k]))
    return out


def fmt(v:Any, spec:str='') -> str:
    "Format a cell: floats with `spec` (or a compact default), everything else with str()."
    if isinstance(v, float):
        if spec: return format(v, spec)
        return f"{v:.3g}" if abs(v) < 1e4 else f"{v:.3e}"
    return str(v)


def print_table(rows:Sequence[dict], cols:Sequence[str]|None=None, specs:dict[str, str]|None=None, title:str|None=None) -> None:
    "Print `rows` (dicts) as an aligned plain-text table with columns `cols`."
    if not rows: return
    cols = list(cols or rows[0].keys()); specs = specs or {}
    cells = [[fmt(r.get(c, ''), specs.get(c, '')) for c in cols] for r in rows]
    w = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    if title: print(f"\n{title}")
    print("  ".join(c.rjust(w[i]) for i, c in enumerate(cols)))
    print("  ".join("-" * w[i] for i in range(len(cols))))
    for row in cells: print("  ".join(x.rjust(w[i]) for i, x in enumerate(row)))
