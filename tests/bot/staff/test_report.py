"""`intake report`: one self-contained HTML file whose charts render in a real browser, offline.

The browser is Debian's headless Chromium, installed by the test when it is missing
(see `debian_tool`).
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import pytest

import storage
from bot.cli import main
from bot.staff.report import GREY, PALETTE, render_html
from bot.staff.selection import Selection, load
from tests.support.staff import FREE_TEXT_WORDS, debian_tool

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
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
                *CHROMIUM_FLAGS,
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


def test_the_report_is_one_self_contained_file(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    assert page.count('<img src="data:image/png;base64,') == 6
    # Nothing is fetched: no external sources, no scripts, and a policy that forbids both.
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:)""", page)
    assert "<script" not in page
    assert "default-src 'none'" in page
    assert "2026-W47 to 2026-W48" in page


def test_the_report_shows_no_free_text(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    assert FREE_TEXT_WORDS not in page
    assert "[phone]" not in page


def test_the_charts_render_in_headless_chromium_with_no_network(
    chromium: str, report: Path
) -> None:
    from matplotlib.image import imread

    png = report.with_suffix(".png")
    screenshot(chromium, report, png, (1000, 7000))
    image = imread(png)
    assert image.shape[:2] == (7000, 1000)
    assert image[..., :3].std() > 0.1, "the page is blank"
    # The charts' colours appear nowhere else on the page: bars of every chart drew.
    # (Measured: about 290,000, 45,000, 70,000 and 56,000; with the images broken: 0, 0, 0
    # and 14,000 greyish pixels of the broken-image icons.)
    assert pixels_near(image, PALETTE[0]) > 100_000  # completed, funnel, MIP, this selection
    assert pixels_near(image, PALETTE[4]) > 20_000  # started
    assert pixels_near(image, PALETTE[1]) > 20_000  # MIP with guidance, fathers
    assert pixels_near(image, GREY) > 30_000  # the research sample's bars


def test_a_swedish_report_for_one_clinic(standard_db: Path) -> None:
    with storage.open_db(standard_db) as db:
        page = render_html(load(db, Selection(clinic="south")), "sv")
    assert '<html lang="sv">' in page
    assert "Rapport om intag" in page
    assert "mottagning south" in page
    assert "Forskningsurvalet" in page


def test_an_empty_report_says_so(tmp_path: Path) -> None:
    storage.open_db(tmp_path / "empty.db").close()
    out = tmp_path / "empty.html"
    assert main(["report", "--db", str(tmp_path / "empty.db"), "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "no intakes yet" in page
    assert "<img" not in page
