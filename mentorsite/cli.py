"""The command line: `mentorsite build`, `check`, and friends."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from mentorsite import __version__
from mentorsite.errors import SiteError, SiteErrors


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mentorsite",
        description="Build a mentorship program handbook website from YAML and Markdown.",
    )
    parser.add_argument("--version", action="version", version=f"mentorsite {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback for every error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--config", "-c", default="site.yml", metavar="FILE", help="the site configuration (default: site.yml)")
        p.add_argument("--strict", action="store_true", default=None, help="treat warnings as errors")
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show a traceback for every error")

    p = sub.add_parser("build", help="build the handbook into the output folder", description="Build the handbook website.")
    common(p)
    p.add_argument("--output", "-o", metavar="DIR", help="the output folder (default: site.yml's output, _site)")
    p.add_argument("--no-cache", action="store_true", help="ignore the cache of the last build and render every page")
    _url_option(p)
    p = sub.add_parser("check", help="validate the handbook without writing anything",
                       description="Validate data, references, Markdown and templates, render in memory and check "
                                   "every link; write nothing.")
    common(p)
    _url_option(p)
    p.add_argument("--external", action="store_true",
                   help="list the links to other sites and where they are used (they are not fetched)")
    p = sub.add_parser("new", help="start a new handbook project",
                       description="Create a handbook project that builds as it is: site.yml, content/, a README, "
                                   "a .gitignore and a GitHub Pages workflow.")
    p.add_argument("folder", metavar="DIR", help="the folder to create (it must be empty or not exist)")
    p.add_argument("--example", action="store_true", help="copy the full example handbook instead of the small starter")
    p.add_argument("--force", action="store_true", help="write into a folder that is not empty (same-named files are replaced)")
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show a traceback for every error")
    return parser


def _url_option(p: argparse.ArgumentParser) -> None:
    """The --url option: the public address, overriding site.yml's url."""
    p.add_argument("--url", metavar="URL", help="the site's public address, instead of site.yml's url "
                   "(the GitHub Pages workflow passes the address Pages gives it)")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 user error, 2 bad usage)."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
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
    from mentorsite.build import build, check
    from mentorsite.config import load_config

    if args.command == "new":
        return _new(args)
    config = load_config(Path(args.config), output=getattr(args, "output", None), strict=args.strict,
                         url=getattr(args, "url", None))
    if args.command == "build":
        report = build(config, use_cache=not args.no_cache)
        _warnings(report.warnings)
        print(f"Built {report.pages} pages ({report.rendered} rendered, {report.written} of {report.files} "
              f"files changed) into {config.output}/ in {report.seconds:.2f} s")
        return 0
    if args.command == "check":
        report = check(config)
        warnings = report.warnings
        _warnings(warnings)
        if args.external:
            _external(report.external)
        if report.errors:
            raise SiteErrors(list(report.errors))
        print(f"Checked {len(report.site.pages)} pages: no errors" + (f", {len(warnings)} warning{'s' if len(warnings) != 1 else ''}" if warnings else ""))
        return 0
    return 2


def _new(args) -> int:
    from mentorsite.new import new_project

    report = new_project(Path(args.folder), example=args.example, force=args.force)
    folder = report.folder
    print(f"Created {'the example handbook' if args.example else 'a new handbook'} in {folder}/ ({len(report.files)} files).")
    print("Next steps:")
    if folder.resolve() != Path.cwd().resolve():
        print(f"  cd {folder}")
    print("  mentorsite check        # find mistakes and broken links; writes nothing")
    print("  mentorsite build        # writes the site into _site/")
    print("To publish on GitHub Pages, push to GitHub and set Settings > Pages > Source to 'GitHub Actions'.")
    return 0


def _external(links) -> None:
    print(f"External links (listed, not fetched): {len(links)}")
    for link in links:
        print(link.url)
        for loc in link.used:
            print(f"    {loc}")


def _warnings(warnings) -> None:
    for w in warnings:
        print(f"{w.loc}: warning: {w.message}" if w.loc else f"warning: {w.message}", file=sys.stderr)
