"""Exports shared by every module: CSV (UTF-8 with BOM, `;` so that French spreadsheets open it),
XLSX (openpyxl, write-only: rows are streamed, memory stays flat) and PDF (WeasyPrint from a
template; static files are read from disk, never fetched over the network)."""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Sheet:
    title: str  # at most 31 characters (Excel's limit); longer titles are cut
    headers: Sequence[str]
    rows: Iterable[Sequence]
    note: str = ""  # written under the table (method note, secret statistique)


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _Echo:
    def write(self, value):
        return value


def csv_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence], *, delimiter: str = ";"
) -> StreamingHttpResponse:
    """Streams a CSV download (BOM first, so that Excel reads UTF-8)."""
    writer = csv.writer(_Echo(), delimiter=delimiter, lineterminator="\r\n")

    def lines():
        yield "\ufeff"
        yield writer.writerow(headers)
        for row in rows:
            yield writer.writerow(["" if value is None else value for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    return _attachment(response, filename)


def _cell(value):
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    return value


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
            cell = _header_cell(worksheet, header, bold)
            header_cells.append(cell)
        worksheet.append(header_cells)
        for row in sheet.rows:
            worksheet.append(["s" if value is None else _cell(value) for value in row])
        if sheet.note:
            worksheet.append([])
            worksheet.append([sheet.note])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header_cell(worksheet, value, font):
    cell = WriteOnlyCell(worksheet, value=value)
    cell.font = font
    return cell


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> HttpResponse:
    return _attachment(HttpResponse(xlsx_bytes(sheets), content_type=XLSX_CONTENT_TYPE), filename)


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


def render_pdf(
    template_name: str, context: dict, *, base_url: str = "http://essor.invalid/"
) -> bytes:
    """Renders a template to PDF bytes. Templates extend `core/pdf_base.html` (A4, page numbers)."""
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=base_url, url_fetcher=_static_files_fetcher()).write_pdf()


def pdf_response(filename: str, content: bytes, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
