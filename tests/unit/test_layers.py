"""The pipeline calls the check and the output writers; neither imports the pipeline back."""

import subprocess
import sys

import pytest

CHECK = "import pkgutil, importlib, sys, {package} as p\n" + (
    "for m in pkgutil.iter_modules(p.__path__): importlib.import_module(p.__name__ + '.' + m.name)\n"
    "print(sorted(k for k in sys.modules if k in ('govsite.pipeline', 'govsite.cli')"
    " or k.startswith('govsite.engine')))"
)


@pytest.mark.parametrize("package", ["govsite.check", "govsite.outputs"])
def test_a_stage_package_does_not_import_the_pipeline(package: str) -> None:
    # A fresh interpreter: the test session has imported the pipeline already.
    found = subprocess.run(
        [sys.executable, "-c", CHECK.format(package=package)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert found == "[]"


def test_the_command_line_imports_no_stage_before_it_knows_it_must_build() -> None:
    """An up-to-date `govsite build` takes a fraction of a second; importing the stages
    (Markdown, templates, HTML parsing, scaffolding) would double it."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, govsite.cli; print(sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    heavy = ("jinja2", "markdown_it", "lxml", "pygments", "importlib.metadata", "govsite.scaffold")
    assert [name for name in heavy if f"'{name}'" in loaded] == []
