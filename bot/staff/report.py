"""`intake report`: one self-contained HTML file with weekly charts and the summary tables.

Charts are drawn with matplotlib (Agg, no display) and embedded as base64 PNG images; the
page has no scripts and loads nothing, and its Content-Security-Policy says so, so it opens
the same on a staff-meeting laptop with no network.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
from collections.abc import Mapping, Sequence
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
from bot.staff.tables import Table, summary_tables
from bot.staff.texts import code_label, language, step_label, text
from flows.model import SAFETY_LEVELS, Language

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Okabe and Ito's palette: told apart with every common kind of colour blindness.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
GREY = "#8C8C8C"
#: The safety chart shows only the messages shown, the more urgent in vermillion.
SAFETY_COLOURS: Mapping[str | None, str] = dict(
    zip(SAFETY_LEVELS[1:], (PALETTE[1], PALETTE[5]), strict=True)
)
CHART_WIDTH_PX = 800  # shown size; drawn at twice that (DPI / 100) for sharp screens
DPI = 200

STYLE = """
body { font: 16px/1.45 system-ui, sans-serif; color: #1a1a1a; background: #fff; margin: 0; }
main { max-width: 50rem; margin: 0 auto; padding: 1.5rem; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
img { display: block; width: 100%; max-width: 800px; height: auto; margin: 0.8rem 0; }
table { border-collapse: collapse; margin: 0.8rem 0; }
th, td { padding: 0.2rem 0.7rem; border-bottom: 1px solid #eee; text-align: right; }
th:first-child, td:first-child { text-align: left; }
caption { text-align: left; font-weight: 600; padding: 0.4rem 0; }
.note, footer { color: #555; font-size: 0.9rem; }
"""
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


def _week_axis(ax: Axes, weeks: Sequence[str]) -> None:
    from matplotlib.ticker import MaxNLocator

    step = max(1, len(weeks) // 12)  # at most about a dozen labels
    ax.set_xticks(range(0, len(weeks), step), weeks[::step], rotation=45, ha="right")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)


def _stacked(
    lang: Language,
    weekly: figures.Weekly,
    column: str,
    colours: Mapping[str | None, str] | None = None,
) -> Figure:
    """Intakes per week, one coloured layer per code of ``column`` (those in ``colours``)."""
    figure = _figure()
    ax = figure.add_subplot()
    bottom = [0] * len(weekly.weeks)
    order = (*figures.codes_of(column), None)  # a code keeps its colour from chart to chart
    for code, counts in weekly.by(column).items():
        if colours is not None and code not in colours:
            continue
        ax.bar(
            range(len(weekly.weeks)),
            counts,
            bottom=bottom,
            color=colours[code] if colours else PALETTE[order.index(code) % len(PALETTE)],
            label=code_label(lang, column, code),
        )
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    _week_axis(ax, weekly.weeks)
    ax.set_ylabel(text(lang, "report.axis_intakes"))
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize="small")
    return figure


def overview_chart(lang: Language, weekly: figures.Weekly) -> Figure:
    figure = _figure()
    ax = figure.add_subplot()
    positions = range(len(weekly.weeks))
    ax.bar(
        [p - 0.2 for p in positions],
        weekly.started,
        0.4,
        color=PALETTE[4],
        label=text(lang, "stats.started"),
    )
    ax.bar(
        [p + 0.2 for p in positions],
        weekly.completed,
        0.4,
        color=PALETTE[0],
        label=text(lang, "stats.completed"),
    )
    _week_axis(ax, weekly.weeks)
    ax.set_ylabel(text(lang, "report.axis_conversations"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize="small")
    return figure


def funnel_chart(lang: Language, data: StaffData) -> Figure:
    steps = figures.funnel(data)
    figure = _figure(height=0.28 * len(steps) + 0.8)
    ax = figure.add_subplot()
    labels = [step_label(lang, step.step) for step in steps]
    ax.barh(labels, [step.reached for step in steps], color=PALETTE[0])
    ax.invert_yaxis()
    ax.set_xlabel(text(lang, "report.axis_conversations"))
    ax.spines[["top", "right"]].set_visible(False)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return figure


def judgements_chart(lang: Language, data: StaffData) -> Figure:
    """For each judgement, this selection's share of clear judgements beside the research's."""
    figure = _figure()
    axes = figure.subplots(1, len(figures.JUDGEMENTS), sharey=True)
    for ax, column in zip(axes, figures.JUDGEMENTS, strict=True):
        rows = [row for row in figures.judgement_shares(data.intakes, column) if row.research]
        positions = range(len(rows))
        ours = [row.of_clear or 0 for row in rows]
        ax.bar(
            [p - 0.2 for p in positions],
            ours,
            0.4,
            color=PALETTE[0],
            label=text(lang, "report.this_clinic"),
        )
        ax.bar(
            [p + 0.2 for p in positions],
            [row.research or 0 for row in rows],
            0.4,
            color=GREY,
            label=text(lang, "header.research"),
        )
        ax.set_xticks(
            list(positions), [code_label(lang, column, row.code) for row in rows], fontsize="small"
        )
        ax.set_title(text(lang, f"section.{column}"), fontsize="medium")
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


def sections(data: StaffData, lang: Language) -> list[Section]:
    """The report, section by section: a chart where time or comparison tells something."""
    tables = {table.key: table for table in summary_tables(data, lang)}
    weekly = figures.weekly(data)
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
            _png(_stacked(lang, weekly, "suggestion")),
            (tables["suggestions"],),
        ),
        Section(
            text(lang, "report.chart_judgements"),
            _png(judgements_chart(lang, data)),
            tuple(tables[column] for column in figures.JUDGEMENTS),
        ),
        Section(
            text(lang, "report.chart_roles"),
            _png(_stacked(lang, weekly, "role")),
            (tables["roles"], tables["languages"]),
        ),
        Section(
            text(lang, "report.chart_safety"),
            _png(_stacked(lang, weekly, "safety_level", SAFETY_COLOURS)),
            (tables["safety"], tables["safety_answer"]),
        ),
    ]


def _table_html(table: Table) -> str:
    e = html.escape
    head = "".join(f"<th>{e(cell)}</th>" for cell in table.headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in row) + "</tr>" for row in table.rows
    )
    note = f'<p class="note">{e(table.note)}</p>' if table.note else ""
    return (
        f"<table><caption>{e(table.title)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>{note}"
    )


def render_html(data: StaffData, lang: Language) -> str:
    """The whole report as one HTML document."""
    e = html.escape
    selection = data.selection.describe(lang)
    weekly = figures.weekly(data)
    parts = [
        "<!doctype html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(text(lang, 'report.title'))}</title><style>{STYLE}</style></head>",
        f"<body><main><h1>{e(text(lang, 'report.title'))}</h1>",
    ]
    if not weekly.weeks:
        parts.append(f"<p>{e(text(lang, 'report.empty_subtitle', selection=selection))}</p>")
    else:
        subtitle = text(
            lang,
            "report.subtitle",
            selection=selection,
            first=weekly.weeks[0],
            last=weekly.weeks[-1],
        )
        parts.append(f"<p>{e(subtitle)}</p>")
        for section in sections(data, lang):
            parts.append(f"<section><h2>{e(section.title)}</h2>")
            if section.chart:
                parts.append(
                    f'<img src="data:image/png;base64,{section.chart}" alt="{e(section.title)}">'
                )
            parts += [_table_html(table) for table in section.tables]
            parts.append("</section>")
    parts.append(f"<footer><p>{e(text(lang, 'report.footer'))}</p></footer></main></body></html>")
    return "\n".join(parts) + "\n"


def run(args: argparse.Namespace) -> int:
    lang = language(args.lang)
    with open_existing_db(args.db) as db:
        data = load(db, Selection.from_args(args))
    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(data, lang), encoding="utf-8")
    print(text(lang, "report.done", out=out))
    return 0
