"""The command line: `mentorsite build`, `check`, and friends."""

from __future__ import annotations

import argparse
import gc
import logging
import os
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
    p.add_argument("--jobs", "-j", type=int, metavar="N", help="processes to use (default: one per core; 1 builds in this process)")
    _url_option(p)
    p = sub.add_parser("serve", help="preview the handbook, rebuilding and reloading on every save",
                       description="Build the handbook, serve it on 127.0.0.1 under its base path, watch site.yml, "
                                   "content/ and themes/, rebuild what changed and reload open pages.")
    common(p)
    p.add_argument("--port", "-p", type=int, default=8000, help="the port (default: 8000; 0 picks a free one)")
    p.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--open", action="store_true", help="open the preview in a web browser")
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
    p = sub.add_parser("deploy", help="build and publish the handbook to a gh-pages branch",
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
    p = sub.add_parser("packs", help="personalised worksheet packs for every pair of a roster",
                       description="Read a roster (CSV: mentor, mentee, type, milestones, start, and any other "
                                   "columns) and write, for each pair, its worksheets as fillable PDFs pre-filled "
                                   "with the pair's names and dates, and its calendar (.ics); plus index.html.")
    common(p)
    p.add_argument("roster", metavar="ROSTER.csv", help="the roster")
    p.add_argument("--out", "-o", metavar="DIR", default="packs", help="the folder to write (default: packs)")
    p.add_argument("--shard", metavar="K/N", help="make only the K-th of N slices of the pairs (e.g. 1/4 on the first of four machines)")
    p.add_argument("--jobs", "-j", type=int, metavar="N", help="processes to use (default: one per core)")
    return parser


def _url_option(p: argparse.ArgumentParser) -> None:
    """The --url option: the public address, overriding site.yml's url."""
    p.add_argument("--url", metavar="URL", help="the site's public address, instead of site.yml's url "
                   "(the GitHub Pages workflow passes the address Pages gives it)")


def run() -> None:
    """The `mentorsite` program: main(), then exit. After a build, the interpreter's own exit would
    free every object of the site one by one (a tenth of a second at 1,000 guides) for a memory the
    system takes back at once: the output is flushed and the process ends without that."""
    code = main()
    if _quick_exit:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            code = code or 1
        logging.shutdown()
        os._exit(code)
    sys.exit(code)


_settle = False  # set by main: the garbage collector is off while a build loads (_keep_loaded)
_quick_exit = False  # set by main for the commands that hold no resource beyond their own run


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 user error, 2 bad usage)."""
    global _quick_exit
    parser = _parser()
    args = parser.parse_args(argv)
    _quick_exit = args.command in ("build", "check")
    if getattr(sys.stdout, "errors", "") == "strict" and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")  # a file name that is not UTF-8 is shown, as on stderr
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if getattr(args, "debug", False):  # and the time each build step took
        logging.getLogger("mentorsite.build").setLevel(logging.DEBUG)
    if args.command is None:
        parser.print_help()
        return 2
    global _settle
    # a build turns the garbage collector off while it loads (see _keep_loaded), unless a caller
    # in this process has set it otherwise
    _settle = args.command == "build" and gc.isenabled() and gc.get_freeze_count() == 0
    if _settle:
        gc.disable()
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
    finally:
        if _settle:  # as it was, for a caller in this process (a test) that goes on
            gc.unfreeze()
            gc.enable()


def _keep_loaded() -> None:
    """A build's site is loaded (build's loaded): the modules, the cache and the site live until
    the process ends. The garbage collector was off while they loaded, and skips them from now
    on: each of its full passes went through all of them again, 10-20% of a one-guide build.
    The pages' objects made from now on are collected as usual."""
    if _settle:
        gc.freeze()
        gc.enable()


def _run(args) -> int:
    from mentorsite.build import build, check
    from mentorsite.config import load_config

    if args.command == "new":
        return _new(args)
    if args.command == "serve":
        from mentorsite.serve import serve

        return serve(Path(args.config), host=args.host, port=args.port, open_browser=args.open)
    config = load_config(Path(args.config), output=getattr(args, "output", None), strict=args.strict,
                         url=getattr(args, "url", None))
    if args.command == "build":
        if args.jobs is not None and args.jobs < 1:
            raise SiteError(None, f"--jobs {args.jobs}: give a number of processes, 1 or more")
        report = build(config, use_cache=not args.no_cache, jobs=args.jobs, loaded=_keep_loaded)
        _warnings(report.warnings)
        print(f"Built {report.pages} pages ({report.rendered} rendered, {report.written} of {report.files} "
              f"files changed) into {config.output}/ in {report.seconds:.2f} s")
        if report.pdfs or report.pdfs_cached:
            print(f"Worksheet PDFs: {report.pdfs} made, {report.pdfs_cached} unchanged, in {report.pdf_seconds:.2f} s")
        if report.books or report.books_cached:
            print(f"Handbook PDFs: {report.books} made, {report.books_cached} unchanged")
        return 0
    if args.command == "check":
        report = check(config)
        warnings = report.warnings
        _warnings(warnings)
        if args.external:
            _external(report.external)
        if report.errors:
            raise SiteErrors(list(report.errors))
        where = f" in {report.languages} languages" if report.languages > 1 else ""
        print(f"Checked {report.pages} pages{where}: no errors"
              + (f", {len(warnings)} warning{'s' if len(warnings) != 1 else ''}" if warnings else ""))
        return 0
    if args.command == "deploy":
        return _deploy(args, config)
    if args.command == "packs":
        return _packs(args, config)
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


def _deploy(args, config) -> int:
    from mentorsite.build import build
    from mentorsite.deploy import deploy

    def build_and_report(cfg):
        report = build(cfg)
        _warnings(report.warnings)
        print(f"Built {report.pages} pages into {cfg.output}/")
        return report

    report = deploy(config, build=build_and_report, config_file=Path(args.config), branch=args.branch,
                    remote=args.remote, message=args.message, allow_dirty=args.allow_dirty, force=args.force,
                    push=args.push)
    where = f"pushed to {report.remote}" if report.remote else "not pushed (--no-push)"
    print(f"Committed {report.files} files to '{report.branch}' as {report.commit[:7]} "
          f"({report.message.splitlines()[0]}); {where}")
    return 0


def _packs(args, config) -> int:
    from mentorsite.packs import Progress, make_packs, parse_shard

    try:
        shard = parse_shard(args.shard) if args.shard else None
    except ValueError as e:
        print(f"mentorsite packs: {e}", file=sys.stderr)
        return 2
    if args.jobs is not None and args.jobs < 1:
        print(f"mentorsite packs: --jobs {args.jobs}: give a number of processes, 1 or more", file=sys.stderr)
        return 2
    roster = Path(args.roster)
    report = make_packs(config, roster, Path(args.out), shard=shard, jobs=args.jobs, progress=Progress("Packs"),
                        shown=roster)
    for err in report.errors:
        print(str(err), file=sys.stderr)
    where = f" (shard {shard[0]}/{shard[1]})" if shard else ""
    print(f"Wrote {report.pairs} pair{'s' if report.pairs != 1 else ''}{where}, {report.files} files, into "
          f"{args.out}/ in {report.seconds:.1f} s")
    if report.removed:
        print(f"Removed {report.removed} file{'s' if report.removed != 1 else ''} of pairs or worksheets no longer "
              "in the roster")
    if report.kept_stale:
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


def _warnings(warnings) -> None:
    for w in warnings:
        print(f"{w.loc}: warning: {w.message}" if w.loc else f"warning: {w.message}", file=sys.stderr)
