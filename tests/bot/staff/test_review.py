"""`intake review`: Datasette on a staff-only copy, checked over HTTP like a browser would.

The real command runs as a subprocess on a free port; a small urllib client with a cookie
jar logs in through datasette-auth-passwords' form, as a staff member would.
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import date, timedelta
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from datasette_auth_passwords.utils import hash_password, verify_password

import storage
from bot.cli import main
from bot.staff.review import check_password_hash, iso_week_sql, metadata, staff_copy
from flows.questions import PROGRESS_STEPS
from storage.dates import iso_week
from tests.support.staff import FREE_TEXT_WORDS, STANDARD, Intake, fill

PASSWORD = "a long staff password"
#: A cheap hash (few iterations) keeps the test fast; the command makes full-strength ones.
PASSWORD_HASH = hash_password(PASSWORD, iterations=1000)


#: Pages a curious staff member might open; none may show a pseudonym or free text.
EVERY_PAGE = (
    "/",
    "/intake",
    "/intake/intakes?_size=max",
    "/intake/intakes.csv?_size=max",
    "/intake/progress.json",
    "/intake/this_week",
    "/intake/safety_responses",
    "/-/metadata.json",
    "/-/databases.json",
    "/-/settings.json",
    "/-/plugins.json",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Browser:
    """GET and POST with cookies; every page it saw is kept for the anonymity checks."""

    seen: list[str] = []  # noqa: RUF012 (shared on purpose: all pages of the module)

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def open(self, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=20) as response:
                status, body = response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode("utf-8", "replace")
        Browser.seen.append(body)
        return status, body

    def json(self, path: str) -> object:
        status, body = self.open(path)
        assert status == 200, (path, status, body[:300])
        return json.loads(body)

    def log_in(self, password: str = PASSWORD) -> str:
        status, page = self.open("/-/login")
        assert status == 200
        match = re.search(r'name="csrftoken" value="([^"]+)"', page)
        assert match, "no CSRF token on the login form"
        form = {"username": "staff", "password": password, "csrftoken": match.group(1)}
        return self.open("/-/login", form)[1]


@pytest.fixture(scope="module")
def review_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The standard conversations, and one finished today for the 'this week' query."""
    folder = tmp_path_factory.mktemp("review")
    return fill(folder / "intake.db", [*STANDARD, Intake(day=date.today(), clinic="south")])


@pytest.fixture(scope="module")
def server(review_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`intake review` running on a free port; on teardown, stopped and its copy gone."""
    temp = tmp_path_factory.mktemp("review-temp")
    log = tmp_path_factory.mktemp("review-log") / "review.log"
    port = free_port()
    env = {**os.environ, "INTAKE_STAFF_PASSWORD_HASH": PASSWORD_HASH, "TMPDIR": str(temp)}
    env.pop("INTAKE_DB", None)
    command = [sys.executable, "-m", "bot.cli", "review", "--db", str(review_db)]
    with log.open("w") as output:
        process = subprocess.Popen(
            [*command, "--port", str(port)], cwd=temp.parent, env=env, stdout=output, stderr=output
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/-/login", timeout=2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"intake review did not start:\n{log.read_text()}")
            time.sleep(0.2)
    yield base
    process.terminate()
    assert process.wait(timeout=20) == 0, log.read_text()
    assert list(temp.iterdir()) == [], "the served copy outlived the server"


def stored(db_path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db_path) as db:
        return db.execute(sql).fetchall()


def test_an_anonymous_visitor_is_refused_everywhere(server: str) -> None:
    browser = Browser(server)
    for path in ("/", "/intake", "/intake/intakes", "/intake/intakes.json", "/intake/this_week",
                 "/intake/progress.csv", "/-/metadata.json"):  # fmt: skip
        assert browser.open(path)[0] == 403, path


def test_a_wrong_password_does_not_log_in(server: str) -> None:
    browser = Browser(server)
    assert "Invalid username or password" in browser.log_in("not the password")
    assert browser.open("/intake/intakes")[0] == 403


def test_staff_see_the_intakes_with_their_descriptions(server: str, review_db: Path) -> None:
    browser = Browser(server)
    browser.log_in()
    rows = browser.json("/intake/intakes.json?_shape=array&_size=max")
    assert isinstance(rows, list)
    assert len(rows) == len(stored(review_db, "SELECT id FROM intakes")) == 9
    assert {row["id"] for row in rows} == {
        row[0] for row in stored(review_db, "SELECT id FROM intakes")
    }
    assert all("free_text" not in row for row in rows)
    status, page = browser.open("/intake/intakes")
    assert status == 200
    assert "ISO week the intake was completed, e.g. 2026-W48." in page  # a column description
    assert "One row per completed intake, anonymised" in page  # the table's description
    assert "Intake logs" in browser.open("/")[1]  # the instance's title


def test_staff_have_the_canned_queries(server: str, review_db: Path) -> None:
    browser = Browser(server)
    browser.log_in()
    database = browser.json("/intake.json")
    assert isinstance(database, dict)
    assert {table["name"] for table in database["tables"]} == {"intakes", "progress"}
    queries = {query["name"] for query in database["queries"]}
    assert queries == {"this_week", "suggestions_by_clinic", "safety_responses", "drop_off"}

    this_week = browser.json("/intake/this_week.json?_shape=array")
    week = iso_week(date.today())
    assert isinstance(this_week, list)
    assert len(this_week) == len(stored(review_db, f"SELECT id FROM intakes WHERE week = '{week}'"))
    assert len(this_week) >= 1
    by_clinic = browser.json("/intake/suggestions_by_clinic.json?_shape=array")
    assert {"clinic": "north", "suggestion": "mip", "intakes": 2} in by_clinic  # type: ignore[operator]
    safety = browser.json("/intake/safety_responses.json?_shape=array")
    assert isinstance(safety, list)
    assert sorted(row["safety_level"] for row in safety) == ["danger", "unwanted_thoughts"]
    drop_off = browser.json("/intake/drop_off.json?_shape=array")
    assert isinstance(drop_off, list)
    assert [row["step"] for row in drop_off] == list(PROGRESS_STEPS)
    assert drop_off[0]["reached"] == 12


def test_arbitrary_sql_is_refused_even_for_staff(server: str) -> None:
    browser = Browser(server)
    browser.log_in()
    for path in ("/intake?sql=select+1", "/intake.json?sql=select+*+from+sqlite_master",
                 "/intake/intakes.json?_where=1%3D1", "/intake.db"):  # fmt: skip
        assert browser.open(path)[0] in (400, 403), path


def test_no_session_link_pseudonym_or_free_text_is_reachable(server: str, review_db: Path) -> None:
    browser = Browser(server)
    browser.log_in()
    for path in ("/intake/sessions", "/intake/links", "/intake/sessions.json"):
        assert browser.open(path)[0] == 404, path
    for path in EVERY_PAGE:
        browser.open(path)
    secrets = {row[0] for row in stored(review_db, "SELECT pseudonym FROM sessions")}
    secrets |= {row[0] for row in stored(review_db, "SELECT pseudonym FROM links")}
    assert len(secrets) >= 9
    pages = "\n".join(Browser.seen)
    for secret in (*secrets, FREE_TEXT_WORDS, "[phone]", PASSWORD_HASH, str(review_db)):
        assert secret not in pages


def test_the_copy_holds_only_the_staff_tables(review_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    assert staff_copy(review_db, copy) == 9
    names = {row[0] for row in stored(copy, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert names == {"intakes", "progress"}
    columns = [row[1] for row in stored(copy, "PRAGMA table_info(intakes)")]
    assert "free_text" not in columns
    assert columns[:2] == ["id", "week"]


def test_this_week_in_sql_is_the_iso_week() -> None:
    with sqlite3.connect(":memory:") as db:
        for offset in range(0, 3 * 366, 1):
            day = date(2024, 12, 20) + timedelta(days=offset)
            (week,) = db.execute(f"SELECT {iso_week_sql(repr(day.isoformat()))}").fetchone()
            assert week == iso_week(day), day


def test_a_missing_or_plain_password_hash_is_a_clear_error(
    review_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("INTAKE_STAFF_PASSWORD_HASH", raising=False)
    assert main(["review", "--db", str(review_db)]) == 2
    assert "INTAKE_STAFF_PASSWORD_HASH is not set" in capsys.readouterr().err
    with pytest.raises(storage.ConfigError, match="not a password hash"):
        check_password_hash({"INTAKE_STAFF_PASSWORD_HASH": PASSWORD})
    assert check_password_hash({"INTAKE_STAFF_PASSWORD_HASH": PASSWORD_HASH}) == PASSWORD_HASH


def test_hash_password_prints_a_hash_the_login_accepts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["review", "--hash-password"]) == 0
    out, err = capsys.readouterr()
    hashed = out.strip()
    assert verify_password(PASSWORD, hashed)
    assert check_password_hash({"INTAKE_STAFF_PASSWORD_HASH": hashed}) == hashed
    assert f"INTAKE_STAFF_PASSWORD_HASH='{hashed}'" in err
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert main(["review", "--hash-password"]) == 1


def test_the_swedish_metadata_describes_every_served_column() -> None:
    meta = metadata("sv")
    assert meta["allow"] == {"id": "staff"}
    assert meta["allow_sql"] is False
    plugin = meta["plugins"]["datasette-auth-passwords"]  # type: ignore[index]
    assert plugin == {"staff_password_hash": {"$env": "INTAKE_STAFF_PASSWORD_HASH"}}
    tables = meta["databases"]["intake"]["tables"]  # type: ignore[index]
    assert set(tables) == {"intakes", "progress"}
    assert "free_text" not in tables["intakes"]["columns"]
    assert tables["intakes"]["columns"]["week"].startswith("ISO-veckan")
    queries = meta["databases"]["intake"]["queries"]  # type: ignore[index]
    assert queries["this_week"]["title"] == "Veckans intag"
