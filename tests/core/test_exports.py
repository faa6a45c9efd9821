import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from essor.core.charts import bar_chart, line_chart
from essor.core.exports import (
    Sheet,
    _static_files_fetcher,
    csv_lines,
    csv_response,
    json_dumps,
    neutralise,
    render_pdf,
    write_csv,
    xlsx_bytes,
)

LATE_EVENING_UTC = datetime.datetime(2026, 12, 5, 23, 30, tzinfo=datetime.UTC)
FORMULAS = ["=1+2", "+33 6 12 34 56 78", "-1+2", "@SUM(A1)", "\tcmd", "\rcmd"]


def _csv_body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def _xlsx_rows(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


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
    assert ">s</text>" in svg  # a hidden count is said (secret statistique), not drawn


def test_line_chart_draws_one_line_per_series():
    svg = line_chart(["2024", "2025"], {"Culture": [10, 12], "Sport": [8, None]}, title="t")
    assert svg.count("<polyline") == 2


def test_pdf_reads_the_stylesheet_from_static_files():
    response = _static_files_fetcher().fetch("http://essor.invalid/static/css/pdf.css")
    assert b"@page" in response.read()


def test_pdf_never_fetches_from_the_network():
    with pytest.raises(ValueError, match="Ressource refusée"):
        _static_files_fetcher().fetch("https://example.org/logo.png")


# --- Formula injection (OWASP) ------------------------------------------------------------


def test_text_a_spreadsheet_would_run_is_prefixed_with_a_quote():
    assert [neutralise(text) for text in FORMULAS] == ["'" + text for text in FORMULAS]


def test_plain_text_and_numbers_are_left_alone():
    assert neutralise("Épicerie - solidaire") == "Épicerie - solidaire"
    assert neutralise(Decimal("-12.50")) == Decimal("-12.50")
    assert neutralise(-3) == -3
    assert neutralise("") == ""


def test_csv_neutralises_text_cells_but_not_negative_numbers():
    response = csv_response("liste.csv", ["Nom", "Montant"], [[text, -1] for text in FORMULAS])
    rows = list(csv.reader(io.StringIO(_csv_body(response).lstrip("\ufeff")), delimiter=";"))
    assert rows[1:] == [["'" + text, "-1"] for text in FORMULAS]


def test_csv_neutralises_headers_too():
    body = "".join(csv_lines(["=cmd|' /C calc'!A0"], [], delimiter=",", bom=False))
    assert body == "'=cmd|' /C calc'!A0\r\n"


def test_xlsx_neutralises_text_cells_and_keeps_numbers():
    content = xlsx_bytes([Sheet("Liste", ["Nom", "Montant"], [["=1+2", Decimal("-12.50")]])])
    assert _xlsx_rows(content)[1] == ["'=1+2", -12.5]
    cell = load_workbook(io.BytesIO(content)).active["A2"]
    assert cell.data_type == "s"  # text, not a formula


def test_xlsx_neutralises_the_note_under_the_table():
    content = xlsx_bytes([Sheet("Liste", ["Nom"], [], note="@note")])
    assert _xlsx_rows(content)[-1] == ["'@note"]


def test_csv_file_writer_neutralises_like_the_download():
    stream = io.StringIO()
    write_csv(stream, ["nom"], [["-1+2"], [Decimal("-1.50")]], delimiter=",", bom=False)
    assert stream.getvalue() == "nom\r\n'-1+2\r\n-1.50\r\n"


# --- Dates in Europe/Paris ----------------------------------------------------------------


def test_csv_writes_a_datetime_in_paris():
    response = csv_response("liste.csv", ["Quand"], [[LATE_EVENING_UTC]])
    assert _csv_body(response).splitlines()[1] == "2026-12-06 00:30:00"


def test_xlsx_writes_a_datetime_in_paris():
    content = xlsx_bytes([Sheet("Liste", ["Quand"], [[LATE_EVENING_UTC]])])
    assert _xlsx_rows(content)[1] == [datetime.datetime(2026, 12, 6, 0, 30)]


def test_json_writes_paris_times_with_their_offset_and_numbers_as_numbers():
    payload = json.loads(
        json_dumps(
            {
                "quand": LATE_EVENING_UTC,
                "jour": datetime.date(2026, 12, 6),
                "taux": Decimal("12.5"),
                "montant": Decimal("1500.00"),
            }
        )
    )
    assert payload == {
        "quand": "2026-12-06T00:30:00+01:00",
        "jour": "2026-12-06",
        "taux": 12.5,
        "montant": 1500,
    }
