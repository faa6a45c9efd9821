import datetime
import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django_fsm_log.models import StateLog

from essor.core import workflow
from essor.core.models import AuditLogEntry
from essor.directory.models import Organisation, ProfileRevision
from essor.directory.services import approve_revision
from tests.backoffice.helpers import audit_actions, profile_post
from tests.factories import sector


def _edit_url(organisation):
    return reverse("directory:profile_edit", kwargs={"pk": organisation.pk})


def _propose(client, world, **changes):
    client.force_login(world.users["organisation_admin"])
    return client.post(_edit_url(world.structure), profile_post(world.structure, **changes))


def _review(client, world, revision, **data):
    client.force_login(world.users["agency_staff"])
    return client.post(reverse("directory:revision_detail", kwargs={"pk": revision.pk}), data)


def _agency_edit(client, world, **changes):
    client.force_login(world.users["agency_staff"])
    return client.post(_edit_url(world.structure), profile_post(world.structure, **changes))


def test_an_admin_s_edit_becomes_a_pending_revision_and_leaves_the_public_page(client, world):
    response = _propose(client, world, name="Jardins du Littoral", sectors=["environnement"])

    assert response.status_code == 302
    revision = ProfileRevision.objects.get()
    assert revision.status == ProfileRevision.Status.PENDING
    assert revision.data["name"] == "Jardins du Littoral"
    assert revision.data["sectors"] == ["environnement"]
    world.structure.refresh_from_db()
    assert world.structure.name == "Les Jardins du Littoral"
    assert not world.structure.sectors.exists()
    assert "directory.revision.propose" in audit_actions(world.structure)


def test_a_second_edit_updates_the_pending_revision(client, world):
    _propose(client, world, acronym="JDL")
    _propose(client, world, acronym="LJDL", phone="03 28 00 00 00")

    revision = ProfileRevision.objects.get()
    assert revision.data["acronym"] == "LJDL"
    assert revision.data["phone"] == "03 28 00 00 00"


def test_the_edit_form_starts_from_the_pending_proposal(client, world):
    _propose(client, world, acronym="JDL")

    response = client.get(_edit_url(world.structure))

    assert 'value="JDL"' in response.content.decode()


def test_approving_applies_the_values_with_the_declared_source(client, world):
    _propose(client, world, acronym="JDL", sectors=["environnement", "insertion"])
    revision = ProfileRevision.objects.get()

    response = _review(
        client, world, revision, decision="approve", fields=["acronym", "sectors"], comment="OK"
    )

    assert response.status_code == 302
    world.structure.refresh_from_db()
    assert world.structure.acronym == "JDL"
    assert set(world.structure.sectors.values_list("slug", flat=True)) == {
        "environnement",
        "insertion",
    }
    today = timezone.localdate().isoformat()
    assert world.structure.field_sources["acronym"] == {"source": "declared", "date": today}
    assert world.structure.field_sources["sectors"]["source"] == "declared"
    revision.refresh_from_db()
    assert revision.status == ProfileRevision.Status.APPROVED
    assert revision.reviewed_by == world.users["agency_staff"]
    entry = AuditLogEntry.objects.get(action="directory.revision.approve")
    assert entry.changes["acronym"] == ["", "JDL"]
    assert entry.actor == world.users["agency_staff"]


def test_approving_recomputes_the_ess_family(client, world):
    company = world.structure
    Organisation.objects.filter(pk=company.pk).update(
        legal_category="5710", ess_family="", is_ess=False
    )
    company.refresh_from_db()
    _propose(client, world, has_ess_statutes=True)

    _review(
        client,
        world,
        ProfileRevision.objects.get(),
        decision="approve",
        fields=["has_ess_statutes"],
    )

    company.refresh_from_db()
    assert (company.ess_family, company.is_ess) == ("company", True)


def test_rejecting_keeps_the_old_values_and_records_the_reason(client, world):
    _propose(client, world, name="Autre nom")
    revision = ProfileRevision.objects.get()

    _review(client, world, revision, decision="reject", comment="Nom non conforme aux statuts.")

    revision.refresh_from_db()
    assert revision.status == ProfileRevision.Status.REJECTED
    assert revision.review_comment == "Nom non conforme aux statuts."
    world.structure.refresh_from_db()
    assert world.structure.name == "Les Jardins du Littoral"
    assert "directory.revision.reject" in audit_actions(world.structure)


def test_rejecting_without_a_comment_is_refused(client, world):
    _propose(client, world, name="Autre nom")
    revision = ProfileRevision.objects.get()

    response = _review(client, world, revision, decision="reject")

    assert "Indiquez le motif du refus" in response.content.decode()
    revision.refresh_from_db()
    assert revision.status == ProfileRevision.Status.PENDING


def test_an_agency_edit_applies_at_once_with_the_agency_source(client, world):
    response = _agency_edit(client, world, website="https://jdl.example")

    assert response.status_code == 302
    world.structure.refresh_from_db()
    assert world.structure.website == "https://jdl.example"
    assert world.structure.field_sources["website"]["source"] == "agency"
    assert not ProfileRevision.objects.exists()
    assert "directory.organisation.update" in audit_actions(world.structure)


def test_the_comparison_shows_a_value_the_agency_changed_since(client, world):
    _propose(client, world, phone="03 28 11 11 11")
    _agency_edit(client, world, phone="03 28 22 22 22")
    revision = ProfileRevision.objects.get()

    page = client.get(reverse("directory:revision_detail", kwargs={"pk": revision.pk}))

    content = page.content.decode()
    assert "Modifié depuis la proposition" in content
    assert "03 28 22 22 22" in content and "03 28 11 11 11" in content
    # The conflicting field is not ticked by default: the agency's value is not lost silently.
    assert 'value="phone" id="apply-phone" checked' not in content


def test_approving_without_a_conflicting_field_keeps_the_agency_value(client, world):
    _propose(client, world, phone="03 28 11 11 11", acronym="JDL")
    _agency_edit(client, world, phone="03 28 22 22 22")

    _review(client, world, ProfileRevision.objects.get(), decision="approve", fields=["acronym"])

    world.structure.refresh_from_db()
    assert (world.structure.phone, world.structure.acronym) == ("03 28 22 22 22", "JDL")


def test_a_revision_cannot_be_approved_twice(client, world):
    _propose(client, world, acronym="JDL")
    revision = ProfileRevision.objects.get()
    approve_revision(revision=revision, reviewer=world.users["agency_admin"])
    Organisation.objects.filter(pk=world.structure.pk).update(acronym="AGENCE")

    response = _review(client, world, revision, decision="approve", fields=["acronym"])

    assert "déjà été examinée" in response.content.decode()
    world.structure.refresh_from_db()
    assert world.structure.acronym == "AGENCE"


def test_invalid_rna_is_refused_in_french_and_nothing_is_saved(client, world):
    response = _propose(client, world, rna="W12")

    assert response.status_code == 200
    assert "Le numéro RNA « W12 » est invalide" in response.content.decode()
    assert not ProfileRevision.objects.exists()


def test_a_valid_rna_with_spaces_is_stored_compact(client, world):
    _propose(client, world, rna="w595 001 234")

    assert ProfileRevision.objects.get().data["rna"] == "W595001234"


def test_esus_end_before_start_is_refused_in_french(client, world):
    response = _propose(client, world, esus_start="2025-05-01", esus_end="2024-05-01")

    assert response.status_code == 200
    assert (
        "La fin de l'agrément ESUS doit être postérieure à son début (le 1 mai 2025)"
        in html.unescape(response.content.decode())
    )
    assert not ProfileRevision.objects.exists()


def test_esus_dates_are_proposed_as_iso_dates(client, world):
    _propose(client, world, esus_start="2024-05-01", esus_end="2029-04-30")

    revision = ProfileRevision.objects.get()
    assert revision.data["esus_start"] == "2024-05-01"
    approve_revision(revision=revision, reviewer=world.users["agency_admin"])
    world.structure.refresh_from_db()
    assert world.structure.esus_end == datetime.date(2029, 4, 30)


def test_an_organisation_member_cannot_edit(client, world):
    client.force_login(world.users["organisation_member"])

    response = client.post(_edit_url(world.structure), profile_post(world.structure, name="X"))

    assert response.status_code == 403
    assert not ProfileRevision.objects.exists()


def test_an_admin_of_another_structure_cannot_edit_this_one(client, world):
    client.force_login(world.users["organisation_admin"])

    response = client.post(
        _edit_url(world.other_structure), profile_post(world.other_structure, name="X")
    )

    assert response.status_code == 403
    assert not ProfileRevision.objects.exists()


def test_a_sector_slug_is_a_real_sector(world):
    assert sector("environnement").name == "Environnement"


def test_submitting_the_published_values_proposes_nothing(client, world):
    response = _propose(client, world)

    assert response.status_code == 302
    assert not ProfileRevision.objects.exists()


def test_a_proposed_date_reads_like_every_date():
    from essor.directory.selectors_backoffice import display_value

    assert display_value("creation_date", "2020-03-01") == "1er mars 2020"


# --- the revision's state machine ---------------------------------------------------------------


def _pending_revision(world):
    return ProfileRevision.objects.create(
        organisation=world.structure, data={"phone": "0328000000"}
    )


def test_an_examined_revision_cannot_take_another_transition(world):
    revision = _pending_revision(world)
    approve_revision(revision=revision, reviewer=world.users["agency_staff"])
    revision.refresh_from_db()

    with pytest.raises(ValidationError, match="« Refuser » est impossible"):
        workflow.perform(revision.reject, actor=world.users["agency_staff"], reason="Non.")

    revision.refresh_from_db()
    assert revision.status == ProfileRevision.Status.APPROVED
    assert [log.transition for log in StateLog.objects.for_(revision)] == ["approve"]


def test_only_the_agency_examines_a_revision(world):
    revision = _pending_revision(world)

    with pytest.raises(PermissionDenied):
        approve_revision(revision=revision, reviewer=world.users["organisation_admin"])

    revision.refresh_from_db()
    assert revision.status == ProfileRevision.Status.PENDING
    assert not StateLog.objects.for_(revision).exists()
    assert Organisation.objects.get(pk=world.structure.pk).phone != "0328000000"
