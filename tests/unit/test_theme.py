"""Theme inheritance, site overrides, assets and template errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from govsite import pipeline
from govsite.config import load_project
from govsite.errors import BuildFailed
from tests.conftest import REPO, MakeSite

CHILD_THEME = {
    "themes/agency/theme.yaml": "name: agency\nextends: default\n",
    "themes/agency/templates/base.html": (
        '{% extends "default:base.html" %}\n'
        '{% block head %}<meta name="agency-theme" content="yes">{% endblock %}\n'
    ),
    "themes/agency/static/css/tokens.css": ":root { --agency: 1; }\n",
}


def use_theme(make_site: MakeSite, name: str, files: dict[str, str]) -> Path:
    root = make_site(files)
    config = root / "govsite.yaml"
    text = config.read_text(encoding="utf-8").replace("theme: default", f"theme: {name}")
    config.write_text(text, encoding="utf-8")
    pipeline.build(load_project(root))
    return root


def test_a_child_theme_overrides_one_block_and_one_asset(make_site: MakeSite) -> None:
    out = use_theme(make_site, "agency", CHILD_THEME) / "build"
    home = (out / "index.html").read_text(encoding="utf-8")
    assert '<meta name="agency-theme" content="yes">' in home
    assert 'class="skip-link"' in home  # the rest of the parent's skeleton is kept
    (tokens,) = (out / "assets" / "css").glob("tokens.*.css")
    assert tokens.read_text(encoding="utf-8") == ":root{--agency:1}"  # published minified
    assert len(list((out / "assets" / "css").glob("site.*.css"))) == 1  # inherited from the parent


def test_a_child_theme_restyles_with_custom_css_alone(make_site: MakeSite) -> None:
    """The README's restyling example: one file of custom properties, loaded after the theme's."""
    custom = ":root { --color-brand: #0b4f3c; --color-brand-dark: #08382a; }\n"
    files = {
        "themes/green/theme.yaml": "name: green\nextends: default\n",
        "themes/green/static/css/custom.css": custom,
    }
    out = use_theme(make_site, "green", files) / "build"
    home = (out / "index.html").read_text(encoding="utf-8")
    stylesheets = [  # the file name of each stylesheet's href (its integrity holds '/' too)
        href.split("/")[-1].split(".")[0]
        for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', home)
    ]
    assert stylesheets == ["tokens", "site", "custom"]
    (custom_css,) = (out / "assets" / "css").glob("custom.*.css")
    assert custom_css.read_text(encoding="utf-8") == (
        ":root{--color-brand:#0b4f3c;--color-brand-dark:#08382a}"
    )
    (tokens,) = (out / "assets" / "css").glob("tokens.*.css")
    assert "--color-brand:#8c1515" in tokens.read_text(encoding="utf-8")  # the default's, kept


def test_pages_do_not_ask_for_an_empty_custom_css(make_site: MakeSite) -> None:
    """The default theme's custom.css is empty: one request of every page for nothing."""
    root = make_site()
    pipeline.build(load_project(root))
    home = (root / "build" / "index.html").read_text(encoding="utf-8")
    assert 'href="assets/css/tokens.' in home and 'href="assets/css/site.' in home
    assert "custom." not in home


def test_site_templates_win_over_the_theme(make_site: MakeSite) -> None:
    root = make_site(
        {
            "templates/404.html": '{% extends "base.html" %}{% block content %}<h1>走丢了</h1>{% endblock %}'
        }
    )
    pipeline.build(load_project(root))
    assert "<h1>走丢了</h1>" in (root / "build" / "404.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "theme 'nowhere' not found in themes/"),
        (
            {
                "themes/nowhere/theme.yaml": "name: nowhere\nextends: other\n",
                "themes/other/theme.yaml": "name: other\nextends: nowhere\n",
            },
            "themes extend each other in a loop: nowhere → other → nowhere",
        ),
    ],
)
def test_theme_chain_problems(make_site: MakeSite, files: dict[str, str], message: str) -> None:
    with pytest.raises(BuildFailed) as failure:
        use_theme(make_site, "nowhere", files)
    assert message in failure.value.format_text()


def test_template_errors_name_the_template_line_and_the_page(make_site: MakeSite) -> None:
    broken = {
        "templates/page.html": '{% extends "base.html" %}\n{% block content %}\n{{ page.no_such_thing }}\n{% endblock %}\n'
    }
    with pytest.raises(BuildFailed) as failure:
        pipeline.build(load_project(make_site(broken)))
    (problem,) = failure.value.diagnostics
    assert (str(problem.location), problem.code) == ("templates/page.html:3", "GS402")
    assert "while rendering content/pages/guide.md" in problem.message


def test_the_default_theme_labels_every_word_in_both_languages() -> None:
    labels = REPO / "themes" / "default" / "labels"
    keys = {
        name: set(yaml.safe_load((labels / f"{name}.yaml").read_text("utf-8")))
        for name in ("zh-CN", "en")
    }
    assert keys["zh-CN"] == keys["en"]
