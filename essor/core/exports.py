"""Exports shared by every module: CSV (UTF-8 with BOM, `;` so that French spreadsheets open it),
XLSX (openpyxl, write-only: rows are streamed, memory stays flat), JSON and PDF (WeasyPrint from a
template; static files are read from disk, never fetched over the network).

Every CSV and XLSX cell goes through `csv_value`/`xlsx_value`:
- formula injection (OWASP): a text cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage
  return is prefixed with a single quote, so that no spreadsheet runs it; numbers written as
  numbers (int, Decimal, float) are left alone, so a negative amount stays a number;
- a datetime is written in Europe/Paris (CSV: « 2026-12-06 00:30:00 »; XLSX: a date cell),
  a JSON one with its offset (« 2026-12-06T00:30:00+01:00 »).
Fixed open-data formats (directory, SCDL, ma-cantine) use the same writer with their own
delimiter and no BOM (`csv_lines`, `write_csv`)."""

import csv
import datetime
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from essor.core import formats
from essor.core.disclosure import HIDDEN_MARK

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
# What a spreadsheet takes for the start of a formula (OWASP, « CSV Injection »).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_CHARACTERS = frozenset(FORMULA_TRIGGERS)


@dataclass
class Sheet:
    title: str  # at most 31 characters (Excel's limit); longer titles are cut
    headers: Sequence[str]
    rows: Iterable[Sequence]
    note: str = ""  # written under the table (method note, secret statistique)


def neutralise(value):
    """Text that a spreadsheet would run as a formula, prefixed with a single quote; anything
    else (numbers included) as it is."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value[:1] in _TRIGGER_CHARACTERS:
        return "'" + value
    return value


def csv_value(value):
    """A CSV cell: empty for None, Paris time for a datetime, neutralised text."""
    if value.__class__ is str:  # the common case first: an export writes millions of cells
        return "'" + value if value[:1] in _TRIGGER_CHARACTERS else value
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return formats.local_datetime(value).replace(tzinfo=None).isoformat(" ", "seconds")
    return neutralise(value)


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _Echo:
    def write(self, value):
        return value


def csv_lines(
    headers: Sequence[str] | None,
    rows: Iterable[Sequence],
    *,
    delimiter: str = ";",
    bom: bool = True,
    lineterminator: str = "\r\n",
) -> Iterator[str]:
    """The CSV text line by line (BOM first when asked, so that Excel reads UTF-8), every cell
    through `csv_value`."""
    writer = csv.writer(_Echo(), delimiter=delimiter, lineterminator=lineterminator)
    if bom:
        yield BOM
    if headers is not None:
        yield writer.writerow([csv_value(header) for header in headers])
    for row in rows:
        yield writer.writerow([csv_value(value) for value in row])


def write_csv(stream, headers, rows, **options) -> int:
    """Writes the CSV to a text stream (a file, stdout); returns the number of data rows.
    `options`: those of `csv_lines`."""
    count = -1 if headers is not None else 0
    for line in csv_lines(headers, rows, **options):
        stream.write(line)
        count += line != BOM
    return count


def csv_response(
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    *,
    delimiter: str = ";",
    bom: bool = True,
) -> StreamingHttpResponse:
    """Streams a CSV download."""
    response = StreamingHttpResponse(
        csv_lines(headers, rows, delimiter=delimiter, bom=bom),
        content_type="text/csv; charset=utf-8",
    )
    return _attachment(response, filename)


def xlsx_value(value):
    """An XLSX cell: a number for a Decimal, a naive Paris time for a datetime (Excel has no
    time zones), neutralised text."""
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if isinstance(value, datetime.datetime):
        return formats.local_datetime(value).replace(tzinfo=None)
    return neutralise(value)


def _json_default(value):
    if isinstance(value, Decimal):
        # A rounded Decimal is written as the number it reads (12.5, 1500), not as a string.
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.datetime):
        return formats.iso_datetime(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Promise):
        return str(value)
    raise TypeError(f"{type(value).__name__} n'est pas exportable en JSON")


def json_dumps(payload, **options) -> str:
    """JSON of exports and open data: Decimals as numbers, datetimes in Paris time with their
    offset, dates as YYYY-MM-DD, accents kept."""
    return json.dumps(payload, ensure_ascii=False, default=_json_default, **options)


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    used_titles: set[str] = set()
    for sheet in sheets:
        title = sheet.title[:31] or "Feuille"
        for character in "[]:*?/\\":
            title = title.replace(character, " ")
        base, number = title, 2
        while title in used_titles:
            suffix = f" ({number})"
            title, number = base[: 31 - len(suffix)] + suffix, number + 1
        used_titles.add(title)
        worksheet = workbook.create_sheet(title)
        header_cells = []
        for header in sheet.headers:
            cell = _header_cell(worksheet, xlsx_value(header), bold)
            header_cells.append(cell)
        worksheet.append(header_cells)
        for row in sheet.rows:
            worksheet.append([HIDDEN_MARK if value is None else xlsx_value(value) for value in row])
        if sheet.note:
            worksheet.append([])
            worksheet.append([xlsx_value(sheet.note)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header_cell(worksheet, value, font):
    cell = WriteOnlyCell(worksheet, value=value)
    cell.font = font
    return cell


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> HttpResponse:
    return xlsx_content_response(filename, xlsx_bytes(sheets))


def xlsx_content_response(filename: str, content: bytes) -> HttpResponse:
    """A workbook built beforehand (`xlsx_bytes`), as a download."""
    return _attachment(HttpResponse(content, content_type=XLSX_CONTENT_TYPE), filename)


def _static_files_fetcher():
    """A WeasyPrint URL fetcher that reads `/static/…` from the static finders, accepts `data:`
    URLs (inline QR codes, charts) and refuses anything else: a PDF never reaches the network."""
    from weasyprint.urls import URLFetcher

    class StaticFilesFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            marker = "/static/"
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if marker in url:
                path = finders.find(url.split(marker, 1)[1].split("?")[0])
                if path:
                    return super().fetch(Path(path).resolve().as_uri(), headers)
            raise ValueError(f"Ressource refusée dans un PDF : {url}")

    return StaticFilesFetcher(allowed_protocols=("file", "data"))


# Tagged PDF for accessibility (WeasyPrint turns `pdf_tags` on with this variant).
PDF_VARIANT = "pdf/ua-1"


def render_pdf(
    template_name: str,
    context: dict,
    *,
    base_url: str = "http://essor.invalid/",
    variant: str = PDF_VARIANT,
) -> bytes:
    """Renders a template to PDF bytes. Templates extend `core/pdf_base.html` (A4, page numbers,
    `lang="fr"`, a `<title>` from their `title` block).

    Every PDF is tagged PDF/UA-1, so that a screen reader follows its headings, lists and tables:
    a structure tree, the document's language (`/Lang`) and title (`/Title`, shown by the reader
    instead of the file name), and the PDF/UA identification in its XMP metadata. An invoice asks
    for `variant="pdf/a-3b"` (Factur-X embeds its XML in a PDF/A-3), still tagged."""
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    document = HTML(string=html, base_url=base_url, url_fetcher=_static_files_fetcher())
    return document.write_pdf(pdf_variant=variant, pdf_tags=True)


def pdf_response(filename: str, content: bytes, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
