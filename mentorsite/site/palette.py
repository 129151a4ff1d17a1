"""Colours derived from a theme's primary colour, readable in the light and the dark scheme.

WCAG 2.1 asks for a contrast of 4.5:1 for text. Every colour derived here is moved (darkened or
lightened) until each text colour of the default theme reaches that on every background it is
drawn on: links on the page, on the grey of a card and on the tint of a note; white on the
header, on its hovered or current menu item and on the header's search box; the tint's own
text; button labels on the buttons. `pairs()` lists them, and the tests check every one.
"""

from __future__ import annotations

LIGHT_PAPER = "#ffffff"
LIGHT_PAPER_SOFT = "#f5f7f6"  # site.css's --paper-soft: cards, worksheets in a guide, code
DARK_PAPER = "#121b1e"
DARK_PAPER_SOFT = "#1a262a"
LIGHT_INK_SOFT = "#4a5a62"  # site.css's --ink-soft: secondary text, also on the tint of hovered items
DARK_INK_SOFT = "#aebdbf"
HEADER_INK = "#ffffff"  # the header's text and icons (site.css)
HEADER_INK_SOFT = "#d7e9e8"  # the search box's placeholder in the header
FOCUS = "#f2b84b"  # the focus ring and the current item's underline in the header
MIN_CONTRAST = 4.5
MIN_FOCUS_CONTRAST = 3.0  # a focus indicator is not text: 3:1 against what it sits on (WCAG 1.4.11)


def _rgb(color: str) -> tuple[float, float, float]:
    h = color.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _hex(rgb) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in rgb)


def _mix(a: str, b: str, amount: float) -> str:
    """a moved `amount` (0..1) of the way towards b."""
    return _hex(x + (y - x) * amount for x, y in zip(_rgb(a), _rgb(b)))


def luminance(color: str) -> float:
    """Relative luminance (WCAG 2.1)."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The contrast ratio of two colours, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _until(color: str, towards: str, readable) -> str:
    """color moved towards `towards` in small steps until readable(candidate) holds."""
    for step in range(0, 81):
        candidate = _mix(color, towards, step / 80)
        if readable(candidate):
            return candidate
    return towards


def _light(primary: str) -> dict[str, str]:
    def tint(p: str) -> str:
        return _mix(p, LIGHT_PAPER, 0.89)

    # links sit on the page, on the grey of cards and on the tint of notes and hovered items
    link = _until(primary, "#000000", lambda p: min(contrast(p, LIGHT_PAPER), contrast(p, LIGHT_PAPER_SOFT),
                                                   contrast(p, tint(p))) >= MIN_CONTRAST + 0.2)
    # the header: white text on it, and on its hovered and current items (darker still)
    header = _until(primary, "#000000", lambda h: contrast(HEADER_INK, h) >= MIN_CONTRAST + 0.2)
    hover = _until(_mix(header, "#000000", 0.2), "#000000",
                   lambda h: contrast(HEADER_INK_SOFT, h) >= MIN_CONTRAST + 0.2)
    return {
        "--primary": link,
        "--primary-dark": _mix(link, "#000000", 0.27),
        "--primary-tint": tint(link),
        "--header": header,
        "--header-hover": hover,
        "--header-focus": _focus(header, hover),
    }


def _dark(primary: str) -> dict[str, str]:
    # the tint under hovered items and notes stays dark enough for the secondary text on it
    tinted = _until(_mix(primary, DARK_PAPER, 0.78), DARK_PAPER, lambda t: contrast(DARK_INK_SOFT, t) >= MIN_CONTRAST + 0.2)
    link = _until(_mix(primary, "#ffffff", 0.35), "#ffffff",
                  lambda p: min(contrast(p, DARK_PAPER), contrast(p, DARK_PAPER_SOFT), contrast(p, tinted)) >= 7.0)
    header = _until(_mix(primary, "#000000", 0.45), "#000000", lambda h: contrast(HEADER_INK, h) >= 9.0)
    hover = _mix(header, "#ffffff", 0.14)  # lighter, on a header this dark: white stays well above 4.5:1
    if contrast(HEADER_INK_SOFT, hover) < MIN_CONTRAST + 0.2:
        hover = _until(_mix(header, "#000000", 0.3), "#000000", lambda h: contrast(HEADER_INK_SOFT, h) >= MIN_CONTRAST + 0.2)
    return {
        "--primary": link,
        "--primary-dark": _mix(link, "#ffffff", 0.35),
        "--primary-tint": tinted,
        "--header": header,
        "--header-hover": hover,
        "--header-focus": _focus(header, hover),
    }


def _focus(header: str, hover: str) -> str:
    """The header's focus ring: the theme's yellow where it shows, else white (always 4.5:1 there)."""
    if min(contrast(FOCUS, header), contrast(FOCUS, hover)) >= MIN_FOCUS_CONTRAST:
        return FOCUS
    return HEADER_INK


def palette(primary: str) -> dict[str, dict[str, str]]:
    """CSS custom properties for the light and the dark scheme, from one primary colour."""
    primary = primary.lower()
    if len(primary) == 4:
        primary = _hex(_rgb(primary))
    return {"light": _light(primary), "dark": _dark(primary)}


def pairs(scheme: dict[str, str], dark: bool) -> list[tuple[str, str, str, float]]:
    """(what, text colour, background, the contrast it needs) for every text of the default theme
    drawn in a derived colour or on one, in one scheme of a palette."""
    paper, soft, ink_soft = (DARK_PAPER, DARK_PAPER_SOFT, DARK_INK_SOFT) if dark else (LIGHT_PAPER, LIGHT_PAPER_SOFT, LIGHT_INK_SOFT)
    p, pd, tint = scheme["--primary"], scheme["--primary-dark"], scheme["--primary-tint"]
    header, hover, focus = scheme["--header"], scheme["--header-hover"], scheme["--header-focus"]
    return [
        ("link", p, paper, MIN_CONTRAST), ("link on a card", p, soft, MIN_CONTRAST),
        ("link on the tint", p, tint, MIN_CONTRAST), ("tag, current sidebar item", pd, tint, MIN_CONTRAST),
        ("secondary text on the tint", ink_soft, tint, MIN_CONTRAST),
        ("hovered link", pd, paper, MIN_CONTRAST), ("button", paper, p, MIN_CONTRAST),
        ("hovered button", paper, pd, MIN_CONTRAST), ("header", HEADER_INK, header, MIN_CONTRAST),
        ("current or hovered menu item", HEADER_INK, hover, MIN_CONTRAST),
        ("search box placeholder", HEADER_INK_SOFT, hover, MIN_CONTRAST),
        ("header focus ring", focus, header, MIN_FOCUS_CONTRAST),
        ("header focus ring on a hovered item", focus, hover, MIN_FOCUS_CONTRAST),
    ]


def palette_css(primary: str, dark: bool = True) -> str:
    """A <style> body that overrides the theme's colours with those derived from `primary`; with
    dark=False the light scheme's alone, for paper (the PDFs)."""
    p = palette(primary)

    def block(selector: str, values: dict[str, str]) -> str:
        return selector + " { " + " ".join(f"{k}: {v};" for k, v in values.items()) + " }"

    if not dark:
        return block(":root", p["light"])
    return "\n".join([
        block(":root", p["light"]),
        "@media screen and (prefers-color-scheme: dark) { " + block(":root:not([data-theme=light])", p["dark"]) + " }",
        "@media screen { " + block(":root[data-theme=dark]", p["dark"]) + " }",
    ])
