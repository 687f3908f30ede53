"""Command line: ``jxedu <command>`` (typer), the top layer."""

from __future__ import annotations

from jxedu.cli.app import main

__all__ = ["main"]
