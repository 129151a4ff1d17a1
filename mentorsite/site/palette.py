"""Colours derived from a theme's primary colour, readable in the light and the dark scheme.

WCAG 2.1 asks for a contrast of 4.5:1 for text: white on the header, links on the page in both
schemes. A colour given in site.yml is adjusted (darkened or lightened) until it reaches that.
"""

from __future__ import annotations

LIGHT_PAPER = "#ffffff"
DARK_PAPER = "#121b1e"
MIN_CONTRAST = 4.5


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


def _until(color: str, towards: str, against: str, target: float) -> str:
    """color moved towards `towards` in small steps until its contrast with `against` reaches target."""
    for step in range(0, 41):
        candidate = _mix(color, towards, step / 40)
        if contrast(candidate, against) >= target:
            return candidate
    return towards


def palette(primary: str) -> dict[str, dict[str, str]]:
    """CSS custom properties for the light and the dark scheme, from one primary colour."""
    primary = primary.lower()
    if len(primary) == 4:
        primary = _hex(_rgb(primary))
    light = _until(primary, "#000000", LIGHT_PAPER, MIN_CONTRAST + 0.3)
    dark_text = _until(_mix(primary, "#ffffff", 0.35), "#ffffff", DARK_PAPER, 7.0)
    dark_header = _until(_mix(primary, "#000000", 0.45), "#000000", "#ffffff", 9.0)
    return {
        "light": {
            "--primary": light,
            "--primary-dark": _mix(light, "#000000", 0.27),
            "--primary-tint": _mix(light, "#ffffff", 0.89),
            "--header": light,
        },
        "dark": {
            "--primary": dark_text,
            "--primary-dark": _mix(dark_text, "#ffffff", 0.35),
            "--primary-tint": _mix(primary, DARK_PAPER, 0.78),
            "--header": dark_header,
        },
    }


def palette_css(primary: str) -> str:
    """A <style> body that overrides the theme's colours with those derived from `primary`."""
    p = palette(primary)

    def block(selector: str, values: dict[str, str]) -> str:
        return selector + " { " + " ".join(f"{k}: {v};" for k, v in values.items()) + " }"

    return "\n".join([
        block(":root", p["light"]),
        "@media screen and (prefers-color-scheme: dark) { " + block(":root:not([data-theme=light])", p["dark"]) + " }",
        "@media screen { " + block(":root[data-theme=dark]", p["dark"]) + " }",
    ])
