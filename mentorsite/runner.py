"""The runner: which outputs of each step are current, and the rest made again.

A step (steps/) says what it makes (`artifacts`: one per page, per worksheet PDF, per print
page, ...) and makes the ones it is given (`make`), recording every dependency key it reads
(deps.py), as Lektor's artifacts do. The runner keeps, in the build state, a Record of each
artifact: the digest of each key it read and the stat of each file it wrote. An artifact whose
keys all have the same digest now, and whose files are the ones written, is current: its files
are kept as they are. Steps never look at the state to decide that themselves.

Steps run in order; a later step may read what an earlier one yields (a page's Reading: its
search text and its part of the print edition) through keys such as ("reading", output) whose
digests the state knows.

The PDF steps (`pooled`) hand their work to one pool of worker processes (pool.py): each is
begun in turn, and their outputs are collected together once every step has begun, each as soon
as it is made, so that the pool holds all of their tasks at once and keeps every core busy to
the end. The worksheet PDFs step comes
first and hands its tasks to the workers at once: they are made while the pages render.

A preview (serve.py) gives the runner a session: the steps it defers to a later run (their
outputs are kept as they are, or left out until made), `superseded()`, asked between steps and
while the pool works, which stops the run when newer saves came in, and its own pool.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import jinja2

from mentorsite.deps import Digests
from mentorsite.pool import Pool, Superseded, longest_first
from mentorsite.state import BuildState, Record, file_stat
from mentorsite.write import KEEP


@dataclass(frozen=True, slots=True)
class Artifact:
    """One thing a step makes: its name (the path of its main output) and what it is made from."""

    name: str
    source: object = None


@dataclass(slots=True)
class Made:
    """An artifact made: its files (output path -> bytes or a file), the keys it read, and what it
    yields for later steps (a page's Reading), if anything."""

    artifact: Artifact
    files: dict
    deps: frozenset
    reading: object = None


class Step(Protocol):
    """An output step: a name, what it makes, and how (see the module's docstring)."""

    name: str
    title: str  # how the progress line names it
    pooled: bool  # (optional) its make() hands its work to run.pool() at once and returns an iterator
    # of what is made, which gives None while nothing is ready

    def artifacts(self, run: "Run") -> list[Artifact]:
        """Everything this step makes for the site."""

    def make(self, todo: list[Artifact], run: "Run") -> Iterable[Made]:
        """The artifacts given, made (the others are current)."""


@dataclass(slots=True)
class StepReport:
    """What one step did in a build."""

    name: str
    made: int = 0  # artifacts made (the others were current)
    kept: int = 0
    stored: int = 0  # of those made, how many were taken from the PDF store
    deferred: tuple[str, ...] = ()
    seconds: float = 0.0
    timings: list = field(default_factory=list)  # (output, seconds) of what took long (PDFs)


class Session:
    """How a build is run, given by its command: a progress line, and for a preview (serve.py)
    the state and theme it keeps from one build to the next and its policies: which steps a
    build leaves for a later one, whether newer saves made a build useless, writing in place."""

    state: BuildState | None = None  # a preview's, kept in memory (else the state on disk)
    env: jinja2.Environment | None = None  # a preview's theme, kept while its templates are the same
    in_place: bool = False  # a preview writes changed files in place once its first site is there

    def __init__(self, progress=None):
        self.progress = progress

    def defers(self, step: str) -> bool:
        """Whether a step is left for a later build (its outputs kept as they are meanwhile)."""
        return False

    def superseded(self) -> bool:
        """Whether newer changes came in since this build started (it then stops before writing)."""
        return False

    def pool(self, workers: int) -> Pool:
        """The worker processes for a build's PDFs: a new pool, closed when the build ends."""
        return Pool(workers)

    def release(self, pool: Pool) -> None:
        """A build's pool, when the build ends (or fails): closed (a preview keeps its own)."""
        pool.close()

    def rank(self, task) -> tuple:
        """The order of the pool's work: a book as soon as its parts are made, then the longest."""
        return longest_first(task)

    def made(self, made: Made, output: Path) -> None:
        """One artifact made (a preview puts its PDFs in the site at once); output: the site's folder."""


@dataclass
class Run:
    """What a step is given: the site, the theme, the build's state and how to work."""

    site: object
    env: jinja2.Environment
    state: BuildState
    jobs: int = 1
    spool: Path | None = None  # a folder where pages are written as they render (write.spooled)
    dry: bool = False  # `check`: PDFs are planned, not made
    session: Session = field(default_factory=Session)
    digests: Digests = None
    files: dict = field(default_factory=dict)  # what the steps run so far produced
    made: list[Made] = field(default_factory=list)
    names: set[str] = field(default_factory=set)  # every artifact of the site, made or not
    reports: dict[str, StepReport] = field(default_factory=dict)
    workers: Pool | None = None  # the pool of the PDF steps, once one of them has work for it

    @property
    def progress(self):
        """The progress line to tell what is being made (None: say nothing)."""
        return self.session.progress

    def pool(self) -> Pool:
        """The build's pool of worker processes (its session's), shared by the PDF steps."""
        if self.workers is None:
            self.workers = self.session.pool(self.jobs if self.jobs > 1 else 1)
            self.workers.rank, self.workers.stop = self.session.rank, self.session.superseded
        return self.workers


def run_steps(run: Run, steps: list[Step]) -> dict:
    """Run each step in turn: its current artifacts kept, the others made (the pooled steps' work
    begun in turn, then collected together). Returns every file of the site (output path ->
    bytes, a file, or KEEP)."""
    begun = []
    try:
        for step in steps:
            start = time.perf_counter()
            report = run.reports[step.name] = StepReport(step.name)
            todo = _todo(run, step, report)
            if todo and getattr(step, "pooled", False):
                begun.append((step, todo, iter(step.make(todo, run)), start))
                continue
            if todo:
                _collect(run, step, todo, step.make(todo, run))
            report.seconds = time.perf_counter() - start
            if run.session.superseded():
                raise Superseded()
        if begun:
            _collect_pooled(run, begun)
    finally:
        if run.workers is not None:
            run.session.release(run.workers)
    return run.files


def _todo(run: Run, step: Step, report: StepReport) -> list[Artifact]:
    """A step's artifacts that are not current (none when the session defers the step)."""
    state = run.state
    folder = str(state.output) + "/"
    artifacts = step.artifacts(run)
    run.names.update(artifact.name for artifact in artifacts)
    if run.session.defers(step.name):
        # (which of a PDF step's outputs are current matters: a preview serves those at once and
        # makes the others in the background; the other steps' come right after, every one)
        report.deferred = _defer(artifacts, state, folder, run.files,
                                 run.digests if getattr(step, "pooled", False) else None)
        return []
    todo = []
    for artifact in artifacts:
        record = state.records.get(artifact.name)
        if record is not None and _current(record, run.digests, folder):
            run.files.update(dict.fromkeys(record.stats, KEEP))
            report.kept += 1
        else:
            todo.append(artifact)
    return todo


def _collect(run: Run, step: Step, todo: list[Artifact], made_ones: Iterable[Made]) -> None:
    """Take in what a step makes, as it is made."""
    progress = run.progress
    if progress is not None:
        progress.start(step.title, len(todo))
    for made in made_ones:
        _take(run, step, made)
    if progress is not None:
        progress.done()


def _collect_pooled(run: Run, begun: list) -> None:
    """Take in what the pooled steps make, each artifact as soon as it is made, whichever step it
    is of (a preview puts each PDF into the site then): their iterators give None while nothing
    is ready, and the pool works until something is."""
    progress = run.progress
    if progress is not None:  # ('Worksheet PDFs and handbook PDFs')
        titles = [step.title for step, *_ in begun]
        progress.start(" and ".join([titles[0], *(t[:1].lower() + t[1:] for t in titles[1:])]),
                       sum(len(todo) for _, todo, _, _ in begun))
    active = list(begun)
    while active:
        ready = False
        for entry in list(active):
            step, _todo, made_ones, start = entry
            made = next(made_ones, _END)
            if made is _END:
                run.reports[step.name].seconds = time.perf_counter() - start
                active.remove(entry)
                ready = True
            elif made is not None:
                _take(run, step, made)
                ready = True
        if active and not ready:
            run.pool().work()
    if progress is not None:
        progress.done(f"{sum(run.reports[step.name].made for step, *_ in begun)} made")


_END = object()


def _take(run: Run, step: Step, made: Made) -> None:
    """One artifact made: its files, its record to come, its reading, its progress."""
    run.files.update(made.files)
    run.made.append(made)
    if made.reading is not None:
        run.state.readings[made.artifact.name] = made.reading
    run.reports[step.name].made += 1
    run.session.made(made, run.state.output)
    if run.progress is not None:
        run.progress.advance(made.artifact.name)


def _current(record: Record, digests: Digests, folder: str) -> bool:
    for output, stat in record.stats.items():
        if stat is None or file_stat(folder + output) != stat:
            return False
    return all(digests(key) == value for key, value in record.deps.items())


def _defer(artifacts: list[Artifact], state: BuildState, folder: str, files: dict,
           digests: Digests | None) -> tuple[str, ...]:
    """A deferred step's outputs: kept as they are where they exist (their records stay, so
    the next run compares with them), else left out until made. Returns those a later run
    makes: every one, or with digests only those that are not current (missing, or made from
    what has changed since)."""
    deferred = []
    for artifact in artifacts:
        record = state.records.get(artifact.name)
        outputs = record.stats if record is not None else {artifact.name: None}
        for output in outputs:
            if file_stat(folder + output) is not None:
                files[output] = KEEP
        if digests is None or record is None or not _current(record, digests, folder):
            deferred.extend(outputs)
    return tuple(sorted(deferred))


def remember(run: Run, output: Path) -> bool:
    """After the write: a record of each artifact made, with the digests of what it read and
    the stats of its files as written; those of artifacts the site no longer has go. An
    artifact made without keys (made every time), or that read something that cannot be
    digested, gets no record. Returns whether any record changed (else the state on disk holds)."""
    state = run.state
    folder = str(output) + "/"
    changed = False
    for made in run.made:
        name = made.artifact.name
        deps = {key: run.digests(key) for key in made.deps} if made.deps is not None else None
        if deps is None or None in deps.values():
            changed |= state.records.pop(name, None) is not None
            continue
        record = Record(deps, {out: file_stat(folder + out) for out in made.files})
        if state.records.get(name) != record:
            state.records[name] = record
            changed = True
    for name in state.records.keys() - run.names:
        del state.records[name]
        changed = True
    for name in state.readings.keys() - run.names:
        del state.readings[name]
        changed = True
    return changed
