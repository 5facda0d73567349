"""Work units are plain data: a Dask cluster builds the site byte for byte as local workers do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from govsite import pipeline
from govsite.cli import main
from govsite.config import load_project
from tests.conftest import REPO, tree_bytes

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """Two worker processes on loopback, no dashboard: the scheduler's tcp:// address."""
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as local:
        yield local.scheduler_address


def test_a_dask_cluster_builds_the_same_site(cluster: str, tmp_path: Path) -> None:
    local = tmp_path / "local"
    remote = tmp_path / "remote"
    pipeline.build(load_project(REPO, local))
    result = CliRunner().invoke(
        main,
        [
            "build",
            "--site",
            str(REPO),
            "--out",
            str(remote),
            "--no-cache",
            "--quiet",
            "--executor",
            cluster.replace("tcp://", "dask://"),
        ],
    )
    assert result.exit_code == 0, result.output
    with distributed.Client(cluster) as client:  # the work really ran there
        ran = client.run(
            lambda: __import__("govsite.parallel").parallel._prepared_setup is not None
        )
        assert any(ran.values()), ran
    assert tree_bytes(remote) == tree_bytes(local)


def test_an_executor_that_is_not_dask_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["build", "--executor", "spark://x:1"])
    assert result.exit_code == 2
    assert "is not dask://HOST:PORT" in result.output
