"""The worksheet PDFs step: every worksheet as a fillable PDF, its theme's pdf/worksheet.html
rendered by WeasyPrint with pdf_forms (steps/pdf.py).

Form field names are the worksheet's field ids (see templates/pdf/worksheet.html for tables and
check lists). There is one PDF per worksheet, `worksheets/<id>.pdf`, made to print as well as to
fill: rules, boxes and option labels are page content, and pre-filled milestone rows are text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import jinja2

from mentorsite.deps import Recorder
from mentorsite.pool import WORKSHEET, as_finished
from mentorsite.runner import Artifact, Made
from mentorsite.site.model import Worksheet
from mentorsite.steps.pages import Renderer, template_error
from mentorsite.steps.pdf import PdfJob, key_of, pdf_made, pdf_task, versions

TEMPLATE = "pdf/worksheet.html"
PLACEHOLDER = b"%PDF- (check: not made)"  # what `check` puts in a PDF's place: links to it resolve


class WorksheetPdfStep:
    """worksheets/<id>.pdf for every worksheet."""

    name, title = "worksheet PDFs", "Worksheet PDFs"
    pooled = True  # (its PDFs are rendered by the build's pool: runner.py)

    def artifacts(self, run) -> list[Artifact]:
        return [Artifact(f"worksheets/{ws.id}.pdf", ws) for ws in run.site.worksheets.values()]

    def make(self, todo: list[Artifact], run) -> Iterable[Made]:
        made = worksheet_jobs(run.site, run.env, [artifact.source for artifact in todo], Recorder())
        if run.dry:
            return [Made(artifact, {artifact.name: PLACEHOLDER}, deps) for artifact, (_job, deps) in zip(todo, made)]
        pool, store = run.pool(), run.state.pdfs
        tasks = {pdf_task(pool, job, store, WORKSHEET, run.progress): (artifact, job, deps)
                 for artifact, (job, deps) in zip(todo, made)}
        pool.begin(sorted(tasks, key=lambda task: -task.size))  # (made while the pages render: runner.py)
        return self._collect(tasks, run)

    def _collect(self, tasks: dict, run) -> Iterator[Made | None]:
        """Each PDF as soon as its task ends (None while none has: runner.py)."""
        report = run.reports[self.name]
        for task in as_finished(tasks):
            if task is None:
                yield None
                continue
            artifact, job, deps = tasks[task]
            pdf = pdf_made(job, task)
            if pdf.stored:
                report.stored += 1
            else:
                report.timings.append((job.output, pdf.seconds))
            yield Made(artifact, {artifact.name: pdf.content}, deps)
        run.state.pdfs.prune({job.key for _artifact, job, _deps in tasks.values()})


def worksheet_jobs(site, env: jinja2.Environment, worksheets: list[Worksheet],
                   recorder: Recorder | None = None) -> list[tuple[PdfJob, frozenset]]:
    """Each worksheet's PDF job (its HTML, keyed by a digest of what the PDF depends on), and the
    keys its HTML read."""
    recorder = recorder or Recorder()
    Renderer(site, env, recorder)  # sets the globals and filters the templates use
    out = []
    for ws in worksheets:
        recorder.start()
        for key in (("data", "worksheets", ws.id), ("config",), ("program",)):
            recorder.add(key)
        try:
            html = env.get_template(TEMPLATE).render(item=ws, page=None)
        except jinja2.TemplateError as e:
            recorder.stop()
            raise template_error(e, site.config.root) from None
        key = key_of(*versions(), site.config.paper, site.program.name, worksheet_data(ws),
                     html)  # (the HTML includes the inlined stylesheet, templates/pdf/worksheet.css, and the rows)
        out.append((PdfJob(output=f"worksheets/{ws.id}.pdf", html=html, source=ws.source, key=key), recorder.stop()))
    return out


def worksheet_data(ws: Worksheet) -> str:
    """The worksheet's data as text, without where it was read from (moving lines changes nothing)."""
    parts = [ws.id, ws.title, ws.purpose, repr(ws.audience), str(ws.instructions)]
    for s in ws.sections:
        parts += [s.title, s.intro]
        for f in s.fields:
            parts.append(repr((f.id, f.kind, f.label, f.hint, f.options, f.min, f.max, f.min_label, f.max_label,
                               f.lines, f.columns, f.rows)))
    return "\n".join(parts)
