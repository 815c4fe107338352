"""Reward and evaluator throughput (videos/s): every training reward batched vs per-sample, the whole training suite,
and the held-out evaluators, as ratios measured in one run (interleaved rounds).

    python benchmarks/reward_throughput.py [--quick] [--threads N] [--n 64] [--repeats R] [--warmup W]

Per reward: per-sample videos/s (a Python loop of batch-1 calls), batched videos/s (one call on n clips) and the
ratio batched ÷ per-sample. Evaluators (`eval.held_out_report`, the judge's `hidden_features`, `colour_only_score`)
score clip by clip by construction; their row gives videos/s and the ratio to the batched training suite.
"""
from __future__ import annotations
import argparse, sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from _common import add_common_args, setup_threads, describe_machine, timeit_interleaved, print_table  # noqa: E402
from teleboost_nb.rewards import (world_clips, SemanticReward, QualityReward, TemporalReward, PerceptualReward,  # noqa: E402
                                  SafetyGate, training_rewards)
from teleboost_nb.eval import held_out_report, hidden_features, colour_only_score  # noqa: E402
from teleboost_nb.world import WorldConfig  # noqa: E402


@torch.no_grad()
def main(argv=None) -> None:
    "Run the benchmark and print the table."
    p = add_common_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    p.add_argument('--n', type=int, default=None, help="videos per measurement (default 64; quick: 8)")
    a = p.parse_args(argv)
    threads = setup_threads(a.threads)
    n = a.n or (8 if a.quick else 64)
    warm, rep = a.warmup if a.warmup is not None else 1, a.repeats or (2 if a.quick else 5)
    print(describe_machine(threads))
    v, prompts, specs = world_clips(n, 'test', seed=0)
    world = WorldConfig.tiny()
    print(f"{n} test-split clips of {tuple(v.shape[1:])} (B×F×3×H×W float32) at 8 fps")

    rewards = [SemanticReward(), QualityReward(), TemporalReward(), PerceptualReward(), SafetyGate()]
    suite = training_rewards(rewards[0], rewards[1])
    fns = {}
    for r in rewards:
        fns[f'{r.name}: per-sample'] = (lambda r=r: [r(v[i:i + 1], prompts[i:i + 1], 8) for i in range(n)])
        fns[f'{r.name}: batched'] = (lambda r=r: r(v, prompts, 8))
    fns['training suite (all five): per-sample'] = lambda: [suite(v[i:i + 1], prompts[i:i + 1], 8) for i in range(n)]
    fns['training suite (all five): batched'] = lambda: suite(v, prompts, 8)
    wv = v.permute(0, 1, 3, 4, 2).numpy()
    evals = {'eval.held_out_report': lambda: held_out_report(wv, specs, world),
             'eval.hidden_features (judge)': lambda: hidden_features(wv, specs, world),
             'eval.colour_only_score': lambda: colour_only_score(wv, specs, world)}
    fns.update(evals)
    r = timeit_interleaved(fns, warm, rep)  # interleaved rounds: every ratio compares calls made under the same load
    vps = {k: n / r[k]['median'] for k in fns}
    suite_b = vps['training suite (all five): batched']
    rows = []
    for name in [x.name for x in rewards] + ['training suite (all five)']:
        one, bat = vps[f'{name}: per-sample'], vps[f'{name}: batched']
        rows.append({'what': name, 'per-sample/s': one, 'batched/s': bat, 'batched÷per-sample': bat / one,
                     '÷ suite batched': bat / suite_b,
                     'cpu/wall': min(r[f'{name}: per-sample']['cpu_per_wall'], r[f'{name}: batched']['cpu_per_wall'])})
    for k in evals:
        rows.append({'what': k, 'per-sample/s': float('nan'), 'batched/s': vps[k], 'batched÷per-sample': float('nan'),
                     '÷ suite batched': vps[k] / suite_b, 'cpu/wall': r[k]['cpu_per_wall']})
    print_table(rows, specs={'per-sample/s': '.1f', 'batched/s': '.1f', 'batched÷per-sample': '.2f', '÷ suite batched': '.3f',
                             'cpu/wall': '.2f'},
                title=f"videos/s (median of {rep} interleaved rounds, {warm} warm-up; evaluators score clip by clip, "
                      f"so their batched/s is their only rate; '÷ suite batched' = videos/s ÷ the batched training suite's)")


if __name__ == '__main__':
    main()
