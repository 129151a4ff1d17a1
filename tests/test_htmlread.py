"""htmlread: one reading of a page, as a browser reads it (tests/browser/test_html_oracle.py holds
it to Chromium on whole pages; these hold each method to small pages, the tricky cases first)."""

from __future__ import annotations

import pytest

from mentorsite.htmlread import HtmlPage, Link, PageText, fragment_links, srcset_urls, url_scheme
from tests.conftest import REPO


def page(body: str, head: str = "") -> HtmlPage:
    return HtmlPage(f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>")


def text_of(main: str) -> tuple:
    text = page(f"<main>{main}</main>").text()
    return text.title, text.parts, text.headings


# -- ids ------------------------------------------------------------------------------------------


def test_ids_are_every_id_and_every_a_name():
    found = page('<h2 id="one">x</h2><a name="two"></a><p ID="Three" id="not-this">y</p><div id="">z</div>'
                 '<span name="not-an-anchor"></span><a name="">empty</a>').ids()
    assert found == {"one", "two", "Three"}


def test_ids_a_browser_cannot_target_are_not_ids():
    found = page('<template><p id="in-template"></p></template><textarea><p id="in-textarea"></p></textarea>'
                 '<!-- <p id="in-comment"> --!> <p id="after-comment"></p>'
                 '<svg><a name="svg-name" id="svg-id"></a></svg>').ids()
    assert found == {"after-comment", "svg-id"}  # (an SVG <a name> is no anchor; its id is)


def test_ids_include_noscript_content():
    # read as a browser without scripting reads it: <noscript> holds elements
    assert page('<noscript><p id="no-js"></p></noscript>').ids() == {"no-js"}


# -- links ----------------------------------------------------------------------------------------


def test_links_in_document_order_with_their_element_attribute_and_rel():
    links = page('<a href="/a/">a</a><img src="/i.png" alt=""><link rel="Stylesheet icon" href="/s.css">'
                 '<script src="/s.js"></script><form action="/f/"><button formaction="/b/">b</button>'
                 '<input type="image" src="/in.png" formaction="/in/" alt=""></form>'
                 '<video src="/v.webm" poster="/p.png"><source src="/v.mp4"><track src="/t.vtt"></video>'
                 '<audio src="/a.ogg"></audio><iframe src="/frame/"></iframe><embed src="/e.svg">'
                 '<object data="/o.svg"></object><map><area href="/area/" alt=""></map><base href="/base/">',
                 head='<link rel="icon" href="/favicon.svg">').links()
    assert links == (
        Link("link", "href", "/favicon.svg", "icon"),
        Link("a", "href", "/a/"),
        Link("img", "src", "/i.png"),
        Link("link", "href", "/s.css", "Stylesheet icon"),
        Link("script", "src", "/s.js"),
        Link("form", "action", "/f/"),
        Link("button", "formaction", "/b/"),
        Link("input", "src", "/in.png"),
        Link("input", "formaction", "/in/"),
        Link("video", "src", "/v.webm"),
        Link("video", "poster", "/p.png"),
        Link("source", "src", "/v.mp4"),
        Link("track", "src", "/t.vtt"),
        Link("audio", "src", "/a.ogg"),
        Link("iframe", "src", "/frame/"),
        Link("embed", "src", "/e.svg"),
        Link("object", "data", "/o.svg"),
        Link("area", "href", "/area/"),
        Link("base", "href", "/base/"),
    )


def test_link_values_are_the_doms_decoded_and_not_stripped():
    links = page('<a href="  /padded/  ">a</a><a href="?a=1&amp;b=2&copy=3&copy;">b</a><a href>c</a>'
                 '<a href="java&#x09;script:x">d</a><a HREF=/upper/ href="/second/">e</a>').links()
    assert [link.value for link in links] == ["  /padded/  ", "?a=1&b=2&copy=3©", "", "java\tscript:x", "/upper/"]


def test_text_that_looks_like_a_link_is_not_one():
    links = page('<textarea><a href="/in-textarea/">x</a></textarea><title><a href="/in-title/"></title>'
                 '<script>"<a href=\'/in-script/\'>"</script><style>a[href="/in-style/"]{}</style>'
                 '<!-- <a href="/in-comment/"> --!><a href="/after-comment/">y</a>'
                 '<template><a href="/in-template/">t</a></template><p><![CDATA[<a href="/in-cdata/">]]></p>'
                 '<noscript><a href="/in-noscript/">n</a></noscript>').links()
    assert [link.value for link in links] == ["/after-comment/", "/in-noscript/"]


def test_a_link_after_a_comment_that_ends_at_a_bang_is_a_link():
    assert [link.value for link in page('<!-- note --!><a href="/x/">x</a>').links()] == ["/x/"]
    assert [link.value for link in page('<!--><a href="/y/">y</a>').links()] == ["/y/"]


def test_srcset_gives_one_link_per_candidate():
    links = page('<img alt="" src="/a.png" srcset="/a.png 1x,/b.png 2x ,  /c.png   3x">'
                 '<picture><source srcset="data:image/gif;base64,R0lG,AAA 1x, /d.png (max-width: 1px) 2x"></picture>').links()
    assert [(link.tag, link.attr, link.value) for link in links] == [
        ("img", "src", "/a.png"), ("img", "srcset", "/a.png"), ("img", "srcset", "/b.png"), ("img", "srcset", "/c.png"),
        ("source", "srcset", "data:image/gif;base64,R0lG,AAA"), ("source", "srcset", "/d.png")]


def test_svg_links_are_read_by_namespace():
    links = page('<svg><a href="/svg-a/" xlink:href="/svg-xlink/"><text>a</text></a><use href="#u"/>'
                 '<image xlink:href="/img.png"/><iframe src="/svg-iframe/"></iframe>'
                 '<foreignObject><a href="/html-a/" xlink:href="/not-a-link/">b</a></foreignObject></svg>'
                 '<a xlink:href="/not-a-link-either/" href="/html/">c</a><use href="/html-use/"></use>'
                 '<math><mi><a href="/mi-a/">d</a></mi><a href="/math-a/">e</a></math>').links()
    assert [(link.tag, link.attr, link.value) for link in links] == [
        ("a", "href", "/svg-a/"), ("a", "xlink:href", "/svg-xlink/"), ("use", "href", "#u"),
        ("image", "xlink:href", "/img.png"), ("a", "href", "/html-a/"), ("a", "href", "/html/"), ("a", "href", "/mi-a/")]


def test_mathml_annotations_hold_html_only_when_they_say_so():
    links = page('<math><annotation-xml encoding="TEXT/HTML"><a href="/html/">a</a></annotation-xml>'
                 '<annotation-xml><a href="/math/">b</a><svg><a href="/svg/">c</a></svg></annotation-xml></math>').links()
    assert [link.value for link in links] == ["/html/", "/svg/"]


def test_an_html_image_tag_is_an_img():
    assert page('<image src="/x.png">').links() == (Link("img", "src", "/x.png"),)


@pytest.mark.parametrize("value, scheme", [
    ("javascript:alert(1)", "javascript"),
    ("JAVASCRIPT:x", "javascript"),
    (" \x01javascript:x ", "javascript"),  # C0 controls and spaces at the ends are stripped
    ("java\tscript:x", "javascript"),  # tabs and newlines anywhere are removed
    ("\njava\r\nscript:x", "javascript"),
    ("java\x00script:x", None),  # a NUL inside is not: a relative URL
    ("java script:x", None),
    ("mailto:a@example.org", "mailto"),
    ("c:/x", "c"),
    ("/path/", None),
    ("#top", None),
    ("?q=a:b", None),
    ("1a:b", None),
    ("", None),
])
def test_url_scheme_is_the_url_parsers(value: str, scheme: str | None):
    assert url_scheme(value) == scheme


@pytest.mark.parametrize("value, urls", [
    ("a.png", ["a.png"]),
    ("a.png 1x, b.png 2x", ["a.png", "b.png"]),
    ("  a.png   1x ,b.png\t2x\n,\n c.png 3x  ", ["a.png", "b.png", "c.png"]),
    ("a.png,b.png", ["a.png,b.png"]),  # a comma inside a URL belongs to it
    ("a.png, b.png", ["a.png", "b.png"]),
    ("a.png,, ,b.png,", ["a.png", "b.png"]),  # commas ending a URL are dropped
    ("a.png (x, y) 1x, b.png", ["a.png", "b.png"]),  # a comma inside parentheses is the descriptor's
    ("data:image/png;base64,AAA= 1x", ["data:image/png;base64,AAA="]),
    (", , ", []),
    ("", []),
])
def test_srcset_urls_split_as_html_does(value: str, urls: list[str]):
    assert srcset_urls(value) == urls


def test_fragment_links_read_raw_html_as_the_content_of_a_body():
    html = '<div>\n<a href="https://example.org/">x</a> <textarea><a href="/no/"></textarea>\n<img src="a.png" alt="">\n'
    assert fragment_links(html) == [Link("a", "href", "https://example.org/"), Link("img", "src", "a.png")]
    assert fragment_links("") == []
    assert fragment_links('<svg><use xlink:href="#i"/></svg><use href="/no/">') == [Link("use", "xlink:href", "#i")]
    assert fragment_links('<td><a href="/cell/">x</a>') == [Link("a", "href", "/cell/")]  # (a stray <td> is dropped)


# -- text -----------------------------------------------------------------------------------------


def test_text_takes_the_title_and_splits_at_headings():
    assert text_of('<p>Kicker</p><h1>Title</h1><p>Intro.</p><h2 id="one">One</h2><p>First.</p>'
                   '<h3>No id</h3><p>Still one.</p><h3 id="two">Two</h3><p>Second.</p>') == (
        "Title",
        [["", "", "Intro."], ["one", "One", "First."], ["one", "One", "Still one."], ["two", "Two", "Second."]],
        ["One", "No id", "Two"])


def test_text_skips_what_search_skips():
    assert text_of('<h1>T</h1><nav>nav</nav><script>script</script><style>style</style><template>tpl</template>'
                   '<noscript>noscript</noscript><svg><text>svg</text></svg><select><option>opt</option></select>'
                   '<textarea>area</textarea><button>button</button><p data-search-ignore>ignored</p>'
                   '<span class="a visually-hidden">hidden</span><span class="Visually-Hidden">shown</span> kept') == (
        "T", [["", "", "shown kept"]], [])


def test_text_puts_a_space_where_a_block_tag_starts_only():
    assert text_of("<h1>T</h1><p>a</p><p>b</p>c<br>d<span>e</span><span>f</span><li>g</li><h4>h</h4><em>i</em>") == (
        "T", [["", "", "a bc def ghi"]], [])


def test_text_folds_white_space_as_str_split_does():
    assert text_of("<h1> A \n title </h1><p>no&nbsp;break\u2003em\u200bzero\x1cfile</p>") == (
        "A title", [["", "", "no break em\u200bzero file"]], [])


def test_headings_hold_their_links_and_lose_their_skipped_parts():
    assert text_of('<h1>T</h1><h2 id="h">A <a href="#h">link</a> <button>x</button><span data-search-ignore>y</span>'
                   "and <code>code</code></h2><p>Body.</p>") == ("T", [["h", "A link and code", "Body."]],
                                                                ["A link and code"])


def test_a_heading_inside_a_heading_ends_the_outer_one():
    assert text_of('<h1>T</h1><h2 id="out"><span>outer <h3 id="in">inner</h3> tail</span></h2><p>After.</p>') == (
        "T", [["in", "inner", "tail After."]], ["inner"])


def test_an_empty_first_h1_leaves_the_title_to_the_next():
    assert text_of("<h1></h1><p>a</p><h1>Second</h1><p>b</p>") == ("Second", [["", "", "b"]], [])


def test_text_reads_the_first_main_only_and_stops_nowhere_else():
    html = page('<header><h1>Site</h1></header><main><h1>T</h1><p>a <!-- c --!> b</p></main><main><p>second</p></main>')
    assert (html.text().title, html.text().parts) == ("T", [["", "", "a b"]])
    assert page("<p>no main</p>").text() == PageText()


def test_text_of_an_unclosed_main_runs_to_the_end_of_the_body():
    assert text_of("<h1>T</h1><p>a</p><footer><p>footer</p></footer>")[1] == [["", "", "a footer"]]


# -- main_html and rewrite_main -------------------------------------------------------------------


def test_main_html_is_the_inner_html_of_the_first_main():
    html = page('<main id="m"><p title="a<b">x &amp; <b>y</p><!-- c --!><template><i id="t">z</i></template></main><main>2</main>')
    assert html.main_html() == '<p title="a&lt;b">x &amp; <b>y</b></p><!-- c --><template><i id="t">z</i></template>'
    assert page("<p>none</p>").main_html() == ""


def _prefixed(tag: str, attrs: dict) -> dict | None:
    if "id" not in attrs and not attrs.get("href", "").startswith("#"):
        return None
    if "id" in attrs:
        attrs["id"] = "part--" + attrs["id"]
    if attrs.get("href", "").startswith("#"):
        attrs["href"] = "#part--" + attrs["href"][1:]
    return attrs


def test_rewrite_main_applies_the_edit_and_leaves_the_tree_as_it_was():
    html = page('<main><h2 id="a" class="c">A</h2><p><a href="#a" title="t">to a</a> <a href="/x/">x</a></p></main>')
    before = html.main_html()
    assert html.rewrite_main(_prefixed) == ('<h2 id="part--a" class="c">A</h2>'
                                            '<p><a href="#part--a" title="t">to a</a> <a href="/x/">x</a></p>')
    assert html.main_html() == before
    assert html.ids() == {"a"}
    assert html.rewrite_main(lambda tag, attrs: None) == before


def test_rewrite_main_can_drop_add_and_reorder_attributes_and_restores_their_order():
    html = page('<main><a id="i" href="/x/" title="t">x</a><img alt="" src="/y.png"><svg><a xlink:href="/z/">z</a></svg></main>')
    before = html.main_html()

    def edit(tag: str, attrs: dict) -> dict | None:
        if tag == "a" and "href" in attrs:
            return {"id": attrs["id"], "title": attrs["title"], "data-new": ""}  # href dropped, one added
        if tag == "img":
            return {"src": "data:,", "alt": "", "loading": "lazy"}
        if "xlink:href" in attrs:
            return {"xlink:href": "https://example.org/z/"}
        return None

    assert html.rewrite_main(edit) == ('<a id="i" title="t" data-new="">x</a><img src="data:," alt="" loading="lazy">'
                                       '<svg><a xlink:href="https://example.org/z/">z</a></svg>')
    assert html.main_html() == before
    assert [link.value for link in html.links()] == ["/x/", "/y.png", "/z/"]


def test_rewrite_main_gives_lowercase_tags_and_empty_values():
    seen = []
    page('<main><DIV HIDDEN data-x="1"><svg><foreignObject></foreignObject></svg></DIV></main>').rewrite_main(
        lambda tag, attrs: seen.append((tag, attrs)))
    assert seen == [("div", {"hidden": "", "data-x": "1"}), ("svg", {}), ("foreignobject", {})]


# -- what a browser does with odd input -----------------------------------------------------------


def test_deeply_nested_pages_are_read_without_recursion():
    depth = 10_000
    html = page("<main><h1>Deep</h1>" + '<div id="d">' * depth + '<a href="#d">down</a><nav>n</nav>' + "</div>" * depth + "</main>")
    assert html.ids() == {"d"}
    assert html.links()[-1] == Link("a", "href", "#d")
    assert html.text().parts == [["", "", "down"]]
    assert html.main_html().count("<div") == depth
    assert html.rewrite_main(_prefixed).count('id="part--d"') == depth


def test_nul_bytes_are_read_as_a_browser_reads_them():
    html = HtmlPage(b'<main><h1>N\x00UL</h1><p id="a\x00b">x\x00y<a href="/m\x00n/">l</a></p></main>')
    assert html.text().title == "NUL"  # (dropped in text)
    assert html.ids() == {"a\ufffdb"}  # (replaced in attributes)
    assert html.links() == (Link("a", "href", "/m\ufffdn/"),)


def test_bytes_and_text_read_alike():
    source = '<main><h1>Café</h1><p id="é">ü</p></main>'
    as_text, as_bytes = HtmlPage(source), HtmlPage(source.encode("utf-8"))
    assert (as_text.ids(), as_text.text(), as_text.main_html()) == (as_bytes.ids(), as_bytes.text(), as_bytes.main_html())
