"The README is generated from nbs/index.ipynb and must agree with it."
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def test_readme_matches_index_notebook():
    spec = importlib.util.spec_from_file_location('make_readme', ROOT/'tools'/'make_readme.py')
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    expected = mod.render_readme()
    actual = (ROOT/'README.md').read_text(encoding='utf-8')
    assert actual == expected, "README.md is out of date: run `python tools/make_readme.py` and commit README.md"

def test_ci_runs_the_readme_test_command():
    readme = (ROOT/'README.md').read_text(encoding='utf-8')
    ci = (ROOT/'.ci'/'run').read_text(encoding='utf-8').strip().splitlines()[-1]
    assert ci in readme, f".ci/run's command must appear verbatim in the README: {ci}"
