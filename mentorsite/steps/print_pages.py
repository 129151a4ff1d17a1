"""The print step: the whole handbook on one page (`print/`), and the same per role
(`print/<role>/`), made from the parts the pages' readings made (steps/book.py). A print page is
rendered by the theme's print.html like any page, and streamed into its file: at 1,000 guides it
holds 7 MB."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import jinja2
from markupsafe import Markup

from mentorsite.deps import Recorder
from mentorsite.htmlread import HtmlPage
from mentorsite.runner import Artifact, Made
from mentorsite.site.model import Edition
from mentorsite.site.schedule import site_schedule
from mentorsite.steps.book import book_pages, make_book, pdf_name
from mentorsite.steps.pages import Renderer, format_date, template_error
from mentorsite.steps.reading import Reading


class PrintStep:
    """The print pages, one per edition, from every part of its book."""

    name, title = "print", "Print pages"

    def artifacts(self, run) -> list[Artifact]:
        return [Artifact(page.output, page) for page in run.site.pages if page.kind == "print"]

    def make(self, todo: list[Artifact], run) -> Iterator[Made]:
        recorder = Recorder()
        renderer = Renderer(run.site, run.env, recorder)
        readings = run.state.readings
        for artifact in todo:
            page = artifact.source
            recorder.start()
            parts = {}
            for place in book_pages(run.site, page.obj):
                output = place.page.output
                recorder.add(("part", output))
                parts[output] = readings[output].part
            try:
                template = run.env.get_template(page.template)
                context = {**renderer.context(page), **print_context(renderer, page, parts)}
                pieces = template.generate(context)
                content = run.spool.stream(page.output, pieces) if run.spool is not None else \
                    "".join(pieces).encode("utf-8")
            except jinja2.TemplateError as e:
                recorder.stop()
                raise template_error(e, run.site.config.root) from None
            reading = None
            if run.dry:  # `check`: what the link check needs of the page
                doc = HtmlPage(content)
                reading = Reading(ids=doc.ids(), links=doc.links())
            yield Made(artifact, {page.output: content}, recorder.stop(), reading)


def print_context(renderer, page, parts: dict) -> dict:
    """What templates/print.html sees: the book, the PDF's link and the page's title in the site's language."""
    edition: Edition = page.obj
    renderer.rec.add(("book",))  # deps.BOOK_KEYS: the book's groups, titles and order
    book = make_book(renderer.site, edition, parts, renderer.t)
    title = renderer.t("print.role_title", role=edition.role_title) if edition.role else renderer.t("print.title")
    return {
        "page": dataclasses.replace(page, title=title),
        "book": book,
        "cover": cover(renderer.site, edition, renderer.t),
        "pdf_url": renderer.url(pdf_name(edition)),
        # base.html loads worksheet.js when the content has a worksheet's form: only that is told
        # here (the book is in `book`; a copy of all of it would double a big handbook's memory)
        "content": Markup(" data-worksheet=") if any("data-worksheet=" in p.html for p in book.parts) else Markup(""),
    }


def cover(site, edition: Edition, t) -> dict:
    """The cover's words: the kicker, the cohort and its dates."""
    config = site.config
    start = config.cohort.start
    dates = ""
    if start:
        end = site_schedule(site).last_date  # (the last phase's last day)
        dates = t("print.cohort_dates", start=format_date(start, config.language), end=format_date(end, config.language))
    # a role pack: "Handbook for mentors" with the role's plural, else "Handbook · Mentor"
    plural = next((r.plural for r in site.program.roles if r.id == edition.role), "")
    kicker = (t("print.role_kicker", roles=plural, role=edition.role_title, role_lower=edition.role_title.lower()) if plural
              else t("print.role_kicker_title", role=edition.role_title))
    return {
        "kicker": kicker if edition.role else t("print.kicker"),
        "cohort": t("print.cohort", name=config.cohort.name) if config.cohort.name else "",
        "dates": dates,
    }
