"""The command line: parses arguments and calls the library. Exit codes: 0 ok, 1 content errors, 2 usage, 3 bug."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import click

# The commands import the stages they run inside their own bodies: an up-to-date build
# (uptodate.py) then takes a fraction of a second, which importing every stage would
# multiply (0.2 s on a quiet machine, seconds on a busy one).
from govsite import __version__, clock, uptodate
from govsite.check.formats import FORMATS, format_findings
from govsite.config import CACHE_DIR, Project, load_project
from govsite.engine import persist
from govsite.errors import BuildFailed, ScaffoldError, UnsafeOutputDir, printable
from govsite.lock import SiteBusy, command_line, site_lock
from govsite.messages import Language, Text, choose_language, text
from govsite.progress import progress_for
from govsite.result import BuildResult

if TYPE_CHECKING:
    from govsite import scaffold

EXIT_CONTENT_ERRORS = 1
EXIT_USAGE = 2
EXIT_INTERNAL_ERROR = 3

site_option = click.option(
    "--site",
    "site_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The site's folder (where govsite.yaml is).",
)
as_of_option = click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    callback=lambda _context, _parameter, value: value.date() if value else None,
    help="Build or check the site as of this day (YYYY-MM-DD): validity, records held back"
    " until published, every date rule.  [default: today in China Standard Time]",
)
debug_option = click.option(
    "--debug", is_flag=True, help="Show a traceback when govsite itself fails."
)
lang_option = click.option(
    "--lang",
    "lang",
    type=click.Choice(["zh-CN", "zh", "en"]),
    default=None,
    help="The language of problem messages.  "
    "[default: LC_ALL/LANG if it is zh* or en*, else the site's `language`]",
)


class EditorCommand(click.Command):
    """A command editors type (`init`, `new …`): an option it does not have, or a missing
    argument, is told in the editor's language with how to fix it, not in click's English."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: object,
    ) -> click.Context:
        try:
            return super().make_context(info_name, list(args), parent, **extra)
        except (click.NoSuchOption, click.MissingParameter) as exc:
            command = " ".join(["govsite", *_command_path(parent), info_name or ""]).strip()
            said, hint = _usage_problem(exc, command)
            click.echo(ScaffoldError(said, hint).format_text(_language(args)), err=True)
            raise click.exceptions.Exit(EXIT_USAGE) from None


def _command_path(context: click.Context | None) -> list[str]:
    names: list[str] = []
    while context is not None and context.parent is not None:
        names.insert(0, context.info_name or "")
        context = context.parent
    return names


def _usage_problem(exc: click.UsageError, command: str) -> tuple[Text, Text]:
    if isinstance(exc, click.NoSuchOption):
        near = sorted(exc.possibilities or ())
        hint = (
            text("usage.near.hint", word=near[0], command=command)
            if near
            else text("usage.help.hint", command=command)
        )
        return text("usage.no-such-option", option=exc.option_name), hint
    assert isinstance(exc, click.MissingParameter)
    name = (exc.param.name or "").upper() if exc.param else ""
    return text("usage.missing", name=name), text("usage.help.hint", command=command)


def _language(args: list[str]) -> Language:
    """`--lang` if the command line has it, else the locale, else Chinese (no site yet)."""
    explicit = next((value for flag, value in pairwise(args) if flag == "--lang"), None)
    return choose_language(explicit, None)


class Speaker:
    """Chooses the language messages are printed in, once the site's own is known."""

    def __init__(self, explicit: str | None) -> None:
        self.explicit = explicit
        self.site_language: str | None = None

    @property
    def language(self) -> Language:
        return choose_language(self.explicit, self.site_language)

    def heard(self, project: Project) -> Project:
        """Note the site's language; returns `project`."""
        self.site_language = project.config.language
        return project


def run() -> None:
    """The `govsite` command: `main`, then the process's exit. After a build that left its
    cache to a saving child (engine/persist.py) the process ends without freeing the site
    model it holds: freeing it would first copy every memory page the child still shares,
    0.2 s of an edit's build at 10,000 records, for a process that is ending anyway."""
    try:
        main()
    except SystemExit as ending:
        code = ending.code
        if not persist.handed_over() or not (code is None or isinstance(code, int)):
            raise  # a message to print (sys.exit("…")) is the interpreter's to print
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code or 0)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="govsite")
def main() -> None:
    """Build a government information-disclosure (政府信息公开) site from Markdown and YAML."""


@main.command()
@site_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the site.  [default: SITE/build]",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Treat warnings as errors and fail on any `govsite check` error (for CI).",
)
@as_of_option
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    show_default="the number of CPUs",
    help="Render pages in this many processes; the output is the same for any number.",
)
@click.option(
    "--executor",
    metavar="dask://HOST:PORT",
    default=None,
    callback=lambda _ctx, _param, value: _executor_url(value),
    help="Run the per-page work on the workers of a Dask scheduler instead of --jobs local "
    "processes (needs govsite[dask]; the workers must see the site at the same path).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help=f"Build everything, neither reading nor writing the build cache ({CACHE_DIR}/).",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="Print nothing on stdout (problems still go to stderr)."
)
@lang_option
@debug_option
def build(
    site_dir: Path,
    out_dir: Path | None,
    strict: bool,
    as_of: date | None,
    jobs: int | None,
    executor: str | None,
    no_cache: bool,
    quiet: bool,
    lang: str | None,
    debug: bool,
) -> None:
    """Build the site into its build folder; nothing is written unless every page builds.

    On a terminal each stage shows a progress bar; piped or under CI, one summary line.
    """
    progress = progress_for(sys.stdout, quiet=quiet)
    speaker = Speaker(lang)
    with reporting_errors(debug, speaker):
        project = speaker.heard(load_project(site_dir, out_dir))
        as_of = as_of or clock.today()
        cache_dir = None if no_cache else project.cache_dir
        # Held even without the cache: two builds would still write one build folder.
        with site_lock(project.cache_dir, command_line()):
            # pipeline.build asks this too; asked here, nothing else is imported when nothing changed.
            inputs = None
            if cache_dir is not None:
                inputs, replayed = uptodate.replay(project, cache_dir, strict=strict, as_of=as_of)
                if replayed is not None:
                    _print_result(replayed, quiet, speaker)
                    return
            from govsite import pipeline
            from govsite.parallel import remote_executor

            result = pipeline.build(
                project,
                strict=strict,
                as_of=as_of,
                jobs=jobs,
                executor_factory=remote_executor(executor) if executor else None,
                progress=progress,
                cache_dir=cache_dir,
                detach=True,  # the previous build's removal and the cache's save go on after we exit
                inputs=inputs,
            )
    _print_result(result, quiet, speaker)


def _print_result(result: BuildResult, quiet: bool, speaker: Speaker) -> None:
    for diagnostic in result.diagnostics:
        click.echo(diagnostic.format_text(speaker.language), err=True)
    if not quiet:
        click.echo(result.summary(speaker.language))


@main.command()
@site_option
@as_of_option
@click.option("--format", "style", type=click.Choice(FORMATS), default="human", show_default=True)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning"]),
    default="error",
    show_default=True,
    help="Exit 1 when anything this severe (or worse) is found.",
)
@click.option("--external", is_flag=True, help="Also fetch every external link over HTTP.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Seconds per external link in all (every attempt and redirect).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(
        min=1, max=32
    ),  # check/external.py MAX_CONCURRENCY (imported only to check)
    default=8,
    show_default=True,
    help="External links fetched at once.",
)
@lang_option
@debug_option
def check(
    site_dir: Path,
    as_of: date | None,
    style: str,
    fail_on: str,
    external: bool,
    timeout: float,
    concurrency: int,
    lang: str | None,
    debug: bool,
) -> None:
    """Check the site before publishing: links, metadata, accessibility, timeliness (docs/checks.md)."""
    from govsite.check.external import ExternalOptions
    from govsite.check.inspect import fails
    from govsite.pipeline import check_site

    speaker = Speaker(lang)
    with reporting_errors(debug, speaker):
        project = speaker.heard(load_project(site_dir))
        options = ExternalOptions(timeout=timeout, concurrency=concurrency) if external else None
        outcome = check_site(project, as_of or clock.today(), options)
    links: tuple[str, ...] = ()
    if isinstance(outcome, BuildFailed):
        findings = outcome.diagnostics
    else:
        findings, links = outcome.findings, tuple(sorted(outcome.external_links))
    click.echo(format_findings(findings, links, style, speaker.language))
    sys.exit(EXIT_CONTENT_ERRORS if fails(findings, fail_on) else 0)


@main.command()
@site_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, help="Port to listen on (0: any free one)."
)
@lang_option
@debug_option
def serve(site_dir: Path, host: str, port: int, lang: str | None, debug: bool) -> None:
    """Build, serve the site for preview and rebuild whenever a source changes."""
    from govsite import serve as preview

    speaker = Speaker(lang)
    with reporting_errors(debug, speaker):
        project = speaker.heard(
            load_project(site_dir)
        )  # a folder that is no site is named before any lock
        with site_lock(project.cache_dir, command_line()):
            try:
                preview.serve(
                    site_dir, host, port, log=lambda line: click.echo(line, err=True), language=lang
                )
            except KeyboardInterrupt:
                click.echo("Stopped.", err=True)
            except preview.AddressUnavailable as exc:
                click.echo(exc.format_text(speaker.language), err=True)
                sys.exit(EXIT_USAGE)


@main.command()
@click.argument("target")
@click.option(
    "--manifest",
    "manifest_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A trusted copy of the manifest, instead of the one the copy serves.",
)
@click.option(
    "--public-key",
    "public_key_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Check the manifest's Ed25519 signature with this PEM public key first.",
)
@click.option(
    "--signature",
    "signature_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The manifest's signature.  [default: MANIFEST.sig, or the copy's]",
)
@click.option(
    "--concurrency",
    default=8,
    show_default=True,
    type=click.IntRange(min=1, max=64),
    help="Files fetched at once over HTTP.",
)
@click.option(
    "--timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds for each request, start to end.",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="Print only the differences, one a line (for cron)."
)
@debug_option
def verify(
    target: str,
    manifest_file: Path | None,
    public_key_file: Path | None,
    signature_file: Path | None,
    concurrency: int,
    timeout: float,
    quiet: bool,
    debug: bool,
) -> None:
    """Check a deployed copy (a folder or an http(s) address) against the build's manifest.

    Exit 0 when every file is as published, 1 on any changed, missing or extra file
    (extra files only in a folder), or a bad signature.
    """
    from govsite import verify as checking

    options = checking.VerifyOptions(
        manifest_file=manifest_file,
        public_key_file=public_key_file,
        signature_file=signature_file,
        concurrency=concurrency,
        timeout=timeout,
    )
    with reporting_errors(debug, Speaker(None)):
        try:
            outcome = checking.verify(target, options)
        except checking.VerifyUsageError as exc:
            raise click.UsageError(str(exc)) from None
    for difference in outcome.differences:
        click.echo(difference.format_text())
    if not quiet:
        click.echo(outcome.summary())
    sys.exit(EXIT_CONTENT_ERRORS if outcome.differences else 0)


@main.command(cls=EditorCommand)
@click.argument("directory", type=click.Path(path_type=Path))
@lang_option
def init(directory: Path, lang: str | None) -> None:
    """Create a new, buildable site in DIRECTORY with sample catalogues and records."""
    language = choose_language(lang, None)  # no site yet: --lang, the locale, else Chinese
    from govsite import scaffold

    with reporting_errors(False, Speaker(lang)):
        written = scaffold.create_site(directory)
    click.echo(text("init.done", count=len(written), folder=str(directory)).render(language))
    click.echo(text("init.next", folder=str(directory)).render(language))


@main.group()
def new() -> None:
    """Write a new record, interpretation or page with every field (see each one's --help)."""


# Required, but checked by scaffold so that its absence is told in the editor's language.
title_option = click.option("--title", help="The document's title (名称).  [required]")
record_slug_option = click.option(
    "--slug", help="File name (letters, digits, '-').  [default: AGENCY-YEAR-SERIAL]"
)
page_slug_option = click.option(
    "--slug", help="File name (letters, digits, '-').  [default: made from the title]"
)
agency_option = click.option(
    "--agency", help="Key of the issuing agency (default: the first in agencies.yaml)."
)


@new.command("record", cls=EditorCommand)
@title_option
@click.option(
    "--category",
    help="Catalogue key path, e.g. policies/municipal-government, or the category's title.",
)
@agency_option
@record_slug_option
@site_option
@lang_option
@debug_option
def new_record(
    title: str | None,
    category: str | None,
    agency: str | None,
    slug: str | None,
    site_dir: Path,
    lang: str | None,
    debug: bool,
) -> None:
    """Write a disclosure record (政府信息) with the next free index number (索引号) and
    today's dates; fill in its fields and replace the placeholder text."""
    from govsite import scaffold

    request = scaffold.NewDocument(
        kind="record", title=title or "", category=category, agency=agency, slug=slug
    )
    _write_new_document(site_dir, request, debug, Speaker(lang))


@new.command("interpretation", cls=EditorCommand)
@title_option
@click.option(
    "--interprets",
    "interprets",
    multiple=True,
    help="Index number of the record interpreted (repeat for several).",
)
@click.option(
    "--category",
    help="Catalogue key path.  [default: interpretations]",  # scaffold.INTERPRETATIONS_CATEGORY
)
@agency_option
@record_slug_option
@site_option
@lang_option
@debug_option
def new_interpretation(
    title: str | None,
    interprets: tuple[str, ...],
    category: str | None,
    agency: str | None,
    slug: str | None,
    site_dir: Path,
    lang: str | None,
    debug: bool,
) -> None:
    """Write a policy interpretation (政策解读) of the records named by --interprets, with
    the next free index number."""
    from govsite import scaffold

    request = scaffold.NewDocument(
        kind="interpretation",
        title=title or "",
        category=category,
        agency=agency,
        interprets=interprets,
        slug=slug,
    )
    _write_new_document(site_dir, request, debug, Speaker(lang))


@new.command("page", cls=EditorCommand)
@title_option
@page_slug_option
@site_option
@lang_option
@debug_option
def new_page(
    title: str | None, slug: str | None, site_dir: Path, lang: str | None, debug: bool
) -> None:
    """Write a plain page (the disclosure guide, an about page) under content/pages/."""
    from govsite import scaffold

    request = scaffold.NewDocument(kind="page", title=title or "", slug=slug)
    _write_new_document(site_dir, request, debug, Speaker(lang))


@new.command("report", cls=EditorCommand)
@click.option(
    "--year",
    type=int,  # 2008 (the 条例 took effect on 1 May 2008) to this year: scaffold.create_report
    help="The year the report covers (it is published the year after).  [required]",
)
@click.option("--agency", help="Key of the reporting body in agencies.yaml.  [default: the first]")
@site_option
@lang_option
@debug_option
def new_report(
    year: int | None, agency: str | None, site_dir: Path, lang: str | None, debug: bool
) -> None:
    """Write the year's 政府信息公开工作年度报告: a record with the six official headings and
    its statistics file (表二, 表三, 表四), filed under annual_report.category."""
    speaker = Speaker(lang)
    with reporting_errors(debug, speaker):
        project = speaker.heard(load_project(site_dir))
        from govsite import scaffold

        paths = scaffold.create_report(project, year, agency)
    for path in paths:
        click.echo(text("new.wrote", path=str(path)).render(speaker.language))
    click.echo(text("new.next").render(speaker.language))


def _write_new_document(
    site_dir: Path, request: scaffold.NewDocument, debug: bool, speaker: Speaker
) -> None:
    with reporting_errors(debug, speaker):
        project = speaker.heard(load_project(site_dir))
        from govsite import scaffold

        path = scaffold.create_document(project, request)
    click.echo(text("new.wrote", path=str(path)).render(speaker.language))
    click.echo(text("new.next").render(speaker.language))


def _executor_url(value: str | None) -> str | None:
    if (value is not None and not value.startswith("dask://")) or value == "dask://":
        raise click.BadParameter(f"'{value}' is not dask://HOST:PORT")
    return value


def _os_problem(exc: OSError) -> str:
    where = Path(exc.filename) if exc.filename else Path.cwd()
    with suppress(ValueError):
        where = where.relative_to(Path.cwd())
    return (
        f"{where}: error: {exc.strerror or exc}\n"
        "  hint: check that the folder exists, that you may write to it and that the disk "
        "is not full; nothing was changed in the build folder"
    )


@contextmanager
def reporting_errors(debug: bool, speaker: Speaker) -> Iterator[None]:
    """Turn build problems into messages and exit codes instead of tracebacks."""
    try:
        yield
    except BuildFailed as exc:
        click.echo(exc.format_text(speaker.language), err=True)
        sys.exit(EXIT_CONTENT_ERRORS)
    except ScaffoldError as exc:  # `govsite init` or `new` asked for what cannot be
        click.echo(exc.format_text(speaker.language), err=True)
        sys.exit(EXIT_USAGE)
    except UnsafeOutputDir as exc:
        raise click.UsageError(str(exc)) from None
    except SiteBusy as exc:
        click.echo(f"Error: {printable(str(exc))}", err=True)  # the holder's command is any text
        sys.exit(EXIT_USAGE)
    except (click.ClickException, click.exceptions.Exit):
        raise
    except OSError as exc:  # the machine refused a read or write: say which file, not a traceback
        click.echo(_os_problem(exc), err=True)
        sys.exit(EXIT_CONTENT_ERRORS)
    except Exception as exc:  # a bug in govsite, not in the site
        if debug:
            traceback.print_exc()
        click.echo(
            f"govsite failed unexpectedly: {type(exc).__name__}: {printable(str(exc))}\n"
            "This is a bug in govsite; run again with --debug for the traceback and report it.",
            err=True,
        )
        sys.exit(EXIT_INTERNAL_ERROR)
