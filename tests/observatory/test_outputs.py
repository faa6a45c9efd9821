"""XLSX exports, open data (CSV, JSON, index) and the yearly report."""

import io
import json
from decimal import Decimal

from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from essor.core import formats
from essor.core.models import Job
from essor.observatory.models import AnnualReport
from essor.observatory.selectors import current_year
from tests.observatory.helpers import fake, holders_by_sector, table


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_year_export_has_one_sheet_per_visible_indicator(client, registry, db):
    fake("zz.public", lambda year: table([["Culture", 12]]), label="Chiffres publics")
    fake("zz.private", lambda year: table([["Culture", 3]]), label="Réservés", public=False)

    workbook = load_workbook(io.BytesIO(client.get(reverse("observatory:year_xlsx")).content))

    assert "Chiffres publics" in workbook.sheetnames
    assert "Réservés" not in workbook.sheetnames


def test_the_indicator_export_holds_the_years_and_the_ranking(client, registry, db):
    fake(
        "support.new_holders_by_sector",
        holders_by_sector({2024: {"culture": 12, "sport": 7}}),
        tags=("ranked",),
    )

    response = client.get(
        reverse("observatory:indicator_xlsx", args=["support.new_holders_by_sector"]),
        {"annee": "2024"},
    )

    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 3
    assert [cell.value for cell in workbook.worksheets[2][2]][-1] == "Culture"


def test_open_data_csv_gives_row_keys_and_hides_small_cells(client, registry, db):
    year = current_year()
    fake(
        "support.new_holders_by_sector",
        holders_by_sector({year: {"culture": 12, "sport": None}}),
    )

    response = client.get(
        reverse("observatory:open_data_csv", args=["support.new_holders_by_sector", year])
    )

    lines = _content(response).decode("utf-8-sig").splitlines()
    assert lines == [
        "cle;Secteur;Nouveaux porteurs de projet",
        "culture;Culture;12",
        "sport;Sport;",
    ]


def test_open_data_json_gives_null_for_hidden_cells(client, registry, db):
    year = current_year()
    fake("support.new_holders_by_sector", holders_by_sector({year: {"sport": None}}))

    response = client.get(
        reverse("observatory:open_data_json", args=["support.new_holders_by_sector", year])
    )

    assert json.loads(response.content)["rows"] == [["Sport", None]]


def test_non_public_indicators_are_not_open_data(client, registry, db):
    fake("zz.private", lambda year: table([["Culture", 3]]), public=False)

    response = client.get(reverse("observatory:open_data_csv", args=["zz.private", current_year()]))

    assert response.status_code == 404


def test_the_open_data_index_lists_public_indicators(client, registry, db):
    fake("zz.public", lambda year: table([["Culture", 12]]))
    fake("zz.private", lambda year: table([["Culture", 3]]), public=False)

    keys = {
        item["key"]
        for item in client.get(reverse("observatory:open_data_index")).json()["datasets"]
    }

    assert "zz.public" in keys and "zz.private" not in keys


def test_the_agency_builds_the_yearly_report_in_the_background(
    agency_client, registry, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    fake("support.new_holders_by_sector", holders_by_sector({2025: {"culture": 12}}))

    response = agency_client.post(reverse("observatory:reports"), {"year": "2025"})

    job = Job.objects.get()
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.status == Job.Status.SUCCEEDED
    assert job.progress_done == job.progress_total
    report = AnnualReport.objects.get()
    assert report.file.read(5) == b"%PDF-"


def test_the_finished_job_page_links_to_the_report(agency_client, registry, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    response = agency_client.post(reverse("observatory:reports"), {"year": "2025"}, follow=True)
    report = AnnualReport.objects.get()
    download = reverse("observatory:report_download", args=[report.pk])
    assert f'href="{download}"'.encode() in response.content
    assert "Télécharger le rapport annuel 2025 (PDF)" in response.content.decode()
    assert formats.file_size(report.size) in response.content.decode()  # « 38,2 ko »


def test_the_reports_page_gives_the_size_in_french_units(
    agency_client, registry, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    agency_client.post(reverse("observatory:reports"), {"year": "2025"})
    AnnualReport.objects.update(size=11 * 1024 * 1024)

    response = agency_client.get(reverse("observatory:reports"))

    assert "(PDF, 11,0\u202fMo)" in response.content.decode()


def test_the_report_is_downloaded_as_a_pdf(agency_client, registry, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    agency_client.post(reverse("observatory:reports"), {"year": "2025"})
    report = AnnualReport.objects.get()

    response = agency_client.get(reverse("observatory:report_download", args=[report.pk]))

    assert response["Content-Disposition"] == 'attachment; filename="rapport-annuel-ess-2025.pdf"'


def test_funders_cannot_launch_a_report(client, world):
    client.force_login(world.users["funder_instructor"])

    response = client.post(reverse("observatory:reports"), {"year": "2025"})

    assert response.status_code == 403
    assert not Job.objects.exists()


def test_a_report_year_out_of_range_is_refused(agency_client, world):
    response = agency_client.post(reverse("observatory:reports"), {"year": "1990"})

    assert "Cette année n&#x27;est pas disponible" in response.content.decode()
    assert not Job.objects.exists()


def test_the_command_writes_the_report(db, tmp_path, registry):
    output = tmp_path / "rapport.pdf"

    call_command("build_annual_report", "--annee", str(current_year() - 1), "--sortie", str(output))

    assert output.read_bytes().startswith(b"%PDF-")


def test_the_report_computes_its_figures_afresh(db, registry):
    from essor.observatory import services

    calls = []
    fake("zz.fresh", lambda year: calls.append(year) or table([["Culture", 7]]))
    services.report_context(year=2024)
    services.report_context(year=2024)

    assert calls == [2024, 2024]


def test_the_report_has_a_cover_a_section_per_axis_and_method_notes(db, registry):
    from django.template.loader import render_to_string

    from essor.observatory import services

    fake("zz.figures", lambda year: table([["Culture", 12]]), axis="Axe de test")

    html = render_to_string("observatory/report_pdf.html", services.report_context(year=2024))

    assert "<h1>Rapport annuel de l'ESS 2024</h1>" in html
    assert '<h2 class="page-break">Axe de test</h2>' in html
    assert "Notes de méthode" in html


def test_the_command_stores_the_report_among_the_agencys(db, registry, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    call_command("build_annual_report", "--annee", str(current_year() - 1), verbosity=0)

    assert AnnualReport.objects.get().is_ready


def test_the_command_refuses_an_unavailable_year(db):
    import pytest
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="n'est pas disponible"):
        call_command("build_annual_report", "--annee", "1990")


def test_the_report_summary_names_the_leading_sectors(db, registry):
    from essor.observatory import services

    fake(
        "support.new_holders_by_sector",
        holders_by_sector({2024: {"culture": 30, "sport": 20, "mobilite": 10, "batiment": None}}),
    )

    context = services.report_context(year=2024)

    assert context["leading_sectors"] == ["Culture", "Sport", "Mobilité"]


def test_open_data_csv_neutralises_a_label_and_keeps_negative_numbers(client, registry, db):
    year = current_year()
    fake("zz.public", lambda year: table([["=Culture", Decimal("-12.5")]], keys=["culture"]))

    response = client.get(reverse("observatory:open_data_csv", args=["zz.public", year]))

    assert _content(response).decode("utf-8-sig").splitlines()[1] == "culture;'=Culture;-12.5"


def test_the_year_export_neutralises_a_label(client, registry, db):
    fake("zz.public", lambda year: table([["@Culture", 12]]), label="Chiffres publics")

    workbook = load_workbook(io.BytesIO(client.get(reverse("observatory:year_xlsx")).content))

    assert workbook["Chiffres publics"]["A2"].value == "'@Culture"


def test_open_data_json_writes_rates_as_numbers(client, registry, db):
    year = current_year()
    fake("zz.public", lambda year: table([["Culture", Decimal("12.5")]]))

    response = client.get(reverse("observatory:open_data_json", args=["zz.public", year]))

    assert json.loads(response.content)["rows"] == [["Culture", 12.5]]
