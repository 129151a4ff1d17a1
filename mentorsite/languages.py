"""Multilingual handbooks: `languages: [en, es]` builds one site per language under /<code>/.

Each language is the same pipeline over its own view of the project: a per-language SiteConfig
(its base path, `<html lang>`, title) whose content is content/ with content/<code>/ laid over it
(discover reads the overlay). A source without a translation is shown as it is, and reported.
The root of the output gets a language chooser (index.html), the default language's 404.html, a
sitemap of every language, .nojekyll and CNAME.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

from markupsafe import Markup, escape

from mentorsite.errors import Loc, Problems
from mentorsite.outdir import MARKER, MARKER_TEXT
from mentorsite.site.i18n import FALLBACK, language_name, load_translations, locale_of
from mentorsite.site.model import SiteConfig
from mentorsite.sources.theme import theme_dirs, theme_env
from mentorsite.steps.pages import robots_txt
from mentorsite.write import KEEP, write


def language_configs(config: SiteConfig) -> list[SiteConfig]:
    """One config per language, the default (first) language first."""
    out = []
    for lang in config.languages:
        out.append(dataclasses.replace(
            config,
            language=lang.code,
            title=lang.title or config.title,
            description=lang.description or config.description,
            cohort=dataclasses.replace(config.cohort, name=lang.cohort_name) if lang.cohort_name else config.cohort,
            base_path=config.home_path + lang.code + "/",
            url=config.url.rstrip("/") + "/" + lang.code + "/" if config.url else "",
            output=str(Path(config.output) / lang.code),
            overlay=lang.code,
            cname="",
        ))
    return out


def english_name(code: str) -> str:
    """A language's name in English, for messages: 'Spanish'."""
    locale = locale_of(code)
    return (locale.get_display_name("en") if locale else None) or code


def report_translations(sources, config: SiteConfig, problems: Problems) -> None:
    """Warn about each source shown untranslated (a translation of nothing is an error), and
    about a language the theme has no words for."""
    _report_theme_words(config, problems)
    if not config.overlay:
        return
    name = english_name(config.overlay)
    default = config.languages[0].code if config.languages else ""
    for path in sources.orphans:
        original = Path(config.content) / Path(path).relative_to(Path(config.content) / config.overlay)
        problems.error(Loc(path, 1, 1), f"translates '{original.as_posix()}', which does not exist — "
                                        f"translations mirror {config.content}/: add the original or move this file")
    if config.overlay == default:
        return  # the default language's own text is content/ itself
    for path in sources.untranslated:
        translated = Path(config.content) / config.overlay / Path(path).relative_to(config.content)
        problems.warn(Loc(path, 1, 1), f"not translated into {name}: the {name} site shows it as it is — "
                                       f"add {translated.as_posix()}")


def _report_theme_words(config: SiteConfig, problems: Problems) -> None:
    if config.language.split("-")[0].lower() == FALLBACK or locale_of(config.language) is None:
        return
    try:
        dirs = theme_dirs(config)
    except Exception:  # a theme problem is reported where the theme is loaded
        return
    if not load_translations(dirs, config.language).has_language():
        name = english_name(config.language)
        own = f"themes/{config.theme}" if config.theme != "default" else "themes/<your theme>"
        problems.warn(config.loc or Loc(Path("site.yml"), 1, 1),
                      f"the theme has no words in {name} (no i18n/{config.language}.yml): menus and buttons stay in "
                      f"English — add {own}/i18n/{config.language}.yml, translated from the default theme's en.yml")


def root_files(config: SiteConfig, outputs: dict[str, dict[str, bytes]]) -> dict[str, bytes]:
    """The files at the root of a multilingual site, beside /<code>/ folders."""
    default = config.languages[0].code
    files: dict[str, bytes] = {".nojekyll": b"", MARKER: MARKER_TEXT}  # (outdir.py)
    if config.cname:
        files["CNAME"] = config.cname.strip().encode() + b"\n"
    not_found = outputs.get(default, {}).get("404.html")
    if not_found is not None:
        files["404.html"] = not_found
    files["index.html"] = chooser(config).encode("utf-8")
    files["sitemap.xml"] = sitemap(config, outputs)
    if config.url and config.home_path == "/":  # (crawlers read robots.txt only at a host's root)
        files["robots.txt"] = robots_txt(config.url)
    return files


def chooser(config: SiteConfig) -> str:
    """The root page: picks the reader's language (saved choice, then the browser's) or lists them."""
    codes = [lang.code for lang in config.languages]
    links = "\n".join(
        f'  <li><a href="{escape(config.home_path + lang.code + "/")}" hreflang="{escape(lang.code)}" '
        f'lang="{escape(lang.code)}">{escape(lang.name or language_name(lang.code))}</a></li>'
        for lang in config.languages
    )
    script = Markup(
        "(function(){var codes=" + json.dumps(codes) + ",base=" + json.dumps(config.home_path) + ";"
        "var pick=null;try{pick=localStorage.getItem('mentorsite-language');}catch(e){}"
        "var wanted=[pick].concat(navigator.languages||[navigator.language||'']);"
        "for(var i=0;i<wanted.length;i++){var w=(wanted[i]||'').toLowerCase();"
        "for(var j=0;j<codes.length;j++){var c=codes[j].toLowerCase();"
        "if(w===c||w.split('-')[0]===c){location.replace(base+codes[j]+'/');return;}}}"
        "location.replace(base+codes[0]+'/');})();"
    )
    default = config.languages[0]
    return f"""<!DOCTYPE html>
<html lang="{escape(default.code)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(config.title)}</title>
<link rel="stylesheet" href="{escape(config.home_path + default.code + '/static/site.css')}">
<script>{script}</script>
<noscript><meta http-equiv="refresh" content="0; url={escape(config.home_path + default.code + '/')}"></noscript>
</head>
<body class="kind-languages">
<main id="main" class="language-chooser">
<h1>{escape(config.title)}</h1>
<ul>
{links}
</ul>
</main>
</body>
</html>
"""


def sitemap(config: SiteConfig, outputs: dict[str, dict[str, bytes]]) -> bytes:
    """One sitemap for every language: each language's sitemap.xml entries together."""
    locs = []
    for lang in config.languages:
        data = outputs.get(lang.code, {}).get("sitemap.xml", b"").decode("utf-8")
        locs += re.findall(r"<url>(<loc>[^<]*</loc>(?:<lastmod>[^<]*</lastmod>)?)</url>", data)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"  <url>{loc}</url>" for loc in locs]
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode()


def build_languages(config: SiteConfig, build_one, load):
    """Build every language through the same pipeline (build_one(config, env=...): build.build_site),
    then the root files; one report for all.

    Every language is loaded and checked before any is written, so a mistake in one leaves the
    previous site as it was."""
    configs = language_configs(config)
    loaded = [load(c) for c in configs]
    urls = {c.language: site.urls for c, (site, _warnings) in zip(configs, loaded)}
    reports = []
    for c in configs:
        env = theme_env(c)
        env.globals["urls_by_language"] = urls
        reports.append(build_one(c, env=env))
    out = config.root / config.output
    outputs = {
        c.language: {name: (out / c.language / name).read_bytes()
                     for name in ("404.html", "sitemap.xml") if (out / c.language / name).is_file()}
        for c in configs
    }
    files: dict = {}
    for c in configs:
        folder = out / c.language
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                files[path.relative_to(out).as_posix()] = KEEP
    files.update(root_files(config, outputs))
    write(dict(sorted(files.items())), out)
    return merge_reports(reports)


def merge_reports(reports: list):
    """One report for several languages: counts added up, warnings together."""
    first = reports[0]
    values = {}
    for f in dataclasses.fields(first):
        items = [getattr(r, f.name) for r in reports]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in items):
            values[f.name] = sum(items)
        elif all(isinstance(v, (tuple, list)) for v in items):
            values[f.name] = type(items[0])(x for v in items for x in v)
        elif all(isinstance(v, dict) for v in items):  # (a build's reports of its steps, merged by step)
            keys = dict.fromkeys(k for d in items for k in d)
            values[f.name] = {k: merge_reports([d[k] for d in items if k in d]) if dataclasses.is_dataclass(next(d[k] for d in items if k in d))
                              else next(d[k] for d in items if k in d) for k in keys}
        else:
            values[f.name] = items[0]
    return dataclasses.replace(first, **values)


__all__ = ["language_configs", "report_translations", "root_files", "chooser", "sitemap", "build_languages",
           "merge_reports"]
