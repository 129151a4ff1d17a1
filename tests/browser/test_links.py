"""Crawl the served example handbook with urllib: every internal link resolves, every #fragment
exists, every page is reachable from the home page, and no link escapes the base path."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BASE_PATH = "/mentoring/"  # the path of site.yml's url; the test server serves the build there

# The handbook has ~48 HTML pages plus stylesheets and images; a crawl that finds far fewer has
# lost its way (a broken nav, a wrong base path), and it must never pass having crawled nothing.
MIN_HTML_PAGES = 40
MIN_URLS = 45

# Which attributes of which elements hold a URL the browser will load or follow.
URL_ATTRS = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "script": ("src",),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "form": ("action",),
}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")  # url(...) in a stylesheet
NOT_FETCHED = ("mailto", "tel", "javascript", "data", "blob", "sms", "webcal")


@dataclass(frozen=True, slots=True)
class Link:
    """One URL found on a page: where, as written, and resolved against the page."""

    page: str
    tag: str
    attr: str
    raw: str
    url: str

    def __str__(self) -> str:
        return f"{_short(self.page)}: <{self.tag} {self.attr}={self.raw!r}>"


@dataclass(slots=True)
class Fetched:
    """What the crawl saw at one URL."""

    status: int
    content_type: str = ""
    location: str | None = None
    anchors: set[str] = field(default_factory=set)
    duplicate_ids: set[str] = field(default_factory=set)
    links: list[Link] = field(default_factory=list)


class _PageParser(HTMLParser):
    """Collect the ids and names a fragment can target, and every URL-bearing attribute."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: set[str] = set()
        self.duplicate_ids: set[str] = set()
        self.urls: list[tuple[str, str, str]] = []
        self.base_href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v for k, v in attrs if v is not None}
        if "id" in values:
            if values["id"] in self.anchors:
                self.duplicate_ids.add(values["id"])
            self.anchors.add(values["id"])
        if tag in ("a", "map") and "name" in values:
            self.anchors.add(values["name"])
        if tag == "base" and "href" in values:
            self.base_href = values["href"]
        for attr in URL_ATTRS.get(tag, ()):
            if attr not in values:
                continue
            if attr == "srcset":
                for candidate in values[attr].split(","):
                    if candidate.strip():
                        self.urls.append((tag, attr, candidate.split()[0]))
            else:
                self.urls.append((tag, attr, values[attr].strip()))

    handle_startendtag = handle_starttag


def _short(url: str) -> str:
    """A URL as a path under the base, for readable failure messages."""
    path = urlsplit(url).path
    return path[len(BASE_PATH) - 1:] if path.startswith(BASE_PATH) else url


def _site_url() -> str:
    return yaml.safe_load((REPO / "site.yml").read_text(encoding="utf-8"))["url"]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _fetch(url: str) -> tuple[int, str, str | None, bytes]:
    try:
        with _opener.open(url, timeout=10) as resp:
            return resp.status, resp.headers.get_content_type(), None, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get_content_type(), e.headers.get("Location"), e.read()


@dataclass(slots=True)
class Crawl:
    """The result of crawling the site from its home page."""

    base: str
    site_url: str
    pages: dict[str, Fetched]
    not_found_page: Fetched
    not_found_url: str = ""
    from_home: frozenset[str] = frozenset()

    def local(self, url: str) -> str | None:
        """The test-server URL for an internal URL (the public site URL maps onto it), else None."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return None
        base = urlsplit(self.base)
        if parts.netloc == base.netloc:
            return url
        public = urlsplit(self.site_url)
        if parts.netloc == public.netloc and parts.path.startswith(public.path):
            return self.base + parts.path[len(public.path):] + (f"?{parts.query}" if parts.query else "")
        return None

    def get(self, url: str) -> Fetched | None:
        """What the crawl saw at a test-server URL (the 404 page included)."""
        return self.not_found_page if url == self.not_found_url else self.pages.get(url)

    def all_links(self) -> list[Link]:
        links = [link for page in self.pages.values() for link in page.links]
        return links + self.not_found_page.links


def _parse(url: str, fetched: Fetched, body: bytes) -> None:
    if fetched.content_type == "text/html":
        parser = _PageParser()
        parser.feed(body.decode("utf-8", errors="replace"))
        parser.close()
        fetched.anchors = parser.anchors
        fetched.duplicate_ids = parser.duplicate_ids
        base = urljoin(url, parser.base_href) if parser.base_href else url
        fetched.links = [Link(url, tag, attr, raw, urljoin(base, raw)) for tag, attr, raw in parser.urls]
    elif fetched.content_type == "text/css":
        text = body.decode("utf-8", errors="replace")
        fetched.links = [Link(url, "css", "url", m.group(2), urljoin(url, m.group(2).strip()))
                         for m in CSS_URL.finditer(text)]


@pytest.fixture(scope="module")
def crawl(served: str) -> Crawl:
    """Fetch every internal URL reachable from the home page, plus the 404 page at some depth."""
    result = Crawl(served, _site_url(), {}, Fetched(0))
    queue = [served]
    while queue:
        url = queue.pop()
        if url in result.pages:
            continue
        status, ctype, location, body = _fetch(url)
        fetched = result.pages[url] = Fetched(status, ctype, location)
        if status == 200:
            _parse(url, fetched, body)
        for link in fetched.links:
            target = result.local(urldefrag(link.url).url)
            if target and target not in result.pages and urlsplit(link.raw).scheme not in NOT_FETCHED:
                queue.append(target)
    result.from_home = frozenset(result.pages)
    # 404.html is served for any missing path, at any depth, so its links must work from anywhere.
    missing_url = served + "no/such/page/here/"
    status, ctype, location, body = _fetch(missing_url)
    result.not_found_page = Fetched(status, ctype, location)
    result.not_found_url = missing_url
    _parse(missing_url, result.not_found_page, body)
    for link in result.not_found_page.links:
        target = result.local(urldefrag(link.url).url)
        if target and target != missing_url and target not in result.pages:
            s, c, loc, b = _fetch(target)
            result.pages[target] = fetched = Fetched(s, c, loc)
            if s == 200:
                _parse(target, fetched, b)
    return result


def test_the_crawl_reaches_every_page_of_the_build(crawl: Crawl, example_site: Path):
    html = [u for u, f in crawl.pages.items() if f.content_type == "text/html" and f.status == 200]
    assert len(html) >= MIN_HTML_PAGES, f"crawled only {len(html)} HTML pages: {sorted(map(_short, html))}"
    assert len(crawl.pages) >= MIN_URLS, f"crawled only {len(crawl.pages)} URLs"

    reached = {unquote(urlsplit(u).path) for u in crawl.from_home if crawl.pages[u].status == 200}
    unreachable = []
    for file in sorted(example_site.rglob("*.html")):
        rel = file.relative_to(example_site).as_posix()
        if rel == "404.html":
            continue
        path = BASE_PATH + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
        if path not in reached and (BASE_PATH + rel) not in reached:
            unreachable.append(path)
    assert not unreachable, "pages no link leads to from the home page:\n" + "\n".join(unreachable)


def test_every_internal_link_resolves_with_200(crawl: Crawl):
    problems = []
    for link in crawl.all_links():
        target = crawl.local(urldefrag(link.url).url)
        if target is None or urlsplit(link.raw).scheme in NOT_FETCHED:
            continue
        if target == crawl.not_found_url:
            continue  # a link within the 404 page itself
        fetched = crawl.pages[target]
        if fetched.status == 200:
            continue
        if fetched.location:
            problems.append(f"{link}: {fetched.status} redirect to {fetched.location} (link the final URL)")
        else:
            problems.append(f"{link}: {fetched.status}")
    assert not problems, f"{len(problems)} broken internal links:\n" + "\n".join(sorted(set(problems)))


def test_every_fragment_exists_in_its_target_page(crawl: Crawl):
    problems = []
    for link in crawl.all_links():
        url, fragment = urldefrag(link.url)
        if not fragment or link.tag == "css":
            continue
        target = crawl.local(url)
        if target is None:
            continue
        fetched = crawl.get(target)
        if fetched is None or (fetched.status != 200 and fetched is not crawl.not_found_page) or fetched.content_type != "text/html":
            continue  # reported by the 200 test
        if unquote(fragment) not in fetched.anchors:
            problems.append(f"{link}: no id {unquote(fragment)!r} in {_short(target)}")
    assert not problems, f"{len(problems)} links to missing anchors:\n" + "\n".join(sorted(set(problems)))


def test_ids_are_unique_in_every_page(crawl: Crawl):
    # a fragment that matches two elements jumps to the first, which is rarely the one meant
    problems = [f"{_short(url)}: {', '.join(sorted(f.duplicate_ids))}"
                for url, f in sorted(crawl.pages.items()) if f.duplicate_ids]
    assert not problems, "ids used more than once on a page:\n" + "\n".join(problems)


def test_no_internal_link_escapes_the_base_path(crawl: Crawl):
    problems = []
    base = urlsplit(crawl.base)
    public = urlsplit(crawl.site_url)
    checked = 0
    for link in crawl.all_links():
        parts = urlsplit(link.url)
        if parts.scheme not in ("http", "https") or parts.netloc not in (base.netloc, public.netloc):
            continue
        checked += 1
        if not parts.path.startswith(BASE_PATH):
            problems.append(f"{link}: resolves to {parts.path}, outside {BASE_PATH}")
        elif link.tag != "css" and not (link.raw.startswith(("#", BASE_PATH)) or link.raw.startswith(crawl.site_url)):
            problems.append(f"{link}: not absolute under {BASE_PATH} (breaks when the page is served elsewhere, "
                            "e.g. as 404.html)")
    assert checked > 100, f"only {checked} internal links found"
    assert not problems, f"{len(problems)} links leave or bypass the base path:\n" + "\n".join(sorted(set(problems)))


def test_the_404_page_is_served_and_its_links_work_at_any_depth(crawl: Crawl):
    page = crawl.not_found_page
    assert page.status == 404
    assert page.content_type == "text/html"
    assert page.links, "the 404 page has no links back into the handbook"
    # its stylesheet must load from /mentoring/no/such/page/here/ too
    styles = [link for link in page.links if link.tag == "link" and link.raw.endswith(".css")]
    assert styles and all(crawl.pages[crawl.local(link.url)].status == 200 for link in styles)


def test_sitemap_lists_every_page_with_its_public_url(crawl: Crawl, example_site: Path):
    sitemap = example_site / "sitemap.xml"
    assert sitemap.is_file(), "every build writes sitemap.xml"
    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [el.text.strip() for el in ET.parse(sitemap).getroot().iterfind("sm:url/sm:loc", ns)]
    assert locs, "sitemap.xml lists no URLs"
    problems = []
    for loc in locs:
        if not loc.startswith(crawl.site_url):
            problems.append(f"{loc}: not under {crawl.site_url}")
            continue
        local = crawl.local(loc)
        fetched = crawl.pages.get(local)
        if fetched is None:
            status, *_ = _fetch(local)
            problems.append(f"{loc}: {status}, and no link on the site leads to it" if status != 200
                            else f"{loc}: no link on the site leads to it")
        elif fetched.status != 200:
            problems.append(f"{loc}: {fetched.status}")
    html_pages = {u for u, f in crawl.pages.items() if f.status == 200 and f.content_type == "text/html"}
    listed = {crawl.local(loc) for loc in locs}
    unlisted = sorted(_short(u) for u in html_pages - listed)
    assert not problems, "sitemap.xml problems:\n" + "\n".join(problems)
    assert not unlisted, "pages missing from sitemap.xml:\n" + "\n".join(unlisted)
