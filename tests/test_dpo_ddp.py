"""Stage-III DPO under data parallelism: 2 CPU processes (gloo, launched with `accelerate launch`) give the same update
as one process with the same global batch, for every backward schedule (the first backwards run inside `no_sync()`)."""
import os, subprocess, sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # two accelerate launches: about 2.5 min on a shared 2-core machine
import torch
from safetensors.torch import load_file

WORKER = Path(__file__).parent/'dpo_ddp_worker.py'
ENV = {**os.environ, 'OMP_NUM_THREADS': '1', 'OMP_WAIT_POLICY': 'PASSIVE', 'TELEBOOST_NO_PROGRESS': '1', 'HF_HUB_OFFLINE': '1'}
SCHEDULES = ('naive', 'official', 'freeing')


def _run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-5000:]
    return r


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    one, two = tmp_path_factory.mktemp('single'), tmp_path_factory.mktemp('ddp')
    _run([sys.executable, str(WORKER), str(one)])
    accel = Path(sys.executable).parent/'accelerate'
    # `--multi_gpu` selects accelerate's torchrun launcher; `Accelerator(cpu=True)` in the worker then runs MULTI_CPU with gloo
    # (`--cpu` with several processes would need mpirun)
    _run([str(accel), 'launch', '--multi_gpu', '--num_processes', '2', '--num_machines', '1', '--mixed_precision', 'no',
          '--dynamo_backend', 'no', '--main_process_port', '29517', str(WORKER), str(two), 'ddp'])
    return one, two


@pytest.mark.parametrize('schedule', SCHEDULES)
def test_ddp_matches_single_process(runs, schedule):
    one, two = runs
    single = load_file(str(one/f'{schedule}_rank0.safetensors'))
    r0, r1 = (load_file(str(two/f'{schedule}_rank{r}.safetensors')) for r in (0, 1))
    start = load_file(str(Path(__file__).parents[1]/'teleboost_nb'/'assets'/'base_tiny'/'transformer.safetensors'))
    moved = max((single[k] - start[k]).abs().max().item() for k in start if k in single)
    assert moved > 1e-6  # the update is not trivially zero
    for k in single:
        assert torch.equal(r0[k], r1[k]), f"{schedule}: ranks disagree on {k}"
        d = (r0[k] - single[k]).abs().max().item()
        assert d <= 1e-5, f"{schedule}: {k} differs from the single-process update by {d:.3g}"


@pytest.mark.parametrize('schedule', SCHEDULES)
def test_ddp_gradient_matches_single_process(runs, schedule):
    "The all-reduced gradient of 2 accumulated micro-batches equals the single-process one (same global pairs, σ and ε)."
    one, two = runs
    single = load_file(str(one/f'grad_{schedule}_rank0.safetensors'))
    r0, r1 = (load_file(str(two/f'grad_{schedule}_rank{r}.safetensors')) for r in (0, 1))
    scale = max(v.abs().max().item() for v in single.values())
    assert scale > 1e-3
    for k in single:
        assert torch.equal(r0[k], r1[k]), f"{schedule}: ranks hold different gradients for {k}"
        d = (r0[k] - single[k]).abs().max().item()
        assert d <= 1e-6 * max(1.0, scale), f"{schedule}: gradient of {k} differs by {d:.3g} (max |grad| {scale:.3g})"
