"""Sampling latency: `teleboost sample` end to end as a subprocess, split into process start, imports, model load,
sampling and writing (timed inside a fresh process), plus `ode_sample` clips/s at several batch sizes with and
without classifier-free guidance (guidance 4 runs one batched cond‖uncond pass, so it should cost about 2×).

    python benchmarks/sample_latency.py [--quick] [--threads N] [--steps 16] [--batches 1 8 32]
"""
from __future__ import annotations
import argparse, json, os, re, resource, shutil, statistics, subprocess, sys, time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from _common import add_common_args, setup_threads, describe_machine, timeit_interleaved, print_table  # noqa: E402
from teleboost_nb.backbone import make_generator, save_generator, VideoGenerator  # noqa: E402
from teleboost_nb.sampling import SamplerConfig, ode_sample  # noqa: E402
from teleboost_nb.stage0 import BASE_DIR, load_base_model  # noqa: E402

PROMPT = "a small blue square falls"
SCRATCH = Path('/work/scratch/bench_sample')

# Runs in a fresh interpreter: times each phase of `teleboost sample` with the library's own functions.
PHASES = r"""
import time, json, sys
a0, t0 = time.time(), time.perf_counter()
import torch
t1 = time.perf_counter()
from teleboost_nb.pipeline import main
from teleboost_nb.backbone import load_generator
from teleboost_nb.stage0 import load_base_model, generate
from teleboost_nb.sampling import SamplerConfig
from teleboost_nb.world import write_video, parse_prompt
t2 = time.perf_counter()
ckpt, out, steps, prompt = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
parse_prompt(prompt)
gen = load_generator(ckpt) if ckpt else load_base_model()
t3 = time.perf_counter()
vid = generate(gen, [prompt], SamplerConfig(steps=steps, guidance=4.0, shift=3.0), seed=0)[0]
t4 = time.perf_counter()
write_video(out, vid.permute(0, 2, 3, 1).numpy(), fps=8)
t5 = time.perf_counter()
print(json.dumps(dict(import_torch=t1-t0, import_teleboost=t2-t1, load_model=t3-t2, sample=t4-t3, write_gif=t5-t4,
                      threads=torch.get_num_threads(), abs_start=a0, abs_end=time.time())), flush=True)
"""


def checkpoint_arg(path:str|None) -> str:
    "The checkpoint folder to sample from: `path`, else '' for the shipped base model, else a saved random tiny generator."
    if path: return path
    try:
        load_base_model(); return ''
    except Exception as e:  # noqa: BLE001 - any failure means we cannot use the shipped model
        d = SCRATCH/'tiny_random'
        print(f"NOTE: shipped base model not usable ({type(e).__name__}: no {BASE_DIR}/meta.json?); "
              f"timing a random-weight make_generator('tiny') saved to {d} instead (same sizes, same cost)")
        if not (d/'meta.json').exists(): save_generator(make_generator('tiny', seed=0), d)
        return str(d)


def child_cpu() -> float:
    "User+system CPU seconds of all finished child processes so far."
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_timed(cmd:list[str], env:dict[str, str]) -> tuple[float, str, float, float, float]:
    "Wall seconds, stdout, absolute launch and exit times, and CPU seconds of one subprocess; raise with its stderr if it fails."
    c0, a0, t0 = child_cpu(), time.time(), time.perf_counter()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    dt, a1 = time.perf_counter() - t0, time.time()
    if r.returncode: raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stderr[-2000:]}")
    return dt, r.stdout, a0, a1, child_cpu() - c0


def subprocess_rows(ckpt:str, steps:int, threads:int, repeats:int) -> list[dict]:
    "Median wall times of the bare interpreter, the CLI end to end, and the in-process phase split of a fresh process."
    env = {**os.environ, 'OMP_NUM_THREADS': str(threads), 'MKL_NUM_THREADS': str(threads)}
    SCRATCH.mkdir(parents=True, exist_ok=True)
    out = str(SCRATCH/'x.gif')
    exe = Path(sys.executable).parent/'teleboost'
    exe = str(exe) if exe.exists() else (shutil.which('teleboost') or 'teleboost')
    cli = [exe, 'sample', '--prompt', PROMPT, '--out', out, '--steps', str(steps)] + (['--checkpoint', ckpt] if ckpt else [])
    bare, ends, cli_inner, phases, walls, cpus = [], [], [], [], [], {'bare': [], 'cli': [], 'fresh': []}
    for _ in range(repeats):
        dt, _, _, _, c = run_timed([sys.executable, '-c', 'pass'], env); bare.append(dt); cpus['bare'].append(c)
        dt, so, _, _, c = run_timed(cli, env); ends.append(dt); cpus['cli'].append(c)
        m = re.search(r"([\d.]+)s\)\s*$", so.strip()); cli_inner.append(float(m.group(1)) if m else float('nan'))
        dt, so, a0, a1, c = run_timed([sys.executable, '-c', PHASES, ckpt, out, str(steps), PROMPT], env); cpus['fresh'].append(c)
        d = json.loads(so.strip().splitlines()[-1])
        d['interpreter_start'], d['interpreter_teardown'] = d.pop('abs_start') - a0, a1 - d.pop('abs_end')
        walls.append(dt); phases.append(d)
    med = lambda xs: statistics.median(xs)  # noqa: E731
    order = ('interpreter_start', 'import_torch', 'import_teleboost', 'load_model', 'sample', 'write_gif', 'interpreter_teardown')
    ph = {k: med([p[k] for p in phases]) for k in order}
    rows = [dict(what='python -c pass (bare interpreter)', seconds=med(bare), **{'cpu s': med(cpus['bare'])}),
            dict(what=f'teleboost sample --steps {steps} (end to end)', seconds=med(ends), **{'cpu s': med(cpus['cli'])}),
            dict(what='  its own printed time (sample + write)', seconds=med(cli_inner)),
            dict(what='fresh process doing the same work: wall', seconds=med(walls), **{'cpu s': med(cpus['fresh'])})]
    rows += [dict(what=f'  {k}' + (' (diffusers, transformers, peft, ...)' if k == 'import_teleboost' else ''), seconds=v)
             for k, v in ph.items()]
    for r in rows: r['share of end to end'] = r['seconds'] / med(ends)
    return rows


def sampler_rows(gen:VideoGenerator, batches:list[int], steps:int, warm:int, rep:int) -> list[dict]:
    "ode_sample clips/s per batch size at guidance 1 and 4, and the CFG cost ratio."
    rows = []
    for b in batches:
        prompts = [PROMPT] * b
        run = lambda gd: lambda: ode_sample(gen, prompts, SamplerConfig(steps=steps, guidance=gd, shift=3.0),  # noqa: E731
                                            generator=torch.Generator().manual_seed(0))
        r = timeit_interleaved({1.0: run(1.0), 4.0: run(4.0)}, warm, rep)  # same rounds, so the CFG ratio sees the same load
        t = {gd: r[gd]['median'] for gd in r}
        rows.append({'batch': b, 'no CFG s': t[1.0], 'no CFG clips/s': b / t[1.0], 'CFG 4 s': t[4.0], 'CFG 4 clips/s': b / t[4.0],
                     'CFG / no CFG time': t[4.0] / t[1.0], 'ms per net eval/sample': 1e3 * t[1.0] / (b * steps),
                     'cpu/wall': r[4.0]['cpu_per_wall']})
    return rows


def main(argv=None) -> None:
    "Run the benchmark and print the tables."
    p = add_common_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    p.add_argument('--steps', type=int, default=None, help="Euler steps (default 16, the CLI default; quick: 4)")
    p.add_argument('--batches', type=int, nargs='+', default=None, help="ode_sample batch sizes (default 1 8 32; quick: 1 8)")
    p.add_argument('--checkpoint', default=None, help="generator folder (default: the shipped base model, else a random tiny one)")
    p.add_argument('--no-subprocess', action='store_true', help="skip the `teleboost sample` subprocess timings")
    a = p.parse_args(argv)
    threads = setup_threads(a.threads)
    steps = a.steps or (4 if a.quick else 16)
    batches = a.batches or ([1, 8] if a.quick else [1, 8, 32])
    warm, rep = a.warmup if a.warmup is not None else 1, a.repeats or (2 if a.quick else 3)
    print(describe_machine(threads))
    ckpt = checkpoint_arg(a.checkpoint)
    print(f"model: {ckpt or 'shipped base model ' + str(BASE_DIR)}")

    if not a.no_subprocess:
        rows = subprocess_rows(ckpt, steps, threads, 1 if a.quick else rep)
        print_table(rows, cols=['what', 'seconds', 'share of end to end', 'cpu s'], specs={'seconds': '.3f', 'share of end to end': '.2f', 'cpu s': '.2f'},
                    title=f"`teleboost sample` latency, {steps} steps, guidance 4 (median of {1 if a.quick else rep} runs; "
                          f"subprocesses get OMP_NUM_THREADS={threads}; cpu s = child user+sys CPU)")

    gen = load_base_model(ckpt) if ckpt else load_base_model()
    rows = sampler_rows(gen, batches, steps, warm, rep)
    print_table(rows, specs={k: '.3f' if k.endswith(' s') else '.2f' for k in rows[0] if k != 'batch'},
                title=f"ode_sample, {steps} steps, text encoding + decode included (median of {rep} interleaved rounds, {warm} warm-up; cpu/wall of the CFG run)")


if __name__ == '__main__':
    main()
