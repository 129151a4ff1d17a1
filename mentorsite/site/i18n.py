"""The theme's own words in the site's language, and dates written the way its readers expect.

A theme ships `i18n/<code>.yml` files (`en.yml`, `es.yml`, ...): flat mappings of a word's id to
its text, with `{name}` placeholders. The folders of the theme chain are searched like templates,
most specific first, so a site's theme can add a language or change a single word. A word missing
in the site's language falls back to English.
"""

from __future__ import annotations

import datetime as dt
import functools
import string
from dataclasses import dataclass
from pathlib import Path

from mentorsite.errors import Loc, SiteError
from mentorsite.sources.yamlload import decode, load_yaml

FALLBACK = "en"


@functools.lru_cache(maxsize=64)
def locale_of(code: str):
    """The Babel locale of a language code such as 'en', 'es' or 'pt-BR' (None when unknown)."""
    from babel import Locale, UnknownLocaleError  # (put off: Babel takes a tenth of a second to import)

    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def language_name(code: str) -> str:
    """A language's own name, capitalised: 'English', 'Español'."""
    locale = locale_of(code)
    if locale is None:
        return code
    name = locale.get_display_name(locale) or code
    return name[:1].upper() + name[1:]


@functools.lru_cache(maxsize=8192)
def format_date(d: dt.date, language: str = FALLBACK) -> str:
    """A date as readers of the language expect it: 'Mar 1, 2027' in English, '1 mar 2027' in Spanish."""
    from babel.dates import format_date as babel_date  # (put off: Babel takes a tenth of a second to import)

    return babel_date(d, "medium", locale=locale_of(language) or locale_of(FALLBACK))


@dataclass(frozen=True, slots=True)
class Translations:
    """The theme's words in one language, English behind them."""

    language: str
    words: dict[str, str]
    fallback: dict[str, str]
    files: tuple[Path, ...] = ()

    def __call__(self, word: str, **values) -> str:
        """The text of a word id with its placeholders filled: t('pager.next'), t('home.guides', count=12)."""
        text = self.words.get(word)
        if text is None:
            text = self.fallback.get(word)
        if text is None:
            raise KeyError(f"the theme has no word '{word}' — add it to i18n/{FALLBACK}.yml")
        return text.format(**values) if values else text

    def has_language(self) -> bool:
        """Whether any theme folder has a file for this language (else everything is English)."""
        return bool(self.files)


def _base(code: str) -> str:
    return code.split("-")[0].split("_")[0].lower()


def _read(path: Path, shown: Path) -> dict[str, str]:
    data = load_yaml(decode(path.read_bytes(), shown), shown)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SiteError(Loc(shown, 1, 1), "a translation file is a mapping of word ids to texts, e.g. 'pager.next: Next'")
    words = {}
    for key, value in data.items():
        loc = getattr(data, "value_locs", {}).get(key, Loc(shown, 1, 1))
        if not isinstance(value, str):
            kind = "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else repr(value)
            raise SiteError(loc, f"'{key}' must be text, not {kind} — quote it")
        try:
            list(string.Formatter().parse(value))
        except ValueError as e:
            raise SiteError(loc, f"'{key}': {e} — write a literal brace as '{{{{' or '}}}}'") from None
        words[str(key)] = value
    return words


def load_translations(dirs: list[Path], language: str, root: Path | None = None) -> Translations:
    """The words of `language` from the theme folders (most specific first), English behind them."""

    def shown(p: Path) -> Path:
        if root is not None:
            try:
                return p.relative_to(root)
            except ValueError:
                pass
        return p

    def layer(code: str) -> tuple[dict[str, str], list[Path]]:
        words: dict[str, str] = {}
        files = []
        for folder in reversed(dirs):  # the default first, so more specific themes win
            for name in dict.fromkeys((_base(code), code)):
                path = folder / "i18n" / f"{name}.yml"
                if path.is_file():
                    words.update(_read(path, shown(path)))
                    files.append(path)
        return words, files

    fallback, _ = layer(FALLBACK)
    words, files = layer(language)
    return Translations(language=language, words=words, fallback=fallback, files=tuple(files))
