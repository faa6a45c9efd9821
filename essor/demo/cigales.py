"""Demo data of the CIGALES module: three clubs of the CUD written through the module's services,
as their officers and the agency would have entered them, month after month.

- « Cigales de la Digue » (Dunkerque), in its seventh year, prorogued: its gérant is the demo
  account `cigalier@demo.essor.fr`;
- « Cigales du Puythouck » (Grande-Synthe), four years old, two-thirds rule;
- « Cigales des Wateringues » (Coudekerque-Branche), two years old, a 60 % quorum.

Every month's savings (`record_month`), a general meeting each year, the investments (every
instrument, each voted at a meeting), the funds raised alongside, yearly follow-ups, a declined
project, a project waiting for its vote, and two exits (a sale with a gain, a write-off). The
events of each club are replayed in date order, so that the services' cash check is the one the
club had on the day.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django_fsm_log.models import StateLog

from essor.accounts.models import Role
from essor.cigales import services
from essor.cigales.models import (
    AgendaItem,
    Club,
    Contribution,
    DecisionRule,
    Exit,
    Handback,
    Instrument,
    Investment,
    Leverage,
    Member,
    OfficerRole,
    OfficerTerm,
    Project,
    Vote,
    add_years,
)
from essor.core.formats import with_article
from essor.demo.accounts import DEMO_EMAIL_DOMAIN
from essor.demo.support import FIRST_NAMES, LAST_NAMES

FOR, AGAINST, ABSTAIN = Vote.Choice.FOR, Vote.Choice.AGAINST, Vote.Choice.ABSTAIN
MEETING_HOUR = datetime.time(19)
# Monthly savings people choose (€), and how often; a few members put the minimum or much more.
USUAL_AMOUNTS = tuple(Decimal(a) for a in ("20", "25", "30", "40", "50", "60", "75", "100"))
USUAL_WEIGHTS = (14, 8, 22, 12, 20, 6, 8, 10)


@dataclass(frozen=True)
class Enterprise:
    """An enterprise of the directory's demo, by what the club needs of it."""

    key: str
    legal_category: str
    summary: str
    jobs: int
    qpv: bool = False
    # (women, men, under 30, job seekers) when the founders consented to the statistic
    founders: tuple[int, int, int, int] | None = None
    # (kind, funder, amount) raised alongside the club's first investment
    leverage: tuple[tuple[str, str, int], ...] = ()


ENTERPRISES = (
    Enterprise(
        "scop-1",
        "5458",
        "Une SCOP de rénovation énergétique qui reprend un artisan partant en "
        "retraite, avec ses quatre salariés devenus associés.",
        6,
        qpv=True,
        founders=(2, 3, 1, 1),
        leverage=(
            ("solidarity_finance", "France Active Hauts-de-France", 15000),
            ("bank", "Crédit Coopératif", 40000),
        ),
    ),
    Enterprise(
        "scop-2",
        "5458",
        "Une SCOP de maintenance de vélos et de vélos cargos pour les entreprises du port.",
        4,
        leverage=(("solidarity_finance", "France Active Hauts-de-France", 10000),),
    ),
    Enterprise(
        "scop-3",
        "5458",
        "Une SCOP de traiteur en circuits courts qui cherche à ouvrir une cuisine centrale.",
        3,
    ),
    Enterprise(
        "sarl-1",
        "5499",
        "Une petite entreprise de réemploi de mobilier de bureau, qui embauche en CDI.",
        3,
        leverage=(("bank", "Banque populaire du Nord", 20000),),
    ),
    Enterprise(
        "sarl-2",
        "5499",
        "Une boutique de vêtements de seconde main en centre-ville.",
        2,
        founders=(2, 0, 2, 1),
    ),
    Enterprise(
        "coop-1",
        "5460",
        "Une coopérative d'artisans du bâtiment qui mutualise un atelier et un camion.",
        5,
        leverage=(("grant", "Région Hauts-de-France", 6000),),
    ),
    Enterprise(
        "scic-1",
        "5710",
        "Une SCIC d'épicerie participative dont les clients sont sociétaires.",
        3,
        qpv=True,
        founders=(3, 1, 1, 2),
        leverage=(("grant", "Région Hauts-de-France", 12000),),
    ),
    Enterprise(
        "asso-1",
        "9220",
        "Une ressourcerie associative qui ouvre un second magasin.",
        8,
        founders=(1, 2, 0, 1),
        leverage=(
            ("grant", "Communauté urbaine de Dunkerque", 8000),
            ("solidarity_finance", "France Active Hauts-de-France", 5000),
        ),
    ),
    Enterprise(
        "asso-2",
        "9220",
        "Un café associatif et ludothèque au pied des immeubles.",
        2,
        qpv=True,
        leverage=(("grant", "Communauté urbaine de Dunkerque", 4000),),
    ),
    Enterprise(
        "asso-3",
        "9220",
        "Un jardin d'insertion qui achète une chambre froide.",
        4,
        qpv=True,
        leverage=(("other", "Fondation d'entreprise (mécénat)", 3000),),
    ),
    Enterprise(
        "asso-4",
        "9220",
        "Un projet de salle de sport associative jugé trop fragile par le club.",
        1,
    ),
)


@dataclass(frozen=True)
class Step:
    """One investment decided at a meeting of month `month` (counted from the club's start)."""

    month: int
    enterprise: str
    instrument: str
    amount: int
    terms: dict = field(default_factory=dict)
    against: int = 0
    abstain: int = 0


@dataclass(frozen=True)
class ClubPlan:
    name: str
    commune: str
    age_days: tuple[int, int]  # (years, days) before today the convention was signed
    members: int
    founder: tuple[str, str]  # (account local part, founder's name)
    decision_rule: str
    quorum: int
    investments: tuple[Step, ...]
    declined: tuple[int, str] | None = None  # (month, enterprise)
    pending: tuple[int, str] | None = None  # a project presented, its vote still to come
    # (month, enterprise, kind, recovered): the exit of the enterprise's share capital
    exits: tuple[tuple[int, str, str, int], ...] = ()
    prorogue_at: int | None = None  # the month of the general meeting that prorogues
    late_joiner_at: int | None = None
    overdue: str = ""  # an enterprise whose follow-up is more than a year late
    presentation: str = ""


CLUBS = (
    ClubPlan(
        name="Cigales de la Digue",
        commune="Dunkerque",
        age_days=(6, 190),
        members=12,
        founder=("cigalier", "Jérôme Deswarte"),
        decision_rule=DecisionRule.MAJORITY,
        quorum=50,
        investments=(
            Step(10, "scop-1", Instrument.SHARE_CAPITAL, 3000, {"capital_after": Decimal(10000)}),
            Step(18, "asso-1", Instrument.RECOVERABLE_CONTRIBUTION, 2500, abstain=1),
            Step(22, "scop-1", Instrument.CURRENT_ACCOUNT, 2000, against=1),
            Step(28, "sarl-1", Instrument.SHARE_CAPITAL, 1500, {"capital_after": Decimal(6000)}),
            Step(34, "coop-1", Instrument.PARTICIPATIVE_TITLES, 2000, abstain=2),
            Step(
                40,
                "asso-1",
                Instrument.LOAN,
                3000,
                {"rate_percent": Decimal("1.00"), "duration_months": 36},
            ),
            Step(
                46, "sarl-2", Instrument.SHARE_CAPITAL, 1200, {"capital_after": Decimal(4000)}, 2, 1
            ),
        ),
        declined=(31, "asso-4"),
        exits=((64, "sarl-2", Exit.Kind.WRITE_OFF, 0), (70, "sarl-1", Exit.Kind.SALE, 2100)),
        prorogue_at=60,
        late_joiner_at=14,
        overdue="coop-1",
        presentation="Des Dunkerquois qui épargnent ensemble pour les entreprises du littoral. "
        "Réunion le deuxième mardi du mois, à la Maison de quartier.",
    ),
    ClubPlan(
        name="Cigales du Puythouck",
        commune="Grande-Synthe",
        age_days=(4, 45),
        members=10,
        founder=("cigaliere.synthe", "Karima Benali"),
        decision_rule=DecisionRule.TWO_THIRDS,
        quorum=50,
        investments=(
            Step(12, "scop-1", Instrument.SHARE_CAPITAL, 2500, {"capital_after": Decimal(14000)}),
            Step(20, "asso-2", Instrument.RECOVERABLE_CONTRIBUTION, 1500, abstain=1),
            Step(27, "scop-2", Instrument.SHARE_CAPITAL, 2000, {"capital_after": Decimal(5000)}),
            Step(
                33,
                "scop-2",
                Instrument.LOAN,
                2000,
                {"rate_percent": Decimal("1.50"), "duration_months": 48},
                1,
            ),
        ),
        presentation="Un club de Grande-Synthe qui soutient les coopératives et les projets "
        "des quartiers. Nous accueillons de nouveaux membres.",
    ),
    ClubPlan(
        name="Cigales des Wateringues",
        commune="Coudekerque-Branche",
        age_days=(2, 20),
        members=7,
        founder=("cigalier.coudekerque", "Louis Ryckebusch"),
        decision_rule=DecisionRule.MAJORITY,
        quorum=60,
        investments=(
            Step(9, "scic-1", Instrument.PARTICIPATIVE_TITLES, 1000),
            Step(
                15,
                "asso-3",
                Instrument.LOAN,
                1200,
                {"rate_percent": Decimal("0"), "duration_months": 24},
                abstain=1,
            ),
        ),
        pending=(20, "scop-3"),
        presentation="Sept voisins de Coudekerque-Branche, un club tout jeune.",
    ),
)


def club_names() -> list[str]:
    return [plan.name for plan in CLUBS]


def _next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, MEETING_HOUR))


def _enterprises(ctx) -> dict:
    """The directory's demo structures the clubs invest in, by key, each used once."""
    reserved = {organisation.pk for organisation in ctx.organisations.values()}
    free = sorted(
        (o for o in ctx.structures if o.pk not in reserved),
        key=lambda o: (not o.is_active, o.siren),
    )
    chosen, used = {}, set()
    for enterprise in ENTERPRISES:
        candidates = [
            o for o in free if o.legal_category == enterprise.legal_category and o.pk not in used
        ]
        if not candidates:
            raise ValueError(
                f"Aucune structure de démonstration de catégorie {enterprise.legal_category} "
                f"pour le projet « {enterprise.key} »."
            )
        active = [o for o in candidates if o.is_active] or candidates
        organisation = active[ctx.rng.randrange(min(len(active), 4))]
        used.add(organisation.pk)
        chosen[enterprise.key] = organisation
    return chosen


class ClubStory:
    """One club replayed month by month through the services."""

    def __init__(self, ctx, plan: ClubPlan, agent, founder_user, organisations, names):
        self.ctx, self.plan, self.agent = ctx, plan, agent
        self.rng = ctx.rng
        self.today = ctx.today
        self.founder_user = founder_user
        self.organisations = organisations
        self.names = names
        years, days = plan.age_days
        self.signed_on = add_years(self.today, -years) - datetime.timedelta(days=days)
        self.months = []
        month = self.signed_on.replace(day=1)
        while month < self.today.replace(day=1):
            self.months.append(month)
            month = _next_month(month)
        self.projects: dict[str, Project] = {}
        self.investments: dict[tuple[str, str], Investment] = {}
        self.meetings = 0

    def day(self, month_index: int, day: int) -> datetime.date:
        return self.months[month_index].replace(day=day)

    # --- the club, its members and officers -----------------------------------------------------

    def create(self) -> Club:
        plan = self.plan
        commune = next(c for c in self.ctx.communes if c.name == plan.commune)
        club = services.create_club(
            actor=self.founder_user,
            data={
                "name": plan.name,
                "commune": commune,
                "convention_signed_on": self.signed_on,
                "decision_rule": plan.decision_rule,
                "quorum_percent": plan.quorum,
                "presentation": plan.presentation,
                "join_contact": f"{plan.founder[0]}.club@example.org",
                "accepts_members": plan.members < 12,
            },
            founder_name=plan.founder[1],
        )
        for _ in range(plan.members - 1):
            services.add_member(
                actor=self.agent, club=club, name=self.names.pop(), joined_on=self.signed_on
            )
        if plan.late_joiner_at is not None:
            services.add_member(
                actor=self.agent,
                club=club,
                name=self.names.pop(),
                joined_on=self.day(plan.late_joiner_at, 5),
            )
        club = services.activate_club(actor=self.agent, club=club)
        self.club = club
        self.members = list(club.members.order_by("joined_on", "pk"))
        self._officers()
        self._savers()
        return club

    def _officers(self) -> None:
        """A gérant a year, elected at each anniversary (the founder is the gérant since today,
        `create_club` made them so); a treasurer and a secretary for the convention's term."""
        founder, others = self.members[0], self.members[1:]
        start, year = self.signed_on, 0
        while start < self.today:
            end = min(add_years(start, 1) - datetime.timedelta(days=1), self.today)
            if end == self.today:
                end -= datetime.timedelta(days=1)
            if end >= start:
                manager = founder if year % 3 == 0 else others[(year * 2) % len(others)]
                self._elect(manager, OfficerRole.MANAGER, start, end)
            start, year = add_years(start, 1), year + 1
        last_day = self.club.ends_on - datetime.timedelta(days=1)
        self._elect(others[0], OfficerRole.TREASURER, self.signed_on, last_day)
        self._elect(others[1], OfficerRole.SECRETARY, self.signed_on, last_day)

    def _elect(self, member, role, starts_on, ends_on) -> OfficerTerm:
        return services.elect_officer(
            actor=self.agent,
            club=self.club,
            member=member,
            role=role,
            starts_on=starts_on,
            ends_on=ends_on,
        )

    def _savers(self) -> None:
        """Each member's habit: a usual amount, raised now and then; a few skip some months."""
        self.habit = {}
        for index, member in enumerate(self.members):
            amount = self.rng.choices(USUAL_AMOUNTS, USUAL_WEIGHTS)[0]
            if index == 3:
                amount = Decimal("7.50")  # the network's minimum
            elif index == 5:
                amount = Decimal("150")
            self.habit[member] = {
                "amount": amount,
                "raises": self.rng.random() < 0.3,
                "skips": 0.06 if self.rng.random() < 0.2 else 0,
            }

    def amounts(self, month_index: int) -> dict:
        month = self.months[month_index]
        last_day = _next_month(month) - datetime.timedelta(days=1)
        found = {}
        for member, habit in self.habit.items():
            if not (member.is_member_on(month) or member.is_member_on(last_day)):
                continue
            if habit["skips"] and self.rng.random() < habit["skips"]:
                continue
            amount = habit["amount"]
            if habit["raises"] and month_index and month_index % 12 == 0:
                habit["amount"] = amount = min(amount + Decimal(10), Decimal(450))
            found[member] = amount
        return found

    # --- meetings --------------------------------------------------------------------------------

    def meeting(self, day: datetime.date, items: list[dict], choices: dict | None = None):
        """A general meeting: most members present, the votes cast, the minutes closed.

        `choices` maps an item's position to (against, abstain) counts; the others vote for."""
        choices = choices or {}
        meeting = services.create_meeting(
            actor=self.agent,
            club=self.club,
            held_at=_at(day),
            place="Maison de quartier" if self.meetings % 3 else "Salle de la mairie annexe",
            items=items,
        )
        self.meetings += 1
        eligible = [m for m in self.members if m.is_member_on(day)]
        needed = -(-len(eligible) * max(self.club.quorum_percent, 60) // 100)
        present = self.rng.sample(eligible, self.rng.randint(needed, len(eligible)))
        services.record_attendance(actor=self.agent, meeting=meeting, members=present)
        results = []
        for item in meeting.items.order_by("position"):
            if not item.is_vote:
                continue
            against, abstain = choices.get(item.position, (0, 0))
            voters = list(present)
            self.rng.shuffle(voters)
            votes = {}
            for index, member in enumerate(voters):
                if index < against:
                    votes[member] = AGAINST
                elif index < against + abstain:
                    votes[member] = ABSTAIN
                else:
                    votes[member] = FOR
            results.append(services.record_votes(actor=self.agent, item=item, votes=votes).result)
        services.close_meeting(
            actor=self.agent,
            meeting=meeting,
            notes=f"{len(present)} membres présents sur {len(eligible)}.",
        )
        return results

    def general_meeting(self, year: int) -> None:
        day = self.day(12 * year, 20)
        items = [
            {"title": f"Rapport du gérant sur l'année {year}", "is_vote": False},
            {"title": f"Approbation des comptes de l'année {year} du club", "is_vote": True},
            {"title": "Élection du gérant pour l'année à venir", "is_vote": True},
        ]
        if self.plan.prorogue_at == 12 * year:
            items.append(
                {
                    "title": "Prorogation de la convention d'indivision pour cinq ans",
                    "is_vote": True,
                }
            )
        results = self.meeting(day, items)
        if self.plan.prorogue_at == 12 * year:
            assert results[-1] == AgendaItem.Result.ADOPTED
            self.club = services.prorogue_club(actor=self.agent, club=self.club)
            # The treasurer and the secretary are elected again for the new term.
            members = self.members
            term_start = add_years(self.signed_on, settings.CIGALES_LIFE_YEARS)
            last_day = self.club.ends_on - datetime.timedelta(days=1)
            self._elect(members[2], OfficerRole.TREASURER, term_start, last_day)
            self._elect(members[1], OfficerRole.SECRETARY, term_start, last_day)

    # --- projects and investments ------------------------------------------------------------------

    def project(self, key: str) -> Project:
        project = self.projects.get(key)
        if project is None:
            enterprise = next(e for e in ENTERPRISES if e.key == key)
            data = {
                "summary": enterprise.summary,
                "in_priority_neighbourhood": enterprise.qpv,
                "jobs_declared": enterprise.jobs,
                "founders_consent": enterprise.founders is not None,
            }
            if enterprise.founders is not None:
                women, men, young, seekers = enterprise.founders
                data |= {
                    "founders_women": women,
                    "founders_men": men,
                    "founders_under_30": young,
                    "founders_job_seekers": seekers,
                }
            project = services.propose_project(
                actor=self.agent, club=self.club, data=data, organisation=self.organisations[key]
            )
            services.present_project(actor=self.agent, project=project)
            self.projects[key] = project
        return project

    def invest(self, step: Step) -> Investment:
        project = self.project(step.enterprise)
        organisation = self.organisations[step.enterprise]
        instrument = Instrument(step.instrument)
        day = self.day(step.month, 12)
        first = project.status == Project.Status.PRESENTED
        items = []
        if first:
            items.append(
                {
                    "title": f"Présentation {with_article(organisation, 'de')} par ses porteurs",
                    "is_vote": False,
                }
            )
        items.append(
            {
                "title": f"Investir {step.amount} € ({instrument.label.lower()}) dans "
                f"{organisation}"[:200],
                "is_vote": True,
                "project": project,
            }
        )
        position = len(items)
        results = self.meeting(day, items, {position: (step.against, step.abstain)})
        assert results == [AgendaItem.Result.ADOPTED], results
        if first:
            services.agree_project(actor=self.agent, project=project)
            voters = [m for m in self.members if m.is_member_on(day)]
            mentors = self.rng.sample(voters, self.rng.choice((1, 2)))
            if self.plan.founder[0] == "cigalier" and step.enterprise == "scop-1":
                mentors = [self.members[0]]  # the demo account follows this one
            services.set_mentors(actor=self.agent, project=project, mentors=mentors)
        on = day + datetime.timedelta(days=10)
        investment = services.record_investment(
            actor=self.agent,
            project=project,
            instrument=instrument,
            amount=Decimal(step.amount),
            on=on,
            **step.terms,
        )
        self.investments[step.enterprise, step.instrument] = investment
        if first:
            enterprise = next(e for e in ENTERPRISES if e.key == step.enterprise)
            for offset, (kind, funder, amount) in enumerate(enterprise.leverage):
                services.record_leverage(
                    actor=self.agent,
                    project=project,
                    kind=kind,
                    funder=funder,
                    amount=Decimal(amount),
                    on=on + datetime.timedelta(days=15 + 20 * offset),
                )
        return investment

    def decline(self, month: int, key: str) -> None:
        project = self.project(key)
        organisation = self.organisations[key]
        voters = len([m for m in self.members if m.is_member_on(self.day(month, 12))])
        results = self.meeting(
            self.day(month, 12),
            [
                {
                    "title": f"Présentation {with_article(organisation, 'de')} par ses porteurs",
                    "is_vote": False,
                },
                {
                    "title": f"Investir dans {organisation}"[:200],
                    "is_vote": True,
                    "project": project,
                },
            ],
            {2: (voters, 0)},  # everyone present votes against
        )
        assert results == [AgendaItem.Result.REJECTED], results
        services.decline_project(
            actor=self.agent,
            project=project,
            reason="Le club a voté contre : le plan de financement reste trop fragile.",
        )

    def exit(self, month: int, key: str, kind: str, recovered: int) -> None:
        investment = self.investments[key, Instrument.SHARE_CAPITAL]
        services.record_exit(
            actor=self.agent,
            investment=investment,
            kind=kind,
            on=self.day(month, 25),
            recovered=Decimal(recovered),
        )

    def follow_ups(self) -> int:
        """A follow-up each year after the first investment, until the exit; the demo account
        writes those of the project it mentors."""
        written = 0
        for key, project in self.projects.items():
            project.refresh_from_db()
            if project.status not in (Project.Status.INVESTED, Project.Status.EXITED):
                continue
            first = project.investments.order_by("on").first().on
            exit_on = (
                project.investments.filter(exit_record__isnull=False)
                .order_by("-exit_record__on")
                .values_list("exit_record__on", flat=True)
                .first()
            )
            last = min(exit_on or self.today, self.today)
            mentors = list(project.mentors.all())
            writer = self.agent
            if mentors and mentors[0].user_id is not None:
                writer = mentors[0].user
            jobs = project.jobs_declared
            turnover = Decimal(self.rng.randrange(80, 400) * 1000)
            year = 1
            while (on := add_years(first, year) - datetime.timedelta(days=20)) < last:
                if key == self.plan.overdue and year > 1:
                    break  # its mentors have not written for over a year
                jobs = max(0, jobs + self.rng.choice((-1, 0, 1, 1, 2)))
                turnover = turnover * Decimal(self.rng.choice(("0.95", "1.05", "1.1", "1.2")))
                services.record_follow_up(
                    actor=writer,
                    project=project,
                    on=on,
                    note=self.rng.choice(FOLLOW_UP_NOTES),
                    jobs=jobs,
                    turnover=turnover.quantize(Decimal(1)),
                )
                written += 1
                year += 1
        return written

    # --- the whole story ---------------------------------------------------------------------------

    def events(self) -> dict[int, list]:
        """What happens in each month, after its savings are recorded."""
        plan = self.plan
        happens = {}
        for year in range(1, len(self.months) // 12 + 1):
            if 12 * year < len(self.months):
                happens.setdefault(12 * year, []).append((self.general_meeting, year))
        for step in plan.investments:
            happens.setdefault(step.month, []).append((self.invest, step))
        if plan.declined:
            happens.setdefault(plan.declined[0], []).append((self.decline, *plan.declined))
        for exit_plan in plan.exits:
            happens.setdefault(exit_plan[0], []).append((self.exit, *exit_plan))
        if plan.pending:
            happens.setdefault(plan.pending[0], []).append((self.project, plan.pending[1]))
        return happens

    def run(self) -> dict:
        self.create()
        happens = self.events()
        contributions = 0
        for index in range(len(self.months)):
            amounts = self.amounts(index)
            contributions += len(
                services.record_month(
                    actor=self.agent, club=self.club, month=self.months[index], amounts=amounts
                )
            )
            for action, *arguments in happens.get(index, []):
                action(*arguments)
        follow_ups = self.follow_ups()
        return {"contributions": contributions, "follow_ups": follow_ups}


FOLLOW_UP_NOTES = (
    "Visite sur place avec les porteurs : l'activité progresse, les comptes de l'exercice sont "
    "à l'équilibre.",
    "Entretien téléphonique : un nouveau client important, une embauche prévue au printemps.",
    "Réunion de suivi : la trésorerie reste tendue, le club propose une mise en relation avec "
    "l'agence.",
    "Assemblée générale de l'entreprise : le parrain y a représenté le club.",
)


def account_label(club: Club, role: str | None = None) -> str:
    """How the listing of demo accounts describes a cigalier."""
    if role:
        return f"{OfficerRole(role).label} du club CIGALES « {club.name} »"
    return f"Membre du club CIGALES « {club.name} »"


def cigalier_labels(users) -> dict[int, list[str]]:
    """{user id: what they are in CIGALES clubs today}, for `manage.py demo_accounts`."""
    today = timezone.localdate()
    labels = {}
    for member in (
        Member.objects.filter(user__in=users, left_on__isnull=True)
        .select_related("club")
        .prefetch_related("terms")
        .order_by("club__name")
    ):
        roles = sorted(
            (t.role for t in member.terms.all() if t.starts_on <= today <= t.ends_on),
            key=OfficerRole.values.index,
        )
        labels.setdefault(member.user_id, []).append(
            account_label(member.club, roles[0] if roles else None)
        )
    return labels


def load(ctx) -> str:
    agent = ctx.users.get(f"equipe.agence@{DEMO_EMAIL_DOMAIN}") or ctx.demo_user(
        "equipe.agence", "Équipe de l'agence (démo)", ctx.organisations["agency"], Role.AGENCY_STAFF
    )
    organisations = _enterprises(ctx)
    founders = {plan.founder[1] for plan in CLUBS}
    names = sorted({f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES} - founders)
    ctx.rng.shuffle(names)
    totals = {"contributions": 0, "follow_ups": 0}
    clubs = []
    for plan in CLUBS:
        local_part, founder_name = plan.founder
        user = ctx.demo_user(local_part, f"{founder_name} (cigales, démo)")
        story = ClubStory(ctx, plan, agent, user, organisations, names)
        for key, value in story.run().items():
            totals[key] += value
        clubs.append(story.club)
        label = account_label(story.club, OfficerRole.MANAGER)
        ctx.accounts[:] = [
            (email, label if email == user.email else text, full_name)
            for email, text, full_name in ctx.accounts
        ]
    members = sum(club.members.count() for club in clubs)
    return (
        f"CIGALES : {len(clubs)} clubs (dont un prorogé), {members} membres, "
        f"{totals['contributions']} versements mensuels, {Investment.objects.count()} "
        f"investissements, {Exit.objects.count()} sorties, {totals['follow_ups']} suivis"
    )


def remove() -> None:
    """Deletes the demo clubs and everything recorded in them (their transition log too: it
    points at rows by id, and SQLite reuses the highest id)."""
    clubs = Club.objects.filter(name__in=club_names())
    projects = Project.objects.filter(club__in=clubs)
    for rows in (projects, clubs):
        StateLog.objects.filter(
            content_type=ContentType.objects.get_for_model(rows.model),
            object_id__in=list(rows.values_list("pk", flat=True)),
        ).delete()
    Exit.objects.filter(club__in=clubs).delete()
    Investment.objects.filter(club__in=clubs).delete()
    Leverage.objects.filter(project__in=projects).delete()
    projects.delete()
    Contribution.objects.filter(club__in=clubs).delete()
    Handback.objects.filter(club__in=clubs).delete()
    clubs.delete()
