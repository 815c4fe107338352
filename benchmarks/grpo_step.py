"""GRPO step cost: timestep fraction f against f = 1, scaling with group size, frames and resolution, and the time
share of rollout, reward and training, measured side by side in one run (interleaved rounds).

    python benchmarks/grpo_step.py [--quick] [--threads N] [--repeats R] [--warmup W]

1. Training pass (recompute + backward + optimizer step) on one stored rollout batch with f in {1, 0.5, 0.25}:
   wall time as a ratio of f = 1 (goal: <= f + 0.1).
2. One full iteration (rollout, reward, training) against group size G, with its time shares.
3. One full iteration against clip size (frames x height x width -> transformer tokens), random-weight models of the
   tiny architecture at each size (the pixel codec's factor fixed at 4, patch (1, 2, 2)).
"""
from __future__ import annotations
import argparse, copy, sys, time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from _common import add_common_args, setup_threads, describe_machine, timeit_interleaved, print_table  # noqa: E402
from teleboost_nb.backbone import make_generator, get_preset, trainable_parameters  # noqa: E402
from teleboost_nb.stage0 import load_base_model  # noqa: E402
from teleboost_nb.sampling import SamplerConfig  # noqa: E402
from teleboost_nb.rewards import training_rewards  # noqa: E402
from teleboost_nb.grpo import (GRPOConfig, LocalEngine, train_pass, train_step_table, mixed_advantages,  # noqa: E402
                               sde_window)


def _rollout(gen, cfg:GRPOConfig, prompts, seed=0):
    g = torch.Generator().manual_seed(seed)
    win = sde_window(cfg.steps, cfg.window, cfg.window_lo, cfg.window_hi, g)
    return LocalEngine(gen).rollout(prompts, cfg.group_size, cfg.sampler(), g, cfg.shared_noise, win)


def _train(gen, ro, cfg:GRPOConfig, f:float):
    gen = copy.deepcopy(gen).train(); ps = trainable_parameters(gen.transformer)
    opt = torch.optim.AdamW(ps, lr=1e-5)
    tab = train_step_table(ro.sde_steps, len(ro), f, 'random', torch.Generator().manual_seed(0))
    adv = torch.linspace(-1, 1, len(ro))
    return lambda: train_pass(gen, ro, adv, tab, opt, ps, cfg)


def iteration_shares(gen, cfg:GRPOConfig, prompts, reward) -> dict[str, float]:
    "Seconds of rollout, reward and training of one iteration."
    t0 = time.perf_counter(); ro = _rollout(gen, cfg, prompts)
    t1 = time.perf_counter(); sc = reward(ro.videos, ro.prompts, fps=8)
    t2 = time.perf_counter()
    A = mixed_advantages(sc, ro.group_ids, cfg.rewards).values
    g = copy.deepcopy(gen).train(); ps = trainable_parameters(g.transformer)
    tab = train_step_table(ro.sde_steps, len(ro), cfg.timestep_fraction, 'random', torch.Generator().manual_seed(0))
    train_pass(g, ro, A, tab, torch.optim.AdamW(ps, lr=1e-5), ps, cfg)
    t3 = time.perf_counter()
    tot = t3 - t0
    return {'rollout s': t1 - t0, 'reward s': t2 - t1, 'train s': t3 - t2, 'total s': tot,
            'rollout %': 100 * (t1 - t0) / tot, 'reward %': 100 * (t2 - t1) / tot, 'train %': 100 * (t3 - t2) / tot}


def main(argv=None) -> None:
    "Run the benchmark and print the tables."
    p = add_common_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    a = p.parse_args(argv)
    threads = setup_threads(a.threads)
    reps, warm = a.repeats or (1 if a.quick else 3), a.warmup if a.warmup is not None else (0 if a.quick else 1)
    print(describe_machine(threads))
    gen = load_base_model()
    prompts = ['a small blue square falls', 'a large red circle moves right quickly']

    # 1. timestep fraction: window 0 (all 7 non-terminal steps of T = 8 stochastic) so f has steps to drop
    cfg = GRPOConfig(steps=8, window=0, group_size=4, micro_batch=8)
    ro = _rollout(gen, cfg, prompts)
    fr = (1.0, 0.5, 0.25)
    t = timeit_interleaved({f: _train(gen, ro, cfg, f) for f in fr}, warm, reps)
    rows = [{'f': f, 'K of 7': max(1, int(7 * f + 1e-9)), 'train pass s': t[f]['median'], 'ratio to f=1': t[f]['median'] / t[1.0]['median'],
             'goal <=': min(1.0, f + 0.1)} for f in fr]
    print_table(rows, title="1. training pass vs timestep fraction (8 samples, CFG 4, T = 8)", specs={'train pass s': '.2f', 'ratio to f=1': '.3f'})

    # 2. group size
    reward = training_rewards()
    rows = []
    for G in ((2, 4) if a.quick else (2, 4, 8)):
        c = GRPOConfig(group_size=G, micro_batch=16)
        rows.append({'G': G, 'samples': 2 * G, **iteration_shares(gen, c, prompts, reward)})
    print_table(rows, title="2. one iteration vs group size (2 prompts, default sampler: T = 8, window 3, CFG 4)",
                specs={k: '.2f' for k in ('rollout s', 'reward s', 'train s', 'total s')} | {k: '.0f' for k in ('rollout %', 'reward %', 'train %')})

    # 3. clip size (random-weight models of the tiny architecture; rewards skipped: they are trained at 9x32x32)
    rows = []
    sizes = ((9, 32, 32), (17, 32, 32)) if a.quick else ((9, 32, 32), (17, 32, 32), (9, 64, 64))
    for F_, H, W in sizes:
        bc = get_preset('tiny').replace(frames=F_, height=H, width=W)
        g = make_generator(bc, seed=0)
        tokens = ((F_ - 1) // 1 + 1) * (H // 4 // 2) * (W // 4 // 2)
        c = GRPOConfig(group_size=4, micro_batch=8)
        t0 = time.perf_counter(); ro_ = _rollout(g, c, prompts); t1 = time.perf_counter()
        _train(g, ro_, c, 1.0)(); t2 = time.perf_counter()
        rows.append({'clip': f"{F_}x{H}x{W}", 'tokens': tokens, 'rollout s': t1 - t0, 'train s': t2 - t1, 'total s': t2 - t0})
    base = rows[0]['total s']
    for r in rows: r['ratio'] = r['total s'] / base
    print_table(rows, title="3. one iteration (8 samples, no reward) vs clip size", specs={k: '.2f' for k in ('rollout s', 'train s', 'total s', 'ratio')})


if __name__ == '__main__':
    main()
