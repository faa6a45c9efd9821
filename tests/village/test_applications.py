"""The exhibitors' call: a draft, its submission, the agency's grid and decision, the stand."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from essor.core.models import AuditLogEntry
from essor.core.notifications import Notification
from essor.village import selectors, services
from essor.village.models import ExhibitorApplication
from tests.factories import OrganisationFactory
from tests.village.factories import (
    ApplicationFactory,
    CriterionFactory,
    EditionFactory,
    StandFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db

Status = ExhibitorApplication.Status
DRAFT = {
    "contact_name": "Camille Martin",
    "contact_email": "camille@example.org",
    "animation_title": "Atelier vélo",
    "animation": "Réparer une crevaison.",
}


@pytest.fixture
def open_edition(settings):
    today = datetime.date.today()
    return EditionFactory(
        starts_on=today + datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=61),
        call_closes_on=today + datetime.timedelta(days=10),
    )


def _submitted(world, edition, **kwargs):
    application = services.start_application(
        edition=edition,
        organisation=world.structure,
        actor=world.users["organisation_admin"],
        data=DRAFT | kwargs,
    )
    return services.submit_application(
        application=application, actor=world.users["organisation_admin"]
    )


def test_a_structures_admin_saves_a_draft_then_submits_it(world, open_edition):
    application = services.start_application(
        edition=open_edition,
        organisation=world.structure,
        actor=world.users["organisation_admin"],
        data={"contact_name": "Camille Martin", "contact_email": "camille@example.org"},
    )
    assert application.status == Status.DRAFT

    with pytest.raises(ValidationError, match="titre de l'animation, l'animation proposée"):
        services.submit_application(
            application=application, actor=world.users["organisation_admin"]
        )

    services.update_application(
        application=application, actor=world.users["organisation_admin"], data=DRAFT
    )
    services.submit_application(application=application, actor=world.users["organisation_admin"])
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.submitted_at is not None
    assert Notification.objects.filter(user=world.users["agency_admin"]).exists()


def test_a_member_who_is_not_admin_cannot_make_the_structure_apply(world, open_edition):
    with pytest.raises(PermissionDenied):
        services.start_application(
            edition=open_edition,
            organisation=world.structure,
            actor=world.users["organisation_member"],
            data=DRAFT,
        )


def test_another_structures_admin_cannot_apply_for_it(world, open_edition):
    with pytest.raises(PermissionDenied):
        services.start_application(
            edition=open_edition,
            organisation=world.other_structure,
            actor=world.users["organisation_admin"],
            data=DRAFT,
        )


def test_no_application_once_the_call_is_closed(world):
    closed = EditionFactory(
        call_closes_on=datetime.date.today() - datetime.timedelta(days=1),
        starts_on=datetime.date.today() + datetime.timedelta(days=5),
        ends_on=datetime.date.today() + datetime.timedelta(days=5),
    )
    with pytest.raises(ValidationError, match="est clos depuis le"):
        services.start_application(
            edition=closed,
            organisation=world.structure,
            actor=world.users["organisation_admin"],
            data=DRAFT,
        )


def test_a_structure_applies_once_per_edition(world, open_edition):
    _submitted(world, open_edition)
    with pytest.raises(ValidationError, match="a déjà une candidature pour cette édition"):
        services.start_application(
            edition=open_edition,
            organisation=world.structure,
            actor=world.users["organisation_admin"],
            data=DRAFT,
        )


def test_a_submitted_application_is_no_longer_edited(world, open_edition):
    application = _submitted(world, open_edition)
    with pytest.raises(ValidationError, match="ne se modifie plus"):
        services.update_application(
            application=application, actor=world.users["organisation_admin"], data=DRAFT
        )


def test_a_refusal_needs_a_reason_and_reaches_the_structure_by_e_mail(world, open_edition):
    application = _submitted(world, open_edition)
    mail.outbox.clear()
    with pytest.raises(ValidationError):
        services.decide(
            application=application, actor=world.users["agency_staff"], decision="reject"
        )
    application.refresh_from_db()
    services.decide(
        application=application,
        actor=world.users["agency_staff"],
        decision="reject",
        reason="Trop de stands de réemploi cette année.",
    )
    application.refresh_from_db()
    assert application.status == Status.REJECTED
    assert application.reason == "Trop de stands de réemploi cette année."
    assert Notification.objects.filter(
        user=world.users["organisation_admin"], message__contains="Trop de stands"
    ).exists()


def test_only_the_agency_decides(world, open_edition):
    application = _submitted(world, open_edition)
    with pytest.raises(PermissionDenied):
        services.decide(
            application=application, actor=world.users["organisation_admin"], decision="accept"
        )


def test_the_weighted_score_orders_the_applications(world, open_edition):
    sector_mix = CriterionFactory(edition=open_edition, label="Diversité des secteurs", weight=3)
    first_time = CriterionFactory(edition=open_edition, label="Première participation", weight=1)
    mine = _submitted(world, open_edition)
    other = ApplicationFactory(edition=open_edition, status=Status.SUBMITTED)
    services.mark(
        application=mine,
        actor=world.users["agency_staff"],
        marks={sector_mix.pk: 1, first_time.pk: 3},
    )  # 3 + 3 = 6
    services.mark(
        application=other,
        actor=world.users["agency_staff"],
        marks={sector_mix.pk: 3, first_time.pk: 0},
    )  # 9

    ranked = list(selectors.applications_for_review(open_edition))

    assert [(a.pk, a.score) for a in ranked] == [(other.pk, 9), (mine.pk, 6)]
    assert selectors.best_score([sector_mix, first_time]) == 12


def test_a_mark_outside_the_scale_is_refused_naming_the_criterion(world, open_edition):
    criterion = CriterionFactory(edition=open_edition, label="Quartier prioritaire")
    application = _submitted(world, open_edition)
    with pytest.raises(ValidationError, match="Quartier prioritaire : une note va de 0 à 3"):
        services.mark(
            application=application, actor=world.users["agency_staff"], marks={criterion.pk: 4}
        )


def test_an_accepted_exhibitor_gets_a_stand_that_offers_what_it_needs(world, open_edition):
    application = _submitted(world, open_edition, needs_power=True)
    services.decide(application=application, actor=world.users["agency_staff"], decision="accept")
    dark = StandFactory(zone=ZoneFactory(edition=open_edition), has_power=False)
    powered = StandFactory(zone=dark.zone, has_power=True)

    with pytest.raises(
        ValidationError, match="n'offre pas ce dont l'exposant a besoin : l'électricité"
    ):
        services.allocate_stand(
            application=application, stand=dark, actor=world.users["agency_staff"]
        )
    services.allocate_stand(
        application=application, stand=powered, actor=world.users["agency_staff"]
    )

    application.refresh_from_db()
    assert application.stand == powered
    assert AuditLogEntry.objects.filter(action="village.application.allocate_stand").count() == 1


def test_a_stand_is_not_given_twice(world, open_edition):
    stand = StandFactory(zone=ZoneFactory(edition=open_edition))
    first = ApplicationFactory(edition=open_edition, status=Status.ACCEPTED)
    second = ApplicationFactory(edition=open_edition, status=Status.ACCEPTED)
    services.allocate_stand(application=first, stand=stand, actor=world.users["agency_staff"])
    with pytest.raises(ValidationError, match="est déjà attribué à un autre exposant"):
        services.allocate_stand(application=second, stand=stand, actor=world.users["agency_staff"])


def test_a_stand_of_another_edition_is_refused(world, open_edition):
    application = ApplicationFactory(edition=open_edition, status=Status.ACCEPTED)
    elsewhere = StandFactory()
    with pytest.raises(ValidationError, match="appartient à une autre édition"):
        services.allocate_stand(
            application=application, stand=elsewhere, actor=world.users["agency_staff"]
        )


def test_a_submitted_application_gets_no_stand(world, open_edition):
    application = ApplicationFactory(edition=open_edition, status=Status.SUBMITTED)
    stand = StandFactory(zone=ZoneFactory(edition=open_edition))
    with pytest.raises(ValidationError, match="Seule une candidature acceptée reçoit un stand"):
        services.allocate_stand(
            application=application, stand=stand, actor=world.users["agency_staff"]
        )


def test_the_database_refuses_a_stand_for_an_application_not_accepted(open_edition):
    stand = StandFactory(zone=ZoneFactory(edition=open_edition))
    with pytest.raises(IntegrityError):
        ApplicationFactory(edition=open_edition, status=Status.SUBMITTED, stand=stand)


def test_the_exhibitor_confirms_then_withdraws_and_its_stand_is_freed(world, open_edition):
    application = _submitted(world, open_edition)
    services.decide(application=application, actor=world.users["agency_staff"], decision="accept")
    stand = StandFactory(zone=ZoneFactory(edition=open_edition))
    services.allocate_stand(application=application, stand=stand, actor=world.users["agency_staff"])
    application.refresh_from_db()
    services.confirm(application=application, actor=world.users["organisation_admin"])
    services.withdraw(
        application=application,
        actor=world.users["organisation_admin"],
        reason="Bénévoles indisponibles.",
    )

    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    assert application.stand is None
    assert list(selectors.free_stands(open_edition)) == [stand]


def test_the_agency_cannot_confirm_for_the_exhibitor(world, open_edition):
    application = ApplicationFactory(
        edition=open_edition, organisation=world.structure, status=Status.ACCEPTED
    )
    with pytest.raises(PermissionDenied):
        services.confirm(application=application, actor=world.users["agency_staff"])


def test_a_zone_of_another_edition_is_not_a_preference(world, open_edition):
    elsewhere = ZoneFactory()
    with pytest.raises(ValidationError, match="Cette zone appartient à une autre édition"):
        services.start_application(
            edition=open_edition,
            organisation=world.structure,
            actor=world.users["organisation_admin"],
            data=DRAFT | {"preferred_zone": elsewhere},
        )


def test_a_stand_outside_the_plan_is_refused(world):
    edition = EditionFactory(plan_width=20, plan_height=10)
    stand = StandFactory.build(zone=ZoneFactory(edition=edition), edition=edition, x=18, width=3)
    with pytest.raises(ValidationError, match="déborde du plan"):
        services.add_stand(stand=stand, actor=world.users["agency_staff"])


def test_the_plan_shows_only_accepted_exhibitors(open_edition):
    zone = ZoneFactory(edition=open_edition)
    shown, hidden = StandFactory(zone=zone), StandFactory(zone=zone)
    ApplicationFactory(
        edition=open_edition,
        status=Status.CONFIRMED,
        stand=shown,
        organisation=OrganisationFactory(name="La Ressourcerie"),
    )
    del hidden

    placed = {p.stand.number: p.exhibitor for p in selectors.plan(open_edition)}

    assert sorted(placed.values()) == ["", "La Ressourcerie"]


def test_an_edition_of_more_than_two_weeks_is_a_typing_error(world):
    edition = EditionFactory.build(
        starts_on=datetime.date(2027, 6, 12),
        ends_on=datetime.date(9999, 12, 31),
        call_closes_on=datetime.date(2027, 5, 1),
    )
    with pytest.raises(ValidationError, match="Un Village dure au plus 14 jours"):
        services.save_edition(edition=edition, actor=world.users["agency_staff"])
