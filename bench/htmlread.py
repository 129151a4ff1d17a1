"""What reading a rendered page costs: mentorsite.htmlread (lexbor, through selectolax) beside,
when they are installed, lxml and html5lib. (The regular-expression readers it replaced cost 1.9-2.0
ms a page: see the figures in mentorsite/htmlread.py's docstring.)

    python bench/htmlread.py SITE_DIR [--pages N]

SITE_DIR is a built site: the example handbook (`mentorsite build`), or the synthetic one
(`python bench/generate.py /tmp/g1000 --guides 1000` and `mentorsite build -c /tmp/g1000/site.yml
-o /tmp/g1000/_site`). Figures are CPU time per page (the best of a few rounds, so that other
work on a shared machine counts less), for the guide pages and for print/index.html.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import speed  # noqa: E402
from mentorsite.htmlread import HTML_URLS, HtmlPage  # noqa: E402


def best(run, items, rounds: int = 5) -> float:
    """The best CPU time per item of run over items, in milliseconds."""
    fastest = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for item in items:
            run(item)
        fastest = min(fastest, time.process_time() - start)
    return fastest / len(items) * 1000


def _prefix_ids(tag: str, attrs: dict) -> dict | None:
    """An edit like the print edition's: ids prefixed, in-page links pointed at them."""
    changed = False
    if "id" in attrs:
        attrs["id"] = "part--" + attrs["id"]
        changed = True
    href = attrs.get("href")
    if tag == "a" and href and href.startswith("#"):
        attrs["href"] = "#part--" + href[1:]
        changed = True
    return attrs if changed else None


def read_lexbor(html: bytes) -> None:
    page = HtmlPage(html)
    page.ids()
    page.links()
    page.text()
    page.rewrite_main(_prefix_ids)


def _walk_etree(root) -> None:
    """What the others would have to do after their parse: read every element's id and URLs, and
    serialize <main> (a fair floor: no search text)."""
    from lxml import etree

    main = None
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):
            continue
        tag = tag.rpartition("}")[2]
        element.get("id")
        for attr in HTML_URLS.get(tag, ()):
            element.get(attr)
        if tag == "main" and main is None:
            main = element
    if main is not None:
        etree.tostring(main, method="html", encoding="unicode")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    pages = [p.read_bytes() for p in sorted(args.site.glob("guides/**/index.html"))][: args.pages]
    book = (args.site / "print" / "index.html").read_bytes()
    if not pages:
        print(f"no guide pages under {args.site}/guides/", file=sys.stderr)
        return 1
    from selectolax.lexbor import LexborHTMLParser

    before = speed.loop_seconds()
    print(f"{len(pages)} guide pages, {sum(map(len, pages)) // len(pages):,} bytes on average; "
          f"print page {len(book):,} bytes")
    print(f"lexbor: parse {best(LexborHTMLParser, pages):.3f} ms a page; parse, ids, links, text and one "
          f"rewrite_main {best(read_lexbor, pages):.3f} ms")
    book_page = HtmlPage(book)
    print(f"lexbor, print page: parse {best(LexborHTMLParser, [book], 3) / 1000:.3f} s; ids "
          f"{best(lambda p: p.ids(), [book_page], 3) / 1000:.3f} s, links {best(lambda p: p.links(), [book_page], 3) / 1000:.3f} s, "
          f"text {best(lambda p: p.text(), [book_page], 3) / 1000:.3f} s, main_html "
          f"{best(lambda p: p.main_html(), [book_page], 3) / 1000:.3f} s")
    try:
        import lxml.html

        print(f"lxml: parse {best(lxml.html.document_fromstring, pages):.3f} ms a page; with a walk of the "
              f"elements and <main> serialized {best(lambda p: _walk_etree(lxml.html.document_fromstring(p)), pages):.3f} ms; "
              f"print page {best(lxml.html.document_fromstring, [book], 3) / 1000:.3f} s")
    except ImportError:
        print("lxml: not installed")
    try:
        import html5lib

        parse = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("lxml"), namespaceHTMLElements=False).parse
        some = pages[:30]
        print(f"html5lib: parse {best(parse, some, 2):.3f} ms a page; with a walk and <main> serialized "
              f"{best(lambda p: _walk_etree(parse(p)), some, 2):.3f} ms; print page {best(parse, [book], 1) / 1000:.3f} s")
    except ImportError:
        print("html5lib: not installed")
    print(speed.describe(before, speed.loop_seconds()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
