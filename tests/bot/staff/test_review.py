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
import tempfile
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

from bot.cli import main
from bot.settings import ConfigError, staff_accounts
from bot.staff.accounts import MIN_ITERATIONS, load_accounts
from bot.staff.review import metadata
from flows.questions import PROGRESS_STEPS
from storage.audit import accesses, audit_path, open_audit
from storage.dates import iso_week
from storage.staff import create_staff_copy, iso_week_sql
from tests.support.staff import CHROMIUM_FLAGS, FREE_TEXT_WORDS, STANDARD, Intake, debian_tool, fill

PASSWORDS = {"anna.b": "violet harbour kettle 42", "bert": "seven quiet lanterns drift"}
#: Full-strength hashes (the minimum the command accepts); made once for the module.
HASHES = {name: hash_password(password, iterations=MIN_ITERATIONS)
          for name, password in PASSWORDS.items()}  # fmt: skip
REFRESH = 1.0  # seconds: short, so the refresh test need not wait long


#: Pages a curious staff member might open; none may show a pseudonym or free text.
EVERY_PAGE = (
    "/",
    "/intake",
    "/intake/intakes?_size=max",
    "/intake/intakes.csv?_size=max",
    "/intake/progress.json",
    "/intake/audit",
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
                self.url = response.url
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode("utf-8", "replace")
            self.url = error.url
        Browser.seen.append(body)
        return status, body

    def json(self, path: str) -> object:
        status, body = self.open(path)
        assert status == 200, (path, status, body[:300])
        return json.loads(body)

    def log_in(self, name: str = "anna.b", password: str | None = None) -> str:
        status, page = self.open("/-/login")
        assert status == 200
        match = re.search(r'name="csrftoken" value="([^"]+)"', page)
        assert match, "no CSRF token on the login form"
        form = {"username": name, "password": password or PASSWORDS[name],
                "csrftoken": match.group(1)}  # fmt: skip
        return self.open("/-/login", form)[1]


@pytest.fixture(scope="module")
def review_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The standard conversations, and one finished today for the 'this week' query."""
    folder = tmp_path_factory.mktemp("review")
    return fill(folder / "intake.db", [*STANDARD, Intake(day=date.today(), clinic="south")])


@pytest.fixture(scope="module")
def accounts_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("accounts") / "staff-accounts"
    lines = ["# intake review: one line per staff member", *(f"{n}:{h}" for n, h in HASHES.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(
    review_db: Path, accounts_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """`intake review` running on a free port; on teardown, stopped and its copy gone."""
    temp = tmp_path_factory.mktemp("review-temp")
    log = tmp_path_factory.mktemp("review-log") / "review.log"
    port = free_port()
    env = {**os.environ, "INTAKE_STAFF_ACCOUNTS": str(accounts_file), "TMPDIR": str(temp)}
    for name in ("INTAKE_DB", "INTAKE_STAFF_PASSWORD_HASH", "INTAKE_AUDIT_DB"):
        env.pop(name, None)
    command = [sys.executable, "-m", "bot.cli", "review", "--db", str(review_db)]
    with log.open("w") as output:
        process = subprocess.Popen(
            [*command, "--port", str(port), "--refresh", str(REFRESH)],
            cwd=temp.parent, env=env, stdout=output, stderr=output,
        )  # fmt: skip
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


LOGIN_FORM = 'name="password"'


def test_an_anonymous_visitor_gets_the_login_page_everywhere(server: str) -> None:
    browser = Browser(server)
    for path in ("/", "/intake", "/intake/intakes", "/intake/intakes.json", "/intake/this_week",
                 "/intake/progress.csv", "/intake/audit", "/-/metadata.json"):  # fmt: skip
        status, page = browser.open(path)
        assert (status, browser.url) == (200, server + "/-/login"), path
        assert LOGIN_FORM in page, path
        assert "mip" not in page.lower(), path
        assert "2026-W" not in page, path


def test_a_real_browser_opening_the_address_sees_the_login_form(server: str) -> None:
    chromium = debian_tool("chromium", "chromium")
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        dom = subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", server + "/"],
            capture_output=True, text=True, check=True, timeout=120,
        ).stdout  # fmt: skip
    assert 'action="/-/login"' in dom or LOGIN_FORM in dom
    assert "Forbidden" not in dom


def test_a_wrong_password_does_not_log_in(server: str) -> None:
    browser = Browser(server)
    assert "Invalid username or password" in browser.log_in("anna.b", "not the password")
    assert "Invalid username or password" in browser.log_in("bert", PASSWORDS["anna.b"])
    browser.open("/intake/intakes")
    assert browser.url == server + "/-/login"


def test_staff_see_the_intakes_with_labels_and_folded_descriptions(
    server: str, review_db: Path
) -> None:
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
    # Each code is shown with its label (Datasette's foreign-key labels), the code beside it.
    assert re.search(r">Mother</a>\s*(&nbsp;)?\s*<em>mother</em>", page), page[:2000]
    assert ">MIP with guidance, CHC alongside</a>" in page
    # Column descriptions are there, folded away under one summary line.
    start = page.index("<details><summary>What each column holds</summary>")
    details = page[start : page.index("</details>", start)]
    assert "ISO week the intake was completed, e.g. 2026-W48." in details
    assert '<dl class="column-descriptions">' not in page
    assert "Intake logs" in browser.open("/")[1]  # the instance's title


def test_labels_follow_the_staff_language() -> None:
    bert = staff_accounts({"INTAKE_STAFF_PASSWORD_HASH": f"bert:{HASHES['bert']}"})
    tables = metadata("sv", load_accounts(bert))
    intakes = tables["databases"]["intake"]["tables"]["intakes"]  # type: ignore[index]
    assert "Vad varje kolumn innehåller" in intakes["description_html"]
    assert "ISO-veckan" in intakes["description_html"]


def test_staff_have_the_canned_queries_with_labels(server: str, review_db: Path) -> None:
    browser = Browser(server)
    browser.log_in("bert")
    database = browser.json("/intake.json")
    assert isinstance(database, dict)
    assert {table["name"] for table in database["tables"] if not table["hidden"]} == {
        "intakes", "progress", "audit",
    }  # fmt: skip
    queries = {query["name"] for query in database["queries"]}
    assert queries == {"this_week", "suggestions_by_clinic", "safety_responses", "drop_off"}

    this_week = browser.json("/intake/this_week.json?_shape=array")
    week = iso_week(date.today())
    assert isinstance(this_week, list)
    assert len(this_week) == len(stored(review_db, f"SELECT id FROM intakes WHERE week = '{week}'"))
    assert len(this_week) >= 1
    assert "Mother" in {row["role"] for row in this_week}  # the label, not the code
    by_clinic = browser.json("/intake/suggestions_by_clinic.json?_shape=array")
    assert {"clinic": "north", "suggestion": "MIP", "intakes": 2} in by_clinic  # type: ignore[operator]
    safety = browser.json("/intake/safety_responses.json?_shape=array")
    assert isinstance(safety, list)
    assert sorted(row["safety_level"] for row in safety) == [
        "Danger now: emergency numbers", "Unwanted thoughts: contact within days",
    ]  # fmt: skip
    drop_off = browser.json("/intake/drop_off.json?_shape=array")
    assert isinstance(drop_off, list)
    assert [row["step"] for row in drop_off] == [
        "Who is chatting",
        "Baby's age",
        *[row["step"] for row in drop_off][2:],
    ]
    assert len(drop_off) == len(PROGRESS_STEPS)
    assert drop_off[0]["reached"] == 12


def test_arbitrary_sql_is_refused_even_for_staff(server: str) -> None:
    browser = Browser(server)
    browser.log_in()
    for path in ("/intake?sql=select+1", "/intake.json?sql=select+*+from+sqlite_master",
                 "/intake/intakes.json?_where=1%3D1", "/intake.db"):  # fmt: skip
        assert browser.open(path)[0] in (400, 403), path


def test_new_intakes_appear_without_a_restart(server: str, review_db: Path) -> None:
    browser = Browser(server)
    browser.log_in()
    before = browser.json("/intake/intakes.json?_shape=array&_size=max")
    assert isinstance(before, list)
    fill(review_db, [Intake(day=date.today(), clinic="north", role="father")])
    time.sleep(REFRESH + 0.2)
    after = browser.json("/intake/intakes.json?_shape=array&_size=max")
    assert isinstance(after, list)
    assert len(after) == len(before) + 1


def test_logins_views_and_downloads_are_logged_by_name_and_week(
    server: str, review_db: Path
) -> None:
    browser = Browser(server)
    browser.log_in("bert")
    browser.open("/intake/progress")
    browser.open("/intake/intakes.csv?_size=max")
    with open_audit(audit_path(review_db)) as audit:
        log = {(a.staff, a.action, a.subject): a for a in accesses(audit)}
    week = iso_week(date.today())
    assert log["bert", "login", ""].count >= 1
    assert log["bert", "view", "progress"].week == week
    assert log["bert", "export", "intakes"].count >= 1
    assert ("anna.b", "login", "") in log
    # Kept apart from the intake data, with no time finer than the week.
    assert stored(audit_path(review_db), "SELECT name FROM sqlite_master WHERE type = 'table'")
    tables = {row[0] for row in stored(review_db, "SELECT name FROM sqlite_master")}
    assert "audit" not in tables
    columns = [row[1] for row in stored(audit_path(review_db), "PRAGMA table_info(audit)")]
    assert columns == ["week", "staff", "action", "subject", "count"]
    # ... and shown to staff, with the action's label, after the next refresh.
    time.sleep(REFRESH + 0.2)
    shown = browser.json("/intake/audit.json?_shape=array&_labels=on&_size=max")
    assert isinstance(shown, list)
    assert any(row["staff"] == "bert" and row["action"]["label"] == "Login" for row in shown)


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
    for secret in (*secrets, FREE_TEXT_WORDS, "[phone]", *HASHES.values(), str(review_db)):
        assert secret not in pages


def test_the_copy_holds_only_the_staff_tables_and_labels(review_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    assert create_staff_copy(review_db, copy, {"role": {"mother": "Mother"}}) == len(
        stored(review_db, "SELECT id FROM intakes")
    )
    names = {row[0] for row in stored(copy, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert names == {"intakes", "progress", "labels_role"}
    columns = [row[1] for row in stored(copy, "PRAGMA table_info(intakes)")]
    assert "free_text" not in columns
    assert columns[:2] == ["id", "week"]
    assert stored(copy, "PRAGMA foreign_key_list(intakes)")[0][2:4] == ("labels_role", "role")


def test_this_week_in_sql_is_the_iso_week() -> None:
    with sqlite3.connect(":memory:") as db:
        for offset in range(0, 3 * 366, 1):
            day = date(2024, 12, 20) + timedelta(days=offset)
            (week,) = db.execute(f"SELECT {iso_week_sql(repr(day.isoformat()))}").fetchone()
            assert week == iso_week(day), day


# ---- accounts and passwords


def test_no_account_is_a_clear_error(
    review_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("INTAKE_STAFF_PASSWORD_HASH", raising=False)
    monkeypatch.delenv("INTAKE_STAFF_ACCOUNTS", raising=False)
    assert main(["review", "--db", str(review_db)]) == 2
    assert "No staff account is set up" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (HASHES["bert"], "every account is NAME:HASH"),  # a shared login names nobody
        (f"Bert_Smith:{HASHES['bert']}", "not a staff login name"),
        ("bert:" + PASSWORDS["bert"].replace(" ", "-"), "is not a password hash"),
        (f"bert:{hash_password(PASSWORDS['bert'], iterations=1)}", "has 1 rounds, fewer than"),
        (f"bert:{hash_password(PASSWORDS['bert'], iterations=MIN_ITERATIONS - 1)}", "fewer than"),
        (f"bert:{HASHES['bert']} bert:{HASHES['bert']}", "more than one account"),
    ],
)
def test_accounts_in_the_environment_are_checked(value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_accounts(staff_accounts({"INTAKE_STAFF_PASSWORD_HASH": value}))


def test_accounts_come_from_a_file_and_the_environment(accounts_file: Path) -> None:
    accounts = load_accounts(staff_accounts({"INTAKE_STAFF_ACCOUNTS": str(accounts_file),
                              "INTAKE_STAFF_PASSWORD_HASH": f"carl:{HASHES['bert']}"}))  # fmt: skip
    assert [account.name for account in accounts] == ["anna.b", "bert", "carl"]
    weak = accounts_file.with_name("weak")
    weak.write_text(f"# comment\n\ndora:{hash_password('x', iterations=1)}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"INTAKE_STAFF_ACCOUNTS line 3: .* 1 rounds"):
        load_accounts(staff_accounts({"INTAKE_STAFF_ACCOUNTS": str(weak)}))
    missing = staff_accounts({"INTAKE_STAFF_ACCOUNTS": str(accounts_file.with_name("missing"))})
    with pytest.raises(ConfigError, match="cannot read"):
        load_accounts(missing)


def test_hash_password_prints_an_account_line_the_login_accepts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORDS["bert"] + "\n"))
    assert main(["review", "--hash-password", "bert"]) == 0
    out, err = capsys.readouterr()
    line = out.strip()
    name, _, hashed = line.partition(":")
    assert name == "bert"
    assert verify_password(PASSWORDS["bert"], hashed)
    assert hashed.startswith(f"pbkdf2_sha256${MIN_ITERATIONS}$")
    assert load_accounts(staff_accounts({"INTAKE_STAFF_PASSWORD_HASH": line}))[0].name == "bert"
    assert "INTAKE_STAFF_ACCOUNTS" in err


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("aaaaaaaaaa", "at least 12 characters"),
        ("aaaaaaaaaaaaaaaa", "too easy to guess"),
        ("password1234", "too easy to guess"),
        ("bertbertbert", "too easy to guess"),
        ("intakeintake12", "too easy to guess"),  # the tool's own name, twice
    ],
)
def test_hash_password_refuses_short_or_weak_passwords(
    password: str, message: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    assert main(["review", "--hash-password", "bert"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert message in err


def test_a_login_name_is_checked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", "--hash-password", "Anna B"]) == 1
    assert "is not a login name" in capsys.readouterr().err


def test_the_metadata_names_every_account_but_holds_no_hash() -> None:
    accounts = load_accounts(staff_accounts({"INTAKE_STAFF_PASSWORD_HASH": " ".join(
        f"{name}:{hashed}" for name, hashed in HASHES.items())}))  # fmt: skip
    meta = metadata("sv", accounts)
    assert meta["allow"] == {"id": ["anna.b", "bert"]}
    assert meta["allow_sql"] is False
    plugin = meta["plugins"]["datasette-auth-passwords"]  # type: ignore[index]
    assert plugin == {
        "anna.b_password_hash": {"$env": "INTAKE_REVIEW_HASH_0"},
        "bert_password_hash": {"$env": "INTAKE_REVIEW_HASH_1"},
    }
    assert not any(hashed in json.dumps(meta) for hashed in HASHES.values())
    tables = meta["databases"]["intake"]["tables"]  # type: ignore[index]
    assert {"intakes", "progress", "audit"} <= set(tables)
    assert tables["labels_role"] == {"hidden": True, "label_column": "label"}
    queries = meta["databases"]["intake"]["queries"]  # type: ignore[index]
    assert queries["this_week"]["title"] == "Veckans intag"
