"""Accompaniment actions, reminders and referrals (only what the person agreed to share)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from essor.support import selectors, services
from essor.support.models import ActionKind, ConsentScope, PartnerKind
from tests.factories import sector
from tests.support.factories import ActionFactory, ProjectHolderFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def _action(**overrides):
    data = {
        "date": D(2025, 4, 2),
        "kind": ActionKind.MEETING,
        "notes": "Point sur le budget prévisionnel.",
        "next_step": "",
        "reminder_on": None,
        "partner_kind": "",
        "partner_name": "",
        "shared_fields": [],
    }
    data.update(overrides)
    return data


def test_an_action_is_added_with_its_author(world):
    holder = ProjectHolderFactory()
    action = services.add_action(holder=holder, actor=world.users["agency_staff"], data=_action())
    assert action.staff == world.users["agency_staff"]
    assert holder.actions.get() == action


def test_an_action_in_the_future_is_refused(world):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.add_action(
            holder=ProjectHolderFactory(),
            actor=world.users["agency_staff"],
            data=_action(date=tomorrow),
        )
    assert "futur" in error.value.message_dict["date"][0]


def test_an_action_before_the_first_contact_is_refused(world):
    holder = ProjectHolderFactory(first_contact_on=D(2025, 3, 10))
    with pytest.raises(ValidationError) as error:
        services.add_action(
            holder=holder, actor=world.users["agency_staff"], data=_action(date=D(2025, 1, 1))
        )
    assert "10 mars 2025" in error.value.message_dict["date"][0]


def test_a_reminder_needs_a_next_step(world):
    with pytest.raises(ValidationError) as error:
        services.add_action(
            holder=ProjectHolderFactory(),
            actor=world.users["agency_staff"],
            data=_action(reminder_on=D(2025, 5, 1)),
        )
    assert "prochaine étape" in error.value.message_dict["next_step"][0]


def test_a_referral_names_its_partner(world):
    with pytest.raises(ValidationError) as error:
        services.add_action(
            holder=ProjectHolderFactory(),
            actor=world.users["agency_staff"],
            data=_action(kind=ActionKind.REFERRAL),
        )
    assert "partenaire" in error.value.message_dict["partner_kind"][0]


def test_contact_details_are_not_shared_without_consent_to_partners(world):
    holder = ProjectHolderFactory(
        email="a@example.org", consent_on=D(2025, 1, 1), consent_scope=ConsentScope.AGENCY
    )
    with pytest.raises(ValidationError) as error:
        services.add_action(
            holder=holder,
            actor=world.users["agency_staff"],
            data=_action(
                kind=ActionKind.REFERRAL,
                partner_kind=PartnerKind.FRANCE_ACTIVE,
                shared_fields=["name", "email"],
            ),
        )
    assert "consenti" in error.value.message_dict["shared_fields"][0]


def test_the_referral_summary_holds_only_the_shared_fields(world):
    holder = ProjectHolderFactory(
        name="Élodie Martin",
        email="elodie@example.org",
        phone="0612345678",
        consent_on=D(2025, 1, 1),
        consent_scope=ConsentScope.PARTNERS,
        idea="Une épicerie solidaire.",
        sectors=[sector("alimentation-circuits-courts")],
    )
    action = services.add_action(
        holder=holder,
        actor=world.users["agency_staff"],
        data=_action(
            kind=ActionKind.REFERRAL,
            partner_kind=PartnerKind.CIGALES,
            partner_name="Club des Dunes",
            shared_fields=["idea", "email"],
        ),
    )

    summary = dict(selectors.referral_summary(action))
    text = selectors.referral_email_text(action, agency_name="Agence", staff_name="Paul")

    assert summary == {
        "Courriel": "elodie@example.org",
        "Idée de projet": "Une épicerie solidaire.",
    }
    assert "Élodie" not in text and "0612345678" not in text
    assert "Club CIGALES — Club des Dunes" in text


def test_completing_a_reminder_takes_it_off_the_caseload(world):
    staff = world.users["agency_staff"]
    holder = ProjectHolderFactory(advisor=staff)
    action = ActionFactory(holder=holder, next_step="Rappeler", reminder_on=D(2025, 5, 1))

    services.complete_reminder(action=action, actor=staff)

    assert selectors.caseload(staff)["holders"][0].reminder_on is None
    with pytest.raises(ValidationError, match="déjà faite"):
        services.complete_reminder(action=action, actor=staff)


def test_caseload_lists_due_reminders_first(world):
    staff = world.users["agency_staff"]
    calm = ProjectHolderFactory(advisor=staff, name="A calme")
    due = ProjectHolderFactory(advisor=staff, name="Z à relancer")
    ActionFactory(holder=due, next_step="Envoyer le dossier", reminder_on=D(2025, 5, 1))
    ProjectHolderFactory(advisor=world.users["agency_admin"])

    caseload = selectors.caseload(staff, today=D(2025, 6, 1))

    assert [holder.pk for holder in caseload["holders"]] == [due.pk, calm.pk]
    assert caseload["holders"][0].reminder_due
    assert caseload["due"] == 1


def test_an_action_is_corrected_with_its_changes_logged(world):
    action = ActionFactory(notes="Premier rendez-vous.")

    changes = services.update_action(
        action=action,
        actor=world.users["agency_staff"],
        data={"notes": "Premier rendez-vous, avec la banque."},
    )

    action.refresh_from_db()
    assert action.notes == "Premier rendez-vous, avec la banque."
    assert changes == {"notes": ["Premier rendez-vous.", "Premier rendez-vous, avec la banque."]}


def test_a_corrected_action_cannot_move_to_the_future(world):
    action = ActionFactory()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    with pytest.raises(ValidationError):
        services.update_action(
            action=action, actor=world.users["agency_staff"], data={"date": tomorrow}
        )
    action.refresh_from_db()
    assert action.date == D(2025, 4, 2)


def test_a_new_reminder_date_reopens_the_reminder(world):
    action = ActionFactory(
        next_step="Rappeler", reminder_on=D(2025, 5, 1), reminder_done_on=D(2025, 5, 1)
    )

    services.update_action(
        action=action, actor=world.users["agency_staff"], data={"reminder_on": D(2025, 6, 1)}
    )

    action.refresh_from_db()
    assert action.reminder_done_on is None
