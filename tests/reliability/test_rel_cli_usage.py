"""A mistyped command line gets click's short usage message and exit code 2, never a traceback,
whichever click raised it: the copy typer vendors (typer._click) or the real package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: the console script pyproject's [project.scripts] installs next to the interpreter
CONSOLE_SCRIPT = Path(sys.executable).with_name("copilot")


def run(*args: str, command: tuple[str, ...] = (sys.executable, "-m", "copilot.cli")):
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=120, cwd=ROOT)


def assert_usage_error(
    proc: subprocess.CompletedProcess[str], *expected: str, usage: bool = True
) -> None:
    """Exit 2, click's "Error: ..." line (after the usage line when click knows the command),
    every expected piece in it, nothing on stdout and no traceback."""
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Error: " in proc.stderr, proc.stderr
    assert ("Usage: " in proc.stderr) is usage, proc.stderr
    for piece in expected:
        assert piece in proc.stderr, proc.stderr
    assert proc.stdout == ""


#: (arguments, what the message must say)
CASES = [
    (["nosuchcommand"], ["No such command 'nosuchcommand'"]),
    (["generate", "--bogus"], [" generate [OPTIONS]", "No such option: --bogus"]),
    (["doctor", "nosuch"], [" doctor [OPTIONS]", "unexpected extra argument", "nosuch"]),
    (["kb", "nosuch"], ["No such command 'nosuch'"]),
    (["generate"], ["Missing option '--brief'"]),
    (["generate", "--brief", "examples/welcome.yaml", "--n", "-3"], ["'--n'", "1"]),
    (["generate", "--brief", "examples/welcome.yaml", "--n", "10000"], ["'--n'", "64"]),
    (["generate", "--brief", "examples/welcome.yaml", "--keep", "abc"], ["'--keep'"]),
    (["bodies", "--brief", "examples/welcome.yaml", "--keep", "10000"], ["'--keep'"]),
]


@pytest.mark.parametrize(("args", "expected"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_usage_errors_are_short_messages_with_exit_code_2(
    args: list[str], expected: list[str]
) -> None:
    assert_usage_error(run(*args), *expected)


def test_the_installed_console_script_reports_usage_errors_the_same_way() -> None:
    assert CONSOLE_SCRIPT.is_file(), f"{CONSOLE_SCRIPT} missing: install with pip install -e ."
    proc = run("generate", "--bogus", command=(str(CONSOLE_SCRIPT),))
    assert_usage_error(proc, "No such option: --bogus")


# a command registered through typer's own extension point, raising each click's usage error
_RAISES = """
import sys
import click
import typer
from copilot.cli import app, main

@app.command("rel-usage-probe")
def probe(which: str) -> None:
    if which == "real":
        raise click.BadParameter("no good (real click)", param_hint="'--which'")
    raise typer.BadParameter("no good (typer's click)", param_hint="'--which'")

sys.argv = ["copilot", "rel-usage-probe", sys.argv[1]]
main()
"""


@pytest.mark.parametrize(
    ("which", "message", "usage"),
    # the real click's error carries no typer context, so it has no usage line to show
    [("real", "(real click)", False), ("vendored", "(typer's click)", True)],
)
def test_usage_errors_of_either_click_are_shown_not_raised(
    which: str, message: str, usage: bool
) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _RAISES, which],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert_usage_error(proc, "Invalid value for '--which'", message, usage=usage)
