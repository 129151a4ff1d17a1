"""The second handbook on a phone (375 px, Chromium): the page never scrolls sideways; a table too
wide for the screen scrolls inside its own box, shows a shadow where it is cut and is a labelled
region the keyboard reaches; worksheet tables keep every field reachable and wide enough to read,
and status selects as wide as their longest option; the home page's downloads keep each row
whole. Set MENTORSITE_SHOTS=1 to keep the screenshots in /tmp/mentorsite-shots/ for looking."""

from __future__ import annotations

import pytest

from tests.browser.test_accessibility import axe_source, describe, run_axe  # noqa: F401 - axe_source is a fixture

PHONE = 375
PAGES = {
    "home": "",  # the roles table, the downloads
    "guide with tables": "guides/onboarding/setting-up/",  # a Markdown table, a milestone table
    "guide with a worksheet": "guides/onboarding/your-first-review/",
    "guide with the roles": "guides/circles/running-a-circle/",
    "worksheet with tables": "worksheets/contribution-plan/",
    "worksheet with a log": "worksheets/review-log/",
    "type": "types/maintainer-circle/",
    "milestone template": "milestones/first-merge/",
    "schedule": "schedule/",
    "print edition": "print/",
}

# Elements that reach past the screen's edge without being inside a box that scrolls.
OUTSIDE = """() => {
  const width = document.documentElement.clientWidth, out = [];
  const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if ((o === 'auto' || o === 'scroll' || o === 'hidden') && p.getBoundingClientRect().right <= width + 1) return true; }
    return false; };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(el).position === 'absolute' && r.width <= 1) continue;
    if ((r.right > width + 1 || r.left < -1) && !scrolls(el) && !el.closest('.visually-hidden, .skip-link'))
      out.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : '') + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
  }
  return out; }"""

# Every table's box: whether it is cut, its shadows, its region's label.
BOXES = """async () => { await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  return [...document.querySelectorAll('main table')].map(t => {
  const wrap = t.closest('.table-wrap'), box = wrap && wrap.parentElement;
  return { table: (t.className || t.closest('figure, .field, section') && (t.closest('figure, .field, section').className)) || 'table',
    inBox: !!(box && box.classList.contains('table-box')), overflow: wrap && getComputedStyle(wrap).overflowX,
    cut: wrap ? wrap.scrollWidth > wrap.clientWidth + 1 : false, edges: box && box.getAttribute('data-cut'),
    right: box && getComputedStyle(box, '::after').opacity, left: box && getComputedStyle(box, '::before').opacity,
    role: wrap && wrap.getAttribute('role'), tabindex: wrap && wrap.getAttribute('tabindex'), label: wrap && wrap.getAttribute('aria-label'),
    focusable: !!(wrap && wrap.querySelector('input, select, textarea, a[href], button')) }; }); }"""


@pytest.fixture(scope="module")
def phone(browser, second_served: str):
    # reduced motion: the shadows appear at once (no fade to wait for)
    context = browser.new_context(viewport={"width": PHONE, "height": 800}, reduced_motion="reduce")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    yield page
    context.close()


@pytest.mark.parametrize("kind", list(PAGES))
def test_nothing_is_wider_than_a_phone_outside_a_scrolling_box(phone, second_served: str, save_shot, kind: str):
    phone.goto(second_served + PAGES[kind])
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE, "the page scrolls sideways"
    assert phone.evaluate(OUTSIDE) == []
    for box in phone.evaluate(BOXES):
        assert box["inBox"] and box["overflow"] == "auto", box
        if box["cut"]:
            assert box["edges"] == "right" and box["right"] == "1" and box["left"] == "0", box
            if not box["focusable"]:
                assert (box["role"], box["tabindex"]) == ("region", "0") and box["label"], box
        else:
            assert not box["edges"] and box["right"] == "0", box
    assert not phone.errors
    save_shot(phone, f"phone-{kind.replace(' ', '-')}")


def test_the_shadow_follows_the_scroll(phone, second_served: str):
    phone.goto(second_served + PAGES["home"])
    wrap = phone.locator(".roles").locator("xpath=..")
    box = wrap.locator("xpath=..")
    assert box.get_attribute("data-cut") == "right"
    wrap.evaluate("el => el.scrollTo(40, 0)")
    phone.wait_for_function("el => el.getAttribute('data-cut') === 'left right'", arg=box.element_handle())
    wrap.evaluate("el => el.scrollTo(el.scrollWidth, 0)")
    phone.wait_for_function("el => el.getAttribute('data-cut') === 'left'", arg=box.element_handle())
    # the keyboard reaches it: tab to the region, then the arrow keys scroll it
    wrap.evaluate("el => el.scrollTo(0, 0)")
    wrap.focus()
    phone.keyboard.press("ArrowRight")
    phone.wait_for_function("el => el.scrollLeft > 0", arg=wrap.element_handle())
    assert wrap.get_attribute("aria-label") == "Roles in the program"


@pytest.mark.parametrize("kind", ["worksheet with tables", "worksheet with a log", "guide with a worksheet"])
def test_worksheet_tables_stay_usable_on_a_phone(phone, second_served: str, kind: str):
    phone.goto(second_served + PAGES[kind])
    cells = phone.evaluate("""() => [...document.querySelectorAll('.ws-table :is(input, select, textarea)')].map(el => {
        const style = getComputedStyle(el), c = document.createElement('canvas').getContext('2d');
        c.font = style.fontWeight + ' ' + style.fontSize + ' ' + style.fontFamily;
        const longest = el.tagName === 'SELECT' ? Math.max(...[...el.options].map(o => c.measureText(o.text).width)) : 0;
        return {name: el.name, tag: el.tagName, type: el.type, width: el.getBoundingClientRect().width, longest: longest}; })""")
    assert cells
    for cell in cells:
        if cell["type"] == "checkbox":
            continue
        assert cell["width"] >= 100, cell  # about a dozen letters at least
        if cell["tag"] == "SELECT":
            assert cell["width"] >= cell["longest"] + 30, cell  # the longest option and the arrow, whole
    # every field can be reached: focused, it is scrolled into the visible part of its box
    for name in [c["name"] for c in cells][-6:]:
        field = phone.locator(f"[name='{name}']")
        field.focus()
        left, right = field.evaluate("el => { const r = el.getBoundingClientRect(); return [r.left, r.right]; }")
        assert left >= -1 and right <= PHONE + 1, (name, left, right)


def test_the_downloads_keep_each_row_whole(phone, second_served: str):
    phone.goto(second_served)
    rows = phone.evaluate("""() => [...document.querySelectorAll('.download-list li')].map(li => {
        const links = [...li.querySelectorAll('a')].map(a => a.getBoundingClientRect().top);
        return {text: li.querySelector('strong').textContent, lines: new Set(links.map(Math.round)).size}; })""")
    assert [r["text"] for r in rows][-1] == "Schedule"
    assert all(r["lines"] == 1 for r in rows), rows  # a row's links share one line, under its name


@pytest.mark.parametrize("kind", list(PAGES))
def test_no_axe_violations_on_a_phone(browser, second_served: str, axe_source: str, kind: str):
    context = browser.new_context(viewport={"width": PHONE, "height": 800})
    try:
        page = context.new_page()
        page.goto(second_served + PAGES[kind])
        violations = run_axe(page, axe_source)
        assert not violations, f"{kind}:\n{describe(violations)}"
    finally:
        context.close()
