"""Open data: the SCDL « subventions » 2.1.1 export. Each field is checked against its description
in the official schema (reference/scdl-subventions-2.1.1.schema.json) on a known case, and the
whole file against the schema itself."""

import csv
import datetime
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
from essor.funding.models import Agreement, Payment, PaymentMode, ShareStatus
from tests.factories import OrganisationFactory, siret_for
from tests.funding.factories import (
    ApplicationFactory,
    EnvelopeFactory,
    FunderProfileFactory,
    ProgrammeFactory,
    ShareFactory,
    balanced_budget,
    instructor_of,
)

pytestmark = pytest.mark.django_db
REFERENCE = Path(__file__).resolve().parents[2] / "reference"
YEAR = timezone.localdate().year
SIGNED = datetime.date(YEAR, 1, 15)
AID_SCHEME = "65d5b6c7-102c-4440-ac3b-768f708edc0a"


def _accepted(programme, application, requested, granted):
    share = ShareFactory(
        application=application,
        programme=programme,
        amount_requested=Decimal(requested),
        status=ShareStatus.INSTRUCTION,
    )
    services.decide(
        share=share,
        actor=instructor_of(programme.funder),
        outcome=ShareStatus.ACCEPTED,
        amount=granted,
        motivation="Conforme.",
    )
    share.refresh_from_db()
    Agreement.objects.filter(share=share).update(signed_on=SIGNED)
    Payment.objects.filter(agreement__share=share, due_on__isnull=False).update(
        due_on=SIGNED + datetime.timedelta(days=30)
    )
    share.refresh_from_db()
    return share


@pytest.fixture
def cofinanced():
    """One project of an association co-financed by two funders: the CUD grants 30,000 € of the
    40,000 € asked (single payment, a programme of the national aid schemes), the Région
    90,000 € through its committee (advance and balance, a de minimis aid); a 5,000 € subsidy
    stays under the publication threshold."""
    cud = ProgrammeFactory(
        name="Fonds ESS",
        ceiling=None,
        funder=FunderProfileFactory(organisation__name="Communauté urbaine de Dunkerque"),
        aid_scheme_id=AID_SCHEME,
    )
    region = ProgrammeFactory(
        name="Créer l'ESS",
        ceiling=None,
        funder=FunderProfileFactory(organisation__name="Région Hauts-de-France"),
        payment_mode=PaymentMode.ADVANCE,
        advance_percent=70,
        de_minimis=True,
    )
    for programme in (cud, region):
        EnvelopeFactory(programme=programme, amount=Decimal("500000"))
    association = OrganisationFactory(name="Les Jardins, du Littoral", rna="W595012345")
    application = ApplicationFactory(
        organisation=association,
        rna="W595012345",
        siret=siret_for(association.siren, 3),
        title="Jardins partagés du Courghain",
    )
    balanced_budget(application, subsidy=Decimal("130000"))
    cud_share = _accepted(cud, application, "40000", "30000")
    region_share = ShareFactory(
        application=application,
        programme=region,
        amount_requested=Decimal("90000"),
        status=ShareStatus.INSTRUCTION,
    )
    instructor = instructor_of(region.funder)
    session = services.create_session(
        funder=region.funder, actor=instructor, title="Commission permanente", date=SIGNED
    )
    item = services.add_to_agenda(session=session, share=region_share, actor=instructor)
    services.record_session_decisions(
        session=session, actor=instructor, decisions={item.pk: ("accepted", "90000", "Avis.")}
    )
    Agreement.objects.filter(share=region_share).update(signed_on=SIGNED)
    Payment.objects.filter(agreement__share=region_share, due_on__isnull=False).update(
        due_on=SIGNED + datetime.timedelta(days=30)
    )
    region_share.refresh_from_db()
    _accepted(cud, ApplicationFactory(), "5000", "5000")  # under the threshold
    return {
        "cud": cud,
        "region": region,
        "application": application,
        "cud_share": cud_share,
        "region_share": region_share,
        "session": session,
        "item": item,
    }


def _csv(**options) -> str:
    out = io.StringIO()
    call_command("export_scdl", "--annee", str(YEAR), stdout=out, **options)
    return out.getvalue()


def _rows(**options) -> dict[str, dict]:
    """The exported rows by funder name (nomAttribuant)."""
    return {row["nomAttribuant"]: row for row in csv.DictReader(io.StringIO(_csv(**options)))}


def _cud(**options):
    return _rows(**options)["Communauté urbaine de Dunkerque"]


def _region(**options):
    return _rows(**options)["Région Hauts-de-France"]


def test_export_validates_against_the_scdl_schema(cofinanced, tmp_path):
    path = tmp_path / "subventions.csv"
    path.write_text(_csv(), encoding="utf-8")
    descriptor = json.loads((REFERENCE / "scdl-subventions-2.1.1.schema.json").read_text())
    schema = Schema.from_descriptor(descriptor)
    report = Resource(path=path.name, basepath=str(tmp_path), schema=schema).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.tasks[0].stats["rows"] == 2


def test_the_header_is_the_schemas_field_list_in_its_order(cofinanced):
    descriptor = json.loads((REFERENCE / "scdl-subventions-2.1.1.schema.json").read_text())
    header = _csv().splitlines()[0].split(",")
    assert header == [field["name"] for field in descriptor["fields"]]


def test_nom_attribuant_is_the_granting_funders_name(cofinanced):
    assert set(_rows()) == {"Communauté urbaine de Dunkerque", "Région Hauts-de-France"}


def test_id_attribuant_is_the_granting_funders_siret(cofinanced):
    assert _cud()["idAttribuant"] == cofinanced["cud"].funder.siret
    assert _region()["idAttribuant"] == cofinanced["region"].funder.siret


def test_date_convention_is_the_date_of_the_agreement(cofinanced):
    assert _cud()["dateConvention"] == SIGNED.isoformat()


def test_reference_decision_is_the_committees_act_for_a_decision_taken_in_session(cofinanced):
    session, item = cofinanced["session"], cofinanced["item"]
    expected = f"CS-{session.date.year}-{session.pk:04d}-{item.position:02d}"
    assert _region()["referenceDecision"] == expected
    assert _region()["referenceDecision"] != cofinanced["region_share"].agreement.reference


def test_reference_decision_is_the_agreement_for_an_individual_decision(cofinanced):
    # Decided by an instructor outside a committee, the attribution is materialised by the
    # agreement itself.
    assert _cud()["referenceDecision"] == cofinanced["cud_share"].agreement.reference


def test_nom_beneficiaire_is_the_structures_name(cofinanced):
    rows = _rows()
    assert {row["nomBeneficiaire"] for row in rows.values()} == {"Les Jardins, du Littoral"}


def test_id_beneficiaire_is_the_siret_of_the_establishment_carrying_the_project(cofinanced):
    assert _cud()["idBeneficiaire"] == cofinanced["application"].siret


def test_id_beneficiaire_is_empty_without_a_siret_and_the_rna_identifies_the_association(
    cofinanced,
):
    cofinanced["application"].__class__.objects.filter(pk=cofinanced["application"].pk).update(
        siret=""
    )
    assert (_cud()["idBeneficiaire"], _cud()["rnaBeneficiaire"]) == ("", "W595012345")


def test_rna_beneficiaire_is_left_out_when_it_does_not_match_the_scdl_pattern(cofinanced):
    # A valid RNA may hold a letter (W59A012345); the SCDL pattern is W and nine digits.
    application = cofinanced["application"]
    application.__class__.objects.filter(pk=application.pk).update(rna="W59A012345")
    assert _cud()["rnaBeneficiaire"] == ""
    assert _cud()["idBeneficiaire"] == application.siret


def test_objet_is_the_funded_project(cofinanced):
    assert _cud()["objet"] == "Jardins partagés du Courghain"


def test_montant_is_the_amount_granted_not_the_amount_asked(cofinanced):
    assert _cud()["montant"] == "30000.00"
    assert _region()["montant"] == "90000.00"


def test_montant_keeps_the_cents(cofinanced):
    share = cofinanced["cud_share"]
    share.__class__.objects.filter(pk=share.pk).update(amount_granted=Decimal("29999.99"))
    assert _cud()["montant"] == "29999.99"


def test_nature_is_an_aid_in_money(cofinanced):
    assert {row["nature"] for row in _rows().values()} == {"aide en numéraire"}


def test_conditions_versement_follow_the_payment_schedule(cofinanced):
    assert _cud()["conditionsVersement"] == "unique"
    assert _region()["conditionsVersement"] == "échelonné"


def test_dates_of_an_unpaid_single_payment_run_from_the_agreement_to_its_due_date(cofinanced):
    due = SIGNED + datetime.timedelta(days=30)
    assert _cud()["datesPeriodeVersement"] == f"{SIGNED.isoformat()}/{due.isoformat()}"


def test_date_of_a_single_payment_made_is_its_date(cofinanced):
    paid_on = SIGNED + datetime.timedelta(days=12)
    payment = cofinanced["cud_share"].agreement.payments.get()
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.PAID, paid_on=paid_on)
    assert _cud()["datesPeriodeVersement"] == paid_on.isoformat()


def test_dates_of_a_staggered_schedule_run_from_the_first_to_the_last_payment(cofinanced):
    # The advance was paid; the balance waits for the financial report, due by the end of June
    # of the next year.
    agreement = cofinanced["region_share"].agreement
    advance_paid = SIGNED + datetime.timedelta(days=20)
    Payment.objects.filter(agreement=agreement, kind=Payment.Kind.ADVANCE).update(
        status=Payment.Status.PAID, paid_on=advance_paid
    )
    assert (
        _region()["datesPeriodeVersement"]
        == f"{advance_paid.isoformat()}/{agreement.report.due_on.isoformat()}"
    )
    balance_paid = datetime.date(YEAR + 1, 7, 10)
    Payment.objects.filter(agreement=agreement, kind=Payment.Kind.BALANCE).update(
        status=Payment.Status.PAID, paid_on=balance_paid
    )
    assert (
        _region()["datesPeriodeVersement"]
        == f"{advance_paid.isoformat()}/{balance_paid.isoformat()}"
    )


def test_a_cancelled_payment_is_not_a_payment_date(cofinanced):
    agreement = cofinanced["region_share"].agreement
    Payment.objects.filter(agreement=agreement, kind=Payment.Kind.BALANCE).update(
        status=Payment.Status.CANCELLED
    )
    advance_due = SIGNED + datetime.timedelta(days=30)
    assert _region()["datesPeriodeVersement"] == f"{SIGNED.isoformat()}/{advance_due.isoformat()}"


def test_id_rae_is_empty_essor_does_not_reference_aids_in_the_rae(cofinanced):
    assert {row["idRAE"] for row in _rows().values()} == {""}


def test_notification_ue_says_whether_the_programme_is_a_de_minimis_aid(cofinanced):
    assert _region()["notificationUE"] == "oui"
    assert _cud()["notificationUE"] == "non"


def test_pourcentage_subvention_is_one_for_the_single_beneficiary_of_each_subsidy(cofinanced):
    # Two funders co-finance the project: each subsidy still goes whole to its one beneficiary.
    assert {row["pourcentageSubvention"] for row in _rows().values()} == {"1.00"}


def test_dispositif_aide_is_the_identifier_of_the_national_aid_scheme_not_a_name(cofinanced):
    assert _cud()["dispositifAide"] == AID_SCHEME
    assert _region()["dispositifAide"] == ""


def test_subsidy_under_the_threshold_is_left_out(cofinanced, settings):
    settings.ESSOR_FUNDING_SCDL_THRESHOLD = 1000
    assert len(_csv().splitlines()) == 4


def test_export_of_one_funder(cofinanced):
    cud = cofinanced["cud"]
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
    cud = cofinanced["cud"]
    response = client.get(
        reverse("funding:scdl_csv", kwargs={"siret": cud.funder.siret, "year": YEAR})
    )
    body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200
    assert "Fonds ESS" not in body  # the programme is named by its national identifier
    assert AID_SCHEME in body and "Région Hauts-de-France" not in body


def test_open_data_page_lists_funders_and_years(client, cofinanced):
    cud = cofinanced["cud"]
    response = client.get(reverse("funding:open_data"))
    assert reverse("funding:scdl_csv", kwargs={"siret": cud.funder.siret, "year": YEAR}) in (
        response.content.decode()
    )


def _all_rows() -> list[dict]:
    return list(csv.DictReader(io.StringIO(_csv())))


def _cofinanced_application(title: str, name: str, *amounts: str):
    organisation = OrganisationFactory(name=name)
    application = ApplicationFactory(organisation=organisation, title=title)
    balanced_budget(application, subsidy=sum(Decimal(amount) for amount in amounts))
    for amount in amounts:
        programme = ProgrammeFactory(ceiling=None)
        EnvelopeFactory(programme=programme, amount=Decimal("10000000000"))
        _accepted(programme, application, amount, amount)


def test_text_a_spreadsheet_would_run_is_neutralised_and_the_file_stays_valid(tmp_path):
    _cofinanced_application("=1+2", "@Association", "30000", "90000")
    rows = _all_rows()
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
