"""collectstatic publishes the front-end libraries the pages use, and nothing else of node_modules:
axe-core (run by the browser tests only, straight from node_modules) used to be published too."""

import re
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def _vendor_references() -> set[str]:
    """Every vendor/… file a template or Python module of Essor names."""
    found = set()
    for path in (ROOT / "essor").rglob("*"):
        if path.suffix in {".html", ".py", ".js", ".css"} and path.is_file():
            found |= set(re.findall(r"vendor/[\w.\-/]+", path.read_text(encoding="utf-8")))
    return found


def test_every_library_file_the_pages_use_is_published():
    references = _vendor_references()
    assert "vendor/htmx.org/dist/htmx.min.js" in references
    assert "vendor/swagger-ui-dist/swagger-ui-bundle.js" in references
    for reference in references:
        assert finders.find(reference), reference


def test_axe_core_is_not_published():
    assert finders.find("vendor/axe-core/axe.min.js") is None
    assert (ROOT / "node_modules" / "axe-core" / "axe.min.js").exists()  # the tests' copy


def test_collectstatic_copies_no_test_tool_and_no_package_metadata(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", "--noinput", verbosity=0)
    published = {path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*")}
    assert "vendor/leaflet/dist/leaflet.js" in published
    # swagger-ui-dist has no dist folder: only the files the API documentation uses, not its demo
    # page nor its initializer pointing at another API.
    assert {name for name in published if name.startswith("vendor/swagger-ui-dist/")} == {
        "vendor/swagger-ui-dist/swagger-ui-bundle.js",
        "vendor/swagger-ui-dist/swagger-ui.css",
        "vendor/swagger-ui-dist/swagger-ui.css.map",
    }
    assert not [name for name in published if "axe" in name]
    assert not [name for name in published if name.endswith("package.json")]
