"""Essor. Its version has one source, `version` in pyproject.toml (read here from the file beside
the code, or from the installed package's metadata when the file is not there)."""

import tomllib
from importlib import metadata
from pathlib import Path

_PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def _read_version() -> str:
    try:
        with _PYPROJECT.open("rb") as file:
            return str(tomllib.load(file)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        pass
    try:
        return metadata.version("essor")
    except metadata.PackageNotFoundError:
        return "inconnue"


__version__ = _read_version()
