"""`intake qr`: a QR code of the bot's deep link for a configured clinic, in the format the
file's suffix names (PNG, SVG, PDF), or an A4 poster; scanned back as a phone would."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from bot.cli import main
from bot.staff.texts import text
from tests.support.staff import clinic_config_file, debian_tool

LINK = "https://t.me/intake_test_bot?start=south"


def qr(tmp_path: Path, *extra: str, out: str = "qr.png") -> int:
    config = clinic_config_file(tmp_path)
    return main(["qr", "--clinic-config", str(config), "--out", str(tmp_path / out), *extra])


def scan(png: Path) -> str:
    zbarimg = debian_tool("zbarimg", "zbar-tools")
    scanned = subprocess.run([zbarimg, "--raw", "-q", str(png)], capture_output=True, text=True)
    return scanned.stdout.strip()


def pdf_page(pdf: Path, dpi: int) -> Path:
    """The PDF's first page as a PNG at ``dpi``, as a printer would render it."""
    pdftoppm = debian_tool("pdftoppm", "poppler-utils")
    subprocess.run(
        [pdftoppm, "-r", str(dpi), "-png", "-singlefile", str(pdf), str(pdf.with_suffix(""))],
        check=True, capture_output=True,
    )  # fmt: skip
    return pdf.with_suffix(".png")


def modules(png: Path, scale: int, border: int) -> list[list[bool]]:
    """The dark modules of a QR code image, read back from the centre of each module."""
    from matplotlib.image import imread

    image = imread(png)
    grey = image[..., :3].mean(axis=-1) if image.ndim == 3 else image
    size = grey.shape[0] // scale - 2 * border
    return [
        [bool(grey[(border + row) * scale + scale // 2, (border + col) * scale + scale // 2] < 0.5)
         for col in range(size)]
        for row in range(size)
    ]  # fmt: skip


def test_a_clinic_gets_a_qr_code_of_its_deep_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import segno

    assert qr(tmp_path, "--clinic", "south", "--bot-username", "@intake_test_bot") == 0
    out, err = capsys.readouterr()
    assert out == LINK + "\n"
    assert "South BVC" in err
    png = tmp_path / "qr.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    expected = segno.make(LINK, error="m", micro=False)
    width, height = expected.symbol_size(scale=10, border=4)
    assert (width, height) == (370, 370)
    assert modules(png, 10, 4) == [[bool(m) for m in row] for row in expected.matrix]


def test_a_scanner_reads_the_link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "intake_test_bot")
    assert qr(tmp_path, "--clinic", "south") == 0
    assert scan(tmp_path / "qr.png") == LINK


def test_the_suffix_decides_the_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "intake_test_bot")
    assert qr(tmp_path, "--clinic", "south", out="qr.svg") == 0
    svg = (tmp_path / "qr.svg").read_text(encoding="utf-8")
    assert svg.startswith("<?xml")
    assert "<svg" in svg
    assert qr(tmp_path, "--clinic", "south", out="qr.pdf") == 0
    assert (tmp_path / "qr.pdf").read_bytes().startswith(b"%PDF-")
    assert scan(pdf_page(tmp_path / "qr.pdf", 150)) == LINK


def test_an_unknown_suffix_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert qr(tmp_path, "--clinic", "south", "--bot-username", "b_bot1", out="poster.jpg") == 2
    assert "--out must end in .png, .svg or .pdf" in capsys.readouterr().err
    assert not (tmp_path / "poster.jpg").exists()


def test_an_a4_poster_with_the_code_the_clinic_and_both_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("--clinic", "south", "--bot-username", "intake_test_bot", "--poster")
    assert qr(tmp_path, *args, "--lang", "sv", out="poster.pdf") == 0
    assert "Skrev en A4-affisch för BVC Söder" in capsys.readouterr().err
    pdf = tmp_path / "poster.pdf"
    box = re.search(rb"MediaBox \[ ?0 0 ([0-9.]+) ([0-9.]+) ?\]", pdf.read_bytes())
    assert box is not None
    assert (round(float(box[1]) / 72 * 25.4), round(float(box[2]) / 72 * 25.4)) == (210, 297)
    pdftotext = debian_tool("pdftotext", "poppler-utils")
    words = " ".join(subprocess.run(
        [pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.split())  # fmt: skip
    assert "BVC Söder" in words
    for lang in ("en", "sv"):
        assert text(lang, "qr.poster_line") in words
    assert scan(pdf_page(pdf, 300)) == LINK  # printed at 300 dpi, a phone reads it
    assert qr(tmp_path, *args, out="poster.png") == 0
    from matplotlib.image import imread

    height, width = imread(tmp_path / "poster.png").shape[:2]
    assert abs(height - 3508) <= 1
    assert abs(width - 2480) <= 1
    assert scan(tmp_path / "poster.png") == LINK


def test_an_unknown_clinic_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert qr(tmp_path, "--clinic", "east", "--bot-username", "intake_test_bot") == 2
    assert "'east' is not a configured clinic; known codes: north, south" in capsys.readouterr().err
    assert not (tmp_path / "qr.png").exists()


def test_the_bot_username_is_required_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_USERNAME", raising=False)
    assert qr(tmp_path, "--clinic", "north") == 2
    assert "TELEGRAM_BOT_USERNAME" in capsys.readouterr().err
    assert qr(tmp_path, "--clinic", "north", "--bot-username", "no spaces/allowed") == 2
    assert "is not a Telegram username" in capsys.readouterr().err
