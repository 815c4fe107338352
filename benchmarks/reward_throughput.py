"""Reward throughput (videos/s), batched vs per-sample, per reward, as ratios in one run.

    python benchmarks/reward_throughput.py [--n 64] [--threads 1]

Prints one line per reward: per-sample videos/s, batched videos/s and the ratio batched/per-sample.
"""
import argparse, time
import torch
from teleboost_nb.rewards import (world_clips, SemanticReward, QualityReward, TemporalReward, PerceptualReward,
                                  SafetyGate)

def rate(fn, n:int, repeat:int=2) -> float:
    "Best videos/s over `repeat` runs of fn() that scores n videos."
    best = float('inf')
    for _ in range(repeat):
        t = time.perf_counter(); fn(); best = min(best, time.perf_counter() - t)
    return n / best

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--n', type=int, default=64, help='videos per measurement')
    ap.add_argument('--threads', type=int, default=1, help='torch CPU threads')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    v, p, _ = world_clips(a.n, 'test', seed=0)
    print(f"{a.n} clips of {tuple(v.shape[1:])} at 8 fps, {a.threads} thread(s), torch {torch.__version__}")
    print(f"{'reward':>11s} {'per-sample/s':>13s} {'batched/s':>10s} {'ratio':>7s}")
    for r in (SemanticReward(), QualityReward(), TemporalReward(), PerceptualReward(), SafetyGate()):
        r(v[:2], p[:2], 8)  # warm up
        one = rate(lambda: [r(v[i:i+1], p[i:i+1], 8) for i in range(a.n)], a.n)
        bat = rate(lambda: r(v, p, 8), a.n)
        print(f"{r.name:>11s} {one:13.1f} {bat:10.1f} {bat / one:7.1f}x")

if __name__ == '__main__': main()
