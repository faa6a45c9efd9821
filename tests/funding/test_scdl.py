"""Open data: the SCDL « subventions » 2.1.1 export validates against the official schema."""

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from frictionless import Resource, Schema

from essor.funding import services
from essor.funding.models import ShareStatus
from tests.factories import OrganisationFactory
from tests.funding.factories import (
    ApplicationFactory,
    EnvelopeFactory,
    ProgrammeFactory,
    ShareFactory,
    balanced_budget,
)

pytestmark = pytest.mark.django_db
REFERENCE = Path(__file__).resolve().parents[2] / "reference"
YEAR = timezone.localdate().year


def _accepted(programme, application, amount):
    share = ShareFactory(
        application=application,
        programme=programme,
        amount_requested=Decimal(amount),
        status=ShareStatus.INSTRUCTION,
    )
    services.decide(
        share=share, actor=None, outcome=ShareStatus.ACCEPTED, amount=amount, motivation="Oui."
    )
    return share


@pytest.fixture
def cofinanced():
    """One application co-financed by two funders (30,000 € + 90,000 €), one small subsidy."""
    cud = ProgrammeFactory(name="Fonds ESS", ceiling=None)
    region = ProgrammeFactory(name="Créer l'ESS", ceiling=None)
    for programme in (cud, region):
        EnvelopeFactory(programme=programme, amount=Decimal("500000"))
    association = OrganisationFactory(name="Les Jardins, du Littoral", rna="W595012345")
    application = ApplicationFactory(organisation=association, rna="W595012345")
    balanced_budget(application, subsidy=Decimal("120000"))
    _accepted(cud, application, "30000")
    _accepted(region, application, "90000")
    _accepted(cud, ApplicationFactory(), "5000")  # under the threshold: not published
    return cud, region


def _csv(**options) -> str:
    out = io.StringIO()
    call_command("export_scdl", "--annee", str(YEAR), stdout=out, **options)
    return out.getvalue()


def test_export_validates_against_the_scdl_schema(cofinanced, tmp_path):
    path = tmp_path / "subventions.csv"
    path.write_text(_csv(), encoding="utf-8")
    descriptor = json.loads((REFERENCE / "scdl-subventions-2.1.1.schema.json").read_text())
    schema = Schema.from_descriptor(descriptor)
    report = Resource(path=path.name, basepath=str(tmp_path), schema=schema).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.tasks[0].stats["rows"] == 2


def test_cofinanced_subsidy_carries_each_funder_share(cofinanced):
    rows = [line.split(",") for line in _csv().splitlines()[1:]]
    shares = sorted(row[-2] for row in rows)
    assert shares == ["0.25", "0.75"]


def test_subsidy_under_the_threshold_is_left_out(cofinanced, settings):
    settings.ESSOR_FUNDING_SCDL_THRESHOLD = 1000
    assert len(_csv().splitlines()) == 4


def test_export_of_one_funder(cofinanced):
    cud, _ = cofinanced
    lines = _csv(attribuant=cud.funder.siret).splitlines()
    assert len(lines) == 2 and cud.funder.siret in lines[1]


def test_export_to_a_file(cofinanced, tmp_path):
    output = tmp_path / "scdl.csv"
    call_command("export_scdl", "--annee", str(YEAR), "--output", str(output), stderr=io.StringIO())
    assert output.read_text(encoding="utf-8").startswith("nomAttribuant,idAttribuant,")


def test_invalid_siret_is_refused_by_the_command(cofinanced):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="SIRET invalide"):
        _csv(attribuant="12345678901234")


def test_public_url_serves_the_funder_file(client, cofinanced):
    cud, _ = cofinanced
    response = client.get(
        reverse("funding:scdl_csv", kwargs={"siret": cud.funder.siret, "year": YEAR})
    )
    body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200
    assert "Fonds ESS" in body and "Créer l'ESS" not in body


def test_open_data_page_lists_funders_and_years(client, cofinanced):
    cud, _ = cofinanced
    response = client.get(reverse("funding:open_data"))
    assert reverse("funding:scdl_csv", kwargs={"siret": cud.funder.siret, "year": YEAR}) in (
        response.content.decode()
    )


def _rows() -> list[dict]:
    import csv

    return list(csv.DictReader(io.StringIO(_csv())))


def _cofinanced_application(title: str, name: str, *amounts: str):
    organisation = OrganisationFactory(name=name)
    application = ApplicationFactory(organisation=organisation, title=title)
    balanced_budget(application, subsidy=sum(Decimal(amount) for amount in amounts))
    for amount in amounts:
        programme = ProgrammeFactory(ceiling=None)
        EnvelopeFactory(programme=programme, amount=Decimal("10000000000"))
        _accepted(programme, application, amount)


def test_share_of_the_subsidy_rounds_half_up_in_decimal():
    _cofinanced_application("Un huitième", "Huitième", "125000", "875000")
    _cofinanced_application("Juste sous la moitié", "Juste sous", "1249999999", "8750000000")
    shares = {(row["objet"], row["montant"]): row["pourcentageSubvention"] for row in _rows()}
    assert shares[("Un huitième", "125000.00")] == "0.13"  # 0.125, half up
    # 0.12499999991…: computed in Decimal, no float nudge pushes it over the half.
    assert shares[("Juste sous la moitié", "1249999999.00")] == "0.12"


def test_text_a_spreadsheet_would_run_is_neutralised_and_the_file_stays_valid(tmp_path):
    _cofinanced_application("=1+2", "@Association", "30000", "90000")
    rows = _rows()
    assert {row["objet"] for row in rows} == {"'=1+2"}
    assert {row["nomBeneficiaire"] for row in rows} == {"'@Association"}
    path = tmp_path / "subventions.csv"
    path.write_text(_csv(), encoding="utf-8")
    descriptor = json.loads((REFERENCE / "scdl-subventions-2.1.1.schema.json").read_text())
    report = Resource(
        path=path.name, basepath=str(tmp_path), schema=Schema.from_descriptor(descriptor)
    ).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_public_url_serves_a_neutralised_file(client):
    _cofinanced_application("-1+2", "Association", "30000")
    funder_siret = ProgrammeFactory._meta.model.objects.get().funder.siret
    response = client.get(reverse("funding:scdl_csv", kwargs={"siret": funder_siret, "year": YEAR}))
    assert ",'-1+2," in b"".join(response.streaming_content).decode()
