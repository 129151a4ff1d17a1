"""What the theme's frame around every page needs besides the site model: its words in the site's
language, dates for the locale, colours from theme_options, footer links, the language switcher
and the search box. Render adds these to the template globals with one call."""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup

from mentorsite.deps import digest
from mentorsite.site.i18n import Translations, format_date, language_name, load_translations
from mentorsite.site.model import Page
from mentorsite.site.palette import palette_css

# The inline script in <head> that sets the colour scheme before the first paint (no flash of the
# wrong theme): the reader's saved choice, else nothing, and CSS follows prefers-color-scheme.
THEME_SCRIPT = Markup(
    "(function(){var d=document.documentElement;d.className+=' js';"
    "try{var t=localStorage.getItem('mentorsite-theme');"
    "if(t==='dark'||t==='light')d.setAttribute('data-theme',t);}catch(e){}})();"
)


def _href(config, target: str) -> str:
    """A link from site.yml: full URLs and mailto: as they are, site paths under the base path."""
    if "://" in target or target.startswith(("mailto:", "tel:", "#")):
        return target
    return config.base_path + target.lstrip("/")


def translations_for(config, env) -> Translations:
    """The theme's words in the site's language (loaded once per environment)."""
    cached = env.globals.get("_translations")
    if cached is None or cached.language != config.language:
        cached = load_translations(env.globals["theme_dirs"], config.language, config.root)
        env.globals["_translations"] = cached
    return cached


def chrome(site, env, recorder=None) -> dict:
    """Template globals: t(), lang, colours, footer links, language links and the search box."""
    config = site.config
    words = translations_for(config, env)
    opts = config.theme_options

    def t(word: str, **values) -> str:
        if recorder is not None:
            recorder.add(("i18n",))
        return words(word, **values)

    urls_by_language = env.globals.get("urls_by_language") or {}
    # this language's page URL -> its source file, to find the same source in another language
    source_of = {u: r for r, u in sorted(urls_by_language.get(config.language, {}).items(), reverse=True)}

    def language_links(page: Page) -> list[dict]:
        """One link per language to this page's translation (the current language marked)."""
        if not config.languages:
            return []
        links = []
        rel = source_of.get(page.url)
        for lang in config.languages:
            other = urls_by_language.get(lang.code, {})
            url = other.get(rel, page.url) if rel else page.url
            links.append({
                "code": lang.code,
                "name": lang.name or language_name(lang.code),
                "href": config.home_path + lang.code + "/" + url,
                "current": lang.code == config.language,
            })
        return links

    def date(d: dt.date) -> str:
        return format_date(d, config.language)

    return {
        "t": t,
        "lang": config.language,
        "format_date": date,
        "theme_script": THEME_SCRIPT,
        "theme_css": Markup(palette_css(opts.primary_color)) if opts.primary_color else "",
        "paper_css": Markup(palette_css(opts.primary_color, dark=False)) if opts.primary_color else "",  # the PDFs' colours
        "logo_url": _href(config, opts.logo) if opts.logo else "",
        "favicon_url": _href(config, opts.favicon) if opts.favicon else "",
        "footer_links": [{"title": link.title, "href": _href(config, link.url)} for link in opts.links],
        "language_links": language_links,
        "search_url": config.base_path + "search/" if config.search else "",
    }


def chrome_digests(site, env) -> dict:
    """Digest functions for the dependency keys chrome() records (for incremental builds)."""

    def i18n(key) -> str:
        words = translations_for(site.config, env)
        known = env.globals.get("_translations_digest")
        if known is None or known[0] is not words:  # (the words are loaded once per environment)
            known = env.globals["_translations_digest"] = (words, digest(words.words, words.fallback))
        return known[1]

    return {"i18n": i18n}


def relative_due(due, t) -> str:
    """A due date without a calendar, in the site's language: 'Week 4', 'Semana 4' (a phase's last
    day, dates.LastDay, as the unit that ends on it: 'Week 2' for a phase ending at 'week 3')."""
    unit_before = getattr(due, "unit_before", None)
    if unit_before is not None:
        due = unit_before()
    if due.unit == "date":
        return due.date.isoformat()
    if due.unit == "phase":
        if not due.amount:
            return t("due.phase", phase=due.phase)
        if due.amount % 7 == 0:
            weeks = due.amount // 7
            return t("due.phase_plus_week", phase=due.phase) if weeks == 1 else t("due.phase_plus_weeks", phase=due.phase, count=weeks)
        return t("due.phase_plus_day", phase=due.phase) if due.amount == 1 else t("due.phase_plus_days", phase=due.phase, count=due.amount)
    return t(f"due.{due.unit}", count=due.amount)

