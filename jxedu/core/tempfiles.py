"""Temporary files beside an output, and removing those that an interrupted run left behind.

Outputs are written whole or not at all: into a temporary file or folder in the output folder, then
moved into place with :func:`os.replace`. A run that is killed (power cut, Ctrl-C twice, a closed
terminal) leaves the temporary behind. Its name says who made it — a short hash of the host name
and the process id::

    .~jxedu-1a2b3c4d-12345-k3j2h1.xlsx        (ledger)
    .tmp-胡集镇-1a2b3c4d-12345-x9y8z7/          (one report)

so the next run can tell a leftover from the temporary of a run still going on:
:func:`remove_stale` removes those of this host whose process has ended, those of another host
(a shared folder) older than :data:`FOREIGN_MAX_AGE`, and unmarked ones (made by an older jxedu)
older than :data:`UNMARKED_MAX_AGE`.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import tempfile
import time
from pathlib import Path

__all__ = ["FOREIGN_MAX_AGE", "UNMARKED_MAX_AGE", "owner_tag", "remove_stale", "temp_dir", "temp_file"]

#: A temporary of another host is removed when older than this (its process cannot be asked).
FOREIGN_MAX_AGE = 24 * 3600  # seconds
#: A temporary without an owner mark (older jxedu) is removed when older than this.
UNMARKED_MAX_AGE = 600  # seconds

_TAG_RE = re.compile(r"-(?P<host>[0-9a-f]{8})-(?P<pid>\d+)-[a-z0-9_]+(?:\.[A-Za-z0-9]+)?$")


def _host() -> str:
    return hashlib.sha256(socket.gethostname().encode("utf-8")).hexdigest()[:8]


def owner_tag() -> str:
    """``<host hash>-<pid>-``: the part of a temporary's name that names its maker."""
    return f"{_host()}-{os.getpid()}-"


def temp_file(folder: Path, prefix: str, *, suffix: str = "") -> Path:
    """Create an empty temporary file in ``folder`` named ``<prefix><owner tag><random><suffix>``,
    with the permissions a new file gets (not ``mkstemp``'s private 0600).

    Parameters
    ----------
    folder
        Where the final file will be (same file system, so :func:`os.replace` is atomic).
    prefix
        Start of the name, e.g. ``".~jxedu-"``.
    suffix
        End of the name, e.g. ``".xlsx"``.

    Returns
    -------
    pathlib.Path
    """
    fd, name = tempfile.mkstemp(dir=folder, prefix=prefix + owner_tag(), suffix=suffix)
    os.close(fd)
    umask = os.umask(0)  # mkstemp makes the file private (0600): give it the usual permissions
    os.umask(umask)
    os.chmod(name, 0o666 & ~umask)
    return Path(name)


def temp_dir(folder: Path, prefix: str) -> Path:
    """Create a temporary folder in ``folder`` named ``<prefix><owner tag><random>``."""
    return Path(tempfile.mkdtemp(dir=folder, prefix=prefix + owner_tag()))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user
        return True
    return True


def _is_stale(path: Path, now: float) -> bool:
    try:
        age = now - path.lstat().st_mtime
    except FileNotFoundError:
        return False
    m = _TAG_RE.search(path.name)
    if m is None:
        return age > UNMARKED_MAX_AGE
    if m.group("host") != _host():
        return age > FOREIGN_MAX_AGE
    return not _alive(int(m.group("pid")))


def remove_stale(folder: Path, prefix: str, *, suffix: str = "") -> list[Path]:
    """Remove the temporaries of interrupted runs in ``folder`` (files or folders).

    Parameters
    ----------
    folder
        The output folder.
    prefix
        Names to look at start with this (``".~jxedu-"``, ``".tmp-"``).
    suffix
        ... and end with this (``".xlsx"``; ``""`` for any).

    Returns
    -------
    list of pathlib.Path
        What was removed.
    """
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    now = time.time()
    for entry in folder.iterdir():
        if not entry.name.startswith(prefix) or not entry.name.endswith(suffix):
            continue
        if not _is_stale(entry, now):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        if not entry.exists():
            removed.append(entry)
    return removed
