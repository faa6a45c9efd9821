"""The pages of the support module (agency staff)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from essor.core.models import AuditLogEntry
from essor.support.models import ActionKind, ConsentScope, PartnerKind, ProjectHolder, Stage
from essor.territory.models import Commune
from tests.factories import OrganisationFactory, sector
from tests.support.factories import ActionFactory, ProjectHolderFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def _holder_post(**overrides):
    data = {
        "kind": "personne",
        "name": "Karim Benali",
        "idea": "Un atelier de réparation de vélos.",
        "sectors": ["mobilite"],
        "commune": Commune.objects.get(insee_code="59183").pk,
        "heard_via": "evenement",
        "first_contact_on": "2025-02-03",
        "email": "",
        "phone": "",
        "consent_on": "",
        "consent_scope": "",
    }
    data.update(overrides)
    return data


def test_list_runs_a_constant_number_of_queries(agency_client, django_assert_max_num_queries):
    def _fill(count):
        for index in range(count):
            holder = ProjectHolderFactory(sectors=[sector("culture"), sector("sport")])
            ActionFactory(holder=holder, date=D(2025, 4, 1 + index % 20))

    _fill(3)
    with CaptureQueriesContext(connection) as small:
        agency_client.get(reverse("support:holder_list"))
    _fill(12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = agency_client.get(reverse("support:holder_list"))
    assert response.content.decode().count("Culture, Sport") == 15


def test_list_filters_by_stage(agency_client):
    ProjectHolderFactory(name="Au stade de l'idée")
    ProjectHolderFactory(name="En émergence", stage=Stage.EMERGENCE, emergence_on=D(2025, 4, 1))

    response = agency_client.get(reverse("support:holder_list"), {"etape": "emergence"})

    assert "En émergence" in response.content.decode()
    assert "Au stade de l" not in response.content.decode()


def test_create_holder_from_the_form(agency_client):
    response = agency_client.post(reverse("support:holder_create"), _holder_post())

    holder = ProjectHolder.objects.get(name="Karim Benali")
    assert response.status_code == 302
    assert response["Location"] == reverse("support:holder_detail", args=[holder.pk])


def test_the_officer_who_creates_a_holder_is_its_referent_by_default(agency_client, world):
    form = agency_client.get(reverse("support:holder_create")).context["form"]
    assert form["advisor"].value() == world.users["agency_staff"].pk

    # What the browser posts when the officer keeps the preselected referent.
    agency_client.post(
        reverse("support:holder_create"), _holder_post(advisor=form["advisor"].value())
    )

    holder = ProjectHolder.objects.get(name="Karim Benali")
    assert holder.advisor == world.users["agency_staff"]
    assert "Karim Benali" in agency_client.get(reverse("support:caseload")).content.decode()


def test_a_holder_may_still_be_created_without_a_referent(agency_client):
    agency_client.post(reverse("support:holder_create"), _holder_post(advisor=""))

    assert ProjectHolder.objects.get(name="Karim Benali").advisor is None


def test_contact_without_consent_is_explained_on_the_field(agency_client):
    response = agency_client.post(
        reverse("support:holder_create"), _holder_post(email="karim@example.org")
    )

    assert response.status_code == 200
    assert "ne peut être conservé qu&#x27;avec le consentement" in response.content.decode()
    assert not ProjectHolder.objects.exists()


def test_a_duplicate_is_announced_then_created_on_confirmation(agency_client):
    existing = ProjectHolderFactory(name="Karim BENALI")

    warned = agency_client.post(reverse("support:holder_create"), _holder_post())
    confirmed = agency_client.post(
        reverse("support:holder_create"), _holder_post(confirm_not_duplicate="on")
    )

    assert "Doublon possible" in warned.content.decode()
    assert reverse("support:holder_detail", args=[existing.pk]) in warned.content.decode()
    assert confirmed.status_code == 302
    assert ProjectHolder.objects.count() == 2


def test_detail_shows_the_timeline_and_logs_the_reading(agency_client, world):
    holder = ProjectHolderFactory()
    ActionFactory(holder=holder, notes="Travail sur le modèle économique.")

    response = agency_client.get(reverse("support:holder_detail", args=[holder.pk]))

    assert "Travail sur le modèle économique." in response.content.decode()
    assert AuditLogEntry.objects.filter(
        action="support.holder.read_personal_data",
        target_id=str(holder.pk),
        actor=world.users["agency_staff"],
    ).exists()


def test_the_timeline_shows_each_stage_with_who_recorded_it_and_the_note(agency_client, world):
    holder = ProjectHolderFactory()
    agency_client.post(
        reverse("support:holder_stage", args=[holder.pk]),
        {"to": "emergence", "on": "2025-04-01", "note": "Étude de marché lancée."},
    )

    page = agency_client.get(reverse("support:holder_detail", args=[holder.pk])).content.decode()

    assert "1er avril 2025 — Projet passé à l&#x27;étape « Émergence »" in page
    assert f"enregistré par {world.users['agency_staff']}" in page
    assert "Étude de marché lancée." in page


def test_the_page_offers_only_the_moves_of_the_current_stage(agency_client):
    holder = ProjectHolderFactory()

    page = agency_client.get(reverse("support:holder_detail", args=[holder.pk])).content.decode()

    assert reverse("support:holder_stage", args=[holder.pk]) in page
    assert reverse("support:holder_abandon", args=[holder.pk]) in page
    assert reverse("support:holder_creation", args=[holder.pk]) not in page


def test_the_stage_form_offers_the_next_stage_only(agency_client):
    holder = ProjectHolderFactory(stage=Stage.EMERGENCE, emergence_on=D(2025, 4, 1))

    page = agency_client.get(reverse("support:holder_stage", args=[holder.pk])).content.decode()

    assert 'value="structuration"' in page
    assert 'value="emergence"' not in page


def test_stage_form_moves_to_the_next_stage(agency_client):
    holder = ProjectHolderFactory()

    response = agency_client.post(
        reverse("support:holder_stage", args=[holder.pk]), {"to": "emergence", "on": "2025-04-01"}
    )

    holder.refresh_from_db()
    assert response.status_code == 302
    assert holder.stage == Stage.EMERGENCE


def test_stage_form_refuses_to_skip_a_stage(agency_client):
    holder = ProjectHolderFactory()

    response = agency_client.post(
        reverse("support:holder_stage", args=[holder.pk]),
        {"to": "structuration", "on": "2025-04-01"},
    )

    holder.refresh_from_db()
    assert response.status_code == 200
    assert holder.stage == Stage.IDEA
    assert "Passage à l&#x27;étape « Structuration » impossible" in response.content.decode()


def test_creation_form_refuses_a_creation_without_organisation(agency_client):
    holder = ProjectHolderFactory(
        stage=Stage.STRUCTURING, emergence_on=D(2025, 4, 1), structuring_on=D(2025, 5, 1)
    )

    response = agency_client.post(
        reverse("support:holder_creation", args=[holder.pk]),
        {"on": "2025-09-01", "mode": "existing", "organisation": ""},
    )

    assert "Une création se rattache à la structure créée" in response.content.decode()
    holder.refresh_from_db()
    assert holder.stage == Stage.STRUCTURING


def test_creation_form_finds_the_organisation_by_siren(agency_client):
    holder = ProjectHolderFactory(
        stage=Stage.STRUCTURING, emergence_on=D(2025, 4, 1), structuring_on=D(2025, 5, 1)
    )
    organisation = OrganisationFactory()

    agency_client.post(
        reverse("support:holder_creation", args=[holder.pk]),
        {"on": "2025-09-01", "mode": "existing", "organisation": organisation.siren},
    )

    holder.refresh_from_db()
    assert (holder.stage, holder.organisation) == (Stage.CREATION, organisation)


def test_action_form_refuses_a_date_in_the_future(agency_client):
    holder = ProjectHolderFactory()
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)

    response = agency_client.post(
        reverse("support:action_create", args=[holder.pk]),
        {"date": tomorrow.isoformat(), "kind": "rendez-vous"},
    )

    assert "ne peut pas être dans le futur" in response.content.decode()
    assert not holder.actions.exists()


def test_a_referral_leads_to_its_summary_with_only_the_shared_fields(agency_client):
    holder = ProjectHolderFactory(
        name="Karim Benali",
        phone="0612345678",
        consent_on=D(2025, 1, 1),
        consent_scope=ConsentScope.PARTNERS,
        idea="Un atelier vélo.",
    )

    response = agency_client.post(
        reverse("support:action_create", args=[holder.pk]),
        {
            "date": "2025-04-02",
            "kind": "orientation",
            "partner_kind": "france-active",
            "shared_fields": ["idea"],
        },
        follow=True,
    )

    page = response.content.decode()
    assert "Un atelier vélo." in page
    assert "Karim" not in page.split("<main", 1)[1]
    assert "0612345678" not in page


def test_referral_pdf_is_a_pdf(agency_client):
    action = ActionFactory(
        kind=ActionKind.REFERRAL, partner_kind=PartnerKind.TIERS_LIEU, shared_fields=["idea"]
    )

    response = agency_client.get(reverse("support:referral_pdf", args=[action.pk]))

    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_caseload_highlights_due_reminders(agency_client, world):
    holder = ProjectHolderFactory(advisor=world.users["agency_staff"])
    ActionFactory(holder=holder, next_step="Rappeler la banque", reminder_on=D(2025, 5, 1))

    response = agency_client.get(reverse("support:caseload"))

    page = response.content.decode()
    assert 'class="due"' in page
    assert "Rappeler la banque" in page


def test_caseload_runs_a_constant_number_of_queries(
    agency_client, world, django_assert_max_num_queries
):
    def _fill(count):
        for _ in range(count):
            holder = ProjectHolderFactory(advisor=world.users["agency_staff"])
            ActionFactory(holder=holder, next_step="Relancer", reminder_on=D(2025, 5, 1))

    _fill(2)
    with CaptureQueriesContext(connection) as small:
        agency_client.get(reverse("support:caseload"))
    _fill(10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = agency_client.get(reverse("support:caseload"))
    assert response.content.decode().count('class="due"') == 12


def test_reminder_done_from_the_caseload(agency_client, world):
    action = ActionFactory(
        holder=ProjectHolderFactory(advisor=world.users["agency_staff"]),
        next_step="Rappeler",
        reminder_on=D(2025, 5, 1),
    )

    agency_client.post(reverse("support:reminder_done", args=[action.pk]))

    action.refresh_from_db()
    assert action.reminder_done_on == datetime.date.today()


def test_merge_page_merges_the_chosen_duplicate(agency_client):
    keep = ProjectHolderFactory(name="Karim Benali")
    duplicate = ProjectHolderFactory(name="Karim  Benali")

    response = agency_client.post(
        reverse("support:holder_merge", args=[keep.pk]),
        {"other": duplicate.pk, "keep": "this", "reason": "Saisi deux fois."},
    )

    duplicate.refresh_from_db()
    assert response.status_code == 302
    assert duplicate.merged_into == keep


def test_a_merged_holders_pages_lead_to_the_kept_one(agency_client):
    keep = ProjectHolderFactory()
    duplicate = ProjectHolderFactory(merged_into=keep)

    response = agency_client.get(reverse("support:action_create", args=[duplicate.pk]))

    assert response["Location"] == reverse("support:holder_detail", args=[keep.pk])


def test_the_list_exports_to_csv_with_its_filters_and_logs_it(agency_client, world):
    ProjectHolderFactory(name="Karim Benali", sectors=[sector("mobilite"), sector("tourisme")])
    ProjectHolderFactory(name="Autre", stage=Stage.EMERGENCE, emergence_on=D(2025, 4, 1))

    response = agency_client.get(reverse("support:holder_export_csv"), {"etape": "idee"})

    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Karim Benali" in content and "Mobilité, Tourisme" in content
    assert "Autre" not in content
    assert AuditLogEntry.objects.filter(
        action="support.holder.export", actor=world.users["agency_staff"]
    ).exists()


def test_the_list_exports_to_xlsx(agency_client):
    ProjectHolderFactory(name="Karim Benali")

    response = agency_client.get(reverse("support:holder_export_xlsx"))

    assert response.content.startswith(b"PK")


def test_action_edit_page_corrects_the_notes(agency_client):
    action = ActionFactory(notes="Avant")

    response = agency_client.post(
        reverse("support:action_edit", args=[action.pk]),
        {"date": "2025-04-02", "kind": "rendez-vous", "notes": "Après"},
    )

    action.refresh_from_db()
    assert response.status_code == 302
    assert action.notes == "Après"


def test_an_agency_admin_erases_personal_data_from_the_page(client, world):
    holder = ProjectHolderFactory(name="Karim Benali")
    client.force_login(world.users["agency_admin"])

    response = client.post(
        reverse("support:holder_erase", args=[holder.pk]), {"reason": "Demande de la personne."}
    )

    holder.refresh_from_db()
    assert response.status_code == 302
    assert holder.erased_on is not None
    page = client.get(reverse("support:holder_detail", args=[holder.pk])).content.decode()
    assert "Karim" not in page


def test_the_list_announces_my_due_reminders(agency_client, world):
    holder = ProjectHolderFactory(advisor=world.users["agency_staff"])
    ActionFactory(holder=holder, next_step="Rappeler", reminder_on=D(2025, 5, 1))
    ActionFactory(
        holder=ProjectHolderFactory(advisor=world.users["agency_admin"]),
        next_step="Rappeler",
        reminder_on=D(2025, 5, 1),
    )

    response = agency_client.get(reverse("support:holder_list"))

    assert "1 relance à faire" in response.content.decode()


def test_the_csv_export_neutralises_what_a_spreadsheet_would_run(agency_client):
    import csv
    import io

    ProjectHolderFactory(
        name='=HYPERLINK("http://x")',
        idea="@idée",
        phone="+33 6 12 34 56 78",
        consent_on=D(2025, 3, 10),
        consent_scope=ConsentScope.PARTNERS,
    )

    response = agency_client.get(reverse("support:holder_export_csv"))

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(body), delimiter=";"))
    assert (row["Nom"], row["Idée de projet"], row["Téléphone"]) == (
        '\'=HYPERLINK("http://x")',
        "'@idée",
        "'+33 6 12 34 56 78",
    )


def test_the_xlsx_export_neutralises_what_a_spreadsheet_would_run(agency_client):
    import io

    from openpyxl import load_workbook

    holder = ProjectHolderFactory(name="-1+2")

    response = agency_client.get(reverse("support:holder_export_xlsx"))

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[2][:2]] == [holder.pk, "'-1+2"]
    assert sheet["B2"].data_type == "s"
