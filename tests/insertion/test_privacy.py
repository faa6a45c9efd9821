"""Privacy by design: no NIR in free text, names for the SIAE's staff only, reads logged, right
of access, erasure and automatic anonymisation after the retention period."""

import datetime
import json
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from essor.core.models import AuditLogEntry
from essor.core.validators import NIR_MESSAGE, contains_nir
from essor.insertion import selectors, services
from essor.insertion.forms import ParticipantForm
from essor.insertion.models import BarrierType, Participant, Siae
from tests.insertion.factories import AnnexFactory, ExitFactory, make_siae, pathway
from tests.personal_data import traces_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text",
    [
        "Son numéro : 2 55 08 14 168 025 38",
        "NIR 255081416802538 noté par erreur",
        "1 84 12 76 451 089",  # 13 digits, no key
        "2.55.08.2A.168.025",  # Corsica
    ],
)
def test_a_national_insurance_number_is_detected(text):
    assert contains_nir(text)


@pytest.mark.parametrize(
    "text",
    [
        "SIRET de l'employeur : 123 456 789 00012",  # 14 digits
        "Téléphone 03 28 12 34 56",
        "Contrat de 26 heures du 01/02/2026",
        "Dossier 2026-000123",
    ],
)
def test_ordinary_numbers_are_not_taken_for_a_nir(text):
    assert not contains_nir(text)


def test_the_participant_form_refuses_a_nir_in_the_notes_with_a_french_message():
    form = ParticipantForm(
        data={
            "first_name": "Camille",
            "last_name": "Fictive",
            "sex": "F",
            "birth_year": 1990,
            "education_level": "3",
            "notes": "NIR : 2 55 08 14 168 025 38",
        }
    )
    assert not form.is_valid()
    assert form.errors["notes"] == [NIR_MESSAGE]


def test_the_service_refuses_a_nir_whatever_the_form(world):
    siae = make_siae(world)
    with pytest.raises(ValidationError) as error:
        services.create_participant(
            actor=world.users["organisation_admin"],
            siae=siae,
            data={
                "first_name": "Camille",
                "last_name": "255081416802538",
                "sex": "F",
                "birth_year": 1990,
                "education_level": "3",
            },
        )
    assert NIR_MESSAGE in error.value.message_dict["last_name"]
    assert not Participant.objects.exists()


def test_the_staff_of_another_siae_cannot_open_a_participant(client, world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    person = pathway(siae)
    make_siae(world, organisation=world.other_structure, kind="EI")
    from tests.factories import MembershipFactory

    other = MembershipFactory(organisation=world.other_structure, role="organisation_admin").user
    client.force_login(other)
    response = client.get(reverse("insertion:participant_detail", kwargs={"pk": person.pk}))
    assert response.status_code == 403


def test_each_read_of_a_record_is_logged_without_the_name(client, world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    person = pathway(siae, first_name="Camille", last_name="Fictive")
    client.force_login(world.users["organisation_member"])
    response = client.get(reverse("insertion:participant_detail", kwargs={"pk": person.pk}))
    assert "Camille Fictive" in response.content.decode()
    entry = AuditLogEntry.objects.get(action="insertion.participant.read")
    assert entry.actor == world.users["organisation_member"]
    assert entry.target_id == str(person.pk)
    assert entry.target_label == person.code
    assert "Fictive" not in entry.target_label + entry.message


def test_the_funder_sees_aggregates_and_never_a_name(client, world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    for _ in range(6):
        pathway(siae, last_name="Nominatif")
    client.force_login(world.users["funder_instructor"])
    for url in (
        reverse("insertion:siae_detail", kwargs={"pk": siae.pk}),
        reverse("insertion:indicators") + "?year=2026",
    ):
        page = client.get(url).content.decode()
        assert "Nominatif" not in page
        assert "SAL-" not in page


def test_the_access_export_holds_the_persons_data_in_json(client, world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    person = pathway(siae, first_name="Camille", last_name="Fictive")
    client.force_login(world.users["organisation_admin"])
    response = client.get(
        reverse("insertion:participant_export", kwargs={"pk": person.pk}) + "?format=json"
    )
    data = json.loads(response.content)
    assert data["nom"] == "Fictive"
    assert data["contrats"][0]["debut"] == "2026-02-01"
    assert AuditLogEntry.objects.filter(
        action="insertion.participant.read", message__contains="droit d'accès"
    ).exists()


def test_the_access_export_in_xlsx_has_one_sheet_per_kind_of_data(client, world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    person = pathway(siae, last_name="Fictive")
    client.force_login(world.users["organisation_admin"])
    response = client.get(
        reverse("insertion:participant_export", kwargs={"pk": person.pk}) + "?format=xlsx"
    )
    workbook = load_workbook(BytesIO(response.content))
    assert workbook.sheetnames[:2] == ["Fiche", "Contrats"]
    values = [row[1] for row in workbook["Fiche"].iter_rows(min_row=2, values_only=True)]
    assert "Fictive" in values


def test_erasure_removes_the_personal_details_and_keeps_the_counts(world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    people = [pathway(siae, notes="Suivi régulier") for _ in range(6)]
    scope = Siae.objects.filter(pk=siae.pk)
    before = selectors.compute_indicators(siaes=scope, year=2026).people
    services.erase_participant(
        actor=world.users["organisation_admin"], participant=people[0], reason="Demande écrite"
    )
    people[0].refresh_from_db()
    assert (people[0].first_name, people[0].last_name, people[0].notes) == ("", "", "")
    assert people[0].anonymised_at is not None
    assert selectors.compute_indicators(siaes=scope, year=2026).people == before == 6
    assert AuditLogEntry.objects.filter(action="insertion.participant.erase").exists()


def test_erasure_needs_a_reason(world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    person = pathway(siae)
    with pytest.raises(ValidationError):
        services.erase_participant(actor=None, participant=person, reason="  ")


def test_a_member_who_is_not_admin_cannot_erase(client, world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    person = pathway(siae)
    client.force_login(world.users["organisation_member"])
    response = client.post(
        reverse("insertion:participant_erase", kwargs={"pk": person.pk}), {"reason": "x"}
    )
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.anonymised_at is None


def _exited(siae, exit_date):
    person = pathway(siae, start=datetime.date(2024, 2, 1))
    ExitFactory(participant=person, date=exit_date)
    return person


def test_participants_are_anonymised_after_the_retention_period(world):
    siae = make_siae(world)
    AnnexFactory(siae=siae, start=datetime.date(2024, 1, 1), number="ACI059240001A0M0")
    old = _exited(siae, datetime.date(2024, 3, 31))
    recent = _exited(siae, datetime.date(2024, 5, 31))
    count = services.anonymise_expired(today=datetime.date(2026, 4, 15))
    old.refresh_from_db()
    recent.refresh_from_db()
    assert count == 1
    assert old.anonymised_at is not None and old.last_name == ""
    assert recent.anonymised_at is None and recent.last_name != ""


def test_the_retention_period_is_a_setting(world, settings):
    settings.ESSOR_INSERTION_RETENTION_MONTHS = 6
    siae = make_siae(world)
    AnnexFactory(siae=siae, start=datetime.date(2024, 1, 1), number="ACI059240001A0M0")
    person = _exited(siae, datetime.date(2025, 9, 30))
    assert services.anonymise_expired(today=datetime.date(2026, 4, 15)) == 1
    person.refresh_from_db()
    assert person.anonymised_at is not None


def test_the_anonymisation_command_keeps_the_anonymous_counts(world):
    siae = make_siae(world)
    AnnexFactory(siae=siae, start=datetime.date(2024, 1, 1), number="ACI059240001A0M0")
    for _ in range(5):
        _exited(siae, datetime.date(2024, 3, 31))
    scope = Siae.objects.filter(pk=siae.pk)
    before = selectors.compute_indicators(siaes=scope, year=2024)
    out = StringIO()
    call_command("insertion_anonymise", "--date", "2026-11-26", stdout=out, stderr=StringIO())
    assert "5 salariés anonymisés" in out.getvalue()
    after = selectors.compute_indicators(siaes=scope, year=2024)
    assert Participant.objects.filter(anonymised_at__isnull=False).count() == 5
    assert (after.people, after.exits, after.hours_total) == (
        before.people,
        before.exits,
        before.hours_total,
    )
    assert after.exits_total == 5


def test_an_anonymised_participant_cannot_be_edited(world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    person = pathway(siae)
    services.erase_participant(actor=None, participant=person, reason="Demande")
    with pytest.raises(ValidationError):
        services.update_participant(actor=None, participant=person, data={"notes": "x"})


def test_hours_of_an_anonymised_participant_still_count(world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    person = pathway(siae)
    services.save_month_hours(
        actor=None, siae=siae, month=datetime.date(2026, 3, 1), hours={person.pk: Decimal("100")}
    )
    services.erase_participant(actor=None, participant=person, reason="Demande")
    data = selectors.compute_indicators(siaes=Siae.objects.filter(pk=siae.pk), year=2026)
    assert data.hours_total == Decimal("100")


def test_the_list_of_names_is_logged_too(client, world):
    siae = make_siae(world)
    client.force_login(world.users["organisation_member"])
    client.get(reverse("insertion:participant_list", kwargs={"pk": siae.pk}))
    entry = AuditLogEntry.objects.get(action="insertion.participant.list")
    assert (entry.actor, entry.message) == (
        world.users["organisation_member"],
        "Liste des salariés",
    )


def test_the_erasure_reason_refuses_a_nir_whatever_the_form(world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    person = pathway(siae)
    with pytest.raises(ValidationError) as error:
        services.erase_participant(
            actor=None, participant=person, reason="NIR 2/55/08/14/168/025/38"
        )
    assert NIR_MESSAGE in error.value.message_dict["reason"]
    person.refresh_from_db()
    assert person.anonymised_at is None


def test_every_free_text_of_a_participant_is_guarded(world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    person = pathway(siae)
    with pytest.raises(ValidationError) as error:
        services.record_exit(
            actor=None,
            participant=person,
            date=datetime.date(2026, 9, 30),
            category="durable",
            detail="CDI — n° ２５５０８１４１６８０２５３８",
        )
    assert NIR_MESSAGE in error.value.message_dict["detail"]


def test_after_an_erasure_no_column_of_any_table_holds_the_person_s_details(world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    admin = world.users["organisation_admin"]
    person = pathway(siae, first_name="Ysolde", last_name="Quénéhen")
    typed = [
        "Sort d'une cure de désintoxication",
        "Logée chez sa sœur Maëlle",
        "Remise à niveau en braille",
        "Embauchée chez son oncle",
    ]
    services.update_participant(actor=admin, participant=person, data={"notes": typed[0]})
    services.add_barrier(
        actor=admin,
        participant=person,
        data={
            "barrier_type": BarrierType.objects.get(slug="logement"),
            "identified_on": datetime.date(2026, 2, 2),
            "note": typed[1],
        },
    )
    services.add_training(
        actor=admin,
        participant=person,
        data={"title": typed[2], "start": datetime.date(2026, 3, 1), "hours": Decimal("20")},
    )
    services.record_exit(
        actor=admin,
        participant=person,
        date=datetime.date(2026, 9, 30),
        category="durable",
        detail=typed[3],
    )
    services.log_participant_read(actor=admin, participant=person)
    assert traces_of("Ysolde", "Quénéhen", *typed)

    services.erase_participant(actor=admin, participant=person, reason="Demande écrite du 2 mars")

    left = traces_of("Ysolde", "Quénéhen", *typed)
    assert left == [], "\n".join(left)
    assert (
        AuditLogEntry.objects.filter(
            target_type="insertion.participant", target_id=str(person.pk), message__gt=""
        )
        .get()
        .action
        == "insertion.participant.erase"
    )


def test_the_access_export_in_xlsx_neutralises_typed_text_and_json_keeps_it(client, world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    person = pathway(siae, last_name="-Fictive", notes="=1+2")
    client.force_login(world.users["organisation_admin"])
    url = reverse("insertion:participant_export", kwargs={"pk": person.pk})

    workbook = load_workbook(BytesIO(client.get(url + "?format=xlsx").content))
    data = json.loads(client.get(url + "?format=json").content)

    values = dict(workbook["Fiche"].iter_rows(min_row=2, values_only=True))
    assert (values["nom"], values["observations"]) == ("'-Fictive", "'=1+2")
    assert (data["nom"], data["observations"]) == ("-Fictive", "=1+2")
