"""Rendering through a Dask distributed cluster gives the same reports as a local run."""

import pytest

from custlib.exceptions import RenderError
from custlib.run.runner import render

pytestmark = pytest.mark.e2e


def test_local_cluster_renders_two_regions_like_a_local_run(tmp_path, tiny):
    distributed = pytest.importorskip("distributed")
    local = render(tiny, regions="east,north", notebooks="00_overview_region", out=tmp_path / "local", progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as cluster:
        remote = render(
            tiny,
            regions="east,north",
            notebooks="00_overview_region",
            out=tmp_path / "cluster",
            scheduler=cluster.scheduler_address,
            progress=False,
        )
    assert [(o.slug, o.notebook, o.status) for o in remote.outcomes] == [(o.slug, o.notebook, o.status) for o in local.outcomes]
    assert not remote.failed
    for o in local.outcomes:
        a = (tmp_path / "local" / local.quarter / o.slug / f"{o.notebook}.html").read_bytes()
        b = (tmp_path / "cluster" / remote.quarter / o.slug / f"{o.notebook}.html").read_bytes()
        assert a == b, f"{o.slug}/{o.notebook} differs between the cluster and a local run"
    assert (tmp_path / "cluster" / remote.quarter / "index.html").is_file()


def test_unreachable_scheduler_is_a_clear_error(tmp_path, tiny):
    pytest.importorskip("distributed")
    with pytest.raises(RenderError, match="cannot reach the Dask scheduler"):
        render(tiny, regions="east", notebooks="00_overview_region", out=tmp_path / "o", scheduler="tcp://127.0.0.1:9", progress=False)
