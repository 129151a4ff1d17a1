"""The command line: `mentorsite build`, `check`, and friends."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from mentorsite import __version__
from mentorsite.build import build
from mentorsite.errors import SiteError, SiteErrors
from mentorsite.progress import NORMAL, QUIET, VERBOSE, Progress, setup_logging
from mentorsite.runner import Session
from mentorsite.sources.config import load_config


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mentorsite",
        description="Build a mentorship program handbook website from YAML and Markdown.",
    )
    parser.add_argument("--version", action="version", version=f"mentorsite {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback for every error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--config", "-c", metavar="FILE", help="the site configuration (default: site.yml)")
        p.add_argument("--strict", action="store_true", default=None, help="treat warnings as errors")
        talk(p)

    def talk(p: argparse.ArgumentParser) -> None:
        says = p.add_mutually_exclusive_group()
        says.add_argument("--quiet", "-q", action="store_true", default=argparse.SUPPRESS, help="print errors only")
        says.add_argument("--verbose", "-v", action="store_true", default=argparse.SUPPRESS,
                          help="say what each step made and how long it took")
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="--verbose, and a traceback for every error")

    p = _command(sub, "build", help="build the handbook into the output folder", description="Build the handbook website.")
    common(p)
    p.add_argument("--output", "-o", metavar="DIR", help="the output folder (default: site.yml's output, _site)")
    p.add_argument("--no-cache", action="store_true", help="ignore the cache of the last build and render every page")
    p.add_argument("--jobs", "-j", type=int, metavar="N", help="processes to use (default: one per core; 1 builds in this process)")
    _url_option(p)
    p = _command(sub, "serve", help="preview the handbook, rebuilding and reloading on every save",
                       description="Build the handbook, serve it on 127.0.0.1 under its base path, watch site.yml, "
                                   "content/ and themes/, rebuild what changed and reload open pages.")
    common(p)
    p.add_argument("--port", "-p", type=int, default=8000, help="the port (default: 8000; 0 picks a free one)")
    p.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--open", action="store_true", help="open the preview in a web browser")
    p = _command(sub, "check", help="validate the handbook without writing anything",
                       description="Validate data, references, Markdown and templates, render in memory and check "
                                   "every link; write nothing.")
    common(p)
    _url_option(p)
    p.add_argument("--external", action="store_true",
                   help="list the links to other sites and where they are used (they are not fetched)")
    p = _command(sub, "new", help="start a new handbook project",
                       description="Create a handbook project that builds as it is: site.yml, content/, a README, "
                                   "a .gitignore and a GitHub Pages workflow.")
    p.add_argument("folder", metavar="DIR", help="the folder to create (it must be empty or not exist)")
    p.add_argument("--example", action="store_true", help="copy the full example handbook instead of the small starter")
    p.add_argument("--force", action="store_true", help="write into a folder that is not empty (same-named files are replaced)")
    talk(p)
    p = _command(sub, "deploy", help="build and publish the handbook to a gh-pages branch",
                       description="Build the site, commit it to a branch of this git repository without touching "
                                   "your working tree, index or current branch, and push it.")
    common(p)
    _url_option(p)
    p.add_argument("--branch", default="gh-pages", help="the branch to publish to (default: gh-pages)")
    p.add_argument("--remote", default="origin", help="the remote to push to (default: origin)")
    p.add_argument("--message", "-m", metavar="M",
                   help="the commit message; {sha} and {branch} name the source commit (default: 'Deploy {sha} from {branch}')")
    p.add_argument("--allow-dirty", action="store_true", help="deploy even with uncommitted changes to site.yml, content/ or themes/")
    p.add_argument("--force", action="store_true", help="force the push, replacing the remote branch's history")
    p.add_argument("--no-push", dest="push", action="store_false", help="commit to the local branch only")
    p.add_argument("--overwrite-source-branch", action="store_true",
                   help="publish even to a branch that holds your handbook's sources: its next commit holds only the "
                        "site, in their place (they stay in its history)")
    p = _command(sub, "packs", help="personalised worksheet packs for every pair of a roster",
                       description="Read a roster (CSV: mentor, mentee, type, milestones, start, and any other "
                                   "columns) and write, for each pair, its worksheets as fillable PDFs pre-filled "
                                   "with the pair's names and dates, and its calendar (.ics); plus index.html.")
    common(p)
    p.add_argument("roster", metavar="ROSTER.csv", help="the roster")
    p.add_argument("--out", "-o", metavar="DIR", default="packs", help="the folder to write (default: packs)")
    p.add_argument("--shard", metavar="K/N", help="make only the K-th of N slices of the pairs (e.g. 1/4 on the first of four machines)")
    p.add_argument("--jobs", "-j", type=int, metavar="N", help="processes to use (default: one per core)")
    return parser


def _config_path(given: str | None) -> Path:
    """The site configuration to read: --config's file, or site.yml here; either must exist."""
    if given is None:
        if not Path("site.yml").is_file():
            raise SiteError(None, "no site.yml in this folder — run mentorsite in a handbook folder, pass "
                                  "--config PATH, or create a handbook with 'mentorsite new DIR'")
        return Path("site.yml")
    if not Path(given).is_file():
        what = "is a folder" if Path(given).is_dir() else "does not exist"
        raise SiteError(None, f"--config {given}: the file {what} — give the path of the handbook's site.yml, "
                              "relative to this folder")
    return Path(given)


def _command(sub, name: str, **kwargs) -> argparse.ArgumentParser:
    """A subcommand's parser, which knows itself: a mistake in its arguments prints its own usage."""
    p = sub.add_parser(name, **kwargs)
    p.set_defaults(usage_of=p)
    return p


def _url_option(p: argparse.ArgumentParser) -> None:
    """The --url option: the public address, overriding site.yml's url."""
    p.add_argument("--url", metavar="URL", help="the site's public address, instead of site.yml's url "
                   "(the GitHub Pages workflow passes the address Pages gives it)")


def run() -> None:
    """The `mentorsite` program: main(), then exit. After a build, the interpreter's own exit would
    free every object of the site one by one (a tenth of a second at 1,000 guides) for a memory the
    system takes back at once: the output is flushed and the process ends without that."""
    try:
        code = main()
    except BrokenPipeError:  # the reader of the output went away (`mentorsite check | head -1`): no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # (Python's exit flushes stdout again)
        code = 1
    if _quick_exit:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            code = code or 1
        logging.shutdown()
        os._exit(code)
    sys.exit(code)


_quick_exit = False  # set by main for the commands that hold no resource beyond their own run


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 user error, 2 bad usage)."""
    global _quick_exit
    parser = _parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # reported with the usage of the command they were given to, not the top level's
        getattr(args, "usage_of", parser).error(f"unrecognized arguments: {' '.join(unknown)}")
    for name, value in vars(args).items():
        if value == []:  # argparse (before Python 3.12.x) reads '--output=--' as [], not '--'
            setattr(args, name, "--")
    _quick_exit = args.command in ("build", "check")
    if getattr(sys.stdout, "errors", "") == "strict" and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")  # a file name that is not UTF-8 is shown, as on stderr
    level = QUIET if getattr(args, "quiet", False) else VERBOSE if getattr(args, "verbose", False) or args.debug else NORMAL
    setup_logging(level)
    args.progress = Progress(level)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return _run(args)
    except (SiteError, SiteErrors) as e:
        if args.debug:
            raise
        errors = e.errors if isinstance(e, SiteErrors) else [e]
        for err in errors:
            print(f"{err}", file=sys.stderr)
        if args.command in ("build", "check"):
            print(f"mentorsite: {len(errors)} problem{'s' if len(errors) != 1 else ''} found; nothing was written"
                  if args.command == "build" else f"mentorsite: {len(errors)} problem{'s' if len(errors) != 1 else ''} found",
                  file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("mentorsite: interrupted", file=sys.stderr)
        return 130


def _run(args) -> int:
    if args.command == "new":
        return _new(args)
    config_path = _config_path(args.config)
    if args.command == "serve":
        from mentorsite.commands.serve import serve  # (put off: the other commands, a build above all, need none of it)

        return serve(config_path, host=args.host, port=args.port, open_browser=args.open, progress=args.progress)
    config = load_config(config_path, output=getattr(args, "output", None), strict=args.strict,
                         url=getattr(args, "url", None))
    if args.command == "build":
        if args.jobs is not None and args.jobs < 1:
            raise SiteError(None, f"--jobs {args.jobs}: give a number of processes, 1 or more")
        report = build(config, cache=not args.no_cache, jobs=args.jobs, session=Session(args.progress))
        _warnings(args, report.warnings)
        _say(args, f"Built {report.pages} pages ({report.rendered} rendered, {report.written} of {report.files} "
                   f"files changed) into {config.output}/ in {report.seconds:.2f} s")
        if report.pdfs or report.pdfs_cached:
            # (no time here: the two PDF steps share their workers, and the progress line gave theirs)
            _say(args, f"Worksheet PDFs: {report.pdfs} made, {report.pdfs_cached} unchanged")
        if report.books or report.books_cached:
            _say(args, f"Handbook PDFs: {report.books} made, {report.books_cached} unchanged")
        return 0
    if args.command == "check":
        from mentorsite.commands.check import check  # (put off: see serve)

        report = check(config)
        warnings = report.warnings
        _warnings(args, warnings)
        if args.external:
            _external(report.external)
        if report.errors:
            raise SiteErrors(list(report.errors))
        where = f" in {report.languages} languages" if report.languages > 1 else ""
        _say(args, f"Checked {report.pages} pages{where}: no errors"
                   + (f", {len(warnings)} warning{'s' if len(warnings) != 1 else ''}" if warnings else ""))
        return 0
    if args.command == "deploy":
        return _deploy(args, config)
    if args.command == "packs":
        return _packs(args, config)
    return 2


def _new(args) -> int:
    from mentorsite.commands.new import new_project  # (put off: see serve)

    report = new_project(Path(args.folder), example=args.example, force=args.force)
    folder = report.folder
    _say(args, f"Created {'the example handbook' if args.example else 'a new handbook'} in {folder}/ "
               f"({len(report.files)} files).")
    _say(args, "Next steps:")
    if folder.resolve() != Path.cwd().resolve():
        _say(args, f"  cd {folder}")
    _say(args, "  mentorsite check        # find mistakes and broken links; writes nothing")
    _say(args, "  mentorsite build        # writes the site into _site/")
    _say(args, "To publish on GitHub Pages, push to GitHub and set Settings > Pages > Source to 'GitHub Actions'.")
    return 0


def _deploy(args, config) -> int:
    def build_and_report(cfg):
        report = build(cfg, session=Session(args.progress))
        _warnings(args, report.warnings)
        if not cfg.url and args.progress.level > QUIET:  # a project site's links would all lead out of it
            name = Path(args.config or "site.yml").name
            print(f"warning: {name} has no url — every link starts at / and breaks on a GitHub Pages project site "
                  f"(https://org.github.io/handbook/): set url in {name}, or pass --url", file=sys.stderr)
        _say(args, f"Built {report.pages} pages into {cfg.output}/")
        return report

    from mentorsite.commands.deploy import deploy  # (put off: see serve)

    config_file = _config_path(args.config)
    report = deploy(config, build=build_and_report, config_file=config_file, branch=args.branch,
                    remote=args.remote, message=args.message, allow_dirty=args.allow_dirty, force=args.force,
                    push=args.push, overwrite_source_branch=args.overwrite_source_branch)
    where = f"pushed to {report.remote}" if report.remote else "not pushed (--no-push)"
    _say(args, f"Committed {report.files} files to '{report.branch}' as {report.commit[:7]} "
          f"({report.message.splitlines()[0]}); {where}")
    return 0


def _packs(args, config) -> int:
    from mentorsite.commands.packs import make_packs, parse_shard  # (put off: see serve)

    try:
        shard = parse_shard(args.shard) if args.shard else None
    except ValueError as e:
        print(f"mentorsite packs: {e}", file=sys.stderr)
        return 2
    if args.jobs is not None and args.jobs < 1:
        print(f"mentorsite packs: --jobs {args.jobs}: give a number of processes, 1 or more", file=sys.stderr)
        return 2
    roster = Path(args.roster)
    report = make_packs(config, roster, Path(args.out), shard=shard, jobs=args.jobs, progress=args.progress,
                        shown=roster)
    for err in report.errors:
        print(str(err), file=sys.stderr)
    where = f" (shard {shard[0]}/{shard[1]})" if shard else ""
    _say(args, f"Wrote {report.pairs} pair{'s' if report.pairs != 1 else ''}{where}, {report.files} files, into "
               f"{args.out}/ in {report.seconds:.1f} s")
    if report.removed:
        _say(args, f"Removed {report.removed} file{'s' if report.removed != 1 else ''} of pairs or worksheets no longer "
              "in the roster")
    if report.kept_stale and args.progress.level > QUIET:
        print(f"Kept {report.kept_stale} file{'s' if report.kept_stale != 1 else ''} of pairs or worksheets no longer "
              "in the roster: they are removed once its bad rows are fixed", file=sys.stderr)
    if report.errors:
        print(f"mentorsite: {len(report.errors)} problem{'s' if len(report.errors) != 1 else ''} in the roster; "
              "those rows were not made", file=sys.stderr)
        return 1
    return 0


def _external(links) -> None:
    print(f"External links (listed, not fetched): {len(links)}")
    for link in links:
        print(link.url)
        for loc in link.used:
            print(f"    {loc}")


def _say(args, line: str) -> None:
    """A line of the command's report on stdout (none with --quiet)."""
    if args.progress.level > QUIET:
        print(line)


def _warnings(args, warnings) -> None:
    if args.progress.level > QUIET:
        for w in warnings:
            print(f"{w.loc}: warning: {w.message}" if w.loc else f"warning: {w.message}", file=sys.stderr)
