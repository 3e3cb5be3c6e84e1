"""Pseudonyms: a keyed hash of a Telegram user id, which the database alone cannot reverse."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

from storage.files import private_folder

MIN_SECRET_LENGTH = 16

#: What `pseudonym_for` returns; anything else (a raw id, a username) is refused at the door.
PSEUDONYM = re.compile(r"[0-9a-f]{64}")


def pseudonym_for(user_id: int, secret: str) -> str:
    """The HMAC-SHA256 (hex) of the user id under the secret: the only key a parent is stored by."""
    return hmac.new(secret.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()


def key_fingerprint(secret: str) -> str:
    """A short fingerprint of a pseudonymisation key, stored beside the rows made under it.

    A pseudonym alone cannot say which key made it; after a key rotation the fingerprint can,
    without revealing the key (a keyed hash of a constant, cut to 32 bits).
    """
    return hmac.new(secret.encode(), b"intake key fingerprint", hashlib.sha256).hexdigest()[:8]


def check_pseudonym(pseudonym: str) -> str:
    """Refuse anything that is not a pseudonym, so a raw id can never become a key by mistake."""
    if not PSEUDONYM.fullmatch(pseudonym):
        # The value itself is left out of the message: it may be the very id it must not log.
        raise ValueError("not a pseudonym: use pseudonym_for(user_id, secret)")
    return pseudonym


class SecretError(ValueError):
    """A pseudonymisation key is missing, too short, or its file is damaged."""


def check_secret(secret: str | None) -> str:
    """The secret without surrounding whitespace, or SecretError when it is missing or short.

    The message continues the setting's name (the caller names it): "... must be set to ...".
    """
    cleaned = (secret or "").strip()
    if len(cleaned) < MIN_SECRET_LENGTH:
        raise SecretError(
            f"must be set to a random string of at least {MIN_SECRET_LENGTH} characters (for "
            "example the output of `python -c 'import secrets; print(secrets.token_hex(32))'`)."
        )
    return cleaned


def local_secret(path: str | os.PathLike[str]) -> str:
    """The terminal chat's own secret, kept in the file at ``path`` (mode 0600), made if missing.

    The caller keeps the file next to the database (its folder made 0700 if new). It is linked
    into place only once it is complete, so a crash never leaves a half-written secret, and
    two processes starting together agree on one.
    """
    secret_file = Path(path)
    if not secret_file.exists():
        private_folder(secret_file.parent)
        draft = secret_file.with_name(f".{secret_file.name}.{secrets.token_hex(8)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as file:
                file.write(secrets.token_hex(32) + "\n")
                file.flush()
                os.fsync(file.fileno())
            os.link(draft, secret_file)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            draft.unlink(missing_ok=True)
    try:
        return check_secret(secret_file.read_text(encoding="ascii"))
    except (SecretError, UnicodeDecodeError):
        raise SecretError(
            f"The local secret file {secret_file} is damaged: delete it to make a new one "
            "(unfinished conversations will then start afresh)."
        ) from None
