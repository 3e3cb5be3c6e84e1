"""Files only their owner can read: the database's folder, the database, its key file.

SQLite creates a database file with mode 0644 (less the umask) and gives the ``-wal`` and
``-shm`` files it adds the database file's own mode. So the database file is created here
first, empty and 0600, before SQLite opens it, and what SQLite adds beside it follows. A
folder is made 0700 only when the project makes it: a folder the operator made is left as
they set it, and a database file others can read is reported, not changed.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger("intake.storage")

#: Permission bits for anyone but the owner (group and others).
NOT_OWNER = 0o077


def private_folder(folder: Path) -> None:
    """Make ``folder`` (and any missing parent) if it is missing; the folder itself 0700."""
    # Only the last folder gets the mode (as with `mkdir -p -m`): parents the project had to
    # make hold nothing of ours but this folder.
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)


def private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600, unless it exists already (then it is left alone)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(descriptor)


def database_files(path: Path) -> tuple[Path, Path, Path]:
    """The database file and the two files SQLite keeps beside it in WAL mode."""
    return path, Path(f"{path}-wal"), Path(f"{path}-shm")


def shared_with_others(path: Path) -> bool:
    """True, with one warning logged, when the database or its -wal or -shm is open to others.

    The warning names no path: a path often holds a person's user name.
    """
    shared = any(file.exists() and file.stat().st_mode & NOT_OWNER for file in database_files(path))
    if shared:
        log.warning(
            "the database can be read by other users of this machine: make it and its -wal "
            "and -shm files readable by their owner only (chmod 600)"
        )
    return shared
