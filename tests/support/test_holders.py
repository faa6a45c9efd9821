"""Project holders: consent for contact details, dates, duplicates."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from essor.core.models import AuditLogEntry
from essor.support import selectors, services
from essor.support.models import ConsentScope, HolderKind, Stage
from essor.territory.models import Commune
from tests.factories import sector
from tests.support.factories import ProjectHolderFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def _data(**overrides):
    data = {
        "kind": HolderKind.PERSON,
        "name": "Élodie Martin",
        "idea": "Une vélo-école pour les adultes.",
        "sectors": [sector("mobilite")],
        "commune": Commune.objects.get(insee_code="59183"),
        "in_qpv": True,
        "heard_via": "evenement",
        "advisor": None,
        "first_contact_on": D(2025, 2, 3),
        "email": "",
        "phone": "",
        "consent_on": None,
        "consent_scope": "",
    }
    data.update(overrides)
    return data


def test_create_holder_starts_at_the_idea_stage_and_is_audited(world):
    holder = services.create_holder(actor=world.users["agency_staff"], data=_data())

    assert holder.stage == Stage.IDEA
    assert list(holder.sectors.values_list("slug", flat=True)) == ["mobilite"]
    entry = AuditLogEntry.objects.get(action="support.holder.create", target_id=str(holder.pk))
    assert entry.actor == world.users["agency_staff"]


def test_contact_details_without_consent_are_refused(world):
    with pytest.raises(ValidationError) as error:
        services.create_holder(
            actor=world.users["agency_staff"], data=_data(email="elodie@example.org")
        )
    assert "consentement" in error.value.message_dict["consent_on"][0]


def test_contact_details_with_consent_are_kept(world):
    holder = services.create_holder(
        actor=world.users["agency_staff"],
        data=_data(
            email="Elodie@Example.org",
            phone="06 12 34 56 78",
            consent_on=D(2025, 2, 3),
            consent_scope=ConsentScope.AGENCY,
        ),
    )
    assert (holder.email, holder.phone_key) == ("elodie@example.org", "0612345678")


def test_first_contact_in_the_future_is_refused(world):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.create_holder(
            actor=world.users["agency_staff"], data=_data(first_contact_on=tomorrow)
        )
    assert "futur" in error.value.message_dict["first_contact_on"][0]


def test_a_holder_needs_a_sector(world):
    with pytest.raises(ValidationError):
        services.create_holder(actor=world.users["agency_staff"], data=_data(sectors=[]))


def test_update_records_the_changes(world):
    holder = ProjectHolderFactory(idea="Avant")

    changes = services.update_holder(
        holder=holder, actor=world.users["agency_staff"], data={"idea": "Après"}
    )

    assert changes == {"idea": ["Avant", "Après"]}


def test_removing_consent_requires_removing_contact_details(world):
    holder = ProjectHolderFactory(
        email="a@example.org", consent_on=D(2025, 1, 1), consent_scope=ConsentScope.AGENCY
    )
    with pytest.raises(ValidationError):
        services.update_holder(
            holder=holder, actor=world.users["agency_staff"], data={"consent_on": None}
        )


@pytest.mark.parametrize(
    ("field", "typed"),
    [("name", "ELODIE  martin"), ("email", "ELODIE@example.org"), ("phone", "+33 6 12 34 56 78")],
)
def test_possible_duplicates_by_name_and_commune_email_or_phone(field, typed):
    existing = ProjectHolderFactory(
        name="Élodie Martin",
        email="elodie@example.org",
        phone="06 12 34 56 78",
        phone_key="0612345678",
        consent_on=D(2025, 1, 1),
        consent_scope=ConsentScope.AGENCY,
    )
    dunkerque = Commune.objects.get(insee_code="59183")
    lookup = {"name": "Quelqu'un d'autre", "commune": dunkerque}
    lookup[field] = typed

    assert list(selectors.possible_duplicates(**lookup)) == [existing]


def test_same_name_in_another_commune_is_not_a_duplicate():
    ProjectHolderFactory(name="Élodie Martin")
    grande_synthe = Commune.objects.get(insee_code="59271")

    assert not selectors.possible_duplicates(name="Élodie Martin", commune=grande_synthe).exists()


def test_name_key_ignores_accents_case_and_punctuation():
    assert services.name_key("  Élodie-MARTIN ") == "elodie martin"


def test_audit_entries_keep_no_personal_values(world):
    holder = services.create_holder(actor=world.users["agency_staff"], data=_data())
    services.update_holder(
        holder=holder, actor=world.users["agency_staff"], data={"name": "Élodie Martin-Durand"}
    )

    entries = AuditLogEntry.objects.filter(target_id=str(holder.pk))
    assert "Élodie" not in str(list(entries.values_list("changes", "target_label")))
    assert entries.get(action="support.holder.update").changes["name"] == [
        services.MASKED,
        services.MASKED,
    ]


def test_erasing_keeps_the_figures_and_drops_the_personal_details(world):
    holder = ProjectHolderFactory(
        name="Élodie Martin",
        email="elodie@example.org",
        consent_on=D(2025, 1, 1),
        consent_scope=ConsentScope.PARTNERS,
        sectors=[sector("mobilite")],
    )
    action = holder.actions.create(
        date=D(2025, 4, 1),
        kind="rendez-vous",
        notes="Parle de sa santé.",
        next_step="Rappeler",
        reminder_on=D(2025, 5, 1),
    )

    services.erase_personal_data(
        holder=holder, actor=world.users["agency_admin"], reason="Demande."
    )

    holder.refresh_from_db()
    action.refresh_from_db()
    assert (holder.name, holder.email, holder.consent_on) == (services.ERASED_NAME, "", None)
    assert action.notes == "" and action.reminder_done_on is not None
    assert list(holder.sectors.values_list("slug", flat=True)) == ["mobilite"]
    assert selectors.new_holders_by_sector(2025).rows  # still counted


def test_an_erased_holder_is_no_longer_followed(world):
    holder = ProjectHolderFactory()
    services.erase_personal_data(
        holder=holder, actor=world.users["agency_admin"], reason="Demande."
    )

    with pytest.raises(ValidationError, match="effacées"):
        services.advance_stage(
            holder=holder, actor=world.users["agency_staff"], to=Stage.EMERGENCE, on=D(2025, 4, 1)
        )


def test_first_contact_cannot_move_after_the_first_action(world):
    holder = ProjectHolderFactory(first_contact_on=D(2025, 3, 10))
    holder.actions.create(date=D(2025, 3, 12), kind="rendez-vous")

    with pytest.raises(ValidationError) as error:
        services.update_holder(
            holder=holder,
            actor=world.users["agency_staff"],
            data={"first_contact_on": D(2025, 4, 1)},
        )
    assert "12 mars 2025" in error.value.message_dict["first_contact_on"][0]
