"""`intake report`: one self-contained HTML file with charts and the summary tables.

The page comes from a Jinja2 template (``bot/staff/templates/report.html.j2``) with
autoescaping on. Charts are drawn with matplotlib (Agg, no display) and embedded as base64
PNG images; the page has no scripts and loads nothing, and its Content-Security-Policy says
so, so it opens the same on a staff-meeting laptop with no network.

Every chart says its n, and follows the small-cell rule of the tables: a count below 5 is
written as "< 5" where its bar would be, and no bar is drawn for it. Each category keeps one
colour and one hatch pattern, so bars stay apart in greyscale print too.
"""

from __future__ import annotations

import argparse
import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.staff import figures
from bot.staff.selection import (
    Selection,
    StaffData,
    add_selection_arguments,
    load,
    open_existing_db,
)
from bot.staff.tables import Table, count_text, summary_tables
from bot.staff.texts import code_label, language, step_label, text
from flows.model import Language

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Okabe and Ito's colours (told apart with every common kind of colour blindness), each with
#: its own hatch so that categories whose greys are alike still differ in print.
STYLES: tuple[tuple[str, str], ...] = (
    ("#0072B2", ""),
    ("#E69F00", "//"),
    ("#009E73", ".."),
    ("#CC79A7", "xx"),
    ("#56B4E9", "\\\\"),
    ("#D55E00", "++"),
    ("#F0E442", "--"),
    ("#000000", "oo"),
)
PALETTE = tuple(colour for colour, _ in STYLES)
GREY = "#8C8C8C"
CHART_WIDTH_PX = 800  # shown size; drawn at twice that (DPI / 100) for sharp screens
DPI = 200
#: A weekly chart spans at least this many weeks, so one week of data is a bar, not a wall.
MIN_WEEK_SLOTS = 8
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, required=True, metavar="FILE.html", help="HTML file to write"
    )
    add_selection_arguments(parser)


# ---- charts


def _figure(height: float = 3.4) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(CHART_WIDTH_PX / 100, height), dpi=100, layout="constrained")


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _tidy(ax: Axes, axis: str) -> None:
    from matplotlib.ticker import MaxNLocator

    (ax.yaxis if axis == "y" else ax.xaxis).set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)


def _n_title(ax: Axes, lang: Language, n: int) -> None:
    ax.set_title(text(lang, "report.chart_n", n=n), loc="left", fontsize="small")


def overview_chart(lang: Language, weekly: figures.Weekly) -> Figure:
    """Conversations started and completed, week by week; weeks below 5 written "< 5"."""
    figure = _figure()
    ax = figure.add_subplot()
    series = (
        (text(lang, "stats.started"), weekly.started, STYLES[4], -0.2),
        (text(lang, "stats.completed"), weekly.completed, STYLES[0], 0.2),
    )
    tallest = max((*weekly.started, *weekly.completed, figures.SMALL_CELL))
    for label, counts, (colour, hatch), offset in series:
        shown = [0 if figures.small(count) else count for count in counts]
        positions = [index + offset for index in range(len(counts))]
        ax.bar(positions, shown, 0.38, color=colour, hatch=hatch, edgecolor="#1a1a1a",
               linewidth=0.4, label=label)  # fmt: skip
        for position, count in zip(positions, counts, strict=True):
            if figures.small(count):
                ax.text(position, tallest * 0.02, count_text(lang, count), rotation=90,
                        ha="center", va="bottom", fontsize="x-small")  # fmt: skip
    slots = max(len(weekly.weeks), MIN_WEEK_SLOTS)
    ax.set_xlim(-0.6, slots - 0.4)
    step = max(1, len(weekly.weeks) // 12)  # at most about a dozen labels
    crowded = len(weekly.weeks) > MIN_WEEK_SLOTS
    ax.set_xticks(
        range(0, len(weekly.weeks), step),
        weekly.weeks[::step],
        rotation=45 if crowded else 0,
        ha="right" if crowded else "center",
    )
    ax.set_ylim(0, tallest * 1.1)
    _tidy(ax, "y")
    ax.set_ylabel(text(lang, "report.axis_conversations"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize="small")
    _n_title(ax, lang, sum(weekly.started))
    return figure


def _bars(lang: Language, labels: Sequence[str], counts: Sequence[int], hidden: Sequence[bool],
          styles: Sequence[tuple[str, str]], n: int, axis_label: str) -> Figure:  # fmt: skip
    """One horizontal bar per category, its count at its end; hidden counts written "< 5"."""
    figure = _figure(height=0.34 * len(labels) + 1.0)
    ax = figure.add_subplot()
    tallest = max((*counts, figures.SMALL_CELL))
    for index, (count, hide, (colour, hatch)) in enumerate(
        zip(counts, hidden, styles, strict=True)
    ):
        if not hide:
            ax.barh(index, count, 0.7, color=colour, hatch=hatch, edgecolor="#1a1a1a",
                    linewidth=0.4)  # fmt: skip
        ax.text(0 if hide else count, index, f" {count_text(lang, count, hidden=hide)}",
                va="center", fontsize="small")  # fmt: skip
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, tallest * 1.15)
    ax.set_xlabel(axis_label)
    _tidy(ax, "x")
    _n_title(ax, lang, n)
    return figure


def funnel_chart(lang: Language, data: StaffData) -> Figure:
    steps = figures.funnel(data)
    return _bars(
        lang,
        [step_label(lang, step.step) for step in steps],
        [step.reached for step in steps],
        [figures.small(step.reached) for step in steps],
        [STYLES[0]] * len(steps),
        steps[0].reached,
        text(lang, "report.axis_conversations"),
    )


def codes_chart(lang: Language, intakes: Sequence[figures.Row], column: str) -> Figure:
    """How many intakes hold each code of ``column``; a code keeps its style in every chart."""
    tallied = figures.tally(intakes, column)
    hidden = figures.hidden_cells(tallied)
    order = (*figures.codes_of(column), None)
    return _bars(
        lang,
        [code_label(lang, column, code) for code in tallied],
        list(tallied.values()),
        [code in hidden for code in tallied],
        [STYLES[order.index(code) % len(STYLES)] for code in tallied],
        len(intakes),
        text(lang, "report.axis_intakes"),
    )


def judgements_chart(lang: Language, data: StaffData) -> Figure | None:
    """Each judgement's share of clear ones beside the research sample's; None with too few."""
    clear = {
        column: [row for row in figures.judgement_shares(data.intakes, column) if row.research]
        for column in figures.JUDGEMENTS
    }
    counts = {column: sum(row.count for row in rows) for column, rows in clear.items()}
    if min(counts.values()) < figures.MIN_FOR_COMPARISON or any(
        figures.small(row.count) for rows in clear.values() for row in rows
    ):
        return None
    figure = _figure()
    axes = figure.subplots(1, len(figures.JUDGEMENTS), sharey=True)
    for ax, (column, rows) in zip(axes, clear.items(), strict=True):
        positions = range(len(rows))
        ax.bar([p - 0.2 for p in positions], [row.of_clear or 0 for row in rows], 0.4,
               color=STYLES[0][0], label=text(lang, "report.this_clinic"))  # fmt: skip
        ax.bar([p + 0.2 for p in positions], [row.research or 0 for row in rows], 0.4,
               color=GREY, hatch="//", edgecolor="#1a1a1a", linewidth=0.4,
               label=text(lang, "header.research"))  # fmt: skip
        ax.set_xticks(
            list(positions), [code_label(lang, column, row.code) for row in rows], fontsize="small"
        )
        ax.set_title(
            text(lang, "format.titled", title=text(lang, f"section.{column}"), n=counts[column]),
            fontsize="small",
        )
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_ylabel(text(lang, "report.axis_share"))
    axes[-1].legend(frameon=False, fontsize="small")
    return figure


# ---- the page


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    chart: str | None  # base64 PNG
    tables: tuple[Table, ...]
    chart_note: str = ""  # said instead of a chart that is not drawn


def sections(data: StaffData, lang: Language) -> list[Section]:
    """The report, section by section: a chart where it tells something, then its tables."""
    tables = {table.key: table for table in summary_tables(data, lang)}
    weekly = figures.weekly(data)
    judgements = judgements_chart(lang, data)
    return [
        Section(
            text(lang, "report.chart_overview"),
            _png(overview_chart(lang, weekly)),
            (tables["overview"],),
        ),
        Section(
            text(lang, "report.chart_funnel"), _png(funnel_chart(lang, data)), (tables["funnel"],)
        ),
        Section(
            text(lang, "report.chart_suggestions"),
            _png(codes_chart(lang, data.intakes, "suggestion")),
            (tables["suggestions"],),
        ),
        Section(
            text(lang, "report.chart_judgements"),
            _png(judgements) if judgements else None,
            tuple(tables[column] for column in figures.JUDGEMENTS),
            "" if judgements else text(lang, "report.too_few", minimum=figures.MIN_FOR_COMPARISON),
        ),
        Section(
            text(lang, "report.chart_roles"),
            _png(codes_chart(lang, data.intakes, "role")),
            (tables["roles"], tables["languages"]),
        ),
        Section(
            text(lang, "report.chart_safety"),
            _png(codes_chart(lang, data.intakes, "safety_level")),
            (tables["safety"], tables["safety_answer"]),
        ),
    ]


def render_html(data: StaffData, lang: Language) -> str:
    """The whole report as one HTML document, from the template."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    environment = Environment(
        loader=PackageLoader("bot.staff", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    weekly = figures.weekly(data)
    selection = data.selection.describe(lang)
    if weekly.weeks:
        subtitle = text(lang, "report.subtitle", selection=selection, first=weekly.weeks[0],
                        last=weekly.weeks[-1])  # fmt: skip
    else:
        subtitle = text(lang, "report.empty_subtitle", selection=selection)
    return environment.get_template("report.html.j2").render(
        lang=lang,
        csp=CSP,
        title=text(lang, "report.title"),
        subtitle=subtitle,
        rule=text(lang, "report.small_cells", limit=figures.SMALL_CELL),
        sections=sections(data, lang) if weekly.weeks else [],
        footer=text(lang, "report.footer"),
    )


def run(args: argparse.Namespace) -> int:
    lang = language(args.lang)
    with open_existing_db(args.db) as db:
        data = load(db, Selection.from_args(args))
    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(data, lang), encoding="utf-8")
    print(text(lang, "report.done", out=out))
    return 0
