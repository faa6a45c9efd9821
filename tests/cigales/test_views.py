"""The CIGALES pages as their users see them: content, French refusals, constant queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from essor.cigales import services
from essor.cigales.models import Contribution, Instrument
from essor.core.models import AuditLogEntry
from tests.cigales.factories import MemberFactory, active_club, save_months
from tests.cigales.helpers import agreed_project
from tests.cigales.url_access import club_of

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    client.get(url)  # the first request of a session writes it: not part of the page
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _grow(world, club, members=10, projects=3):
    """More members, months, projects and investments in the same club."""
    agent = world.users["agency_staff"]
    for _ in range(members):
        MemberFactory(club=club)
    save_months(club, agent, [datetime.date(2025, m, 1) for m in range(1, 13)], Decimal("150"))
    for _ in range(projects):
        project = agreed_project(agent, club)
        services.record_investment(
            actor=agent,
            project=project,
            instrument=Instrument.LOAN,
            amount=Decimal("100"),
            on=timezone.localdate(),
            rate_percent=Decimal("1"),
            duration_months=12,
        )


def test_the_club_page_runs_a_constant_number_of_queries(client, world):
    club = club_of(world)
    client.force_login(world.users["organisation_admin"])
    url = reverse("cigales:club", args=[club.pk])
    few = _queries(client, url)

    _grow(world, club)

    assert _queries(client, url) == few


def test_a_statement_runs_a_constant_number_of_queries(client, world):
    club = club_of(world)
    member = club.members.get(user=world.users["organisation_member"])
    client.force_login(world.users["organisation_member"])
    url = reverse("cigales:statement", args=[member.pk, timezone.localdate().year])
    few = _queries(client, url)

    _grow(world, club, projects=2)
    agent = world.users["agency_staff"]
    capital = agreed_project(agent, club)
    services.record_investment(
        actor=agent,
        project=capital,
        instrument=Instrument.SHARE_CAPITAL,
        amount=Decimal("100"),
        on=timezone.localdate(),
        capital_after=Decimal("1000"),
    )

    assert _queries(client, url) == few


def test_the_dashboard_runs_a_constant_number_of_queries(client, world):
    club_of(world)
    client.force_login(world.users["funder_instructor"])
    url = reverse("cigales:dashboard")
    few = _queries(client, url)

    _grow(world, active_club(6))

    assert _queries(client, url) == few


def test_the_club_page_shows_the_balance_a_reader_can_check(client, world):
    club = club_of(world)
    client.force_login(world.users["organisation_member"])

    page = client.get(reverse("cigales:club", args=[club.pk])).content.decode()

    # 5 members + the gérant saved 2 × 100 €, 300 € were lent.
    assert (
        "1\u202f200,00\u00a0€ + 0,00\u00a0€ = 300,00\u00a0€ + 0,00\u00a0€ + 900,00\u00a0€" in page
    )


def test_a_plain_member_is_not_offered_the_officers_actions(client, world):
    club = club_of(world)
    client.force_login(world.users["organisation_member"])

    page = client.get(reverse("cigales:club", args=[club.pk])).content.decode()

    assert reverse("cigales:member_add", args=[club.pk]) not in page


def test_a_plain_member_cannot_post_savings(client, world):
    club = club_of(world)
    client.force_login(world.users["organisation_member"])

    response = client.post(reverse("cigales:savings", args=[club.pk]), {"month": "2026-03-01"})

    assert response.status_code == 403


def test_a_month_with_one_wrong_amount_names_the_member_and_saves_nothing(client, world):
    club = club_of(world)
    client.force_login(world.users["organisation_admin"])
    members = list(services.active_members(club))
    before = Contribution.objects.count()
    month = timezone.localdate().replace(day=1).isoformat()
    data = {"month": month} | {f"member_{m.pk}": "50" for m in members}
    data[f"member_{members[1].pk}"] = "500"

    response = client.post(reverse("cigales:savings", args=[club.pk]), data)

    page = response.content.decode()
    assert "Rien n'a été enregistré" in page
    # The summary names the field once (its label), the message follows.
    assert f"{members[1].name} (€) : Un versement mensuel va de 7,50" in page
    assert Contribution.objects.count() == before


def test_an_investment_over_the_cap_is_refused_on_the_page(client, world):
    club = club_of(world)
    project = agreed_project(world.users["agency_staff"], club)
    client.force_login(world.users["organisation_admin"])

    response = client.post(
        reverse("cigales:project", args=[project.pk]),
        {
            "form": "investment",
            "instrument": Instrument.SHARE_CAPITAL,
            "amount": "400",
            "on": timezone.localdate().isoformat(),
            "capital_after": "900",
        },
    )

    page = response.content.decode()
    assert "plus du tiers" in page
    assert not project.investments.exists()


def test_reading_someone_elses_statement_is_logged(client, world):
    club = club_of(world)
    member = club.members.get(user=world.users["organisation_member"])
    client.force_login(world.users["agency_staff"])

    client.get(reverse("cigales:statement", args=[member.pk, 2026]))

    assert AuditLogEntry.objects.filter(action="cigales.statement.read").count() == 1


def test_reading_ones_own_statement_is_not_logged(client, world):
    club = club_of(world)
    member = club.members.get(user=world.users["organisation_member"])
    client.force_login(world.users["organisation_member"])

    client.get(reverse("cigales:statement", args=[member.pk, 2026]))

    assert not AuditLogEntry.objects.filter(action="cigales.statement.read").exists()


@pytest.fixture
def rendered_pdfs(monkeypatch):
    """The HTML each PDF is made of, kept for the test to read."""
    from essor.cigales import views

    pages = []
    original = views.render_pdf

    def keep(template_name, context, **options):
        pages.append(render_to_string(template_name, context))
        return original(template_name, context, **options)

    monkeypatch.setattr(views, "render_pdf", keep)
    return pages


def test_the_statement_pdf_is_titled_in_french(client, world, rendered_pdfs):
    club = club_of(world)
    member = club.members.get(user=world.users["organisation_member"])
    client.force_login(world.users["organisation_member"])

    response = client.get(reverse("cigales:statement_pdf", args=[member.pk, 2026]))

    assert response.content.startswith(b"%PDF")
    assert f"<title>Relevé 2026 — {member.name}" in rendered_pdfs[0]
    assert "Souscriptions au capital en 2026" in rendered_pdfs[0]


def test_the_minutes_list_each_vote(client, world, rendered_pdfs):
    club = club_of(world)
    meeting = club.meetings.first()
    client.force_login(world.users["organisation_member"])

    response = client.get(reverse("cigales:minutes_pdf", args=[meeting.pk]))

    assert response.content.startswith(b"%PDF")
    assert "Résultat : <strong>Adopté</strong>" in rendered_pdfs[0]
    assert rendered_pdfs[0].count("<td>Pour</td>") == 6


def test_the_public_page_shows_active_clubs_and_no_member_name(client, world):
    club = club_of(world)

    page = client.get(reverse("cigales:home")).content.decode()

    assert club.name in page
    assert club.members.first().name not in page


def test_a_club_in_creation_is_not_on_the_public_page(client, world):
    club = services.create_club(
        actor=world.users["authenticated"], data={"name": "Cigales naissantes"}, founder_name="Zoé"
    )

    page = client.get(reverse("cigales:home")).content.decode()

    assert club.name not in page


def test_a_person_creates_a_club_from_the_page(client, world):
    client.force_login(world.users["authenticated"])

    response = client.post(
        reverse("cigales:club_create"),
        {
            "name": "Cigales de Malo",
            "decision_rule": "majority",
            "quorum_percent": "50",
            "founder_name": "Paul",
            "accepts_members": "on",
        },
    )

    assert response.status_code == 302
    assert "Cigales de Malo" in client.get(reverse("cigales:my_clubs")).content.decode()


def test_the_clubs_are_reachable_from_the_navigation(client, world):
    assert f'href="{reverse("cigales:home")}"' in client.get(reverse("home")).content.decode()


def test_the_project_page_gives_each_exit_its_gain_or_loss(client, world):
    club = club_of(world)
    investment = club.investments.get()
    services.record_exit(
        actor=world.users["agency_staff"],
        investment=investment,
        kind="sale",
        on=timezone.localdate(),
        recovered=Decimal("250"),
    )
    client.force_login(world.users["organisation_member"])

    page = client.get(reverse("cigales:project", args=[investment.project_id])).content.decode()

    assert "moins-value : -50,00\u00a0€" in page


def test_the_cud_reaches_the_dashboard_from_its_space_and_a_citizen_does_not(client, world):
    url = reverse("cigales:dashboard")
    client.force_login(world.users["funder_instructor"])
    assert f'href="{url}"' in client.get(reverse("accounts:dashboard")).content.decode()

    client.force_login(world.users["authenticated"])
    assert f'href="{url}"' not in client.get(reverse("accounts:dashboard")).content.decode()
