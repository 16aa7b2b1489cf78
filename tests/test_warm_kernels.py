"""A reused (warm) kernel gives the same report as a fresh one: no state leaks between runs."""

import shutil

import nbformat
import pytest
from conftest import write_notebook

from custlib.run.runner import NOTEBOOK_DIR, render

pytestmark = pytest.mark.e2e

POLLUTE = """
import os, sys, warnings, random
import numpy as np, pandas as pd, matplotlib as mpl, matplotlib.pyplot as plt, seaborn as sns
LEAKED = 'from the previous notebook'
np.random.seed(1); random.seed(1)
mpl.rcParams['lines.linewidth'] = 9
sns.set_theme(style='dark', palette='Reds')
pd.set_option('display.max_rows', 3)
warnings.simplefilter('error')
sys.path.append('/nowhere')
os.chdir('/')
plt.figure(); plt.plot([1, 2])  # a figure left open
"""

PROBE = """
import os, sys, warnings
import numpy as np, pandas as pd, matplotlib as mpl, matplotlib.pyplot as plt
print('leaked global:', 'LEAKED' in globals())
print('linewidth:', mpl.rcParams['lines.linewidth'], 'style axes.facecolor:', mpl.rcParams['axes.facecolor'])
print('max_rows:', pd.get_option('display.max_rows'))
print('cwd is notebooks:', os.getcwd().endswith('nbs'))
print('sys.path polluted:', '/nowhere' in sys.path)
print('open figures:', len(plt.get_fignums()))
print('warnings are errors:', warnings.filters[:1] == [('error', None, Warning, None, 0)])
print('global rng reseeded:', np.random.get_state()[1][0] != np.random.RandomState(1).get_state()[1][0])
fig, ax = plt.subplots(); ax.plot(np.random.default_rng(0).normal(size=20)); plt.show()
"""


def _text_outputs(path):
    nb = nbformat.read(path, as_version=4)
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "stream")


def test_reused_kernel_gives_the_same_report_as_a_fresh_one(tmp_path, tiny):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    shutil.copy(NOTEBOOK_DIR / "00_overview_region.ipynb", nbs / "02_overview.ipynb")
    write_notebook(nbs / "03_probe.ipynb", PROBE)
    fresh = tmp_path / "fresh"
    render(tiny, regions="east", out=fresh, notebook_dir=nbs, jobs=1, progress=False)

    write_notebook(nbs / "01_pollute.ipynb", POLLUTE)
    reused = tmp_path / "reused"
    # one slot: the polluter runs first, then the overview and the probe in the same kernel
    res = render(tiny, regions="east", out=reused, notebook_dir=nbs, jobs=1, progress=False)
    assert [o.notebook for o in res.outcomes] == ["01_pollute", "02_overview", "03_probe"]
    assert not res.failed

    probe = _text_outputs(reused / "2025Q4" / "east" / "03_probe.ipynb")
    assert "leaked global: False" in probe
    assert "linewidth: 1.5" in probe
    assert "max_rows: 60" in probe
    assert "cwd is notebooks: True" in probe
    assert "sys.path polluted: False" in probe
    assert "open figures: 0" in probe
    assert "warnings are errors: False" in probe
    assert "global rng reseeded: True" in probe
    assert probe == _text_outputs(fresh / "2025Q4" / "east" / "03_probe.ipynb")
    for name in ("02_overview.html", "03_probe.html"):
        a = (fresh / "2025Q4" / "east" / name).read_bytes()
        b = (reused / "2025Q4" / "east" / name).read_bytes()
        assert a == b, f"{name} differs between a fresh and a reused kernel"
