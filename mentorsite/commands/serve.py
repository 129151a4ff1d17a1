"""`mentorsite serve`: build, serve on 127.0.0.1 under the site's base path, rebuild on change,
and reload open pages (Server-Sent Events). The reload script is added to pages as they are
served, never written into the built site. The pages are served as soon as they are written;
the PDFs are made afterwards, in the background (preview_pdfs.py)."""

from __future__ import annotations

import gc
import html
import http.server
import logging
import mimetypes
import os
import queue
import socket
import sys
import threading
import time
import webbrowser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from mentorsite.build import build, output_dir
from mentorsite.commands.preview_pdfs import RETRY, STEPS as PDF_STEPS, PreviewPdfs, being_made, requested
from mentorsite.progress import NORMAL
from mentorsite.errors import SiteError, SiteErrors
from mentorsite.runner import Session, Superseded
from mentorsite.sources.config import load_config
from mentorsite.sources.theme import default_theme_dir, theme_env
from mentorsite.state import BuildState
from mentorsite.write import OutputVanished

log = logging.getLogger(__name__)

EVENTS = "/__mentorsite__/events"
SETTLE = 0.01  # seconds without a new change before a burst of saves is rebuilt
# The page knows the build it was served from; the server names its latest build first thing
# on every connection, so a reload sent while the page was still loading is not missed.
_RELOAD_SCRIPT = b"""<script>(function(){var b="build %d",s=new EventSource("%s");s.onmessage=function(e){if(e.data==="reload"||(e.data.indexOf("build ")===0&&e.data!==b))location.reload();};})();</script>"""


class PreviewSession(Session):
    """What a preview gives each build: the state and theme it keeps from one build to the next,
    the steps this build leaves for later, whether newer saves came in (it then stops), and for
    its PDFs, their own pool, order, and a place in the site as soon as each is made."""

    in_place = True

    def __init__(self, state: BuildState, env, defer: frozenset[str] = frozenset(), superseded=None,
                 pdfs: PreviewPdfs | None = None):
        super().__init__()
        self.state, self.env, self.defer = state, env, defer
        self._superseded = superseded
        self.pdfs = pdfs

    def defers(self, step: str) -> bool:
        return step in self.defer

    def superseded(self) -> bool:
        return self._superseded is not None and self._superseded()

    def pool(self, workers: int):
        return self.pdfs.workers(workers) if self.pdfs is not None else super().pool(workers)

    def release(self, pool) -> None:
        if self.pdfs is not None:
            pool.clear()  # (a superseded build's tasks; the workers stay for the next build)
        else:
            super().release(pool)

    def rank(self, task) -> tuple:
        return self.pdfs.rank(task) if self.pdfs is not None else super().rank(task)

    def made(self, made, output: Path) -> None:
        if self.pdfs is not None and made.artifact.name.endswith(".pdf"):
            for rel, content in made.files.items():
                self.pdfs.made(rel, content, output)


# What the first build of a save leaves for the second, right after it (the pages that hold every
# page); the PDFs are made by a third, in the background.
LATER = frozenset({"print", "search"})


class Preview:
    """The live state of a preview: the config, the last build's result, and the open browsers."""

    def __init__(self, config_path: Path, host: str, port: int, level: int = NORMAL):
        self.config_path = config_path
        self.level = level  # how much to say (progress.py's QUIET, NORMAL, VERBOSE)
        self.host, self.port = host, port
        self.state: BuildState | None = None
        self.env = None
        self.errors: list[SiteError] = []
        self.clients: set[queue.Queue] = set()
        self.lock = threading.Lock()
        self.config = None
        self.output: Path | None = None
        self.pending: frozenset[str] = frozenset()  # the print pages and search index, deferred (requests wait)
        self.pdfs = PreviewPdfs()  # the PDFs, made in the background
        self.busy = threading.Lock()  # held while the PDFs are made
        self.stopping = False
        self.generation = 0  # how many times the open pages were told to reload
        self.settled = threading.Event()  # set when nothing is pending
        self.settled.set()

    # -- building

    def rebuild(self, changed: set[str] | None = None, superseded=None, retry: bool = True) -> bool:
        """Build (incrementally after the first time) and tell every open page to reload; False
        (nothing written, nothing told) when superseded() said newer changes came in meanwhile."""
        start = time.perf_counter()
        try:
            config = load_config(self.config_path)
            if self.config is None or config.theme != self.config.theme or config.output != self.config.output:
                self.env = None
            if changed and any("templates" in Path(p).parts or p.endswith("theme.yml") for p in changed):
                self.env = None
            self.config = config
            self.output = output_dir(config)
            remade = self.state is not None and not self.output.is_dir()  # deleted while serving: made again, whole
            if self.state is None:
                self.state = BuildState.for_preview(config.root, self.output)
            if self.env is None:
                self.env = theme_env(config)
            # pages first (then the browser reloads), the print pages and the search index, which
            # hold every page, right after: a request for one of them waits until it is up to date;
            # the PDFs last, in the background (make_pdfs)
            try:
                report = build(config, session=PreviewSession(self.state, self.env, LATER | PDF_STEPS, superseded))
            except Superseded:
                return False
            what = ("site folder deleted, made again" if remade
                    else _describe(changed, config.root) if changed else "first build")
            self.errors = []
            self.say(f"{time.strftime('%H:%M:%S')} {what}: {report.rendered} of {report.pages} pages rendered, "
                     f"{report.written} files written in {time.perf_counter() - start:.3f} s")
            for w in report.warnings:
                self.say(f"{w.loc}: warning: {w.message}")
            later = [out for name in LATER if name in report.steps for out in report.steps[name].deferred]
            if later:
                self.pending = frozenset(later)
                self.settled.clear()
                self.broadcast("reload")
                then = time.perf_counter()
                try:
                    report = build(config, session=PreviewSession(self.state, self.env, PDF_STEPS))
                finally:
                    self.pending = frozenset()
                    self.settled.set()
                self.say(f"{time.strftime('%H:%M:%S')}   and the print pages and search index: {report.rendered} "
                         f"pages rendered, {report.written} files written in {time.perf_counter() - then:.3f} s")
                self.pdfs.left(report)
                return True
            self.pdfs.left(report)
        except OutputVanished:  # the site folder was deleted while it was built: made again, whole
            if retry:
                return self.rebuild(changed, superseded, retry=False)
            self._failed([SiteError(None, "the site folder was deleted twice while it was built — save a file to build again")])
        except (SiteError, SiteErrors) as e:
            self._failed(e.errors if isinstance(e, SiteErrors) else [e])
        except Exception as e:  # a bug must not stop the preview: show it, keep serving
            log.exception("unexpected error while building")
            self._failed([SiteError(None, f"unexpected error: {type(e).__name__}: {e} (a bug in mentorsite or a plugin)")])
        self.broadcast("reload")
        return True

    def make_pdfs(self, superseded) -> None:
        """Make the PDFs the last build left for later, in the background, each put into the
        site as soon as it is made (preview_pdfs.py); a save stops them (superseded()), and they
        go on after its build."""
        start = time.perf_counter()
        try:
            with self.busy:
                session = PreviewSession(self.state, self.env, frozenset(), lambda: superseded() or self.stopping, self.pdfs)
                report = build(self.config, session=session)
        except (Superseded, OutputVanished):  # (a save, or the site folder deleted: the build it sets off
            return                              # makes the site, and then the PDFs, again)
        except Exception as e:  # (the site's problems, or a bug: shown, and the preview goes on)
            self.pdfs.finished()
            self._failed(_problems(e))
            self.broadcast("reload")
            return
        self.pdfs.finished()
        made = sum(report.steps[name].made for name in PDF_STEPS if name in report.steps)
        self.say(f"{time.strftime('%H:%M:%S')}   and the PDFs: {made} made in {time.perf_counter() - start:.1f} s")

    def _failed(self, errors: list[SiteError]) -> None:
        self.errors = errors
        self.env = None
        self.pdfs.finished()  # (a request for a PDF not made gets the error page)
        kept = "the last good site is kept" if self.output is not None and self.output.is_dir() else "there is no site"
        self.say(f"{time.strftime('%H:%M:%S')} build failed ({kept}; its pages show these problems until the next "
                 "good save):", error=True)
        for err in self.errors:
            self.say(f"  {err}", error=True)

    def say(self, line: str, error: bool = False) -> None:
        """A line of the preview's log (errors on stderr, whatever --quiet says)."""
        if error:
            print(line, file=sys.stderr, flush=True)
        elif self.level >= NORMAL:
            print(line, flush=True)

    def broadcast(self, message: str) -> None:
        """Send an event to every open page (a reload: the site is a new build)."""
        with self.lock:
            if message == "reload":
                self.generation += 1
            for q in list(self.clients):
                q.put(message)

    # -- what the server sends

    def base(self) -> str:
        return self.config.base_path if self.config else "/"

    def error_page(self) -> bytes:
        items = "".join(
            f"<li>{'<code>' + html.escape(str(e.loc)) + ':</code> ' if e.loc else ''}{html.escape(e.message)}</li>"
            for e in self.errors
        )
        return (
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title>"
            "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2a30}"
            "h1{color:#9a3412}li{margin:.6rem 0}code{background:#fdecea;padding:.1rem .3rem;border-radius:4px}</style>"
            "</head><body><main><h1>The handbook could not be built</h1>"
            f"<p>Fix {'this problem' if len(self.errors) == 1 else 'these problems'} and save: this page reloads by itself.</p>"
            f"<ul class=\"build-errors\">{items}</ul></main></body></html>"
        ).encode("utf-8")


def _problems(e: Exception) -> list[SiteError]:
    """What a failed build shows: the site's problems, or a bug (logged with its traceback)."""
    if isinstance(e, (SiteError, SiteErrors)):
        return e.errors if isinstance(e, SiteErrors) else [e]
    log.exception("unexpected error while building")
    return [SiteError(None, f"unexpected error: {type(e).__name__}: {e} (a bug in mentorsite or a plugin)")]


def _describe(changed: set[str], root: Path) -> str:
    names = sorted(_shown(p, root) for p in changed if not Path(p).is_dir())
    if len(names) > 3:
        return f"{', '.join(names[:3])} and {len(names) - 3} more changed"
    return f"{', '.join(names)} changed"


def _shown(path: str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return path


def resolve_request(path: str, base: str, root: Path) -> Path | None:
    """The file under root that a request path names, or None (outside the base path, '..',
    encoded traversal, absolute paths, NUL, or a symlink leading out of root)."""
    raw = urlsplit(path).path
    decoded = unquote(raw)
    if "\x00" in decoded or "\\" in decoded:
        return None
    if not decoded.startswith(base):
        return None
    rel = decoded[len(base):]
    parts = [p for p in rel.split("/") if p]
    if any(p in (".", "..") for p in parts):
        return None
    target = root.joinpath(*parts) if parts else root
    try:
        real = target.resolve(strict=True)
        real_root = root.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if real != real_root and real_root not in real.parents:
        return None
    if real.is_dir():
        if not raw.endswith("/"):
            return real  # the handler redirects to the slash form
        index = real / "index.html"
        return index if index.is_file() else None
    return real if real.is_file() else None


class _Handler(http.server.BaseHTTPRequestHandler):
    preview: Preview
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # one line per rebuild is the log; requests stay quiet
        log.debug(fmt, *args)

    def handle(self):
        """Answer a connection; a client that hangs up before its answer is sent (a closed tab, a
        reload) is nobody's problem: nothing is printed for it."""
        try:
            super().handle()
        except (ConnectionError, TimeoutError):  # a broken pipe, a reset, an aborted connection
            self.close_connection = True

    def do_HEAD(self):
        self.do_GET(head=True)

    def do_GET(self, head: bool = False):
        preview = self.preview
        if urlsplit(self.path).path == EVENTS:
            return self._events()
        output = preview.output
        base = preview.base()
        if self.path in ("/", "") and base != "/":
            return self._redirect(base)
        rel = requested(self.path, base)
        if preview.pdfs.waits(rel) and not preview.pdfs.wait(rel):  # a PDF not made yet (made first now)
            body = self._inject(being_made(rel))
            return self._send(503, "text/html; charset=utf-8", body, head, {"Retry-After": str(RETRY)})
        target = resolve_request(self.path, base, output) if output else None
        if target is not None and preview.pending and target.relative_to(output).as_posix() in preview.pending:
            preview.settled.wait(60)  # a print page or the search index, being brought up to date
        if target is not None and target.is_dir():
            return self._redirect(urlsplit(self.path).path + "/")
        if preview.errors and (target is None or target.suffix == ".html"):
            return self._send(500, "text/html; charset=utf-8", self._inject(preview.error_page()), head)
        if target is None and output is not None and not output.is_dir():
            return self._send(503, "text/html; charset=utf-8", self._inject(self._remaking(output)), head)
        if target is None:
            not_found = output / "404.html" if output else None
            body = not_found.read_bytes() if not_found and not_found.is_file() else b"<h1>Not found</h1>"
            return self._send(404, "text/html; charset=utf-8", self._inject(body), head)
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        body = target.read_bytes()
        if ctype == "text/html":
            body = self._inject(body)
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json", "image/svg+xml"):
            ctype += "; charset=utf-8"
        self._send(200, ctype, body, head)

    def _remaking(self, output: Path) -> bytes:
        """The page shown when the site folder was deleted: the watcher sees it go when it is in
        the folder of site.yml (watched), and the preview makes it again; else the next save does."""
        watched = self.preview.config is not None and output.parent == self.preview.config.root
        when = "the preview is making it again" if watched else "save a file of the handbook to make it again"
        return (
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>The site folder was deleted</title>"
            "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2a30}"
            "</style></head><body><main><h1>The site folder was deleted</h1>"
            f"<p>The folder <code>{html.escape(output.name + '/' if watched else str(output))}</code> is gone; {when}. "
            "This page reloads by itself "
            "when it is back.</p></main></body></html>"
        ).encode("utf-8")

    def _inject(self, body: bytes) -> bytes:
        script = _RELOAD_SCRIPT % (self.preview.generation, EVENTS.encode())
        at = body.rfind(b"</body>")
        return body[:at] + script + body[at:] if at >= 0 else body + script

    def _send(self, status: int, ctype: str, body: bytes, head: bool = False, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _events(self) -> None:
        q: queue.Queue = queue.Queue()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        with self.preview.lock:
            self.preview.clients.add(q)
            generation = self.preview.generation
        try:
            self.wfile.write(f"data: build {generation}\n\n".encode())
            self.wfile.flush()
            while True:
                try:
                    message = q.get(timeout=15)
                except queue.Empty:
                    message = None
                if message == "__stop__":
                    break
                self.wfile.write(f"data: {message}\n\n".encode() if message else b": ping\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            with self.preview.lock:
                self.preview.clients.discard(q)
            self.close_connection = True


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def _watch(preview: Preview, paths: list[Path]):
    """Start watchdog on paths; changes settle for SETTLE seconds, then one rebuild runs."""
    from watchdog.events import FileSystemEventHandler  # (put off: only the preview watches files)
    from watchdog.observers import Observer

    pending: set[str] = set()
    wake = threading.Event()
    output = preview.output.resolve() if preview.output else None
    cache_dir = (preview.config.root / ".mentorsite-cache").resolve()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            if event.event_type in ("opened", "closed_no_write"):
                return
            if event.is_directory and event.event_type == "modified":
                return  # a folder's listing changed: the file's own event tells what (and a build's
                # spool beside the output changes the project folder at every build)
            for p in (event.src_path, getattr(event, "dest_path", "")):
                if not p:
                    continue
                path = Path(os.fsdecode(p))
                if output and path == output and event.event_type in ("deleted", "moved") and not output.exists():
                    pending.add(str(path))  # the site folder was deleted: it is made again
                    wake.set()
                    continue
                if output and (path == output or output in path.parents or path.name.startswith(f".{output.name}.")):
                    continue
                if cache_dir in path.parents or path.name.startswith(".") or path.name.endswith(("~", ".swp", ".swx")):
                    continue
                pending.add(str(path))
                wake.set()

    observer = Observer()
    for path in paths:
        if path.is_dir():
            observer.schedule(Handler(), str(path), recursive=True)
        elif path.parent.is_dir():
            observer.schedule(Handler(), str(path.parent), recursive=False)
    observer.daemon = True
    observer.start()

    def loop():
        carried: set[str] = set()  # the changes of a build that newer ones superseded
        while True:
            if preview.pdfs.due and not wake.is_set():  # the PDFs, until a save comes in
                preview.make_pdfs(superseded=wake.is_set)
            wake.wait()
            # a burst (save-then-rename, a git checkout) is one rebuild: its events come within a
            # few milliseconds, and a change that comes while a build runs stops that build
            # before it writes anything (build's superseded), to build again with everything
            while True:
                wake.clear()
                if not wake.wait(SETTLE):
                    break
            changed = carried
            while pending:
                changed.add(pending.pop())
            carried = set()
            relevant = {p for p in changed if _relevant(p, preview)}
            if relevant and not preview.rebuild(relevant, superseded=wake.is_set):
                carried = relevant
            elif relevant and not wake.is_set():
                _tidy()

    threading.Thread(target=loop, daemon=True, name="mentorsite-rebuild").start()
    return observer


def _tidy() -> None:
    """Between rebuilds: collect the garbage of the last one, then set what lives on (the site,
    the caches) aside from Python's cycle collector. Otherwise a full collection, scanning all
    of it (some 30 ms at 1,000 guides), may fall in the middle of the next save's rebuild."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _relevant(path: str, preview: Preview) -> bool:
    p = Path(path)
    if p.name == preview.config_path.name and p.parent.resolve() == preview.config_path.parent.resolve():
        return True
    return p.suffix in (".yml", ".yaml", ".md", ".html", ".css", ".js", ".xml", ".txt", ".svg", ".png", ".jpg",
                        ".jpeg", ".gif", ".webp", ".pdf", ".ico", ".woff", ".woff2", ".json") or not p.suffix


def serve(config_path: Path, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
          progress=None) -> int:
    """Run the preview until Ctrl+C (progress: the command's, for how much to say)."""
    config_path = Path(config_path)
    preview = Preview(config_path, host, port, progress.level if progress is not None else NORMAL)
    config = load_config(config_path)  # a missing or broken site.yml stops here, located
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: serving on {host}: anyone who can reach this machine can see the preview", file=sys.stderr)
    preview.config = None
    preview.rebuild()
    _tidy()
    if preview.config is None:  # the first build failed before the config was read
        preview.config = config
        preview.output = output_dir(config)
    _Handler.preview = preview
    try:
        server = _Server((host, port), _Handler)
    except OSError as e:
        raise SiteError(None, f"cannot serve on {host}:{port} ({e.strerror}) — choose another port with --port") from None
    observer = None
    try:
        actual_port = server.server_address[1]
        watched = [config_path.resolve(), preview.config.root / preview.config.content, preview.config.root / "themes"]
        theme_default = default_theme_dir()
        if theme_default not in watched and os.access(theme_default, os.W_OK):
            watched.append(theme_default)
        observer = _watch(preview, watched)
        url = f"http://{host if ':' not in host else '[' + host + ']'}:{actual_port}{preview.base()}"
        preview.say(f"Serving {preview.config.title} at {url} (Ctrl+C to stop)")
        if open_browser:
            webbrowser.open(url)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        preview.say("\nStopped.")
    finally:
        preview.broadcast("__stop__")
        if observer is not None:
            observer.stop()
        server.server_close()
        preview.stopping = True  # (PDFs being made stop, unsaved)
        if preview.busy.acquire(timeout=10) and preview.state is not None and not preview.errors:
            preview.state.save()  # the next `build` starts warm
        preview.pdfs.close()
    return 0


def free_port(host: str = "127.0.0.1") -> int:
    """A port that is free now (for tests and benchmarks)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]
