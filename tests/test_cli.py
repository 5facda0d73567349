"""The command line's wiring: exit codes, messages, scaffolding."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from govsite.cli import main
from govsite.config import load_project
from govsite.scaffold import NewDocument, ScaffoldError, create_document
from tests.conftest import MakeSite


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_build_succeeds_with_a_summary_line(runner: CliRunner, make_site: MakeSite) -> None:
    root = make_site()
    result = runner.invoke(main, ["build", "--site", str(root)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Built ")
    assert "(2 records, 1 pages)" in result.stdout
    assert (root / "build" / "index.html").is_file()


def test_build_into_another_folder(runner: CliRunner, make_site: MakeSite, tmp_path: Path) -> None:
    result = runner.invoke(
        main, ["build", "--site", str(make_site()), "--out", str(tmp_path / "public")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "public" / "index.html").is_file()


def test_content_errors_exit_1_with_located_messages(
    runner: CliRunner, make_site: MakeSite
) -> None:
    root = make_site({"content/pages/bad.md": "---\ntitle: 坏\nnav_ordr: 1\n---\n"})
    result = runner.invoke(main, ["build", "--site", str(root)])
    assert result.exit_code == 1
    assert "content/pages/bad.md:3:1: error[GS201]: unknown key 'nav_ordr'" in result.stderr
    assert "Traceback" not in result.output


def test_usage_errors_exit_2(runner: CliRunner, make_site: MakeSite) -> None:
    root = make_site()
    assert runner.invoke(main, ["build", "--nope"]).exit_code == 2
    unsafe = runner.invoke(main, ["build", "--site", str(root), "--out", str(root / "content")])
    assert unsafe.exit_code == 2
    assert "would overwrite" in unsafe.stderr


def test_build_never_replaces_a_folder_it_did_not_write(
    runner: CliRunner, make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site()
    other = tmp_path / "documents"
    other.mkdir()
    (other / "budget.xlsx").write_bytes(b"the only copy")
    result = runner.invoke(main, ["build", "--site", str(root), "--out", str(other)])
    assert result.exit_code == 2
    assert f"the build folder '{other}' already holds files govsite did not write" in result.stderr
    assert (other / "budget.xlsx").read_bytes() == b"the only copy"
    assert sorted(p.name for p in other.iterdir()) == ["budget.xlsx"]


def test_build_never_writes_into_the_site_repository_or_its_cache(
    runner: CliRunner, make_site: MakeSite
) -> None:
    root = make_site()
    (root / ".git" / "refs").mkdir(parents=True)
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    for out, why in ((".git", "'.git'"), (".govsite-cache", "would overwrite")):
        result = runner.invoke(main, ["build", "--site", str(root), "--out", str(root / out)])
        assert result.exit_code == 2, result.output
        assert why in result.stderr
    assert (root / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"
    # Its own earlier build, marked as such, is replaced as before.
    for _ in range(2):
        built = runner.invoke(main, ["build", "--site", str(root), "--no-cache"])
        assert built.exit_code == 0, built.output


def test_help_explains_each_command(runner: CliRunner) -> None:
    for command in ([], ["build"], ["init"], ["new"]):
        result = runner.invoke(main, [*command, "--help"])
        assert result.exit_code == 0
        assert "Usage:" in result.stdout


def test_init_makes_a_site_that_builds(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "new-site"
    assert runner.invoke(main, ["init", str(target)]).exit_code == 0
    built = runner.invoke(main, ["build", "--site", str(target)])
    assert built.exit_code == 0, built.output
    assert runner.invoke(main, ["init", str(target)]).exit_code == 2  # not empty any more


def test_new_record_takes_the_next_free_index_number_and_builds(
    runner: CliRunner, make_site: MakeSite
) -> None:
    root = make_site()
    result = runner.invoke(
        main,
        [
            "new",
            "record",
            "--site",
            str(root),
            "--title",
            "关于测试的通知",
            "--category",
            "policies/municipal",
        ],
    )
    assert result.exit_code == 0, result.output
    written = Path(result.stdout.removeprefix("Wrote ").strip())
    text = written.read_text(encoding="utf-8")
    year = date.today().year
    expected = f"000000001/{year}-{3 if year == 2026 else 1:05d}"
    assert f"index_no: {expected}" in text
    assert runner.invoke(main, ["build", "--site", str(root)]).exit_code == 0


def test_new_interpretation_and_page(make_site: MakeSite) -> None:
    project = load_project(make_site())
    today = date(2026, 5, 1)
    interpretation = create_document(
        project,
        NewDocument(kind="interpretation", title="解读", interprets=("000000001/2026-00001",)),
        today,
    )
    assert "index_no: 000000001/2026-00003" in interpretation.read_text(encoding="utf-8")
    assert "interprets: [000000001/2026-00001]" in interpretation.read_text(encoding="utf-8")
    page = create_document(project, NewDocument(kind="page", title="About us"), today)
    assert page == project.content_dir / "pages" / "about-us.md"


def test_new_explains_what_is_missing(make_site: MakeSite) -> None:
    project = load_project(make_site())
    with pytest.raises(
        ScaffoldError, match="pass --category with one of: policies, policies/municipal"
    ):
        create_document(project, NewDocument(kind="record", title="x"))
    with pytest.raises(ScaffoldError, match="unknown agency 'nope'"):
        create_document(
            project, NewDocument(kind="record", title="x", agency="nope", category="policies")
        )
