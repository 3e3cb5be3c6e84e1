"""The service files in deploy/: what can be checked on a machine with no container engine.

The systemd unit is verified by `systemd-analyze` itself (and its exposure scored). The
Dockerfile is read, and its install and start commands are run as written, in a fresh virtual
environment outside the repository: the installed `intake bot` polls a local fake Bot API and
the HEALTHCHECK command then says it is healthy. The image itself is never built here.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support import SECRET, TOKEN, BotApiServer
from tests.support.staff import debian_tool

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "intake-bot.service"


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments left out."""
    text = re.sub(r"\\\n\s*", " ", dockerfile.read_text(encoding="utf-8"))
    pairs = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def unit_settings(path: Path) -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


# ---- systemd


def test_the_unit_runs_the_bot_as_its_own_user_with_a_private_state_directory() -> None:
    unit = unit_settings(UNIT)
    assert unit["ExecStart"][0].endswith("/intake bot")
    assert unit["User"] == ["intake"]
    assert unit["Restart"] == ["on-failure"]
    assert unit["StateDirectory"] == ["intake"]
    assert unit["StateDirectoryMode"] == ["0700"]
    assert unit["UMask"] == ["0077"]
    assert unit["Environment"][0] == "INTAKE_DB=/var/lib/intake/intake.db"
    for hardening in ("NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes",
                      "PrivateTmp=yes", "CapabilityBoundingSet="):  # fmt: skip
        key, _, value = hardening.partition("=")
        assert unit[key] == [value], key


def test_systemd_accepts_the_unit_and_scores_it_well(tmp_path: Path) -> None:
    analyze = debian_tool("systemd-analyze", "systemd")
    # The unit as installed, but starting the intake installed here (verify checks it exists).
    intake = Path(sys.executable).with_name("intake")
    unit = tmp_path / UNIT.name
    unit.write_text(
        UNIT.read_text(encoding="utf-8").replace("/opt/intake-assistant/bin/intake", str(intake)),
        encoding="utf-8",
    )
    verified = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True)
    assert (verified.returncode, verified.stderr) == (0, "")
    # Exposure 0 (locked down) to 10 (unprotected): this unit scores about 1.5.
    scored = subprocess.run(
        [analyze, "security", "--offline=yes", "--threshold=20", str(unit)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert scored.returncode == 0, scored.stdout[-2000:]
    assert re.search(r"Overall exposure level for intake-bot.service: 1\.[0-9] OK", scored.stdout)


# ---- Docker


def test_the_dockerfile_runs_the_bot_unprivileged_on_a_volume_with_a_health_check() -> None:
    steps = instructions(DEPLOY / "Dockerfile")
    keywords = [keyword for keyword, _ in steps]
    first = dict(reversed(steps))
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", first["FROM"])
    user = steps[keywords.index("USER")][1]
    assert user == "intake"
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k == "RUN")
    assert json.loads(first["VOLUME"]) == ["/data"]
    env = dict(re.findall(r"(\w+)=(\S+)", first["ENV"]))
    assert env["INTAKE_DB"].startswith("/data/")
    assert json.loads(first["CMD"]) == ["intake", "bot"]
    health = first["HEALTHCHECK"]
    assert json.loads(health[health.index("CMD") + 3 :]) == ["intake", "health"]
    assert "install -d -o intake -g intake -m 0700 /data" in first["RUN"]


def test_the_compose_file_keeps_the_database_on_a_volume() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["intake"]
    assert service["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert service["restart"] == "unless-stopped"
    assert service["environment"]["INTAKE_DB"] == "/data/intake.db"
    assert "intake-data:/data" in service["volumes"]
    assert "intake-data" in compose["volumes"]
    assert service["read_only"] is True
    assert service["cap_drop"] == ["ALL"]


def install_as_the_dockerfile_does(steps: list[tuple[str, str]], tmp_path: Path) -> Path:
    """COPY the sources and RUN the pip install line into a new venv; the venv's folder."""
    app = tmp_path / "app"
    app.mkdir()
    for keyword, rest in steps:
        if keyword == "COPY":
            *sources, target = rest.split()
            for source in sources:
                if (ROOT / source).is_dir():
                    shutil.copytree(ROOT / source, app / target, dirs_exist_ok=True,
                                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
                else:
                    shutil.copy2(ROOT / source, app / target / source)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    install = next(rest for keyword, rest in steps if keyword == "RUN" and "pip install" in rest)
    command = [arg for arg in shlex.split(install) if arg != "--no-cache-dir"]  # reuse the cache
    assert command[:2] == ["pip", "install"]
    environment = {k: v for k, v in os.environ.items() if k != "PIP_NO_CACHE_DIR"}
    subprocess.run(
        [str(venv / "bin" / "pip"), *command[1:], "--quiet"], cwd=app, env=environment,
        check=True, timeout=600,
    )  # fmt: skip
    return venv


@pytest.mark.slow
async def test_the_dockerfiles_install_and_start_commands_work(tmp_path: Path) -> None:
    """COPY, RUN pip install and CMD as the Dockerfile says, in a new venv (pip's cache reused)."""
    steps = instructions(DEPLOY / "Dockerfile")
    venv = await asyncio.to_thread(install_as_the_dockerfile_does, steps, tmp_path)
    environment = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    server = BotApiServer()
    await server.start()
    data = tmp_path / "data"
    await asyncio.to_thread(data.mkdir, mode=0o700)
    env_step = next(rest for keyword, rest in steps if keyword == "ENV")
    image_env = dict(re.findall(r"(\w+)=(\S+)", env_step))
    image_env["INTAKE_DB"] = str(data / Path(image_env["INTAKE_DB"]).name)
    image_env.pop("MPLCONFIGDIR")
    run_env = {
        **environment, **image_env, "TELEGRAM_BOT_TOKEN": TOKEN, "INTAKE_SECRET": SECRET,
        "TELEGRAM_API_BASE_URL": server.base_url, "TELEGRAM_RATE_LIMIT": "0",
    }  # fmt: skip
    cmd = json.loads(next(rest for keyword, rest in steps if keyword == "CMD"))
    log = tmp_path / "bot.log"
    with log.open("wb") as output:
        bot = await asyncio.create_subprocess_exec(
            str(venv / "bin" / cmd[0]), *cmd[1:], cwd=data, env=run_env,
            stdout=output, stderr=output,
        )  # fmt: skip
    try:
        await server.wait(lambda: "getUpdates" in server.requests, 60)
        health = next(rest for keyword, rest in steps if keyword == "HEALTHCHECK")
        check = json.loads(health[health.index("CMD") + 3 :])
        for _ in range(50):  # the first heartbeat comes as the job queue starts
            result = await asyncio.to_thread(
                subprocess.run, [str(venv / "bin" / check[0]), *check[1:]], env=run_env,
                capture_output=True, text=True,
            )  # fmt: skip
            if result.returncode == 0:
                break
            await asyncio.sleep(0.2)
        assert result.returncode == 0, result.stdout
        assert result.stdout.startswith("healthy:")
    finally:
        bot.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            code = await bot.wait()
        await server.close()
    lines = [json.loads(line) for line in log.read_text("utf-8").splitlines() if line.strip()]
    assert code == 0, lines
    assert any("intake bot started" in line["message"] for line in lines)  # JSON, as the image
