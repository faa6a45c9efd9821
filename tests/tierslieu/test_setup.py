"""Setting a place up: declaring it, its spaces (a tree without cycle), hours, closures, plans and
members, by its managers only."""

import datetime
import html
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from essor.tierslieu import services
from essor.tierslieu.models import Member, Place, PlanKind, SpaceKind
from tests.factories import OrganisationFactory, UserFactory, siret_for

pytestmark = pytest.mark.django_db


def _place_data(organisation):
    return {
        "name": "La Fabrique",
        "seller_siret": siret_for(organisation.siren),
        "seller_address": "2 rue de la Fabrique, 59140 Dunkerque",
    }


def test_an_organisation_admin_declares_its_place(world):
    organisation = world.structure
    place = services.create_place(
        organisation=organisation,
        actor=world.users["organisation_admin"],
        slug="la-fabrique",
        data=_place_data(organisation),
    )

    assert place.organisation == organisation
    assert services.manages_place(place, world.users["organisation_admin"])


def test_someone_else_cannot_declare_a_place_for_a_structure(world):
    with pytest.raises(PermissionDenied):
        services.create_place(
            organisation=world.structure,
            actor=world.users["organisation_member"],
            slug="la-fabrique",
            data=_place_data(world.structure),
        )
    assert not Place.objects.exists()


def test_a_structure_has_one_place(world):
    admin = world.users["organisation_admin"]
    services.create_place(
        organisation=world.structure, actor=admin, slug="a", data=_place_data(world.structure)
    )

    with pytest.raises(ValidationError) as error:
        services.create_place(
            organisation=world.structure, actor=admin, slug="b", data=_place_data(world.structure)
        )
    assert "a déjà son tiers-lieu" in " ".join(error.value.messages)


def test_a_space_cannot_be_put_inside_its_own_child(tl):
    with pytest.raises(ValidationError) as error:
        services.save_space(
            place=tl.place,
            actor=tl.manager,
            space=tl.hall,
            data={"name": "La Halle", "kind": SpaceKind.HALL, "parent": tl.room_a},
        )
    assert "« Salle Jean Bart » est contenu dans « La Halle »" in " ".join(error.value.messages)


def test_a_space_of_another_place_cannot_be_a_parent(tl):
    other = Place.objects.create(
        organisation=OrganisationFactory(), name="Autre", slug="autre",
        seller_siret=siret_for("552100554"), seller_address="Ailleurs",
    )  # fmt: skip
    foreign = services.save_space(
        place=other, actor=_admin_of(other), data={"name": "Salle", "kind": SpaceKind.MEETING_ROOM}
    )

    with pytest.raises(ValidationError):
        services.save_space(
            place=tl.place, actor=tl.manager,
            data={"name": "Annexe", "kind": SpaceKind.MEETING_ROOM, "parent": foreign},
        )  # fmt: skip


def _admin_of(place):
    from essor.accounts.models import Role
    from tests.factories import MembershipFactory

    return MembershipFactory(organisation=place.organisation, role=Role.ORGANISATION_ADMIN).user


def test_only_shared_desks_take_several_people(tl):
    room = services.save_space(
        place=tl.place, actor=tl.manager,
        data={"name": "Salle 9", "kind": SpaceKind.MEETING_ROOM, "capacity": 12},
    )  # fmt: skip

    assert room.capacity == 1


def test_overlapping_opening_periods_are_refused(tl):
    with pytest.raises(ValidationError) as error:
        services.add_opening_hours(
            place=tl.place, actor=tl.manager, weekday=0,
            opens_at=datetime.time(18), closes_at=datetime.time(21),
        )  # fmt: skip
    assert "chevauche l'ouverture existante" in " ".join(error.value.messages)

    services.add_opening_hours(
        place=tl.place, actor=tl.manager, weekday=0,
        opens_at=datetime.time(20), closes_at=datetime.time(22),
    )  # fmt: skip
    assert tl.place.opening_hours.filter(weekday=0).count() == 2


def test_a_card_without_visits_is_refused(tl):
    with pytest.raises(ValidationError):
        services.save_plan(
            place=tl.place, actor=tl.manager,
            data={"name": "Carte", "kind": PlanKind.VISIT_CARD, "price": Decimal(50), "visits": 0},
        )  # fmt: skip


def test_a_member_cannot_change_the_place(tl):
    with pytest.raises(PermissionDenied):
        services.update_place(place=tl.place, actor=tl.alice.user, data={"name": "Autre"})


def test_the_manager_adds_a_member_by_the_email_of_their_account(client, tl):
    person = UserFactory(email="nouvelle@example.org")
    client.force_login(tl.manager)

    response = client.post(
        reverse("tierslieu:member_add", args=[tl.place.slug]),
        {
            "email": "Nouvelle@Example.org",
            "billing_name": "Nouvelle Personne",
            "billing_address": "1 rue Neuve, 59140 Dunkerque",
            "joined_on": "2026-12-01",
        },
    )

    assert response.status_code == 302
    assert Member.objects.get(user=person).billing_name == "Nouvelle Personne"


def test_an_unknown_account_is_refused_in_french(client, tl):
    client.force_login(tl.manager)

    response = client.post(
        reverse("tierslieu:member_add", args=[tl.place.slug]),
        {"email": "personne@example.org", "billing_name": "X", "billing_address": "Y",
         "joined_on": "2026-12-01"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "Aucun compte Essor n'a ce courriel." in html.unescape(response.content.decode())


def test_the_manager_sells_a_plan_and_records_a_visit(client, tl):
    card = services.save_plan(
        place=tl.place, actor=tl.manager,
        data={"name": "Carte 10", "kind": PlanKind.VISIT_CARD, "price": Decimal(100), "visits": 10},
    )  # fmt: skip
    client.force_login(tl.manager)
    url = reverse("tierslieu:member", args=[tl.place.slug, tl.alice.pk])

    client.post(url, {"plan": card.pk, "starts_on": datetime.date.today().isoformat()})
    client.post(reverse("tierslieu:check_in", args=[tl.place.slug, tl.alice.pk]))

    subscription = tl.alice.subscriptions.get()
    assert subscription.visits_left == 9
