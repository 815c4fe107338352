"""`teleboost grpo` killed with SIGKILL mid-run and resumed ends where an uninterrupted run ends.

Equal to round-off, not bitwise: in a fresh process CPU reductions see other memory alignments, so gradients differ by
~1e-10, weights by ~1e-8, and learned-reward scores of the resulting clips by ~1e-5 relative (correlations computed
from them a little more). The held-out scores, which read thresholded pixels, must be exactly equal."""
import json, os, signal, subprocess, sys, time
from pathlib import Path
import numpy as np
from safetensors.numpy import load_file

ENV = {**os.environ, 'TELEBOOST_NO_PROGRESS': '1', 'HF_HUB_OFFLINE': '1', 'OMP_NUM_THREADS': '1'}
CFG = """iterations: 5
prompts_per_iter: 2
group_size: 4
steps: 6
window: 2
eval_clips: 8
eval_steps: 6
eval_every: 2
checkpoint_every: 1
micro_batch: 8
"""

def teleboost(*args): return [str(Path(sys.executable).parent/'teleboost'), *args]

def _iteration(run: Path) -> int:
    try: return json.loads((run/'state'/'meta.json').read_text())['meta']['iteration']
    except (OSError, ValueError, KeyError): return -1

def _close(a, b, tol=1e-3):
    if isinstance(a, dict): return a.keys() == b.keys() and all(_close(a[k], b[k], tol) for k in a)
    if isinstance(a, list): return len(a) == len(b) and all(_close(x, y, tol) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float): return abs(a - b) <= tol * max(1.0, abs(a))
    return a == b

def test_sigkill_and_resume(tmp_path):
    (tmp_path/'c.yaml').write_text(CFG)
    full = subprocess.run(teleboost('grpo', '--out', str(tmp_path/'full'), '--config', str(tmp_path/'c.yaml')),
                          capture_output=True, text=True, env=ENV, timeout=900)
    assert full.returncode == 0, full.stderr
    run = tmp_path/'killed'
    p = subprocess.Popen(teleboost('grpo', '--out', str(run), '--config', str(tmp_path/'c.yaml')), env=ENV,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.time()
    while _iteration(run) < 2 and p.poll() is None and time.time() - t0 < 600: time.sleep(0.05)
    assert p.poll() is None, "the run finished before it could be killed"
    os.kill(p.pid, signal.SIGKILL); p.wait()
    killed_at = _iteration(run)
    assert 2 <= killed_at < 5 and not (run/'metrics.json').exists()
    res = subprocess.run(teleboost('grpo', '--resume', str(run)), capture_output=True, text=True, env=ENV, timeout=900)
    assert res.returncode == 0, res.stderr
    a, b = (json.loads((d/'metrics.json').read_text()) for d in (tmp_path/'full', run))
    drop = lambda h: {k: v for k, v in h.items() if not k.startswith('train/time/')}  # wall-clock seconds differ
    assert [e['clip_heldout'] for e in a['evals']] == [e['clip_heldout'] for e in b['evals']]
    assert [e['heldout'] for e in a['evals']] == [e['heldout'] for e in b['evals']]
    assert _close(a['evals'], b['evals']) and _close(drop(a['history']), drop(b['history'])) and a['config'] == b['config']
    wa, wb = (load_file(str(d/'checkpoint'/'transformer.safetensors')) for d in (tmp_path/'full', run))
    assert wa.keys() == wb.keys() and all(np.allclose(wa[k], wb[k], rtol=0, atol=1e-6) for k in wa)
