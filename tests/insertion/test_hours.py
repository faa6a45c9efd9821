"""Monthly hours: typed in by month, or imported from CSV (all or nothing)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from essor.core.models import AuditLogEntry
from essor.insertion import services
from essor.insertion.models import MonthlyHours
from tests.insertion.factories import AnnexFactory, MonthlyHoursFactory, make_siae, pathway

pytestmark = pytest.mark.django_db


@pytest.fixture
def siae(world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    pathway(siae, code="SAL-0001")
    pathway(siae, code="SAL-0002")
    return siae


def _import(siae, text):
    return services.import_hours_csv(actor=None, siae=siae, content=text.encode("utf-8"))


def test_a_valid_file_is_imported(siae):
    result = _import(siae, "pseudonyme;mois;heures\nSAL-0001;2026-03;121,5\nSAL-0002;2026-03;80\n")
    assert result.errors == [] and result.saved == 2
    assert MonthlyHours.objects.get(participant__code="SAL-0001").hours == Decimal("121.50")
    assert AuditLogEntry.objects.filter(action="insertion.hours.import").exists()


def test_a_comma_separated_file_with_a_bom_is_read(siae):
    result = services.import_hours_csv(
        actor=None,
        siae=siae,
        content="\ufeffpseudonyme,mois,heures\nSAL-0001,03/2026,100\n".encode(),
    )
    assert result.errors == []
    assert MonthlyHours.objects.get().month == datetime.date(2026, 3, 1)


def test_one_wrong_cell_saves_nothing_and_names_line_and_column(siae):
    result = _import(
        siae,
        "pseudonyme;mois;heures\nSAL-0001;2026-03;100\nSAL-0002;2026-13;80\nSAL-0009;2026-02;abc\n",
    )
    assert result.errors == [
        "Ligne 3, colonne « mois » : « 2026-13 » n'est pas un mois au format AAAA-MM (par exemple 2026-03).",
        "Ligne 4, colonne « pseudonyme » : « SAL-0009 » n'est pas un salarié de cette SIAE.",
        "Ligne 4, colonne « heures » : « abc » n'est pas un nombre d'heures (par exemple 121,5).",
    ]
    assert not MonthlyHours.objects.exists()


def test_hours_above_the_months_capacity_are_refused_in_an_import(siae):
    result = _import(siae, "pseudonyme;mois;heures\nSAL-0001;2026-02;193\n")
    assert result.errors == [
        "Ligne 2, colonne « heures » : 193,00 heures dépassent ce que permet le contrat du "
        "1er février 2026 (sans fin) en février 2026 : 28 jours couverts, soit 192,00 heures "
        "au plus (48 heures par semaine)."
    ]


def test_a_month_twice_for_one_person_is_refused(siae):
    result = _import(siae, "pseudonyme;mois;heures\nSAL-0001;2026-03;10\nSAL-0001;2026-03;20\n")
    assert result.errors == [
        "Ligne 3 : les heures de SAL-0001 pour mars 2026 figurent déjà à la ligne 2."
    ]


def test_a_missing_column_is_reported(siae):
    result = _import(siae, "pseudonyme;heures\nSAL-0001;10\n")
    assert result.errors == [
        "Ligne 1 : colonne manquante : « mois ». L'en-tête attendu est : pseudonyme;mois;heures."
    ]


def test_an_import_replaces_the_hours_already_entered(siae):
    MonthlyHoursFactory(participant=siae.participants.get(code="SAL-0001"), hours=Decimal("50"))
    _import(siae, "pseudonyme;mois;heures\nSAL-0001;2026-03;60\n")
    assert MonthlyHours.objects.get().hours == Decimal("60.00")


def test_an_import_names_the_lines_identical_to_what_is_recorded(siae):
    MonthlyHoursFactory(participant=siae.participants.get(code="SAL-0001"), hours=Decimal("50"))
    result = _import(siae, "pseudonyme;mois;heures\nSAL-0001;2026-03;50\nSAL-0002;2026-03;80\n")
    assert (result.rows, result.saved, result.unchanged) == (2, 1, 1)
    assert result.summary == (
        "2 lignes lues : 1 enregistrée, 1 ligne identique à l'existant, laissée telle quelle."
    )


def test_a_template_imported_again_says_that_every_line_is_identical(client, world, siae):
    for code in ("SAL-0001", "SAL-0002"):
        MonthlyHoursFactory(participant=siae.participants.get(code=code), hours=Decimal("50"))
    client.force_login(world.users["organisation_member"])
    upload = SimpleUploadedFile(
        "heures.csv",
        b"pseudonyme;mois;heures\nSAL-0001;2026-03;50\nSAL-0002;2026-03;50,00\n",
        content_type="text/csv",
    )
    response = client.post(
        reverse("insertion:hours_import", kwargs={"pk": siae.pk}), {"file": upload}, follow=True
    )
    assert (
        "2 lignes lues : aucune enregistrée, 2 lignes identiques à l&#x27;existant, laissées "
        "telles quelles." in response.content.decode()
    )


def test_the_import_page_lists_every_error(client, world, siae):
    client.force_login(world.users["organisation_member"])
    upload = SimpleUploadedFile(
        "heures.csv", b"pseudonyme;mois;heures\nSAL-0001;2026-02;500\n", content_type="text/csv"
    )
    response = client.post(
        reverse("insertion:hours_import", kwargs={"pk": siae.pk}), {"file": upload}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Rien n'a été importé" in page
    assert "Ligne 2, colonne « heures »" in page


def test_the_month_page_saves_the_typed_hours(client, world, siae):
    client.force_login(world.users["organisation_member"])
    person = siae.participants.get(code="SAL-0001")
    url = reverse("insertion:hours_month", kwargs={"pk": siae.pk})
    response = client.post(url, {"mois": "2026-03", f"heures_{person.pk}": "110,5"})
    assert response.status_code == 302
    assert MonthlyHours.objects.get(participant=person).hours == Decimal("110.50")


def test_the_month_page_refuses_too_many_hours_and_keeps_the_input(client, world, siae):
    client.force_login(world.users["organisation_member"])
    person = siae.participants.get(code="SAL-0001")
    url = reverse("insertion:hours_month", kwargs={"pk": siae.pk})
    response = client.post(url, {"mois": "2026-02", f"heures_{person.pk}": "250"})
    page = response.content.decode()
    assert 'value="250"' in page
    assert "en février 2026 : 28 jours couverts" in page
    assert 'aria-invalid="true"' in page
    assert not MonthlyHours.objects.exists()


def test_the_month_page_lists_only_people_under_contract(client, world, siae):
    client.force_login(world.users["organisation_member"])
    url = reverse("insertion:hours_month", kwargs={"pk": siae.pk})
    assert "SAL-0001" in client.get(url + "?mois=2026-03").content.decode()
    assert "SAL-0001" not in client.get(url + "?mois=2025-12").content.decode()


def test_hours_of_a_month_without_contract_are_refused(siae):
    result = _import(siae, "pseudonyme;mois;heures\nSAL-0001;2025-12;100\n")
    assert result.errors == [
        "Ligne 2, colonne « mois » : aucun contrat de ce salarié ne couvre décembre 2025 : "
        "saisissez d'abord le contrat."
    ]


def test_the_csv_template_lists_the_people_under_contract_and_imports_back(client, world, siae):
    MonthlyHoursFactory(participant=siae.participants.get(code="SAL-0001"), hours=Decimal("50"))
    client.force_login(world.users["organisation_member"])
    response = client.get(
        reverse("insertion:hours_template", kwargs={"pk": siae.pk}) + "?mois=2026-03"
    )
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert content.splitlines() == [
        "pseudonyme;mois;heures",
        "SAL-0001;2026-03;50,00",
        "SAL-0002;2026-03;",
    ]
    filled = content.replace("SAL-0002;2026-03;", "SAL-0002;2026-03;75")
    assert _import(siae, filled).errors == []
    assert MonthlyHours.objects.get(participant__code="SAL-0002").hours == Decimal("75.00")


def test_lines_left_without_hours_are_skipped(siae):
    result = _import(siae, "pseudonyme;mois;heures\nSAL-0001;2026-03;\nSAL-0002;2026-03;12\n")
    assert (result.errors, result.rows, result.saved) == ([], 1, 1)


# Hours within the contract's own days --------------------------------------------------------


@pytest.fixture
def late_start(world):
    """A contract that starts on 20 November 2026 (30 days: 11 covered, 75,43 hours at most)."""
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    pathway(siae, code="SAL-0001", start=datetime.date(2026, 11, 20))
    return siae


def test_hours_beyond_the_days_a_new_contract_covers_are_refused_in_an_import(late_start):
    result = _import(late_start, "pseudonyme;mois;heures\nSAL-0001;2026-11;80\n")
    assert result.errors == [
        "Ligne 2, colonne « heures » : 80,00 heures dépassent ce que permet le contrat du "
        "20 novembre 2026 (sans fin) en novembre 2026 : 11 jours couverts, soit 75,43 heures "
        "au plus (48 heures par semaine)."
    ]
    assert not MonthlyHours.objects.exists()


def test_hours_within_the_days_a_new_contract_covers_are_accepted(late_start):
    assert _import(late_start, "pseudonyme;mois;heures\nSAL-0001;2026-11;75,43\n").errors == []


def test_hours_beyond_the_days_of_a_contract_ending_mid_month_are_refused_in_the_form(world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    person = pathway(siae, code="SAL-0001", start=datetime.date(2026, 2, 1))
    contract = person.contracts.get()
    contract.end = datetime.date(2026, 3, 10)
    contract.save()
    with pytest.raises(ValidationError) as error:
        services.save_month_hours(
            actor=None, siae=siae, month=datetime.date(2026, 3, 1), hours={person.pk: Decimal("70")}
        )
    assert error.value.message_dict[str(person.pk)] == [
        "70,00 heures dépassent ce que permet le contrat du 1er février 2026 au 10 mars 2026 en "
        "mars 2026 : 10 jours couverts, soit 68,57 heures au plus (48 heures par semaine)."
    ]
    assert not MonthlyHours.objects.exists()


def test_the_month_page_shows_each_persons_maximum(client, world, late_start):
    client.force_login(world.users["organisation_member"])
    url = reverse("insertion:hours_month", kwargs={"pk": late_start.pk})
    page = client.get(url + "?mois=2026-11").content.decode()
    assert "75,43" in page


def test_a_quote_never_closed_names_its_line_and_saves_nothing(siae):
    result = _import(siae, 'pseudonyme;mois;heures\nSAL-0001;2026-03;"' + "1" * 200_000 + "\n")

    assert len(result.errors) == 1
    assert result.errors[0].startswith("Ligne 2 : une cellule dépasse 131")
    assert not MonthlyHours.objects.exists()


@pytest.mark.parametrize("hours", ["1" * 60, "1e30", "1e999", "NaN", "-Infinity"])
def test_hours_no_column_could_hold_are_refused_with_their_line(siae, hours):
    result = _import(siae, f"pseudonyme;mois;heures\nSAL-0001;2026-03;{hours}\n")

    assert len(result.errors) == 1
    assert result.errors[0].startswith("Ligne 2, colonne « heures » : ")
    assert not MonthlyHours.objects.exists()


def test_the_month_page_says_when_nothing_changed(client, world, siae):
    person = siae.participants.get(code="SAL-0001")
    MonthlyHoursFactory(participant=person, hours=Decimal("110.5"))
    client.force_login(world.users["organisation_member"])
    url = reverse("insertion:hours_month", kwargs={"pk": siae.pk})
    response = client.post(url, {"mois": "2026-03", f"heures_{person.pk}": "110,5"}, follow=True)
    page = response.content.decode()
    assert "Aucune modification : ces heures étaient déjà enregistrées." in page
    assert "0 ligne d&#x27;heures" not in page
