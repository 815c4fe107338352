"""Stage-III DPO backward schedules side by side: peak autograd-saved bytes (saved-tensor hooks, unique storages,
parameters excluded), peak resident memory above the pre-step level (each measured in a fresh process), and step time
(interleaved rounds), at two sequence lengths, printed as ratios to the naive schedule.

Schedules (reference `03_sft_and_dpo.md` §3.2): `naive` (both branches with grad, one backward), `official` (both
branches with grad, then two backwards), `freeing` (winner forward+backward, free, loser forward+backward; e_w read from
the winner's own forward: 9F), `freeing-10F` (the paper's form: both branches under no-grad first: 10F).

    python benchmarks/dpo_memory.py [--quick] [--threads N] [--device cpu|cuda] [--frames 9 33] [--batch 4]

On CUDA the memory column is `torch.cuda.max_memory_allocated` above the pre-step level instead of RSS.
"""
from __future__ import annotations
import argparse, ctypes, gc, json, os, subprocess, sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from _common import add_common_args, setup_threads, describe_machine, timeit_interleaved, print_table  # noqa: E402
from teleboost_nb.stage0 import load_base_model  # noqa: E402
from teleboost_nb.dpo import (SCHEDULES, SavedTensorMeter, dpo_backward, frozen_reference, make_dpo_batch, perturbed)  # noqa: E402

VARIANTS = {'naive': ('naive', True), 'official': ('official', True), 'freeing': ('freeing', True), 'freeing-10F': ('freeing', False)}
BETA = 50.0


def setup(frames:int, batch:int, device:str):
    "Policy (perturbed base model), frozen reference and a micro-batch of random pairs with `frames` latent frames."
    base = load_base_model().to(device)
    ref, policy = frozen_reference(base), perturbed(base, 0.05, seed=1).to(device)
    g = torch.Generator().manual_seed(0)
    C, _, h, w = base.latent_shape()
    wl, ll = (0.5 * torch.randn(batch, C, frames, h, w, generator=g) for _ in range(2))
    with torch.no_grad(): ctx = base.encode_prompts(["a large red circle moves right quickly"] * batch)
    b = make_dpo_batch(wl, ll, ctx.cpu(), g)
    mv = lambda t: t.to(device)
    b.winners, b.losers, b.context = mv(b.winners), mv(b.losers), mv(b.context)
    b.noise.s, b.noise.noise_w = mv(b.noise.s), mv(b.noise.noise_w); b.noise.noise_l = b.noise.noise_w
    return policy, ref, b


def step_fn(policy, ref, batch, variant:str):
    sch, reuse = VARIANTS[variant]
    params = list(policy.transformer.parameters())
    def f():
        for p in params: p.grad = None
        dpo_backward(policy, ref, batch, BETA, sch, reuse_winner_forward=reuse)
    return f


def _rss_kib(field:str) -> int:
    for line in open('/proc/self/status'):
        if line.startswith(field): return int(line.split()[1])
    return -1


def worker(variant:str, frames:int, batch:int, device:str) -> dict:
    "One fresh process: peak memory above the pre-step level for one schedule step."
    policy, ref, b = setup(frames, batch, device)
    f = step_fn(policy, ref, b, variant)
    f()  # warm-up: lazy initialisation and the .grad buffers exist before the measured step
    for p in policy.transformer.parameters(): p.grad = torch.zeros_like(p)
    gc.collect()
    if device.startswith('cuda'):
        torch.cuda.synchronize(); base = torch.cuda.memory_allocated(); torch.cuda.reset_peak_memory_stats()
        f(); torch.cuda.synchronize()
        return {'peak_bytes': torch.cuda.max_memory_allocated() - base}
    try: ctypes.CDLL('libc.so.6').malloc_trim(0)
    except OSError: pass
    with open('/proc/self/clear_refs', 'w') as fh: fh.write('5')  # reset the peak-RSS watermark (VmHWM)
    base = _rss_kib('VmRSS')
    f()
    return {'peak_bytes': (_rss_kib('VmHWM') - base) * 1024}


def main():
    p = add_common_args(argparse.ArgumentParser(description=__doc__.split('\n')[0]))
    p.add_argument('--device', default='cpu', help="cpu or cuda (cuda: torch.cuda.max_memory_allocated)")
    p.add_argument('--frames', type=int, nargs='+', default=[9, 33], help="latent frames (video tokens = frames·16 on the tiny preset)")
    p.add_argument('--batch', type=int, default=4, help="pairs per micro-batch")
    p.add_argument('--worker', nargs=2, metavar=('VARIANT', 'FRAMES'), help=argparse.SUPPRESS)
    a = p.parse_args()
    threads = setup_threads(a.threads)
    if a.device.startswith('cuda') and not torch.cuda.is_available(): sys.exit("--device cuda: no CUDA device is available")
    if a.worker:
        print(json.dumps(worker(a.worker[0], int(a.worker[1]), a.batch, a.device))); return
    torch.use_deterministic_algorithms(True, warn_only=True)
    frames = a.frames[:1] if a.quick else a.frames
    repeats, warmup = a.repeats or (2 if a.quick else 5), a.warmup if a.warmup is not None else 1
    print(describe_machine(threads)); print(f"# device={a.device}, batch={a.batch} pairs, β={BETA}, tiny base model (1.79 M params)")
    for T in frames:
        policy, ref, b = setup(T, a.batch, a.device)
        saved = {}
        for v in VARIANTS:
            params = list(policy.parameters())
            for q in params: q.grad = None
            with SavedTensorMeter(params) as m: step_fn(policy, ref, b, v)()
            saved[v] = m.peak
        times = timeit_interleaved({v: step_fn(policy, ref, b, v) for v in VARIANTS}, warmup, repeats)
        env = {**os.environ, 'OMP_NUM_THREADS': str(threads)}
        rss = {}
        for v in VARIANTS:
            cmd = [sys.executable, __file__, '--worker', v, str(T), '--batch', str(a.batch), '--device', a.device, '--threads', str(threads)]
            r = subprocess.run(cmd, capture_output=True, text=True, env=env)
            rss[v] = json.loads(r.stdout.strip().splitlines()[-1])['peak_bytes'] if r.returncode == 0 else float('nan')
        rows = [dict(schedule=v, saved_MiB=saved[v] / 2**20, saved_x=saved[v] / saved['naive'],
                     peak_MiB=rss[v] / 2**20, peak_x=rss[v] / rss['naive'],
                     step_ms=1000 * times[v]['median'], time_x=times[v]['median'] / times['naive']['median'],
                     cpu_per_wall=times[v]['cpu_per_wall']) for v in VARIANTS]
        mem = 'peak alloc' if a.device.startswith('cuda') else 'peak RSS'
        print_table(rows, specs={'saved_MiB': '.2f', 'saved_x': '.3f', 'peak_MiB': '.1f', 'peak_x': '.3f', 'step_ms': '.0f', 'time_x': '.3f', 'cpu_per_wall': '.2f'},
                    title=f"frames={T} ({T * 16} video tokens per clip), {a.batch} pairs: saved = autograd-saved bytes at peak; "
                          f"peak = {mem} above the pre-step level (fresh process); x = ratio to naive")
        ok = saved['freeing'] <= 0.55 * saved['naive']
        print(f"freeing/naive: saved {saved['freeing'] / saved['naive']:.3f} (budget 0.55: {'ok' if ok else 'OVER'}), "
              f"time {times['freeing']['median'] / times['naive']['median']:.3f} (budget 1.25); "
              f"official/naive: saved {saved['official'] / saved['naive']:.3f}, time {times['official']['median'] / times['naive']['median']:.3f}")


if __name__ == '__main__':
    main()
