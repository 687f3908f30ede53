"""Tests of jxedu.core.tempfiles: temporaries say who made them; only leftovers are removed."""

from __future__ import annotations

import os
import time

from jxedu.core import tempfiles
from jxedu.core.tempfiles import owner_tag, remove_stale, temp_dir, temp_file

DEAD_PID = 2 ** 22 + 1  # above Linux's largest pid: no such process


def test_names_carry_host_and_pid_and_files_get_usual_permissions(tmp_path):
    f = temp_file(tmp_path, ".~jxedu-", suffix=".xlsx")
    d = temp_dir(tmp_path, ".tmp-甲镇-")
    assert f.name.startswith(f".~jxedu-{owner_tag()}") and f.suffix == ".xlsx"
    assert d.name.startswith(f".tmp-甲镇-{owner_tag()}") and d.is_dir()
    umask = os.umask(0)
    os.umask(umask)
    assert (f.stat().st_mode & 0o777) == 0o666 & ~umask
    assert remove_stale(tmp_path, ".") == []  # this process is alive: nothing is a leftover


def test_only_leftovers_are_removed(tmp_path, monkeypatch):
    host = owner_tag().split("-")[0]
    dead = tmp_path / f".tmp-甲镇-{host}-{DEAD_PID}-abc"
    (dead / "x").mkdir(parents=True)
    other_host_new = tmp_path / f".tmp-乙镇-0000abcd-{DEAD_PID}-abc"
    other_host_new.mkdir()
    other_host_old = tmp_path / f".tmp-丙镇-0000abcd-{DEAD_PID}-abc"
    other_host_old.mkdir()
    day = time.time() - tempfiles.FOREIGN_MAX_AGE - 10
    os.utime(other_host_old, (day, day))
    unmarked_new = tmp_path / ".tmp-丁镇-x1y2z3"
    unmarked_new.mkdir()
    unrelated = tmp_path / "甲镇.pdf"
    unrelated.write_bytes(b"%PDF")
    removed = remove_stale(tmp_path, ".tmp-")
    assert sorted(p.name for p in removed) == sorted([dead.name, other_host_old.name])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [other_host_new.name, unmarked_new.name, unrelated.name])
