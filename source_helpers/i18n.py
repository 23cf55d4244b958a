"""The language of messages, widget labels and plot text: English, or Korean in the Korean edition.

The edition is a property of the notebook's assignment: the Korean edition of ``01_convolution`` is the nbgrader
assignment ``01_convolution_ko``, and every place a notebook runs (JupyterLab, nbgrader's Validate and autograde,
``make grade`` and its verifier) runs it with its own folder, named after the assignment, as the working
directory. So the language follows the notebook wherever it is graded, with no setting a student must keep
and no code cell that differs between the editions. ``WORKBOOK_LANG=ko`` (or ``en``) overrides it.

Translations live in ``source_helpers/locale/<lang>/*.po`` (gettext's PO format; one file per part: the checks'
messages, the texts lessons' tests pass to them, each widget module): ``msgid`` is the English text
as the code writes it, with ``{named}`` fields, and ``msgstr`` the same text in Korean with the same fields.
``tr("expected shape {expected}, got {got}", expected=..., got=...)`` returns it filled in, in the current
language; a text with no translation is used in English (``tests/test_i18n.py`` fails on any).
"""

from __future__ import annotations

import functools
import os
import string
from pathlib import Path

LANGUAGES = ("en", "ko")
_LOCALE = Path(__file__).resolve().parent / "locale"


def language() -> str:
    """``"ko"`` in the Korean edition (a working directory named ``*_ko``, or ``WORKBOOK_LANG=ko``), else ``"en"``."""
    chosen = os.environ.get("WORKBOOK_LANG", "").strip().lower()
    if chosen in LANGUAGES:
        return chosen
    try:
        folder = Path.cwd().name
    except OSError:  # the working directory was removed under us
        return "en"
    return "ko" if folder.endswith("_ko") else "en"


@functools.lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    """``{English: translation}`` for ``lang`` (empty for English); fuzzy and empty entries are left out."""
    if lang == "en":
        return {}
    import polib

    merged: dict[str, str] = {}
    for path in sorted((_LOCALE / lang).glob("*.po")):
        merged.update({e.msgid: e.msgstr for e in polib.pofile(str(path)) if e.msgstr and "fuzzy" not in e.flags})
    return merged


def fields(text: str) -> set[str]:
    """The ``{named}`` fields of a template (what a translation must keep)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def tr(english: str, /, **values) -> str:
    """``english`` in the current language, with ``values`` filled into its ``{fields}``."""
    text = catalog(language()).get(english, english)
    return text.format(**values) if values else text


def is_korean() -> bool:
    return language() == "ko"


def korean_font_file() -> Path:
    """NanumGothic, which the ``koreanize-matplotlib`` package ships (no download at run time)."""
    import importlib.util

    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.origin:
        raise RuntimeError("the Korean edition needs the koreanize-matplotlib package (pip install -e .)")
    return Path(spec.origin).parent / "fonts" / "NanumGothic.ttf"


def use_korean_font() -> str:
    """Make matplotlib draw Hangul: register NanumGothic as the fallback of DejaVu Sans (matplotlib's per-glyph
    font fallback, which needs ``font.family`` to be the list). DejaVu Sans stays first because mathtext's
    default font is the first one, and NanumGothic has no U+2212 minus (log-axis ticks such as 10^-1 need it).
    Returns the font's family name. Imports no module of koreanize-matplotlib, whose import would change
    matplotlib's settings on its own."""
    import matplotlib
    from matplotlib import font_manager

    path = korean_font_file()
    font_manager.fontManager.addfont(str(path))
    family = font_manager.FontProperties(fname=str(path)).get_name()
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", family]
    return family


# ----------------------------------------------------------------------------- texts the lessons' tests pass in
def _template_regex(template: str):
    import re

    parts = re.split(r"\{(\d+)\}", template)
    pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<f{p}>.+?)" for i, p in enumerate(parts))
    return re.compile(pattern + r"\Z", re.S)


@functools.lru_cache(maxsize=None)
def _lesson_templates(lang: str):
    """The catalog's entries with positional fields (``{0}``: an f-string of a test cell), as regexes, and its
    phrases (entries that contain a space), longest first, for texts a test builds by concatenation."""
    import re

    templates, phrases = [], []
    for english, text in catalog(lang).items():
        if re.search(r"\{\d+\}", english):
            if text != english:  # one that changes nothing would only hide a better match
                templates.append((len(re.sub(r"\{\d+\}", "", english)), _template_regex(english), text))
        elif " " in english.strip() and len(english.strip()) > 3 and "{" not in english:
            phrases.append((english, text))
    phrases.sort(key=lambda p: -len(p[0]))
    templates.sort(key=lambda t: -t[0])  # the most specific (most literal text) first
    return [t[1:] for t in templates], phrases


def shown(text) -> str:
    """A text a lesson's test cell passes to a check (a label, a known mistake's name), in the current language.

    Test cells are the same code in both editions, so they pass English; this looks it up whole, then as an
    f-string's template (``{0}`` fields), then phrase by phrase. English (and anything not a str) is unchanged."""
    if not isinstance(text, str) or language() == "en":
        return text
    table = catalog(language())
    if text in table:
        return table[text]
    templates, phrases = _lesson_templates(language())
    for regex, translated in templates:
        found = regex.match(text)
        if found:
            return translated.format(*[found.group(f"f{i}") for i in range(len(found.groupdict()))])
    for english, translated in phrases:
        if english in text:
            text = text.replace(english, translated)
    return text
