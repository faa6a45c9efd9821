"""Essor. Its version has one source, `version` in pyproject.toml (read here from the file beside
the code, or from the installed package's metadata when the file is not there)."""

import contextlib
import tomllib
from importlib import metadata
from pathlib import Path

_PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def _read_version() -> str:
    # The file beside the code first; without it (an installed package), the package's metadata.
    with (
        contextlib.suppress(OSError, KeyError, tomllib.TOMLDecodeError),
        _PYPROJECT.open("rb") as file,
    ):
        return str(tomllib.load(file)["project"]["version"])
    try:
        return metadata.version("essor")
    except metadata.PackageNotFoundError:
        return "inconnue"


__version__ = _read_version()
