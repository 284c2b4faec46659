"""docs/cli.md stays in step with the command: every subcommand documented, every example parses."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from harmonic.cli import _parser

DOC = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text(encoding="utf-8")


def _subcommands() -> set[str]:
    parser = _parser()
    action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return set(action.choices) | {"verify"}


def test_every_subcommand_is_in_the_command_table_and_nothing_else():
    documented = set(re.findall(r"^\| `([a-z0-9]+)` \|", DOC, flags=re.M))
    assert documented == _subcommands()


def _examples() -> list[str]:
    block = DOC.split("## Examples", 1)[1].split("```", 2)[1]
    lines = [l.split("#", 1)[0].strip() for l in block.splitlines()]
    return [part.strip() for l in lines if l.startswith("harmonic") for part in l.split("&&")]


@pytest.mark.parametrize("example", _examples())
def test_every_documented_example_parses(example):
    argv = shlex.split(example)[1:]
    if argv[0] == "verify":
        from verification.runner import _parser as verify_parser

        verify_parser("harmonic verify").parse_args(argv[1:])
    else:
        _parser().parse_args(argv)


def test_no_stale_claim_count():
    assert not re.search(r"\b\d+ claims\b", DOC), "a claim count in docs/cli.md goes stale: say 'every claim'"
