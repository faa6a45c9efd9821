"""The solidarity crèche: a published grid, minimal applications with their score, commission
offers by age group in score order, the AVIP share, erasure of closed files; the café counter."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from essor.core.models import AuditLogEntry
from essor.tierslieu import selectors_creche, services_creche
from essor.tierslieu.creche_models import (
    AgeGroup,
    CafeTally,
    CommissionSession,
    CrecheApplication,
    CrecheGrid,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
Status = CrecheApplication.Status


@pytest.fixture
def grid(tl):
    year = timezone.localdate().year + 1
    grid = CrecheGrid.objects.create(place=tl.place, year=year)
    for key, label, points in [
        ("commune", "Habite une commune de la CUD", 30),
        ("monoparentale", "Famille monoparentale", 20),
        ("emploi", "Parent en recherche d'emploi", 25),
        ("coworker", "Parent membre du tiers-lieu", 10),
    ]:
        services_creche.add_criterion(
            grid=grid, actor=tl.manager, key=key, label=label, points=points
        )
    services_creche.publish_grid(grid=grid, actor=tl.manager)
    tl.place.creche_places = 10
    tl.place.save()
    return grid


def _apply(tl, grid, *, months_old=12, criteria=(), avip=False, who=None, **extra):
    start = datetime.date(grid.year, 1, 15)
    birth = start - datetime.timedelta(days=int(months_old * 30.5))
    return services_creche.apply(
        place=tl.place,
        applicant=who or UserFactory(),
        child_birth_date=birth,
        wanted_start=start,
        criteria=list(criteria),
        parent_looking_for_work=avip,
        **extra,
    )


def test_the_score_is_the_sum_of_the_declared_criteria_with_its_detail(tl, grid):
    application = _apply(tl, grid, criteria=["commune", "monoparentale"])

    assert application.score == 50
    assert [item["label"] for item in application.score_detail] == [
        "Habite une commune de la CUD",
        "Famille monoparentale",
    ]
    assert application.status == Status.WAITING


def test_an_unknown_criterion_is_refused(tl, grid):
    with pytest.raises(ValidationError) as error:
        _apply(tl, grid, criteria=["commune", "piston"])
    assert "Critères inconnus de la grille : piston" in " ".join(error.value.messages)


def test_applications_wait_for_the_grid_to_be_published(tl):
    year = timezone.localdate().year + 1
    CrecheGrid.objects.create(place=tl.place, year=year)

    with pytest.raises(ValidationError) as error:
        services_creche.apply(
            place=tl.place, applicant=UserFactory(), child_birth_date=datetime.date(year - 1, 3, 1),
            wanted_start=datetime.date(year, 1, 5), criteria=[], parent_looking_for_work=False,
        )  # fmt: skip
    assert f"La grille de points {year} n'est pas encore publiée" in " ".join(error.value.messages)


def test_a_published_grid_does_not_change(tl, grid):
    with pytest.raises(ValidationError):
        services_creche.add_criterion(grid=grid, actor=tl.manager, key="x", label="X", points=5)


def test_the_disability_answer_is_kept_only_with_consent(tl, grid):
    with pytest.raises(ValidationError):
        _apply(tl, grid, disability=True, disability_consent=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        CrecheApplication.objects.filter(pk=_apply(tl, grid).pk).update(disability=True)

    consented = _apply(tl, grid, disability=True, disability_consent=True)
    assert consented.disability is True


def test_the_age_group_is_read_at_the_wished_start(tl, grid):
    assert _apply(tl, grid, months_old=6).age_group == AgeGroup.BABIES
    assert _apply(tl, grid, months_old=20).age_group == AgeGroup.MIDDLE
    assert _apply(tl, grid, months_old=31).age_group == AgeGroup.OLDER


def test_exactly_18_months_is_in_the_middle_group(tl, grid):
    start = datetime.date(grid.year, 3, 31)
    birth = datetime.date(grid.year - 2, 9, 30)  # 18 months on 31 March (no 31 September)

    assert services_creche.age_in_months(birth, start) == 18
    assert services_creche.age_group(birth, start) == AgeGroup.MIDDLE


def test_the_commission_offers_places_by_age_group_in_score_order_ties_by_date(tl, grid):
    first = _apply(tl, grid, criteria=["commune"])  # 30
    best = _apply(tl, grid, criteria=["commune", "monoparentale"])  # 50
    tie = _apply(tl, grid, criteria=["commune"])  # 30, later than `first`
    older = _apply(tl, grid, months_old=32, criteria=["commune"])
    session = CommissionSession.objects.create(
        place=tl.place, held_on=timezone.localdate(), places_babies=2, places_older=0
    )

    offers = services_creche.make_offers(session=session, actor=tl.manager)

    assert [offer.application for offer in offers] == [best, first]
    tie.refresh_from_db()
    older.refresh_from_db()
    assert (tie.status, older.status) == (Status.WAITING, Status.WAITING)
    assert selectors_creche.rank_in_waiting_list(tie) == 1


def test_a_session_offers_its_places_once(tl, grid):
    _apply(tl, grid)
    session = CommissionSession.objects.create(
        place=tl.place, held_on=timezone.localdate(), places_babies=1
    )
    services_creche.make_offers(session=session, actor=tl.manager)

    with pytest.raises(ValidationError):
        services_creche.make_offers(session=session, actor=tl.manager)


def test_acceptances_and_refusals_are_recorded_by_the_manager(tl, grid):
    accepted, declined = _apply(tl, grid, avip=True), _apply(tl, grid)
    session = CommissionSession.objects.create(
        place=tl.place, held_on=timezone.localdate(), places_babies=2
    )
    services_creche.make_offers(session=session, actor=tl.manager)
    accepted.refresh_from_db()
    declined.refresh_from_db()

    services_creche.record_answer(application=accepted, actor=tl.manager, accepted=True)
    services_creche.record_answer(application=declined, actor=tl.manager, accepted=False)

    assert (accepted.status, declined.status) == (Status.ACCEPTED, Status.DECLINED)
    assert declined.closed_at is not None
    with pytest.raises(PermissionDenied):
        services_creche.record_answer(
            application=_offered(tl, grid), actor=tl.alice.user, accepted=True
        )


def _offered(tl, grid):
    application = _apply(tl, grid)
    session = CommissionSession.objects.create(
        place=tl.place, held_on=timezone.localdate(), places_babies=1
    )
    services_creche.make_offers(session=session, actor=tl.manager)
    application.refresh_from_db()
    return application


def test_the_avip_share_alerts_below_a_fifth_of_the_places(tl, grid):
    session = CommissionSession.objects.create(
        place=tl.place, held_on=timezone.localdate(), places_babies=3
    )
    avip = _apply(tl, grid, avip=True, criteria=["emploi"])
    others = [_apply(tl, grid) for _ in range(2)]
    services_creche.make_offers(session=session, actor=tl.manager)
    for application in [avip, *others]:
        application.refresh_from_db()
        services_creche.record_answer(application=application, actor=tl.manager, accepted=True)

    share = selectors_creche.avip_share(tl.place)
    assert (share.avip, share.places, share.below) == (1, 10, True)  # 10 % < 20 %

    tl.place.creche_places = 5
    tl.place.save()
    assert selectors_creche.avip_share(tl.place).below is False  # exactly 20 %


def test_closed_files_are_erased_after_the_retention_keeping_the_figures(tl, grid):
    application = _apply(tl, grid, criteria=["monoparentale"])
    services_creche.withdraw(application=application, actor=application.applicant)
    later = timezone.now() + datetime.timedelta(days=30 * 24 + 1)

    assert services_creche.erase_closed_files(now=timezone.now()) == 0
    assert services_creche.erase_closed_files(now=later) == 1

    application.refresh_from_db()
    assert (application.applicant, application.child_birth_date, application.criteria) == (
        None,
        None,
        [],
    )
    assert (application.score, application.age_group) == (20, AgeGroup.BABIES)


def test_a_family_sees_its_score_and_another_family_does_not(client, tl, grid):
    application = _apply(tl, grid, criteria=["commune"])
    client.force_login(application.applicant)

    response = client.get(reverse("tierslieu:creche_application", args=[application.pk]))
    assert "Votre score : 30 points" in response.content.decode()

    client.force_login(UserFactory())
    response = client.get(reverse("tierslieu:creche_application", args=[application.pk]))
    assert response.status_code == 403


def test_commission_members_see_references_not_names(client, tl, grid):
    family = UserFactory(full_name="Famille Dupont-Secret")
    application = _apply(tl, grid, who=family)
    member = UserFactory()
    session = CommissionSession.objects.create(
        place=tl.place, held_on=timezone.localdate(), places_babies=1
    )
    session.commission_members.add(member)
    client.force_login(member)

    page = client.get(reverse("tierslieu:commission", args=[session.pk])).content.decode()

    assert application.reference in page
    assert "Dupont" not in page
    assert application.child_birth_date.strftime("%d/%m/%Y") not in page
    client.force_login(UserFactory())
    assert client.get(reverse("tierslieu:commission", args=[session.pk])).status_code == 403


def test_a_manager_reading_a_family_file_is_logged(client, tl, grid):
    application = _apply(tl, grid)
    client.force_login(tl.manager)

    client.get(reverse("tierslieu:creche_application", args=[application.pk]))

    assert AuditLogEntry.objects.filter(action="tierslieu.creche.read").count() == 1


def test_a_family_applies_online(client, tl, grid):
    family = UserFactory()
    client.force_login(family)
    response = client.post(
        reverse("tierslieu:creche_apply", args=[tl.place.slug]),
        {
            "child_birth_date": f"{grid.year - 1}-05-02",
            "wanted_start": f"{grid.year}-01-10",
            "criteria": ["commune", "emploi"],
            "parent_looking_for_work": "on",
        },
    )

    application = CrecheApplication.objects.get()
    assert response.status_code == 302
    assert (application.applicant, application.score, application.disability) == (family, 55, None)


def test_coffees_served_never_exceed_coffees_offered(tl):
    services_creche.record_coffees(place=tl.place, actor=tl.manager, kind="offered", quantity=3)
    services_creche.record_coffees(place=tl.place, actor=tl.manager, kind="served", quantity=2)

    with pytest.raises(ValidationError) as error:
        services_creche.record_coffees(place=tl.place, actor=tl.manager, kind="served", quantity=2)
    assert "Il n'y a que 1 café suspendu en attente." in " ".join(error.value.messages)
    tally = CafeTally.objects.get()
    assert (tally.offered, tally.served, tally.waiting) == (3, 2, 1)


def test_the_public_sees_the_coffee_counter_without_names(client, tl):
    services_creche.record_coffees(place=tl.place, actor=tl.manager, kind="offered", quantity=4)

    page = client.get(reverse("tierslieu:place", args=[tl.place.slug])).content.decode()

    assert "4</strong> cafés suspendus en attente" in page


def test_the_manager_creates_a_commission_with_its_members(client, tl):
    member = UserFactory(email="elue@example.org")
    client.force_login(tl.manager)

    response = client.post(
        reverse("tierslieu:creche_manage", args=[tl.place.slug]),
        {
            "held_on": "2027-01-20",
            "places_babies": "2",
            "places_middle": "1",
            "places_older": "0",
            "commission_members": "elue@example.org",
        },
    )

    session = CommissionSession.objects.get()
    assert response.status_code == 302
    assert (session.places_babies, list(session.commission_members.all())) == (2, [member])
    assert AuditLogEntry.objects.filter(action="tierslieu.commission.create").count() == 1


def test_a_commission_member_without_an_account_is_named_and_nothing_is_created(client, tl):
    client.force_login(tl.manager)

    response = client.post(
        reverse("tierslieu:creche_manage", args=[tl.place.slug]),
        {"held_on": "2027-01-20", "places_babies": "1", "places_middle": "0",
         "places_older": "0", "commission_members": "inconnue@example.org"},
    )  # fmt: skip

    assert "Aucun compte Essor pour : inconnue@example.org." in response.content.decode()
    assert not CommissionSession.objects.exists()


def test_the_first_criterion_creates_the_year_s_grid_and_reading_creates_nothing(client, tl):
    client.force_login(tl.manager)
    url = reverse("tierslieu:creche_grid", args=[tl.place.slug, 2030])

    client.get(url)
    assert not CrecheGrid.objects.filter(year=2030).exists()
    client.post(url, {"key": "cud", "label": "Habite la CUD", "points": "30"})

    assert CrecheGrid.objects.get(year=2030).criteria.get().points == 30
