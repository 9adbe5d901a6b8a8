"""Operational `newswire` subcommands: run, worker, submit, feeds, stats, dlq, db, demo."""

from __future__ import annotations

import argparse
from typing import Any


def add_operational_commands(sub: Any) -> None:
    del sub
