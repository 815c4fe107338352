"The installed `teleboost` command: exit codes and one-line errors, run as a subprocess like a user would."
import os, subprocess, sys
from pathlib import Path

ENV = {**os.environ, 'TELEBOOST_NO_PROGRESS': '1', 'HF_HUB_OFFLINE': '1'}

def teleboost(*args, cwd=None):
    return subprocess.run([str(Path(sys.executable).parent/'teleboost'), *args], capture_output=True, text=True, env=ENV, cwd=cwd, timeout=600)

def test_sample_writes_gif(tmp_path):
    r = teleboost('sample', '--prompt', 'a large red circle moves right quickly', '--out', str(tmp_path/'clip.gif'), '--steps', '8')
    assert r.returncode == 0, r.stderr
    data = (tmp_path/'clip.gif').read_bytes()
    assert data[:6] in (b'GIF89a', b'GIF87a')

def test_bad_prompt_is_one_clear_line(tmp_path):
    r = teleboost('sample', '--prompt', 'a red circel moves left', '--out', str(tmp_path/'x.gif'))
    assert r.returncode == 2
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith('teleboost: error:') and 'circle' in lines[0], r.stderr

def test_bad_config_names_the_key(tmp_path):
    (tmp_path/'c.yaml').write_text('eval_clips: many\n')
    r = teleboost('run', '--config', str(tmp_path/'c.yaml'), '--out', str(tmp_path/'run'))
    assert r.returncode == 2 and 'eval_clips' in r.stderr, r.stderr

def test_missing_checkpoint(tmp_path):
    r = teleboost('sample', '--prompt', 'a small blue square falls', '--out', str(tmp_path/'x.gif'), '--checkpoint', str(tmp_path/'nowhere'))
    assert r.returncode == 2 and 'nowhere' in r.stderr, r.stderr
