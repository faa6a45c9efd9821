import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from essor.core.charts import bar_chart, line_chart
from essor.core.exports import (
    Sheet,
    _static_files_fetcher,
    csv_response,
    render_pdf,
    xlsx_bytes,
)


def test_csv_starts_with_a_bom_and_uses_semicolons():
    response = csv_response("liste.csv", ["Nom", "Montant"], [["Épicerie", Decimal("12.50")]])
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body == "\ufeffNom;Montant\r\nÉpicerie;12.50\r\n"
    assert response["Content-Disposition"] == 'attachment; filename="liste.csv"'


def test_xlsx_keeps_numbers_as_numbers_and_marks_hidden_cells():
    content = xlsx_bytes(
        [Sheet("Porteurs par secteur", ["Secteur", "Nombre"], [["Culture", 12], ["Sport", None]])]
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Secteur", "Nombre"],
        ["Culture", 12],
        ["Sport", "s"],
    ]


def test_xlsx_sheet_titles_are_made_valid_and_unique():
    content = xlsx_bytes([Sheet("A/B", ["x"], []), Sheet("A/B", ["x"], [])])
    assert load_workbook(io.BytesIO(content)).sheetnames == ["A B", "A B (2)"]


def test_pdf_is_rendered_from_a_template():
    content = render_pdf("core/pdf_base.html", {"platform_name": "Essor"})
    assert content.startswith(b"%PDF-")


def test_charts_escape_their_labels():
    svg = bar_chart(["<script>", "Sport"], [3, None], title="Porteurs & secteurs")
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert 'aria-label="Porteurs &amp; secteurs"' in svg
    assert "&lt; 5" in svg  # a hidden count is said, not drawn


def test_line_chart_draws_one_line_per_series():
    svg = line_chart(["2024", "2025"], {"Culture": [10, 12], "Sport": [8, None]}, title="t")
    assert svg.count("<polyline") == 2


def test_pdf_reads_the_stylesheet_from_static_files():
    response = _static_files_fetcher().fetch("http://essor.invalid/static/css/pdf.css")
    assert b"@page" in response.read()


def test_pdf_never_fetches_from_the_network():
    with pytest.raises(ValueError, match="Ressource refusée"):
        _static_files_fetcher().fetch("https://example.org/logo.png")
