"""Staff accounts of `intake review`: one login per person, each a name and a password hash.

Accounts come from a file (``INTAKE_STAFF_ACCOUNTS``, one ``name:hash`` a line) and from the
environment (``INTAKE_STAFF_PASSWORD_HASH``, ``name:hash`` entries separated by spaces). A
login then names a person, and the access log can say who looked. Hashes are
datasette-auth-passwords' PBKDF2-SHA256 form; one made with fewer than `MIN_ITERATIONS`
rounds is refused, as is a new password that is short or easy to guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot import settings
from bot.settings import ACCOUNTS_FILE_ENV, PASSWORD_HASH_ENV, ConfigError, StaffAccountSources
from storage.audit import STAFF_NAME

#: The form datasette-auth-passwords writes (and `intake review --hash-password` prints).
PASSWORD_HASH = re.compile(r"pbkdf2_sha256\$([0-9]+)\$[^$\s]+\$[A-Za-z0-9+/=]+")
#: Fewest PBKDF2 rounds accepted: what `--hash-password` makes (datasette-auth-passwords'
#: default), so that a stolen hash costs an attacker as much as the library intends.
MIN_ITERATIONS = 480_000
MIN_PASSWORD_LENGTH = 12
#: zxcvbn's score (0-4) a new password must reach: 3 is "safely unguessable" offline.
MIN_PASSWORD_SCORE = 3
#: Words a clinic's staff password is likely to be built from, guessed first by zxcvbn.
CONTEXT_WORDS = ("intake", "review", "staff", "clinic", "bvc", "mip", "password", "losenord")


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    password_hash: str


def check_hash(name: str, value: str, where: str) -> str:
    """A hash of enough rounds, or ConfigError naming the account and the setting (never it)."""
    found = PASSWORD_HASH.fullmatch(value)
    if not found:
        raise ConfigError(
            f"{where}: the entry for {name!r} is not a password hash (pbkdf2_sha256$...): make "
            "one with `intake review --hash-password NAME`; never put a password itself there."
        )
    if int(found.group(1)) < MIN_ITERATIONS:
        raise ConfigError(
            f"{where}: the hash for {name!r} has {found.group(1)} rounds, fewer than "
            f"{MIN_ITERATIONS}: make a new one with `intake review --hash-password {name}`."
        )
    return value


def parse_entry(entry: str, where: str) -> Account:
    """``name:hash`` as one account, checked."""
    name, colon, value = entry.strip().partition(":")
    if not colon:
        raise ConfigError(
            f"{where}: every account is NAME:HASH, one per staff member (a shared login names "
            "nobody): make a line with `intake review --hash-password NAME`."
        )
    if not STAFF_NAME.fullmatch(name):
        raise ConfigError(
            f"{where}: {name!r} is not a staff login name (2-32 lower-case letters, digits, "
            "'.', '_' or '-', starting with a letter)."
        )
    return Account(name, check_hash(name, value.strip(), where))


def load_accounts(sources: StaffAccountSources | None = None) -> tuple[Account, ...]:
    """Every configured account, checked; ConfigError when there is none or one is wrong."""
    given = sources or settings.staff_accounts()
    entries: list[tuple[str, str]] = []
    file_name = given.file
    if file_name:
        try:
            lines = Path(file_name).read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise ConfigError(
                f"{ACCOUNTS_FILE_ENV}: cannot read {file_name} ({error.strerror})."
            ) from None
        entries += [
            (line, f"{ACCOUNTS_FILE_ENV} line {number}")
            for number, line in enumerate(lines, 1)
            if line.strip() and not line.lstrip().startswith("#")
        ]
    entries += [(entry, PASSWORD_HASH_ENV) for entry in given.entries.split()]
    if not entries:
        raise ConfigError(
            f"No staff account is set up: make one per staff member with `intake review "
            f"--hash-password NAME` and put the lines in the file named by {ACCOUNTS_FILE_ENV} "
            f"(or in {PASSWORD_HASH_ENV}, in single quotes: hashes contain $ signs)."
        )
    accounts: dict[str, Account] = {}
    for entry, where in entries:
        account = parse_entry(entry, where)
        if account.name in accounts:
            raise ConfigError(f"{where}: {account.name!r} has more than one account.")
        accounts[account.name] = account
    return tuple(accounts.values())


def password_problem(password: str, name: str) -> tuple[str, dict[str, object]] | None:
    """Why a new password will not do, as a staff text key and its values; None if it will."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "review.password_short", {"length": MIN_PASSWORD_LENGTH}
    from zxcvbn import zxcvbn

    if zxcvbn(password, user_inputs=[name, *CONTEXT_WORDS])["score"] < MIN_PASSWORD_SCORE:
        return "review.password_weak", {}
    return None
