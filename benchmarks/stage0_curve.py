"""Stage-0 learning curve: test-split accuracies (colour, shape, motion, size, count, track error) against wall time
and steps from a `curve.json`, the training speed it implies (s/step, evaluation overhead), and a PNG plot.

    python benchmarks/stage0_curve.py [--curve PATH] [--png PATH] [--quick]
    python benchmarks/stage0_curve.py --curve /work/scratch/runs/s0b/curve.json   # a run in progress (RUN/curve.json)

PATH may be a curve.json, a folder holding one, or a checkpoint meta.json / folder (whose 'curve' entry is used).
"""
from __future__ import annotations
import argparse, bisect, json, statistics, sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import add_common_args, print_table  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CURVE = ROOT/'teleboost_nb'/'assets'/'base_tiny'/'curve.json'
RUNS = Path('/work/scratch/runs')  # where scratch Stage-0 runs write curve.json


def newest_run_curve() -> Path|None:
    "The most recently written curve.json of a scratch run, if any."
    c = sorted(RUNS.glob('*/curve.json'), key=lambda q: q.stat().st_mtime) if RUNS.is_dir() else []
    return c[-1] if c else None
ACC_KEYS = ('colour', 'shape', 'motion', 'size', 'count', 'speed')


def load_curve(path:Path) -> tuple[dict, Path]:
    "The curve dict and the file it came from: a curve.json, a folder with one, or a checkpoint meta.json's 'curve'."
    cands = [path] if path.is_file() else [path/'curve.json', path/'meta.json', path/'checkpoint'/'meta.json']
    if path == DEFAULT_CURVE: cands.append(path.parent/'meta.json')  # the shipped checkpoint also stores its curve
    for c in cands:
        if c.is_file():
            d = json.loads(c.read_text())
            d = d.get('curve', d) if c.name == 'meta.json' else d
            if 'evals' in d: return d, c
    if path == DEFAULT_CURVE and (run := newest_run_curve()):
        print(f"NOTE: no shipped curve at {path}; reading the newest scratch run {run}")
        return load_curve(run)
    raise SystemExit(f"no Stage-0 curve at {path}; pass --curve PATH (a run in progress writes RUN/curve.json after its first evaluation)")


def loss_at(curve:dict, step:int) -> float:
    "The (EMA-smoothed) training loss logged at the last logged step <= `step`."
    i = bisect.bisect_right(curve['step'], step) - 1
    return curve['loss'][i] if i >= 0 else float('nan')


def eval_rows(curve:dict) -> list[dict]:
    "One table row per evaluation: step, wall time, smoothed loss and the accuracies present."
    keys = [k for k in ACC_KEYS if any(k in e for e in curve['evals'])]
    rows = []
    for e in curve['evals']:
        r = {'step': e['step'], 'wall min': e['time'] / 60, 'loss': loss_at(curve, e['step'] - 1)}
        r.update({k: e.get(k, float('nan')) for k in keys})
        r['track_error px'] = e.get('track_error', float('nan'))
        rows.append(r)
    return rows


def speed_summary(curve:dict) -> dict[str, float]:
    "Training s/step (median over logged intervals, robust to evaluation pauses) and the evaluation overhead it implies."
    st, tm = curve['step'], curve['time']
    rates = [(tm[i+1] - tm[i]) / (st[i+1] - st[i]) for i in range(len(st) - 1) if st[i+1] > st[i]]
    if not rates: return {}
    sps = statistics.median(rates)
    total = max([tm[-1]] + [e['time'] for e in curve['evals']])
    steps = max([st[-1] + 1] + [e['step'] for e in curve['evals']])
    overhead = max(0.0, total - sps * steps)
    return {'steps': steps, 'wall s': total, 'median train s/step': sps, 'mean s/step incl. evals': total / steps,
            'evals': len(curve['evals']), 'eval overhead s (total − steps·median)': overhead,
            'eval overhead share': overhead / total if total else float('nan'),
            'eval s each': overhead / len(curve['evals']) if curve['evals'] else float('nan')}


def plot(curve:dict, rows:list[dict], png:Path, title:str) -> None:
    "Save a 2×2 figure: accuracies vs wall time and vs steps, track error vs wall time, loss vs steps."
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(2, 2, figsize=(11, 7.5))
    mins, steps = [r['wall min'] for r in rows], [r['step'] for r in rows]
    for k in [k for k in ACC_KEYS if k in rows[0]]:
        ax[0, 0].plot(mins, [r[k] for r in rows], 'o-', label=k, ms=3)
        ax[0, 1].plot(steps, [r[k] for r in rows], 'o-', label=k, ms=3)
    for a, xl in ((ax[0, 0], 'wall time (min)'), (ax[0, 1], 'step')):
        a.set(xlabel=xl, ylabel='test-split accuracy', ylim=(0, 1.02)); a.grid(alpha=.3); a.legend(fontsize=8)
    ax[1, 0].plot(mins, [r['track_error px'] for r in rows], 'o-', c='k', ms=3)
    ax[1, 0].set(xlabel='wall time (min)', ylabel='track error (px, lower is better)'); ax[1, 0].grid(alpha=.3)
    ax[1, 1].plot(curve['step'], curve['loss'], lw=1)
    ax[1, 1].set(xlabel='step', ylabel='flow-matching loss (EMA-smoothed)', yscale='log'); ax[1, 1].grid(alpha=.3)
    fig.suptitle(title, fontsize=10); fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True); fig.savefig(png, dpi=110); plt.close(fig)


def main(argv=None) -> None:
    "Print the curve table and the speed summary, and save the plot."
    p = add_common_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    p.add_argument('--curve', type=Path, default=DEFAULT_CURVE, help=f"curve.json (default {DEFAULT_CURVE.relative_to(ROOT)})")
    p.add_argument('--png', default=str(Path(__file__).parent/'stage0_curve.png'), help="where to save the plot ('' = no plot)")
    a = p.parse_args(argv)  # --threads/--quick/--repeats are accepted for uniformity; reading a json is instant
    curve, src = load_curve(a.curve)
    if not curve['evals']: raise SystemExit(f"{src} has no evaluations yet ({len(curve['step'])} logged steps)")
    print(f"# {src}: {len(curve['step'])} logged steps (last {curve['step'][-1] if curve['step'] else '-'}), {len(curve['evals'])} evaluations")
    rows = eval_rows(curve)
    print_table(rows, specs={k: '.1f' if k == 'wall min' else '.2f' if k == 'track_error px' else '.3f' for k in rows[0] if k != 'step'},
                title="test-split (unseen combinations) accuracy against steps and wall time")
    sp = speed_summary(curve)
    if sp:
        print_table([{'what': k, 'value': v} for k, v in sp.items()], specs={'value': '.3f'}, title="training speed implied by the curve")
    if a.png:
        plot(curve, rows, Path(a.png), f"Stage 0: {src}")
        print(f"\nsaved {a.png}")


if __name__ == '__main__':
    main()
