""".env.example is read whole, and identically, by systemd (EnvironmentFile=) and by the shell
(set -a; . file; set +a): an unquoted `Essor <…>` used to stop the shell at a syntax error, and
every setting after it was silently left out."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / ".env.example"

ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=", re.MULTILINE)
WHITESPACE = " \t\n\r"
NEWLINE = "\n\r"
SHELL_NEED_ESCAPE = '"\\`$'


def systemd_environment_file(text: str) -> dict[str, str]:
    """The variables systemd reads from an EnvironmentFile= holding `text`.

    A transcription of systemd's parser (parse_env_file_internal in src/basic/env-file.c, the rules
    of systemd.exec(5), « EnvironmentFile= »): comment lines start with # or ; (a backslash at the
    end of one continues the comment on the next line), lines without « = » are ignored, space
    around the key and the value is dropped, an unquoted value keeps its inner spaces and its
    quotes after the first character, a backslash escapes the next character (and a
    backslash-newline joins lines), single quotes keep everything verbatim, double quotes
    unescape only \\" \\\\ \\` \\$ and backslash-newline. Nothing is expanded. Names that are not valid
    variable names are ignored.
    """
    variables: dict[str, str] = {}
    state = "PRE_KEY"
    key: list[str] = []
    value: list[str] = []
    last_key_whitespace: int | None = None
    last_value_whitespace: int | None = None

    def push():
        name = "".join(key if last_key_whitespace is None else key[:last_key_whitespace])
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            variables[name] = "".join(value)

    for c in text:
        if state == "PRE_KEY":
            if c in "#;":
                state = "COMMENT"
            elif c not in WHITESPACE:
                state = "KEY"
                last_key_whitespace = None
                key.append(c)
        elif state == "KEY":
            if c in NEWLINE:
                state = "PRE_KEY"
                key = []
            elif c == "=":
                state = "PRE_VALUE"
                last_value_whitespace = None
            else:
                if c not in WHITESPACE:
                    last_key_whitespace = None
                elif last_key_whitespace is None:
                    last_key_whitespace = len(key)
                key.append(c)
        elif state == "PRE_VALUE":
            if c in NEWLINE:
                state = "PRE_KEY"
                push()
                key, value = [], []
            elif c == "'":
                state = "SINGLE_QUOTE_VALUE"
            elif c == '"':
                state = "DOUBLE_QUOTE_VALUE"
            elif c == "\\":
                state = "VALUE_ESCAPE"
            elif c not in WHITESPACE:
                state = "VALUE"
                value.append(c)
        elif state == "VALUE":
            if c in NEWLINE:
                state = "PRE_KEY"
                if last_value_whitespace is not None:
                    value = value[:last_value_whitespace]
                push()
                key, value = [], []
            elif c == "\\":
                state = "VALUE_ESCAPE"
                last_value_whitespace = None
            else:
                if c not in WHITESPACE:
                    last_value_whitespace = None
                elif last_value_whitespace is None:
                    last_value_whitespace = len(value)
                value.append(c)
        elif state == "VALUE_ESCAPE":
            state = "VALUE"
            if c not in NEWLINE:
                value.append(c)
        elif state == "SINGLE_QUOTE_VALUE":
            if c == "'":
                state = "PRE_VALUE"
            else:
                value.append(c)
        elif state == "DOUBLE_QUOTE_VALUE":
            if c == '"':
                state = "PRE_VALUE"
            elif c == "\\":
                state = "DOUBLE_QUOTE_VALUE_ESCAPE"
            else:
                value.append(c)
        elif state == "DOUBLE_QUOTE_VALUE_ESCAPE":
            state = "DOUBLE_QUOTE_VALUE"
            if c in SHELL_NEED_ESCAPE:
                value.append(c)
            elif c != "\n":
                value.extend(("\\", c))
        elif state == "COMMENT":
            if c == "\\":
                state = "COMMENT_ESCAPE"
            elif c in NEWLINE:
                state = "PRE_KEY"
        elif state == "COMMENT_ESCAPE":
            state = "COMMENT"
    if state in {
        "PRE_VALUE",
        "VALUE",
        "VALUE_ESCAPE",
        "SINGLE_QUOTE_VALUE",
        "DOUBLE_QUOTE_VALUE",
        "DOUBLE_QUOTE_VALUE_ESCAPE",
    }:
        if state == "VALUE" and last_value_whitespace is not None:
            value = value[:last_value_whitespace]
        push()
    return variables


def shell_environment(shell: str, path: Path) -> tuple[dict[str, str], str]:
    """The environment a POSIX shell exports after `set -a; . file; set +a`, and its stderr."""
    result = subprocess.run(
        [shell, "-c", 'set -a; . "$1"; set +a; env -0', shell, str(path)],
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    variables = dict(
        entry.partition("=")[::2]
        for entry in result.stdout.decode("utf-8").split("\0")
        if "=" in entry
    )
    return variables, result.stderr.decode("utf-8")


def test_systemd_reads_every_assignment_of_env_example():
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    assigned = set(ASSIGNMENT.findall(text))
    assert "OBSERVATORY_CACHE_SECONDS" in assigned  # the last one: the file is read to its end
    assert set(systemd_environment_file(text)) == assigned


@pytest.mark.parametrize("shell", ["sh", "bash"])
def test_the_shell_reads_env_example_silently(shell):
    _variables, stderr = shell_environment(shutil.which(shell), ENV_EXAMPLE)
    assert stderr == ""


@pytest.mark.parametrize("shell", ["sh", "bash"])
def test_the_shell_and_systemd_read_the_same_values_from_env_example(shell):
    by_systemd = systemd_environment_file(ENV_EXAMPLE.read_text(encoding="utf-8"))
    by_shell, _stderr = shell_environment(shutil.which(shell), ENV_EXAMPLE)
    assert {name: by_shell.get(name) for name in by_systemd} == by_systemd
    assert by_systemd["DEFAULT_FROM_EMAIL"] == "Essor <ne-pas-repondre@example.org>"
    assert by_systemd["ESSOR_AGENCY_ADDRESS"] == "1 rue de l'Exemple, 59140 Dunkerque"


def test_an_unquoted_value_with_spaces_and_brackets_is_caught(tmp_path):
    """The comparison catches the old line: the shell stops there, later settings are lost."""
    old = tmp_path / "old.env"
    old.write_text("DEFAULT_FROM_EMAIL=Essor <x@example.org>\nLATER=1\n", encoding="utf-8")
    result = subprocess.run(
        ["sh", "-c", 'set -a; . "$1"; set +a; env -0', "sh", str(old)],
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        check=False,
    )
    assert result.stderr
    assert b"LATER=1" not in result.stdout
    assert systemd_environment_file(old.read_text())["LATER"] == "1"


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("A=  two  words  ", "two  words"),
        ("A='a $HOME <b> \\n'", "a $HOME <b> \\n"),
        ('A="l\'Exemple \\"x\\" \\q"', 'l\'Exemple "x" \\q'),
        ("A=a\\ b", "a b"),
        ("A=it's", "it's"),
        ("A=", ""),
    ],
)
def test_the_systemd_reader_follows_the_documented_rules(line, value):
    assert systemd_environment_file(line + "\n") == {"A": value}


def test_the_systemd_reader_ignores_comments_and_lines_without_equals():
    text = "# A=1\n; B=2\nC\n  D = 4 \n# end \\\nE=5\nF=6"
    assert systemd_environment_file(text) == {"D": "4", "F": "6"}
