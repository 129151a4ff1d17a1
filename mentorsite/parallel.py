"""Work spread over the machine's cores with forked processes.

Forked workers start with a copy of the parent's memory: the site model and the compiled
templates are not pickled to them; only each task's index goes out and its result comes back.
Small jobs stay in the process (forking costs more than it saves)."""

from __future__ import annotations

import os

_TASK = None  # the function the workers run; set in the parent just before forking
in_worker = False  # True in a forked worker (whose memory is thrown away when it ends)


def default_jobs() -> int:
    """How many processes to use by default: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _run(chunk: range):
    global in_worker
    in_worker = True
    return [_TASK(i) for i in chunk]


def fork_map(task, count: int, jobs: int, *, minimum: int = 48, chunk: int | None = None) -> list:
    """[task(0), ..., task(count - 1)], in order, over jobs forked processes when worth it; chunk:
    how many tasks a worker takes at a time (by default, small tasks in batches)."""
    global _TASK
    if jobs <= 1 or count < minimum or not hasattr(os, "fork"):
        return [task(i) for i in range(count)]
    import multiprocessing  # only when there is work for a pool (an import of 10 ms)

    _TASK = task
    try:
        size = chunk or max(8, count // (jobs * 16))  # small enough that the workers end together
        chunks = [range(start, min(start + size, count)) for start in range(0, count, size)]
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = pool.map(_run, chunks, chunksize=1)
    finally:
        _TASK = None
    return [r for chunk in results for r in chunk]
