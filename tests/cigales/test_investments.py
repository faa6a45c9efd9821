"""The investment pipeline: a vote, the club's cash, each instrument's cap."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from essor.cigales import services
from essor.cigales.models import Instrument, Investment, Project, Vote
from tests.cigales.factories import ProjectFactory, active_club, save_months
from tests.cigales.helpers import agreed_project, said, vote
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 6, 1)


@pytest.fixture
def agent(world):
    return world.users["agency_staff"]


@pytest.fixture
def club(agent):
    """Five members who saved 10 × 5 × 200 € = 10,000 €."""
    club = active_club(5)
    save_months(club, agent, [datetime.date(2025, m, 1) for m in range(1, 11)], Decimal("200"))
    return club


def _invest(agent, project, instrument=Instrument.LOAN, amount="1000", on=ON, **terms):
    if instrument == Instrument.LOAN:
        terms.setdefault("rate_percent", Decimal("2"))
        terms.setdefault("duration_months", 36)
    return services.record_investment(
        actor=agent, project=project, instrument=instrument, amount=Decimal(amount), on=on, **terms
    )


def test_the_club_invests_only_in_a_project_it_voted_for(agent, club):
    project = ProjectFactory(club=club)
    services.present_project(actor=agent, project=project)

    with pytest.raises(ValidationError) as error:
        services.agree_project(actor=agent, project=project)
    assert "Aucun vote adopté" in said(error)
    with pytest.raises(ValidationError) as error:
        _invest(agent, project)
    assert "qu'il a accepté par un vote" in said(error)


def test_a_rejected_vote_gives_no_agreement(agent, club):
    project = ProjectFactory(club=club)
    services.present_project(actor=agent, project=project)
    vote(agent, club, project, [Vote.Choice.AGAINST] * 5)

    with pytest.raises(ValidationError):
        services.agree_project(actor=agent, project=project)


def test_an_investment_moves_the_project_to_follow_up_and_the_cash_to_invested(agent, club):
    project = agreed_project(agent, club)

    _invest(agent, project, amount="2500")

    club.refresh_from_db()
    project.refresh_from_db()
    assert project.status == Project.Status.INVESTED
    assert (club.invested, club.cash) == (Decimal("2500"), Decimal("7500"))


def test_an_investment_over_the_cash_is_refused_to_the_cent(agent, club):
    project = agreed_project(agent, club)

    with pytest.raises(ValidationError) as error:
        _invest(agent, project, amount="10000.01")
    assert "ne dispose que de 10\u202f000,00\u00a0€" in said(error) or "10 000,00" in said(error)
    _invest(agent, project, amount="10000")


def test_share_capital_up_to_a_third_of_the_capital_to_the_cent(agent, club):
    project = agreed_project(
        agent, club, organisation=OrganisationFactory(legal_category="5499", ess_family="company")
    )

    with pytest.raises(ValidationError) as error:
        _invest(
            agent, project, Instrument.SHARE_CAPITAL, "3000.02", capital_after=Decimal("9000.03")
        )
    assert "plus du tiers" in said(error)
    assert "au plus 3\u202f000,01" in said(error)
    _invest(agent, project, Instrument.SHARE_CAPITAL, "3000.01", capital_after=Decimal("9000.03"))


def test_share_capital_counts_what_the_club_already_holds(agent, club):
    project = agreed_project(
        agent, club, organisation=OrganisationFactory(legal_category="5499", ess_family="company")
    )
    _invest(agent, project, Instrument.SHARE_CAPITAL, "2000", capital_after=Decimal("6000"))

    with pytest.raises(ValidationError) as error:
        _invest(agent, project, Instrument.SHARE_CAPITAL, "1000", capital_after=Decimal("7000"))
    assert "peut souscrire au plus 333,33" in said(error)


def test_a_scop_accepts_up_to_half_of_its_capital(agent, club):
    scop = OrganisationFactory(legal_category="5458")
    project = agreed_project(agent, club, organisation=scop)

    with pytest.raises(ValidationError) as error:
        _invest(agent, project, Instrument.SHARE_CAPITAL, "5000.01", capital_after=Decimal("10000"))
    assert "de la moitié (SCOP)" in said(error)
    _invest(agent, project, Instrument.SHARE_CAPITAL, "5000", capital_after=Decimal("10000"))


def test_a_current_account_needs_five_percent_of_the_capital(agent, club):
    project = agreed_project(
        agent, club, organisation=OrganisationFactory(legal_category="5499", ess_family="company")
    )

    with pytest.raises(ValidationError) as error:
        _invest(agent, project, Instrument.CURRENT_ACCOUNT, "500")
    assert "au moins 5 % du capital" in said(error)
    _invest(agent, project, Instrument.SHARE_CAPITAL, "499.99", capital_after=Decimal("10000"))
    with pytest.raises(ValidationError):
        _invest(agent, project, Instrument.CURRENT_ACCOUNT, "500")
    _invest(agent, project, Instrument.SHARE_CAPITAL, "0.01", capital_after=Decimal("10000"))
    _invest(agent, project, Instrument.CURRENT_ACCOUNT, "500")


def test_a_recoverable_contribution_goes_to_an_association_only(agent, club):
    company = agreed_project(
        agent, club, organisation=OrganisationFactory(legal_category="5499", ess_family="company")
    )
    association = agreed_project(
        agent,
        club,
        organisation=OrganisationFactory(legal_category="9220", ess_family="association"),
    )

    with pytest.raises(ValidationError) as error:
        _invest(agent, company, Instrument.RECOVERABLE_CONTRIBUTION, "800")
    assert "qu'à une association" in said(error)
    _invest(agent, association, Instrument.RECOVERABLE_CONTRIBUTION, "800")


def test_participative_titles_are_not_issued_by_an_association(agent, club):
    association = agreed_project(
        agent,
        club,
        organisation=OrganisationFactory(legal_category="9220", ess_family="association"),
    )

    with pytest.raises(ValidationError):
        _invest(agent, association, Instrument.PARTICIPATIVE_TITLES, "800")


def test_a_loan_needs_its_rate_and_duration(agent, club):
    project = agreed_project(agent, club)

    with pytest.raises(ValidationError) as error:
        services.record_investment(
            actor=agent, project=project, instrument=Instrument.LOAN, amount=Decimal("500"), on=ON
        )
    assert "le taux et la durée" in said(error)


def test_a_club_in_management_invests_no_more(agent, club):
    project = agreed_project(agent, club)
    services.start_managing(actor=agent, club=club)

    with pytest.raises(ValidationError):
        _invest(agent, project)
    assert not Investment.objects.exists()


def test_two_clubs_co_invest_in_one_enterprise_each_within_its_own_cap(agent, club):
    other = active_club(5)
    save_months(other, agent, [datetime.date(2025, m, 1) for m in range(1, 11)], Decimal("200"))
    enterprise = OrganisationFactory(legal_category="5499", ess_family="company")
    first = agreed_project(agent, club, organisation=enterprise)
    second = agreed_project(agent, other, organisation=enterprise)

    _invest(agent, first, Instrument.SHARE_CAPITAL, "3000", capital_after=Decimal("9000"))
    _invest(agent, second, Instrument.SHARE_CAPITAL, "3000", capital_after=Decimal("12000"))

    assert Investment.objects.filter(project__organisation=enterprise).count() == 2


def test_a_new_enterprise_is_created_in_the_directory_by_the_agency(agent, club):
    project = services.propose_project(
        actor=agent,
        club=club,
        data={"summary": "Une recyclerie."},
        new_organisation={"name": "Recyclerie du Port"},
    )

    assert project.organisation.name == "Recyclerie du Port"
    assert project.organisation.pk is not None


def test_an_officer_cannot_create_an_enterprise_in_the_directory(world):
    officer = world.users["organisation_admin"]
    club = active_club(5, officer=officer)

    with pytest.raises(ValidationError) as error:
        services.propose_project(
            actor=officer, club=club, data={"summary": "x"}, new_organisation={"name": "Nouvelle"}
        )
    assert "Seule l'agence" in said(error)


def test_founders_figures_without_consent_are_not_kept(agent, club):
    project = services.propose_project(
        actor=agent,
        club=club,
        data={"summary": "x", "founders_consent": False, "founders_women": 2},
        organisation=OrganisationFactory(),
    )

    assert project.founders_women is None


def test_an_investment_dated_before_the_savings_that_fund_it_is_refused(agent):
    club = active_club(5)
    save_months(club, agent, [datetime.date(2024, 3, 1)], Decimal("100"))
    save_months(club, agent, [datetime.date(2025, 3, 1)], Decimal("100"))
    project = agreed_project(agent, club)

    with pytest.raises(ValidationError) as error:
        _invest(agent, project, amount="900", on=datetime.date(2024, 3, 15))
    assert "500,00\u00a0€ de trésorerie le 15 mars 2024" in said(error)
    services.record_investment(
        actor=agent,
        project=project,
        instrument=Instrument.LOAN,
        amount=Decimal("900"),
        on=datetime.date(2025, 3, 15),
        rate_percent=Decimal("1"),
        duration_months=12,
    )


def test_a_backdated_investment_cannot_empty_the_cash_a_later_one_used(agent):
    club = active_club(5)
    save_months(club, agent, [datetime.date(2024, 3, 1)], Decimal("100"))
    first, second = agreed_project(agent, club), agreed_project(agent, club)
    _invest(agent, first, amount="400", on=datetime.date(2024, 9, 1))

    with pytest.raises(ValidationError):
        _invest(agent, second, amount="200", on=datetime.date(2024, 6, 1))


def test_the_follow_up_starts_with_the_investment_the_service_just_recorded(agent, club):
    project = agreed_project(agent, club)
    _invest(agent, project)

    services.record_follow_up(actor=agent, project=project, on=ON, note="Démarrage.", jobs=2)

    assert project.follow_ups.get().jobs == 2
