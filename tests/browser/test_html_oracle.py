"""The browser is the oracle: in every page of a site of tricky pages, what the build finds (the
ids a #fragment can target, the URLs the page loads or follows, the search text, the <main> that
the print edition takes) is what Chromium finds in the same page.

The site is tests/fixtures/sites/tricky/: guides of raw HTML in Markdown (comments that end at
'--!>', links inside a <textarea>, <title> and <script> holding tags, CDATA, misnested tags,
entities, srcset, SVG and MathML, javascript: URLs written six ways, a second <main> ...). The
test adds what cannot be kept there: a guide with NUL bytes (git would take the file for
binary), a site whose guide nests 10,000 <div>s, and pages with bytes that Markdown never lets
through (NULs, a byte-order mark, bytes that are not UTF-8), served as they are.

Chromium runs without JavaScript, so that the DOM is its parser's alone (and <noscript> is read
as markup, as the build reads it). On that DOM run small twins of the build's readers, written
from the same definitions (htmlread.py's HTML_URLS, SVG_URLS and its text rules); where they
read the DOM, Chromium's parser is what is tested.

The deep site nests 200 <div>s: Chromium stops nesting at a depth of 512 (deeper elements become
siblings) where the HTML standard and lexbor do not, but the build refuses a page nested more
than 250 deep (steps/reading.py: the PDFs could not lay it out), so no built page reaches it.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from functools import partial
from pathlib import Path
from urllib.parse import urljoin

import pytest

from mentorsite.build import STEPS, digests_for, load
from mentorsite.htmlread import HTML_URLS, SVG_URLS, HtmlPage, url_scheme
from mentorsite.runner import Run, run_steps
from mentorsite.sources.config import load_config
from mentorsite.sources.theme import theme_env
from mentorsite.state import BuildState
from tests.browser.conftest import BASE_PATH, REPO, _PagesHandler, is_local

FIXTURE = REPO / "tests" / "fixtures" / "sites" / "tricky"
DEEP = 200  # (a page nested more than 250 deep is an error: tests/test_bad_inputs.py)

# The tricky site's pages (test_every_page_is_compared keeps this list whole), the deep site's
# (built into deep-site/ beside them), and the raw pages (raw/).
GUIDES = sorted([p.stem for p in (FIXTURE / "content" / "guides").glob("*.md")] + ["nul"])
PAGES = (["index.html", "404.html", "guides/index.html", "types/index.html", "milestones/index.html",
          "worksheets/index.html", "schedule/index.html", "search/index.html", "print/index.html",
          "print/mentor/index.html", "print/mentee/index.html"]
         + [f"guides/{slug}/index.html" for slug in GUIDES])
DEEP_PAGES = ["deep-site/guides/deep/index.html", "deep-site/print/index.html"]
RAW_PAGES = {
    "raw/nul.html": b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>N\x00L</title></head><body><main>'
                    b'<h1>N\x00UL</h1><p id="a\x00b">x\x00y <a href="/m\x00n/" ti\x00tle="t">l\x00k</a> <!-- c\x00 -->'
                    b' <scr\x00ipt>z</scr\x00ipt></p><script>var a="\x00";</script><textarea>t\x00a</textarea>'
                    b'<svg><text>s\x00v</text><![CDATA[c\x00d]]></svg><math><mi>m\x00i</mi></math>'
                    b'<p>\r\nline\rbreaks\x0cform feed</p><plaintext>p\x00t</main>',
    "raw/bytes.html": b'\xef\xbb\xbf<!DOCTYPE html><meta charset="utf-8"><main><h1>Bytes</h1><p id="\xff\xfe">bad'
                      b' \xc3\x28 UTF-8, \xed\xa0\x80 a surrogate, \xf4\x90\x80\x80 past U+10FFFF</p>'
                      b'<a href="/\xe9/">e</a></main>',
}
ASPECTS = ("ids", "links", "text", "main_html")
KNOWN: dict = {}  # (page, aspect) -> why Chromium reads it otherwise: none now
WHITESPACE = "".join(c for c in map(chr, range(0x110000)) if c.isspace())  # what str.split() splits at


# -- what the build finds ------------------------------------------------------------------------


def build_findings(site_dir: Path, page: str) -> dict:
    """What the build found in a built page, as it keeps it: the ids and links `check` read, the
    search entry (title and parts) the build's state holds, and the <main> its reader gives to
    the print edition. (The raw pages, which no build made, are read with the build's reader.)"""
    html = HtmlPage((site_dir / page).read_bytes())
    text = html.text()
    project = _PROJECTS.get(page.split("/")[0] if page.startswith("deep-site/") else "tricky")
    if project is None or page.startswith("raw/"):
        return {"ids": sorted(html.ids()), "links": [list(link) for link in html.links()],
                "text": [text.title, text.parts, text.headings], "main_html": html.main_html()}
    out, rel = (site_dir / "deep-site", page[len("deep-site/"):]) if page.startswith("deep-site/") else (site_dir, page)
    checked = check_readings(project)[rel]
    kept = BuildState.open(project, out).readings.get(rel)
    entry = kept.search if kept is not None else None
    return {
        "ids": sorted(checked.ids),
        "links": [list(link) for link in checked.links],
        "text": [entry.title, json.loads(entry.text), text.headings] if entry else [text.title, text.parts, text.headings],
        "main_html": html.main_html(),
    }


_PROJECTS: dict[str, Path] = {}  # (set by the site fixture) 'tricky', 'deep-site' -> the project built


@functools.cache
def check_readings(project: Path) -> dict:
    """What `check` reads of each page of a project (run as check runs it, in memory)."""
    config = load_config(project / "site.yml")
    state = BuildState()
    site, _warnings = load(config, state)
    env = theme_env(config)
    run = Run(site, env, state, dry=True)
    run.digests = digests_for(site, env, state)
    run_steps(run, list(STEPS))
    return state.readings


# -- what Chromium finds ---------------------------------------------------------------------------

IDS_JS = """() => {
  const ids = new Set();
  for (const el of document.querySelectorAll("[id]")) ids.add(el.getAttribute("id"));
  for (const a of document.getElementsByTagName("a"))
    if (a.namespaceURI === "http://www.w3.org/1999/xhtml" && a.hasAttribute("name")) ids.add(a.getAttribute("name"));
  ids.delete("");
  return [...ids];
}"""

# Every element of the document with a URL attribute of its namespace's table; srcset split as
# HTML's 'parse a srcset attribute' splits it (the build's srcset_urls, line for line).
LINKS_JS = """([htmlUrls, svgUrls]) => {
  const tables = {"http://www.w3.org/1999/xhtml": htmlUrls, "http://www.w3.org/2000/svg": svgUrls};
  const space = " \\t\\n\\f\\r";
  function srcsetUrls(value) {
    const urls = [];
    let position = 0;
    for (;;) {
      while (position < value.length && (space.includes(value[position]) || value[position] === ",")) position++;
      if (position >= value.length) return urls;
      const start = position;
      while (position < value.length && !space.includes(value[position])) position++;
      let url = value.slice(start, position);
      if (url.endsWith(",")) url = url.replace(/,+$/, "");
      else for (let inParens = false; position < value.length;) {
        const c = value[position++];
        if (inParens) inParens = c !== ")";
        else if (c === "(") inParens = true;
        else if (c === ",") break;
      }
      if (url) urls.push(url);
    }
  }
  const links = [];
  for (const el of document.querySelectorAll("*")) {
    const name = el.localName.toLowerCase();
    const attrs = (tables[el.namespaceURI] || {})[name] || [];
    const isHtml = el.namespaceURI === "http://www.w3.org/1999/xhtml";
    const rel = isHtml && ["a", "area", "link"].includes(name) ? el.getAttribute("rel") || "" : "";
    for (const attr of attrs) {
      if (!el.hasAttribute(attr)) continue;
      const value = el.getAttribute(attr);
      for (const url of attr === "srcset" ? srcsetUrls(value) : [value]) links.push([name, attr, url, rel]);
    }
  }
  return links;
}"""

# htmlread.HtmlPage.text, on the DOM: the same walk, the same rules.
TEXT_JS = """(whitespace) => {
  const spaces = new RegExp("[" + [...whitespace].map(c => "\\\\u{" + c.codePointAt(0).toString(16) + "}").join("") + "]+", "u");
  const fold = text => text.split(spaces).filter(Boolean).join(" ");
  const SKIPPED = ["script", "style", "template", "noscript", "svg", "select", "textarea", "button", "nav"];
  const SPACED = ["p", "li", "td", "th", "dt", "dd", "div", "br", "section", "article", "label", "legend", "figcaption"];
  const out = {title: "", parts: [], headings: []};
  const main = document.querySelector("main");
  if (!main) return [out.title, out.parts, out.headings];
  let buffer = [], headingText = [], heading = "", headingDepth = 0, headingId = "", anchor = "", section = "";
  const flush = () => { const text = fold(buffer.join("")); if (text) out.parts.push([anchor, section, text]); };
  function endHeading() {
    const text = fold(headingText.join(""));
    if (heading === "h1" && !out.title) { out.title = text; buffer = []; return; }
    flush();
    buffer = [];
    out.headings.push(text);
    if (headingId) { anchor = headingId; section = text; }
  }
  let node = main.firstChild, depth = 1;
  while (node) {
    if (node.nodeType === Node.TEXT_NODE) (headingDepth ? headingText : buffer).push(node.data);
    else if (node.nodeType === Node.ELEMENT_NODE) {
      const name = node.localName.toLowerCase();
      if (!SKIPPED.includes(name) && !node.hasAttribute("data-search-ignore") && !node.classList.contains("visually-hidden")) {
        if (["h1", "h2", "h3"].includes(name)) { heading = name; headingDepth = depth; headingId = node.getAttribute("id") || ""; headingText = []; }
        else if (SPACED.includes(name)) buffer.push(" ");
        if (node.firstChild) { node = node.firstChild; depth++; continue; }
      }
    }
    for (;;) {  // node ends here, and so does each ancestor whose last child it is
      if (depth === headingDepth) { endHeading(); headingDepth = 0; }
      if (node.nextSibling) { node = node.nextSibling; break; }
      depth--;
      node = depth ? node.parentNode : null;
      if (!node) break;
    }
  }
  flush();
  return [out.title, out.parts, out.headings];
}"""

# innerHTML, with the page's declarative shadow roots written back as the <template>s they came
# from (innerHTML leaves them out; the print edition must carry them).
MAIN_JS = """() => {
  const main = document.querySelector("main");
  if (!main) return "";
  const shadowRoots = [...main.querySelectorAll("*")].map(el => el.shadowRoot).filter(Boolean);
  return main.getHTML({shadowRoots});
}"""

# The print edition's parts as Chromium reads them in the print page: part id -> innerHTML.
PARTS_JS = """() => Object.fromEntries([...document.querySelectorAll("article.book-part")].map(a => {
  const shadowRoots = [...a.querySelectorAll("*")].map(el => el.shadowRoot).filter(Boolean);
  return [a.id, a.getHTML({shadowRoots})];
}))"""

# The scheme of each URL, by Chromium's URL parser (a relative URL takes the page's: http).
SCHEMES_JS = """(values) => values.map(value => {
  try { return new URL(value, document.baseURI).protocol.slice(0, -1); } catch (error) { return null; }
})"""

# The image each <img> shows, from Chromium's own srcset parser: one of the build's candidates.
SHOWN_JS = """() => [...document.images].filter(img => img.currentSrc).map(img => img.currentSrc)"""


def browser_findings(page, url: str) -> dict:
    """What Chromium finds in the page at url (page: a Playwright page without JavaScript)."""
    page.goto(url, wait_until="load")
    links = page.evaluate(LINKS_JS, [HTML_URLS, SVG_URLS])
    return {
        "ids": sorted(page.evaluate(IDS_JS)),
        "links": links,
        "schemes": page.evaluate(SCHEMES_JS, [value for tag, attr, value, rel in links]),
        "text": page.evaluate(TEXT_JS, WHITESPACE),
        "main_html": page.evaluate(MAIN_JS),
        "parts": page.evaluate(PARTS_JS),
        "shown": page.evaluate(SHOWN_JS),
    }


# -- the sites, served ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The tricky site built (with the nul guide), the deep site built into deep-site/, and the
    raw pages: the folder served."""
    from mentorsite.commands.cli import main

    work = tmp_path_factory.mktemp("tricky")
    tricky = work / "tricky"
    shutil.copytree(FIXTURE, tricky, ignore=shutil.ignore_patterns("expected"))
    (tricky / "content" / "guides" / "nul.md").write_bytes(
        b"---\ntitle: NUL\nsummary: NUL bytes in a guide.\n---\n\n## Text\n\n"
        b'A\x00B and <span id="n\x00l">x\x00y</span>\n\n<p id="nul\x00id"><a href="#n\x00l">link \x00</a></p>\n')
    out = work / "_site"
    assert main(["build", "--config", str(tricky / "site.yml"), "--output", str(out)]) == 0
    deep = work / "deep"
    (deep / "content" / "guides").mkdir(parents=True)
    shutil.copy(FIXTURE / "site.yml", deep / "site.yml")
    shutil.copy(FIXTURE / "content" / "program.yml", deep / "content" / "program.yml")
    (deep / "content" / "guides" / "deep.md").write_text(
        f"---\ntitle: Deep\nsummary: {DEEP:,} nested divs.\n---\n\n## Deep\n\n"
        + '<div id="top">' + "<div>" * DEEP + '<p id="bottom">The bottom, <a href="#top">back to the top</a>.</p>'
        + "</div>" * DEEP + "</div>\n\nAfter the divs.\n", encoding="utf-8")
    assert main(["build", "--config", str(deep / "site.yml"), "--output", str(out / "deep-site")]) == 0
    _PROJECTS.update({"tricky": tricky, "deep-site": deep})
    for page, content in RAW_PAGES.items():
        (out / page).parent.mkdir(parents=True, exist_ok=True)
        (out / page).write_bytes(content)
    return out


@pytest.fixture(scope="module")
def served(site: Path):
    """The built folder on 127.0.0.1 under /mentoring/; yields the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_PagesHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}{BASE_PATH}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def chromium(browser, served: str):
    """chromium(page) -> what Chromium finds in it (each page loaded once), JavaScript off."""
    context = browser.new_context(java_script_enabled=False)
    context.route("**/*", lambda route: route.continue_() if is_local(route.request.url) else route.abort())
    tab = context.new_page()
    found: dict[str, dict] = {}

    def findings(page: str) -> dict:
        if page not in found:
            found[page] = browser_findings(tab, served + page)
        return found[page]

    yield findings
    context.close()


# -- the comparisons --------------------------------------------------------------------------------


def test_every_page_is_compared(site: Path):
    """Every page of the tricky site (of the deep site, the two that hold the deep guide)."""
    built = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    assert sorted(p for p in built if not p.startswith(("deep-site/", "raw/"))) == sorted(PAGES)
    assert set(DEEP_PAGES) <= built


@pytest.mark.parametrize("aspect", ASPECTS)
@pytest.mark.parametrize("page", PAGES + DEEP_PAGES + list(RAW_PAGES))
def test_the_build_reads_a_page_as_chromium_does(site: Path, chromium, page: str, aspect: str, request):
    if (page, aspect) in KNOWN:
        request.applymarker(pytest.mark.xfail(reason=KNOWN[page, aspect], strict=True))
    ours, theirs = build_findings(site, page)[aspect], chromium(page)[aspect]
    assert ours == theirs, _difference(aspect, ours, theirs)


@pytest.mark.parametrize("page", [f"guides/{slug}/index.html" for slug in GUIDES])
def test_the_print_edition_holds_each_part_as_the_build_made_it(site: Path, chromium, page: str):
    """A page's part (its <main>, rewritten for the book, as the build keeps it) is what Chromium
    finds in that part's place in the print page."""
    part = BuildState.open(_PROJECTS["tricky"], site).readings[page].part
    ident = page.removesuffix("/index.html").replace("/", "-")
    assert part.html.strip() == chromium("print/index.html")["parts"][ident].strip()


def test_each_image_chromium_shows_is_a_url_the_build_found(site: Path, chromium, served: str):
    page = "guides/srcset/index.html"
    found = {urljoin(served + page, value) for tag, attr, value, rel in build_findings(site, page)["links"]}
    shown = chromium(page)["shown"]
    assert len(shown) == 5, f"Chromium showed {len(shown)} of the page's 5 images"
    assert set(shown) <= found, f"shown but not found by the build: {sorted(set(shown) - found)}"


@pytest.mark.parametrize("page", PAGES + list(RAW_PAGES))
def test_url_scheme_finds_the_scheme_chromium_finds(site: Path, chromium, page: str):
    values = [value for tag, attr, value, rel in build_findings(site, page)["links"]]
    theirs = chromium(page)["schemes"]
    ours = [url_scheme(value) or "http" for value in values]  # (relative: the page's)
    assert len(ours) == len(theirs)
    assert [(v, s) for v, s, t in zip(values, ours, theirs) if t is not None and s != t] == []


def test_the_corpus_holds_what_it_is_for(site: Path):
    """The tricky pages hold the cases they were written for (a guard against a Markdown change
    that would escape them, and leave the comparisons above comparing nothing tricky)."""
    def main(page: str) -> str:
        html = (site / page).read_text(encoding="utf-8", errors="replace")
        return html[html.index("<main"):]

    assert "<!-- a note --!>" in main("guides/comments/index.html")
    assert '<textarea id="notes" name="notes"><a href="/mentoring/textarea/"' in main("guides/raw-text/index.html")
    assert "<![CDATA[ <a href=" in main("guides/cdata/index.html")
    assert '<a href="java&#x09;script:void(2)">' in main("guides/javascript/index.html")
    assert "</main><main id=\"second\">" in main("guides/end-main/index.html")
    assert "<div>" * DEEP in main("deep-site/guides/deep/index.html")
    links = {tuple(link[:3]) for link in build_findings(site, "guides/javascript/index.html")["links"]}
    assert {("a", "href", "java\tscript:void(2)"), ("form", "action", "javascript:void(8)"),
            ("a", "xlink:href", "javascript:void(9)"), ("object", "data", "javascript:void(11)")} <= links
    assert sum(url_scheme(value) == "javascript" for tag, attr, value in links) == 11  # (all but the one with a NUL)


def _difference(aspect: str, ours, theirs) -> str:
    """What differs, shortly: the items only one side has, or where two texts part."""
    if aspect in ("ids", "links"):
        mine = [tuple(x) if isinstance(x, list) else x for x in ours]
        other = [tuple(x) if isinstance(x, list) else x for x in theirs]
        only_ours = [x for x in mine if x not in other]
        only_theirs = [x for x in other if x not in mine]
        if not (only_ours or only_theirs):
            return f"the same {aspect} in another order: build {mine}, Chromium {other}"
        return f"{aspect}: only the build finds {only_ours}; only Chromium finds {only_theirs}"
    a, b = repr(ours), repr(theirs)
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"{aspect} parts at character {at}: build …{a[max(0, at - 120):at + 120]}… Chromium …{b[max(0, at - 120):at + 120]}…"
