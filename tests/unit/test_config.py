from __future__ import annotations

from pathlib import Path

import pytest

from govsite.config import load_project, site_id_error
from govsite.errors import BuildFailed
from tests.conftest import MakeSite


def problems(root: Path) -> list[str]:
    with pytest.raises(BuildFailed) as failure:
        load_project(root)
    return [d.format_text() for d in failure.value.diagnostics]


def test_the_sample_config_loads_with_defaults(make_site: MakeSite) -> None:
    project = load_project(make_site())
    config = project.config
    assert (config.language, config.theme, config.raw_html, config.page_size) == (
        "zh-CN",
        "default",
        False,
        20,
    )
    assert config.base_url == "https://www.example.gov.cn/"
    assert project.out_dir == project.root / "build"


def test_each_config_problem_is_located(make_site: MakeSite) -> None:
    config = (make_site() / "govsite.yaml").read_text(encoding="utf-8")
    config = config.replace("base_url: https://www.example.gov.cn/", "base_url: www.example.gov.cn")
    config = config.replace("page_size: 20", "page_size: 0")
    config = config.replace(
        'index_no_pattern: "{agency_code}/{year}-{serial:05d}"', 'index_no_pattern: "{year}"'
    )
    root = make_site({"govsite.yaml": config}, name="bad")
    assert problems(root) == [
        "govsite.yaml:5:11: error[GS111]: 'www.example.gov.cn' is not an http(s) address\n"
        "  hint: write the whole address, beginning with https://",
        "govsite.yaml:7:12: error[GS111]: 'page_size' must be at least 1\n"
        "  hint: write 1 or more, or delete the line for the default",
        "govsite.yaml:8:19: error[GS111]: index_no_pattern '{year}' needs a '{serial}' field "
        "so index numbers can differ\n"
        "  hint: see 'The index-number pattern' in docs/content-format.md; the default is "
        "{agency_code}/{year}-{serial:05d}",
    ]


def test_a_missing_identity_block_is_named(make_site: MakeSite) -> None:
    root = make_site({"govsite.yaml": "title: 站点\nbase_url: https://a.gov.cn/\n"})
    assert problems(root) == [
        "govsite.yaml:1:1: error[GS202]: missing required field 'identity'\n"
        "  hint: add a line 'identity: …'"
    ]


def test_no_config_file(tmp_path: Path) -> None:
    assert problems(tmp_path)[0].startswith("govsite.yaml: error[GS100]: no govsite.yaml in")


@pytest.mark.parametrize("site_id", ["3301000001", "bm12345678", "1100000001"])
def test_valid_site_ids(site_id: str) -> None:
    assert site_id_error(site_id) is None


@pytest.mark.parametrize(
    "site_id", ["330100000", "33010000012", "bm1234567", "BM12345678", "0001000001", "33010A0001"]
)
def test_invalid_site_ids(site_id: str) -> None:
    assert site_id_error(site_id) is not None
