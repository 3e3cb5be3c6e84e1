"""`intake report`: one self-contained HTML file whose charts render in a real browser, offline.

The browser is Debian's headless Chromium, installed by the test when it is missing
(see `debian_tool`).
"""

from __future__ import annotations

import html
import re
import subprocess
import tempfile
from pathlib import Path

import pytest

import storage
from bot.cli import main
from bot.staff import figures
from bot.staff.report import (
    GREY,
    MIN_WEEK_SLOTS,
    PALETTE,
    STYLES,
    codes_chart,
    funnel_chart,
    judgements_chart,
    overview_chart,
    render_html,
)
from bot.staff.selection import Selection, StaffData, load
from tests.support.staff import (
    CHROMIUM_FLAGS,
    FREE_TEXT_WORDS,
    Intake,
    debian_tool,
    demo_intakes,
    fill,
)

REPORT_FLAGS = (
    *CHROMIUM_FLAGS,
    "--hide-scrollbars",
    # Every request goes to a dead proxy: a report that needed the network would show it.
    "--proxy-server=http://127.0.0.1:9",
)


def screenshot(browser: str, page: Path, png: Path, size: tuple[int, int]) -> None:
    """A headless Chromium screenshot of a local page, with a throwaway profile.

    docs/report-screenshot.png is made with this, from a demo database (see docs/staff.md).
    """
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        subprocess.run(
            [
                browser,
                *REPORT_FLAGS,
                f"--user-data-dir={profile}",
                f"--screenshot={png.resolve()}",
                f"--window-size={size[0]},{size[1]}",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            check=True,
            timeout=120,
        )


def pixels_near(image: object, colour: str, tolerance: float = 0.06) -> int:
    """How many pixels of an RGB(A) image are within ``tolerance`` of a #rrggbb colour."""
    import numpy as np

    rgb = np.asarray(image)[..., :3]
    target = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return int((np.abs(rgb - target).max(axis=-1) < tolerance).sum())


@pytest.fixture(scope="module")
def chromium() -> str:
    return debian_tool("chromium", "chromium")


@pytest.fixture(scope="module")
def report(standard_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    assert main(["report", "--db", str(standard_db), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten weeks at two clinics (about 100 parents): enough for every chart to draw bars."""
    return fill(tmp_path_factory.mktemp("demo") / "intake.db", demo_intakes(10))


def data_of(db_path: Path, selection: Selection | None = None) -> StaffData:
    with storage.open_db(db_path) as db:
        return load(db, selection or Selection())


def test_the_report_is_one_self_contained_file(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    # Eight intakes: too few clear judgements to compare with the research sample.
    assert page.count('<img src="data:image/png;base64,') == 5
    assert "Too few clear judgements to compare with the research sample" in page
    # Nothing is fetched: no external sources, no scripts, and a policy that forbids both.
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:)""", page)
    assert "<script" not in page
    assert "default-src 'none'" in html.unescape(page)  # in an attribute, quotes escaped
    assert "2026-W47 to 2026-W48" in page


def test_the_report_shows_no_free_text(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    assert FREE_TEXT_WORDS not in page
    assert "[phone]" not in page


def test_the_charts_render_in_headless_chromium_with_no_network(
    chromium: str, demo_db: Path, tmp_path: Path
) -> None:
    from matplotlib.image import imread

    report = tmp_path / "report.html"
    assert main(["report", "--db", str(demo_db), "--out", str(report)]) == 0
    assert report.read_text(encoding="utf-8").count("data:image/png;base64,") == 6
    png = report.with_suffix(".png")
    screenshot(chromium, report, png, (1000, 7000))
    image = imread(png)
    assert image.shape[:2] == (7000, 1000)
    assert image[..., :3].std() > 0.1, "the page is blank"
    # The charts' colours appear nowhere else on the page: bars of every chart drew.
    # (Measured on the demo: about 255,000, 29,000, 7,000 and 65,000; with the images
    # broken: none of the colours, and about 14,000 greyish pixels of broken-image icons.)
    assert pixels_near(image, PALETTE[0]) > 100_000  # completed, funnel, MIP, this selection
    assert pixels_near(image, PALETTE[4]) > 10_000  # started (hatched), CHC first
    assert pixels_near(image, PALETTE[2]) > 3_000  # MIP may suit, partners (dotted)
    assert pixels_near(image, GREY) > 30_000  # the research sample's bars (hatched)


def test_every_chart_says_its_n(demo_db: Path) -> None:
    data = data_of(demo_db)
    weekly = figures.weekly(data)
    charts = [
        overview_chart("en", weekly),
        funnel_chart("en", data),
        codes_chart("en", data.intakes, "suggestion"),
        codes_chart("en", data.intakes, "role"),
        codes_chart("en", data.intakes, "safety_level"),
    ]
    started = figures.overview(data).started
    expected = [started, started, *[len(data.intakes)] * 3]
    for chart, n in zip(charts, expected, strict=True):
        assert chart.axes[0].get_title(loc="left") == f"n = {n}"
    judgements = judgements_chart("en", data)
    assert judgements is not None
    titles = [ax.get_title() for ax in judgements.axes]
    assert all(" (n = " in title for title in titles), titles


def test_small_counts_draw_no_bar_and_read_less_than_five(standard_db: Path) -> None:
    data = data_of(standard_db)
    chart = codes_chart("en", data.intakes, "suggestion")  # every suggestion below 5
    ax = chart.axes[0]
    assert [patch for patch in ax.patches if patch.get_width() > 0] == []
    assert [t.get_text().strip() for t in ax.texts] == ["< 5"] * 7
    assert judgements_chart("en", data) is None  # 8 intakes: nothing to compare


def test_one_week_of_data_is_readable(tmp_path: Path) -> None:
    db_path = fill(tmp_path / "intake.db", [Intake(role=role) for role in ("mother",) * 6])
    chart = overview_chart("en", figures.weekly(data_of(db_path)))
    ax = chart.axes[0]
    left, right = ax.get_xlim()
    assert right - left >= MIN_WEEK_SLOTS  # one week is a narrow pair of bars, not a wall
    [label] = ax.get_xticklabels()
    assert label.get_text() == "2026-W48"
    assert label.get_rotation() == 0  # a lone week's label is not turned, so never cut off


def test_every_role_stays_apart_in_greyscale(tmp_path: Path) -> None:
    """Print the roles chart in grey: no two bars may look alike (mean or texture)."""
    from matplotlib.image import imread

    roles = [
        Intake(role=role) for role in ("mother", "father", "partner", "other") for _ in range(5)
    ]
    data = data_of(fill(tmp_path / "intake.db", roles))
    chart = codes_chart("en", data.intakes, "role")
    png = tmp_path / "roles.png"
    chart.savefig(png, dpi=100)
    grey = imread(png)[..., :3] @ [0.299, 0.587, 0.114]
    height = grey.shape[0]
    looks = []
    for bar in chart.axes[0].patches:
        box = bar.get_window_extent()
        region = grey[height - int(box.y1) + 2 : height - int(box.y0) - 2,
                      int(box.x0) + 2 : int(box.x1) - 2]  # fmt: skip
        looks.append((float(region.mean()), float(region.std())))
    assert len(looks) == 4
    for index, (mean, texture) in enumerate(looks):
        for other_mean, other_texture in looks[index + 1 :]:
            assert abs(mean - other_mean) > 0.05 or abs(texture - other_texture) > 0.05, looks
    assert len({hatch for _, hatch in STYLES}) == len(STYLES)


def test_a_swedish_report_for_one_clinic(standard_db: Path) -> None:
    page = render_html(data_of(standard_db, Selection(clinic="south")), "sv")
    assert '<html lang="sv">' in page
    assert "Rapport om intag" in page
    assert "mottagning south" in page
    assert "Forskningsurvalet" in page
    assert "Förslag (n = 3)" in page


def test_the_template_escapes_every_text(standard_db: Path) -> None:
    page = render_html(data_of(standard_db), "en")
    assert "<td>&lt; 5</td>" in page  # "< 5" escaped by the template, not by hand
    assert "<td>< 5</td>" not in page
    assert "Suggestions (n = 8)" in page


def test_an_empty_report_says_so(tmp_path: Path) -> None:
    storage.open_db(tmp_path / "empty.db").close()
    out = tmp_path / "empty.html"
    assert main(["report", "--db", str(tmp_path / "empty.db"), "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "no intakes yet" in page
    assert "<img" not in page
