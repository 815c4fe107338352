"The papermill job: the shipped template run by the papermill command line, and `teleboost run --notebook`, as a cluster job would."
import json, os, subprocess, sys
from pathlib import Path

BIN = Path(sys.executable).parent
ENV = {**os.environ, 'TELEBOOST_NO_PROGRESS': '1', 'HF_HUB_OFFLINE': '1', 'OMP_NUM_THREADS': '1'}

def run(*args, cwd=None):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, env=ENV, cwd=cwd, timeout=900)

def outputs(nb_path):
    nb = json.loads(Path(nb_path).read_text())
    return nb, [o for c in nb['cells'] if c['cell_type'] == 'code' for o in c.get('outputs', [])]

import pytest

ROOT = Path(__file__).resolve().parents[1]

def papermill_job(tmp_path, *params, copy_with_cli=False):
    "Copy the template (straight from the package, or with `teleboost notebook`, which 14_pipeline tests in-process), then run it with the papermill command line into tmp_path/run."
    if copy_with_cli: assert run(BIN/'teleboost', 'notebook', '--out', tmp_path/'job.ipynb').returncode == 0
    else: (tmp_path/'job.ipynb').write_bytes((ROOT/'teleboost_nb'/'assets'/'run_job.ipynb').read_bytes())
    (tmp_path/'run').mkdir()  # papermill writes into an existing folder
    flags = [x for k, v in [('out', tmp_path/'run'), *params] for x in ('-p', k, v)]
    return run(BIN/'papermill', tmp_path/'job.ipynb', tmp_path/'run'/'report.ipynb', *flags)

def check_report(tmp_path):
    "The executed report: injected parameters, one embedded image per image link of report.md, no error output."
    nb, outs = outputs(tmp_path/'run'/'report.ipynb')
    assert any('injected-parameters' in c['metadata'].get('tags', []) for c in nb['cells'])
    n_img = sum('image/png' in o.get('data', {}) for o in outs)
    assert n_img == (tmp_path/'run'/'report.md').read_text().count('![') and n_img >= 2
    assert not any(o.get('output_type') == 'error' for o in outs)
    return json.loads((tmp_path/'run'/'metrics.json').read_text())

def test_papermill_job_stage0(tmp_path):
    "`teleboost notebook` + `papermill -p …`: the parameters (ints, floats, bools) reach RunConfig, and the report shows its images."
    r = papermill_job(tmp_path, ('eval_clips', 4), ('heldout_clips', 4), ('sample_steps', 4), ('guidance', 3.5), ('grpo', False), ('dpo', False), ('threads', 1))
    assert r.returncode == 0, r.stderr[-3000:]
    m = check_report(tmp_path)
    assert set(m) == {'stage0', 'config', 'seconds'} and m['config']['guidance'] == 3.5 and m['config']['threads'] == 1
    assert m['stage0']['heldout']['n_clips'] == 4

@pytest.mark.slow
def test_papermill_runs_the_stack_from_the_template(tmp_path):
    "The whole stack as a papermill job: all three stages run and the report shows every stage's images."
    (tmp_path/'g.yaml').write_text("prompts_per_iter: 2\ngroup_size: 4\nsteps: 6\nwindow: 2\neval_clips: 8\neval_steps: 6\neval_every: 2\n")
    (tmp_path/'d.yaml').write_text("steps: 2\nbatch_size: 2\nn_prompts: 2\nsamples_per_prompt: 2\nmin_gap: 0.0\nsample_steps: 6\n")
    r = papermill_job(tmp_path, ('eval_clips', 8), ('heldout_clips', 8), ('sample_steps', 6), ('grpo_iterations', 2),
                      ('grpo_config', tmp_path/'g.yaml'), ('dpo_config', tmp_path/'d.yaml'), ('threads', 1), copy_with_cli=True)
    assert r.returncode == 0, r.stderr[-3000:]
    m = check_report(tmp_path)
    assert {'stage0', 'grpo', 'dpo'} <= set(m) and m['config']['grpo_iterations'] == 2 and m['grpo']['heldout']['n_clips'] == 8

def test_run_notebook_cli(tmp_path):
    "`teleboost run --notebook` runs the job template and writes the executed report notebook into the run folder."
    out = tmp_path/'run'
    r = run(BIN/'teleboost', 'run', '--notebook', '--out', out, '--set', 'eval_clips=4', 'heldout_clips=4', 'sample_steps=4', 'grpo=false', 'dpo=false')
    assert r.returncode == 0 and 'report.ipynb' in r.stdout, r.stderr[-3000:]
    _, outs = outputs(out/'report.ipynb')
    assert sum('image/png' in o.get('data', {}) for o in outs) == 2  # base samples and the stage-0 evaluation grid
    assert json.loads((out/'metrics.json').read_text())['config']['eval_clips'] == 4

@pytest.mark.slow
def test_bad_job_parameter_is_a_clear_error(tmp_path):
    "A parameter that RunConfig rejects stops the job before anything runs, and papermill's error names it."
    r = papermill_job(tmp_path, ('heldout_clips', 1))
    assert r.returncode != 0 and 'heldout_clips' in r.stderr and not (tmp_path/'run'/'config.yaml').exists(), r.stderr[-2000:]
