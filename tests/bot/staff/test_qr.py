"""`intake qr`: a PNG QR code of the bot's deep link for a configured clinic, and the link."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.cli import main
from tests.support.staff import clinic_config_file, debian_tool

LINK = "https://t.me/intake_test_bot?start=south"


def qr(tmp_path: Path, *extra: str) -> int:
    config = clinic_config_file(tmp_path)
    return main(["qr", "--clinic-config", str(config), "--out", str(tmp_path / "qr.png"), *extra])


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
    zbarimg = debian_tool("zbarimg", "zbar-tools")
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "intake_test_bot")
    assert qr(tmp_path, "--clinic", "south") == 0
    scanned = subprocess.run(
        [zbarimg, "--raw", "-q", str(tmp_path / "qr.png")], capture_output=True, text=True
    )
    assert scanned.stdout.strip() == LINK


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
