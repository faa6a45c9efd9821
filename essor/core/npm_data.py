"""Reference data shipped by npm packages (official lists maintained by their publishers), read from
node_modules where the set-up command (`make install`, `npm ci`) installed them at the version
pinned in package.json. Nothing of them is copied into the repository."""

import json
from pathlib import Path

from django.conf import settings


class PackageMissing(Exception):
    """The package is not installed: its message says how to install it, in French."""


def package_root(package: str) -> Path:
    root = Path(settings.NPM_NODE_MODULES) / package
    if not (root / "package.json").is_file():
        raise PackageMissing(
            f"Le paquet npm {package} est absent de {settings.NPM_NODE_MODULES} : installez les "
            "paquets de l'interface et des données de référence (make install, ou npm ci)."
        )
    return root


def package_version(package: str) -> str:
    with (package_root(package) / "package.json").open(encoding="utf-8") as handle:
        return json.load(handle)["version"]


def package_label(package: str) -> str:
    """« @etalab/decoupage-administratif 6.0.0 », to say where imported data came from."""
    return f"{package} {package_version(package)}"


def read_json(package: str, path: str):
    """A JSON file of the package, parsed."""
    file = package_root(package) / path
    if not file.is_file():
        raise PackageMissing(
            f"Le fichier {path} est absent du paquet npm {package} {package_version(package)} : "
            "la version installée ne correspond pas à celle qu'attend Essor (package.json)."
        )
    with file.open(encoding="utf-8") as handle:
        return json.load(handle)
