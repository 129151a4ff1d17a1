"""The pool of worker processes that makes a build's PDFs, one for every step that makes them.

A step hands the pool tasks: a function run in a worker on its arguments (a worksheet's PDF, a
part of the handbook). A task may need others first (a handbook PDF needs its parts): its
arguments are then made in this process once they are done. The pool keeps each worker busy
with the most wanted task that is ready: by default the one that makes a book, then the longest,
so that the work ends with small tasks on every core rather than a long one on one of them. A
preview orders the work its own way (what a reader asked for first), has its workers yield the
processor to its saves, and stops a build's work when a save comes in (Superseded).

The steps begin their work (runner.run_steps) before any of it is collected, so that the pool
holds every step's tasks at once and orders them all.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

POLL = 0.02  # seconds between two looks at whether a preview's build was superseded
_PENDING = object()
BOOK, PART, WORKSHEET = "book", "part", "worksheet"  # (what tasks make: how a session orders them)


class Superseded(Exception):
    """A build stopped before writing: newer changes came in while it ran (a preview's)."""


@dataclass(eq=False)
class Task:
    """One piece of work for the pool: a module's function run in a worker on its arguments (or
    on those a function makes in this process, once the tasks it needs are done)."""

    run: Callable
    args: tuple | Callable[[], tuple] = ()
    needs: tuple["Task", ...] = ()
    kind: str = ""  # BOOK, PART or WORKSHEET
    size: int = 0  # how long it may take, roughly (the length of its HTML)
    outputs: frozenset = frozenset()  # the site's files it is for (a reader may ask for one first)
    key: str = ""  # what it makes, by content: the same work begun for a superseded build serves
    then: Callable[["Task"], None] | None = None  # called in this process with its result (to store it)
    result: object = _PENDING
    error: BaseException | None = None
    followers: list = field(default_factory=list)

    @property
    def finished(self) -> bool:
        """Whether it is done, or failed."""
        return self.result is not _PENDING or self.error is not None

    def finish(self, result=_PENDING, error: BaseException | None = None) -> None:
        """Its result (or its error), handed on to the tasks that wait for the same work."""
        self.result, self.error = result, error
        if self.then is not None and error is None:
            self.then(self)
        for twin in self.followers:
            twin.finish(result, error)


def done_task(result, **fields) -> Task:
    """A task whose result is known already (a PDF the store had)."""
    task = Task(run=_nothing, **fields)
    task.result = result
    return task


def _nothing():  # (the function of a task done before it began)
    return None


def as_finished(tasks: Iterable[Task]) -> Iterator[Task | None]:
    """The tasks given, each as soon as it is finished, with None whenever none is yet (the
    caller then lets the pool work: Pool.work)."""
    waiting = list(tasks)
    while waiting:
        finished = [t for t in waiting if t.finished]
        for task in finished:
            waiting.remove(task)
            yield task
        if not finished:
            yield None


def longest_first(task: Task) -> tuple:
    """A build's order: a book as soon as its parts are made, then the longest task."""
    return (task.kind != BOOK, -task.size)


class Pool:
    """Worker processes and the tasks waiting for them (see the module's docstring)."""

    def __init__(self, workers: int, *, background: bool = False):
        self.workers = max(1, workers)
        self.background = background  # a preview's: the workers yield the processor to its saves
        self.rank: Callable[[Task], tuple] = longest_first
        self.stop: Callable[[], bool] | None = None  # asked while waiting: the build is superseded
        self.queue: list[Task] = []
        self.running: dict = {}  # future -> task
        self._executor = None

    def add(self, task: Task) -> Task:
        """Queue a task; one whose work is queued or running already (for another book, or for a
        superseded build) waits for that work instead."""
        if task.key:
            twin = next((t for t in (*self.running.values(), *self.queue) if t.key == task.key), None)
            if twin is not None:
                twin.followers.append(task)
                return task
        self.queue.append(task)
        return task

    def begin(self, tasks: Iterable[Task]) -> None:
        """Hand these tasks to the workers at once, before anyone waits for them: they are made
        while this process does other work (a build's worksheet PDFs, while its pages render). A
        preview's pool keeps its order instead (what a reader asks for goes first)."""
        if self.workers == 1 or self.background:
            return
        for task in tasks:
            if task in self.queue and not task.needs:
                self.queue.remove(task)
                self.running[self._pool().submit(task.run, *task.args)] = task

    def done(self, tasks: Iterable[Task]) -> Iterator[Task]:
        """The tasks given, each as it is done (or failed), the pool working meanwhile on every
        task queued, in its order."""
        for task in as_finished(tasks):
            if task is None:
                self.work()
            else:
                yield task

    def clear(self) -> None:
        """Drop the queued tasks (a superseded build's); those running end on their own."""
        self.queue.clear()

    def close(self, wait: bool = True) -> None:
        """Stop the workers (a build's pool when the build ends, a preview's when it stops): with
        wait=False, the tasks running are not waited for, their workers are ended."""
        self.clear()
        if self._executor is not None:
            if not wait:
                # (ended here, then the pool's shutdown waited for: a shutdown that does not wait
                # races the interpreter's exit in CPython 3.11, which then prints a traceback)
                import multiprocessing  # (put off: see _pool)
                for process in multiprocessing.active_children():
                    process.terminate()
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        self.running.clear()

    def work(self) -> None:
        """Start what is ready, then wait for one task to end (or for the build to be superseded)."""
        if self.stop is not None and self.stop():
            self.clear()
            raise Superseded()
        progressed = self._start()
        if not self.running:
            if not progressed:
                raise RuntimeError("tasks wait for work that is not queued")
            return
        from concurrent.futures import FIRST_COMPLETED, wait  # (put off: only a build that makes PDFs needs it)

        ended, _ = wait(list(self.running), timeout=POLL, return_when=FIRST_COMPLETED)
        for future in ended:
            task = self.running.pop(future)
            error = future.exception()
            task.finish(None if error else future.result(), error)

    def _start(self) -> bool:
        """Hand the most wanted ready tasks to idle workers (or, with one worker, do them here);
        whether any task was begun or ended."""
        progressed = False
        while self.queue and len(self.running) < self.workers:
            ready = [t for t in self.queue if all(n.finished for n in t.needs)]
            if not ready:
                break
            task = min(ready, key=self.rank)
            self.queue.remove(task)
            progressed = True
            failed = next((n.error for n in task.needs if n.error is not None), None)
            if failed is not None:
                task.finish(error=failed)
                continue
            try:
                args = task.args() if callable(task.args) else task.args
                result = task.run(*args) if self.workers == 1 else _PENDING
            except Exception as e:  # reported by the step that collects the task
                task.finish(error=e)
                continue
            if result is not _PENDING:
                task.finish(result)
            else:
                self.running[self._pool().submit(task.run, *args)] = task
        return progressed

    def _pool(self):
        if self._executor is None:
            from concurrent.futures import ProcessPoolExecutor  # (put off: see work)

            self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=context(),
                                                 initializer=_worker, initargs=(self.background, os.getpid()))
        return self._executor


def context():
    """fork where it is safe (no other threads, so no lock can be held), else a forkserver."""
    import multiprocessing  # (put off: only a build that makes PDFs has a pool)

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")  # workers inherit the imported WeasyPrint
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["mentorsite.steps.pdf", "weasyprint"])
        return ctx
    return multiprocessing.get_context("spawn")


def _worker(background: bool, parent: int) -> None:
    """A worker begins: Ctrl+C is for the command to handle (the worker ends with the pool, its
    traceback unsaid), and the worker ends if the command's process does (killed, it cannot say
    so); a preview's worker gives the processor to the preview's saves first."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_end_with, args=(parent,), daemon=True).start()
    if background:
        try:
            os.nice(10)
        except OSError:  # (not allowed: the workers run at the preview's priority)
            pass


def _end_with(parent: int) -> None:
    while True:
        time.sleep(1)
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            os._exit(0)
        except OSError:  # (there, but not ours to signal)
            pass
