"""Every PDF Essor produces is tagged PDF/UA-1 with its title and language: render_pdf is the only
way Essor writes a PDF, and every PDF template extends core/pdf_base.html (lang and title)."""

import contextlib
import re
import zlib
from pathlib import Path

import pytest
from django.template import loader

from essor.core.exports import render_pdf

ESSOR = Path(__file__).resolve().parents[2] / "essor"
RENDER_PDF_CALL = re.compile(r"\brender_pdf\(\s*")
RENDER_PDF_TEMPLATE = re.compile(r"\brender_pdf\(\s*\"([^\"]+)\"")


def _pdf_text(content: bytes) -> str:
    """The PDF's bytes followed by every compressed stream inflated (the catalog and the document
    information sit in compressed object streams, the XMP metadata is a stream), read as Latin-1:
    enough to look for its objects without a PDF library."""
    parts = [content]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.DOTALL):
        with contextlib.suppress(zlib.error):  # not compressed: already in the raw bytes
            parts.append(zlib.decompress(stream))
    return b"\n".join(parts).decode("latin-1")


def _string(value: str) -> str:
    """A PDF string: literal `(…)`, or hexadecimal `<FEFF…>` (UTF-16BE, used for accents)."""
    if value.startswith("<"):
        return bytes.fromhex(value[1:-1]).decode("utf-16")
    return value[1:-1]


@pytest.fixture(scope="module")
def pdf():
    return _pdf_text(render_pdf("core/pdf_base.html", {"platform_name": "Relevé d'essai"}))


def test_render_pdf_writes_a_tagged_pdf_with_its_language(pdf):
    catalog = re.search(r"<</Type /Catalog.*", pdf).group()
    assert "/MarkInfo <</Marked true>>" in catalog
    assert re.search(r"/StructTreeRoot \d+ 0 R", catalog)
    assert "/Lang (fr)" in catalog
    # The reader shows the title, not the file name.
    assert "/ViewerPreferences <</DisplayDocTitle true>>" in catalog
    assert re.search(r"<</Type /StructTreeRoot", pdf)


def test_render_pdf_gives_the_document_its_title(pdf):
    title = re.search(r"/Title (\([^)]*\)|<[0-9a-fA-F]+>)", pdf).group(1)
    assert _string(title) == "Relevé d'essai"


def test_render_pdf_declares_pdf_ua_1_in_the_xmp_metadata(pdf):
    assert re.search(r"pdfuaid:part=\"1\"|<pdfuaid:part>1</pdfuaid:part>", pdf)


def _pdf_templates() -> list[str]:
    """Every template Essor renders to PDF: those named by a render_pdf call, and the files of the
    templates' pdf/ folders."""
    names = set()
    for path in ESSOR.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        calls = RENDER_PDF_CALL.findall(source)
        templates = RENDER_PDF_TEMPLATE.findall(source)
        # A template named by a variable would escape this test: name it in the call.
        assert len(templates) == len(calls) - source.count("def render_pdf("), path
        names.update(templates)
    for path in ESSOR.glob("*/templates/*/pdf/*.html"):
        names.add(path.relative_to(path.parents[2]).as_posix())
    return sorted(names)


def test_every_pdf_template_is_found():
    assert len(_pdf_templates()) >= 13


@pytest.mark.parametrize("template_name", _pdf_templates())
def test_every_pdf_template_extends_the_base_and_names_its_title(template_name):
    source = loader.get_template(template_name).template.source
    assert source.startswith('{% extends "core/pdf_base.html" %}')
    assert re.search(r"{% block title %}\s*\S.*?{% endblock %}", source), "an empty title"


def test_the_pdf_base_sets_the_language_and_the_title():
    source = loader.get_template("core/pdf_base.html").template.source
    assert '<html lang="fr">' in source
    assert "<title>{% block title %}" in source
