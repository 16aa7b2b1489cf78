"""Exit codes: 0 ok, 1 some reports failed, 2 bad input, 3 internal error with the log's path (issue 17)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import custlib.cli as cli


def test_a_bug_exits_3_naming_the_log_that_holds_the_traceback(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR

    def boom(args):
        raise ZeroDivisionError("planted")

    parser = cli.build_parser
    monkeypatch.setattr(cli, "build_parser", lambda: _with(parser(), boom))
    code = cli.main(["validate", "--data", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 3
    assert "internal error (ZeroDivisionError: planted)" in err and "bug in custlib" in err
    log = Path(re.search(r"The traceback is in (\S+)", err).group(1))
    assert log.parent == tmp_path / "custlib-logs"
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "ZeroDivisionError: planted" in text
    assert "Traceback" not in err, "the terminal gets one line, the log the traceback"


def _with(parser, func):
    for action in parser._subparsers._group_actions:  # the sub-commands
        action.choices["validate"].set_defaults(func=func)
    return parser


def test_bad_input_exits_2(tmp_path, capsys):
    assert cli.main(["validate", "--data", str(tmp_path / "absent")]) == 2
    assert "data directory not found" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["EXIT_OK", "EXIT_REPORTS_FAILED", "EXIT_BAD_INPUT", "EXIT_INTERNAL"])
def test_the_codes_are_distinct_and_documented(name):
    codes = [cli.EXIT_OK, cli.EXIT_REPORTS_FAILED, cli.EXIT_BAD_INPUT, cli.EXIT_INTERNAL]
    assert codes == [0, 1, 2, 3]
    assert f"- {getattr(cli, name)} " in cli.__doc__
