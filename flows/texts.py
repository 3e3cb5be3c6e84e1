"""The keyed text catalogs, one TOML file per language, and rendering with placeholders."""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from babel import Locale

from flows.model import Language


class MissingTextError(KeyError):
    """A catalog lacks a key the conversation needs."""


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in table.items():
        key = f"{prefix}{name}" if name else prefix.rstrip(".")  # [summary] "" = ... is "summary"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{key}."))
        else:
            flat[key] = str(value).strip("\n")
    return flat


def read_catalog(package: str, lang: Language) -> dict[str, str]:
    """The flattened ``texts/<lang>.toml`` catalog shipped inside ``package``."""
    raw = resources.files(package).joinpath("texts", f"{lang}.toml").read_text("utf-8")
    return _flatten(tomllib.loads(raw))


@cache
def catalog(lang: Language) -> dict[str, str]:
    """Every parent-facing text of one language, keyed by dotted name (``q.role``)."""
    return read_catalog("flows", lang)


def placeholders(template: str) -> frozenset[str]:
    """The ``{name}`` fields a text expects."""
    return frozenset(field for _, field, _, _ in string.Formatter().parse(template) if field)


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def plural_form(lang: str, count: int) -> str:
    """The CLDR plural category of a count in a language ("one", "other"...), from Babel."""
    return _locale(lang).plural_form(count)


def plural_forms(lang: str) -> tuple[str, ...]:
    """Every plural category a language's catalog needs for a counted phrase."""
    return tuple(sorted({*_locale(lang).plural_form.tags, "other"}))


def fill(texts: Mapping[str, str], lang: Language, key: str, **values: object) -> str:
    """The text for ``key`` from one language's catalog, with its placeholders filled.

    A count whose phrase the catalog words per plural category (``<key>.<name>.one``,
    ``.other``...) is filled with that phrase, the count in its ``{n}``: "1 unfinished chat",
    "2 unfinished chats", "0 ofärdiga samtal".
    """
    try:
        template = texts[key]
    except KeyError:
        raise MissingTextError(f"{lang}:{key}") from None
    if not values:
        return template
    for name, value in values.items():
        if type(value) is int and f"{key}.{name}.other" in texts:
            counted = f"{key}.{name}.{plural_form(lang, value)}"
            values[name] = texts.get(counted, texts[f"{key}.{name}.other"]).format(n=value)
    return template.format(**values)


def render(lang: Language, key: str, **values: object) -> str:
    """The parent-facing text for ``key`` in ``lang`` with its placeholders filled."""
    return fill(catalog(lang), lang, key, **values)


def has_text(lang: Language, key: str) -> bool:
    return key in catalog(lang)
