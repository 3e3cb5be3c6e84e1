"""The staff catalog: headings, labels and the codebook, in English and Swedish.

Staff texts live in ``bot/staff/texts/<lang>.toml``. Column meanings come from
`storage.schema` in English (storage owns them) and from ``[column.<table>]`` in Swedish.
Answer labels come from the staff catalog (``code.<column>.<code>``) where staff need a
shorter or third-person wording, else from the parents' catalog (``o.<question>.<code>``).
"""

from __future__ import annotations

from functools import cache

from flows import texts as parent_texts
from flows.model import Language
from storage.schema import TABLES

#: Columns whose codes are the options of a differently named question.
QUESTION_OF_COLUMN = {"safety_answer": "safety"}


@cache
def catalog(lang: Language) -> dict[str, str]:
    """Every staff text of one language, keyed by dotted name (``section.funnel``)."""
    return parent_texts.read_catalog("bot.staff", lang)


def text(lang: Language, key: str, **values: object) -> str:
    """The staff text for ``key`` in ``lang`` with its placeholders filled."""
    return parent_texts.fill(catalog(lang), lang, key, **values)


def language(value: str) -> Language:
    """A staff language from a command-line value (argparse has already checked it)."""
    return "sv" if value == "sv" else "en"


def percent(lang: Language, share: float | None, *, about: bool = False) -> str:
    """A share as a percentage, written the way the language writes it; a dash for none."""
    if share is None:
        return text(lang, "format.no_figure")
    return text(lang, "format.about_percent" if about else "format.percent", value=share * 100)


def code_label(lang: Language, column: str, code: str | None) -> str:
    """What a stored code means, for staff: ``None`` is an unasked or skipped question."""
    if code is None:
        return text(lang, "code.unanswered")
    staff_key = f"code.{column}.{code}"
    if staff_key in catalog(lang):
        return text(lang, staff_key)
    question = QUESTION_OF_COLUMN.get(column, column)
    return parent_texts.render(lang, f"o.{question}.{code}")


def step_label(lang: Language, step: str) -> str:
    """A progress step's short name, as staff call it."""
    return text(lang, f"step.{step}")


def table_meaning(lang: Language, table: str) -> str:
    if lang == "en":
        return TABLES[table].description
    return text(lang, f"table.{table}")


def column_meaning(lang: Language, table: str, column: str) -> str:
    """What a column holds, in ``lang``: storage's own words in English, translated in Swedish."""
    if lang == "en":
        return TABLES[table].columns[column].description
    return text(lang, f"column.{table}.{column}")
