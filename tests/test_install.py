"`pip install teleboost_nb` the way a user does: build the wheel, install it into a fresh venv, run the CLI from it."
import os, subprocess, sys, venv
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

@pytest.mark.slow
def test_wheel_installs_and_samples(tmp_path):
    dist = tmp_path/'dist'
    subprocess.run([sys.executable, '-m', 'build', '--wheel', '--outdir', str(dist), str(ROOT)], check=True, capture_output=True)
    wheel = next(dist.glob('teleboost_nb-*.whl'))
    env_dir = tmp_path/'venv'; venv.create(env_dir, with_pip=True)
    py = env_dir/'bin'/'python'
    subprocess.run([str(py), '-m', 'pip', 'install', '-q', 'torch==2.13.0'], check=True)
    subprocess.run([str(py), '-m', 'pip', 'install', '-q', str(wheel)], check=True)
    out = tmp_path/'clip.gif'
    env = {**os.environ, 'TELEBOOST_NO_PROGRESS': '1', 'HF_HUB_OFFLINE': '1'}
    r = subprocess.run([str(env_dir/'bin'/'teleboost'), 'sample', '--prompt', 'a small blue square falls', '--out', str(out), '--steps', '8'],
                       capture_output=True, text=True, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes()[:3] == b'GIF'
    r = subprocess.run([str(py), '-c', 'import teleboost_nb, teleboost_nb.stage0 as s, teleboost_nb.pipeline as p; print(s.BASE_DIR, p.JOB_NOTEBOOK.is_file())'],
                       capture_output=True, text=True, cwd=tmp_path)
    assert 'site-packages' in r.stdout and r.stdout.split()[-1] == 'True' and r.returncode == 0, r.stderr  # the weights and the papermill job template ship in the wheel
