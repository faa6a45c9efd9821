"""CIGALES clubs: citizens pooling their savings in an indivision to invest in local enterprises.

A club is not a legal entity (an « indivision volontaire », Code civil art. 1873-1): it is not an
`Organisation` of the directory; the enterprises it invests in and the regional association are.
Essor records money, it never moves it. The club's running totals are kept on the club row, in the
same transaction as each entry, so that its balance is a database constraint: the cash (what was
saved and recovered, less what was invested and handed back) is never negative.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from essor.core.formats import with_article
from essor.core.permissions import is_agency_member
from essor.core.steps import step

AMOUNT_DIGITS = 12


def positive_amount(name: str, message: str) -> models.CheckConstraint:
    """The database's refusal of an entry of zero or less (its `amount`)."""
    return models.CheckConstraint(
        condition=Q(amount__gt=0), name=name, violation_error_message=message
    )


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def amount_field(label: str, **kwargs):
    return models.DecimalField(label, max_digits=AMOUNT_DIGITS, decimal_places=2, **kwargs)


def is_officer(user, club, on: datetime.date | None = None) -> bool:
    """Whether the person holds an office of the club (gérant, trésorier, secrétaire) on `on`."""
    if not user.is_authenticated:
        return False
    on = on or timezone.localdate()
    return OfficerTerm.objects.filter(
        club=club,
        member__user=user,
        member__left_on__isnull=True,
        starts_on__lte=on,
        ends_on__gte=on,
    ).exists()


def club_officers_act(club, user) -> bool:
    """Le gérant, le trésorier et le secrétaire en fonction, et l'agence."""
    return is_agency_member(user) or is_officer(user, club)


class DecisionRule(models.TextChoices):
    MAJORITY = "majority", "Majorité simple des votants"
    TWO_THIRDS = "two_thirds", "Majorité des deux tiers des votants"
    UNANIMITY = "unanimity", "Unanimité des présents"


class Club(FSMModelMixin, models.Model):
    """A CIGALES club, from its creation to its closing."""

    class Status(models.TextChoices):
        CREATING = "creating", "En création"
        ACTIVE = "active", "Actif"
        PROROGUED = "prorogued", "Prorogé"
        MANAGING = "managing", "En gestion"
        CLOSED = "closed", "Clos"

    name = models.CharField("nom", max_length=150, unique=True)
    commune = models.ForeignKey(
        "territory.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="commune de réunion",
    )
    association = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cigales_clubs",
        verbose_name="association régionale",
    )
    status = FSMField(
        "état", max_length=16, choices=Status.choices, default=Status.CREATING, protected=True
    )
    convention_signed_on = models.DateField(
        "convention d'indivision signée le", null=True, blank=True
    )
    # The life of the indivision, set by `activate` (5 years) and `prorogue` (5 more, once).
    ends_on = models.DateField("fin de la convention", null=True, blank=True)
    prorogations = models.PositiveSmallIntegerField("prorogations", default=0)
    decision_rule = models.CharField(
        "règle de décision d'un investissement",
        max_length=16,
        choices=DecisionRule.choices,
        default=DecisionRule.MAJORITY,
    )
    quorum_percent = models.PositiveSmallIntegerField(
        "quorum (% des membres présents)",
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    presentation = models.TextField("présentation publique", blank=True)
    join_contact = models.EmailField(
        "courriel pour rejoindre le club",
        blank=True,
        help_text="Publié sur la page des clubs : une adresse du club, pas celle d'une personne.",
    )
    accepts_members = models.BooleanField("accueille de nouveaux membres", default=True)
    # Running totals, written in the same transaction as each entry (see services).
    saved = amount_field("épargne versée", default=0)
    invested = amount_field("montants investis", default=0)
    recovered = amount_field("montants récupérés", default=0)
    handed_back = amount_field("montants restitués aux membres", default=0)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "club CIGALES"
        verbose_name_plural = "clubs CIGALES"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(saved__gte=0, invested__gte=0, recovered__gte=0, handed_back__gte=0),
                name="cigales_club_totals_positive",
                violation_error_message="Les totaux du club ne peuvent pas être négatifs.",
            ),
            models.CheckConstraint(
                condition=Q(
                    saved__gte=F("invested") - F("recovered") + F("handed_back"),
                ),
                name="cigales_club_cash_not_negative",
                violation_error_message="La trésorerie du club ne peut pas devenir négative.",
            ),
            models.CheckConstraint(
                condition=Q(prorogations__lte=1),
                name="cigales_club_prorogued_once",
                violation_error_message="Un club n'est prorogé qu'une fois.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def cash(self):
        return self.saved + self.recovered - self.invested - self.handed_back

    @property
    def is_open_to_money(self) -> bool:
        """New savings and investments: only while the club is active or prorogued."""
        return self.status in (self.Status.ACTIVE, self.Status.PROROGUED)

    # --- workflow ----------------------------------------------------------------------------

    @transition(
        field="status",
        source=Status.CREATING,
        target=Status.ACTIVE,
        permission=club_officers_act,
        custom=step("cigales.club.activate", "Déclarer le club actif", "Club déclaré actif"),
    )
    def activate(self):
        """The convention is signed by 5 to 20 members (checked by the service)."""
        self.ends_on = add_years(self.convention_signed_on, settings.CIGALES_LIFE_YEARS)

    @transition(
        field="status",
        source=Status.ACTIVE,
        target=Status.PROROGUED,
        permission=club_officers_act,
        custom=step("cigales.club.prorogue", "Proroger le club", "Club prorogé"),
    )
    def prorogue(self):
        """The members vote to go on for another term, once."""
        self.ends_on = add_years(self.ends_on, settings.CIGALES_LIFE_YEARS)
        self.prorogations += 1

    @transition(
        field="status",
        source=[Status.ACTIVE, Status.PROROGUED],
        target=Status.MANAGING,
        permission=club_officers_act,
        custom=step(
            "cigales.club.manage",
            "Mettre le club en gestion",
            "Club mis en gestion (plus d'épargne ni d'investissement)",
        ),
    )
    def start_managing(self):
        """No more savings or investments: the club waits for its last exits."""

    @transition(
        field="status",
        source=Status.MANAGING,
        target=Status.CLOSED,
        permission=club_officers_act,
        custom=step("cigales.club.close", "Clore le club", "Club clos"),
    )
    def close(self):
        """Every investment has exited and the cash was handed back (checked by the service)."""


class Member(models.Model):
    """A person in the indivision. Only a name the club knows them by; an account if they have one."""

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cigales_memberships",
        verbose_name="compte Essor",
    )
    name = models.CharField("nom", max_length=150)
    joined_on = models.DateField("membre depuis le")
    left_on = models.DateField("sorti le", null=True, blank=True)
    # Each member's running total, written with the club's (see services).
    saved = amount_field("épargne versée", default=0)

    class Meta:
        verbose_name = "membre"
        ordering = ["club", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["club", "user"],
                condition=Q(user__isnull=False),
                name="cigales_member_one_account_per_club",
                violation_error_message="Ce compte est déjà membre de ce club.",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="cigales_member_leaves_after_joining",
                violation_error_message="La sortie doit suivre l'entrée dans le club.",
            ),
            models.CheckConstraint(
                condition=Q(saved__gte=0),
                name="cigales_member_saved_positive",
                violation_error_message="L'épargne d'un membre ne peut pas être négative.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_member_on(self, day: datetime.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on >= day)


class OfficerRole(models.TextChoices):
    MANAGER = "manager", "Gérant"
    TREASURER = "treasurer", "Trésorier"
    SECRETARY = "secretary", "Secrétaire"


class OfficerTerm(models.Model):
    """A member elected to an office for a term (the gérant for a year, renewable)."""

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="officer_terms")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="terms")
    role = models.CharField("fonction", max_length=16, choices=OfficerRole.choices)
    starts_on = models.DateField("début du mandat")
    ends_on = models.DateField("fin du mandat")

    class Meta:
        verbose_name = "mandat"
        ordering = ["club", "role", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="cigales_term_ordered",
                violation_error_message="La fin du mandat doit suivre son début.",
            ),
        ]
        indexes = [models.Index(fields=["club", "role", "starts_on"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()} : {self.member}"


class Contribution(models.Model):
    """One member's saving for one month: recorded only, never moved by Essor."""

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="contributions")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="contributions")
    month = models.DateField("mois", help_text="Le premier jour du mois.")
    amount = amount_field("montant")
    recorded_at = models.DateTimeField("enregistré le", auto_now_add=True)

    class Meta:
        verbose_name = "versement d'épargne"
        verbose_name_plural = "versements d'épargne"
        ordering = ["club", "month", "member"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "month"],
                name="cigales_one_contribution_per_month",
                violation_error_message="Ce membre a déjà un versement pour ce mois.",
            ),
            positive_amount("cigales_contribution_positive", "Un versement est positif."),
        ]
        indexes = [
            models.Index(fields=["club", "month"]),
            # The pole's figures add up one month range of every club (the dashboard, the open
            # data): with the amount in the index, the sum reads the index alone (benchmark:
            # 480,000 contributions, a parallel sequential scan of 50-70 ms on PostgreSQL).
            models.Index(fields=["month", "amount"], name="cigales_contribution_month"),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.month:%m/%Y}"


class Handback(models.Model):
    """Cash handed back to a member (leaving, or the club closing): recorded only."""

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="handbacks")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="handbacks")
    on = models.DateField("date")
    amount = amount_field("montant")

    class Meta:
        verbose_name = "restitution"
        ordering = ["club", "on"]
        constraints = [
            positive_amount("cigales_handback_positive", "Une restitution est positive."),
        ]

    def __str__(self) -> str:
        return f"Restitution {with_article(self.member, 'à')}"


# --- meetings ------------------------------------------------------------------------------------


class Meeting(models.Model):
    """A general meeting of the club: its agenda, who was there, and the votes."""

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="meetings")
    held_at = models.DateTimeField("date et heure")
    place = models.CharField("lieu", max_length=200, blank=True)
    is_closed = models.BooleanField("procès-verbal arrêté", default=False)
    notes = models.TextField("notes pour le procès-verbal", blank=True)

    class Meta:
        verbose_name = "réunion"
        ordering = ["club", "-held_at"]

    def __str__(self) -> str:
        return f"Réunion du {self.held_at:%d/%m/%Y}"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="attendances")

    class Meta:
        verbose_name = "présence"
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                name="cigales_attendance_once",
                violation_error_message="Ce membre est déjà noté présent.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} présent"


class AgendaItem(models.Model):
    """A point on the agenda; `is_vote` points are decided by the club's rule."""

    class Result(models.TextChoices):
        PENDING = "", "Non voté"
        ADOPTED = "adopted", "Adopté"
        REJECTED = "rejected", "Rejeté"
        NO_QUORUM = "no_quorum", "Quorum non atteint"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField("ordre", default=1)
    title = models.CharField("intitulé", max_length=200)
    is_vote = models.BooleanField("soumis au vote", default=True)
    project = models.ForeignKey(
        "Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name="projet concerné",
    )
    result = models.CharField(
        "résultat", max_length=16, choices=Result.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = "point de l'ordre du jour"
        verbose_name_plural = "points de l'ordre du jour"
        ordering = ["meeting", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class Vote(models.Model):
    class Choice(models.TextChoices):
        FOR = "for", "Pour"
        AGAINST = "against", "Contre"
        ABSTAIN = "abstain", "Abstention"

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="votes")
    choice = models.CharField("vote", max_length=8, choices=Choice.choices)

    class Meta:
        verbose_name = "vote"
        constraints = [
            models.UniqueConstraint(
                fields=["item", "member"],
                name="cigales_one_vote_per_member",
                violation_error_message="Ce membre a déjà voté sur ce point.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} : {self.get_choice_display()}"


# --- investments ---------------------------------------------------------------------------------


class Project(FSMModelMixin, models.Model):
    """An enterprise a club considers, from its presentation to the exit of its investments."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposé"
        PRESENTED = "presented", "Présenté au club"
        AGREED = "agreed", "Accord du club"
        DECLINED = "declined", "Refusé par le club"
        INVESTED = "invested", "Investi, en suivi"
        EXITED = "exited", "Sorti"

    club = models.ForeignKey(Club, on_delete=models.PROTECT, related_name="projects")
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="cigales_projects",
        verbose_name="entreprise",
    )
    status = FSMField(
        "état", max_length=16, choices=Status.choices, default=Status.PROPOSED, protected=True
    )
    summary = models.TextField("le projet en quelques lignes")
    in_priority_neighbourhood = models.BooleanField(
        "implanté dans un quartier prioritaire (QPV)", default=False
    )
    mentors = models.ManyToManyField(
        Member, blank=True, related_name="mentored_projects", verbose_name="parrains"
    )
    jobs_declared = models.PositiveSmallIntegerField(
        "emplois créés ou maintenus déclarés à l'investissement", default=0
    )
    founders_consent = models.BooleanField(
        "les porteurs consentent à la statistique de leur profil", default=False
    )
    founders_women = models.PositiveSmallIntegerField("porteuses (femmes)", null=True, blank=True)
    founders_men = models.PositiveSmallIntegerField("porteurs (hommes)", null=True, blank=True)
    founders_under_30 = models.PositiveSmallIntegerField(
        "porteurs de moins de 30 ans", null=True, blank=True
    )
    founders_job_seekers = models.PositiveSmallIntegerField(
        "porteurs demandeurs d'emploi", null=True, blank=True
    )
    # The last reminder sent to the mentors for a late follow-up (`cigales_follow_up_reminders`).
    reminded_on = models.DateField("dernier rappel de suivi", null=True, blank=True)
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)

    class Meta:
        verbose_name = "projet"
        ordering = ["club", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["club", "organisation"],
                name="cigales_one_project_per_club_and_enterprise",
                violation_error_message="Ce club suit déjà cette entreprise.",
            ),
            models.CheckConstraint(
                condition=Q(founders_consent=True)
                | Q(
                    founders_women__isnull=True,
                    founders_men__isnull=True,
                    founders_under_30__isnull=True,
                    founders_job_seekers__isnull=True,
                ),
                name="cigales_founders_profile_needs_consent",
                violation_error_message="Le profil des porteurs demande leur consentement.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.club})"

    @transition(
        field="status",
        source=Status.PROPOSED,
        target=Status.PRESENTED,
        permission=club_officers_act,
        custom=step("cigales.project.present", "Noter la présentation au club", "Projet présenté"),
    )
    def present(self):
        """The founders presented their project at a meeting."""

    @transition(
        field="status",
        source=Status.PRESENTED,
        target=Status.AGREED,
        permission=club_officers_act,
        custom=step("cigales.project.agree", "Enregistrer l'accord du club", "Accord du club"),
    )
    def agree(self):
        """An adopted vote of the club (checked by the service)."""

    @transition(
        field="status",
        source=[Status.PROPOSED, Status.PRESENTED],
        target=Status.DECLINED,
        permission=club_officers_act,
        custom=step("cigales.project.decline", "Refuser", "Projet refusé", reason=True),
    )
    def decline(self):
        """The club does not invest."""

    @transition(
        field="status",
        source=Status.AGREED,
        target=Status.INVESTED,
        custom=step("cigales.project.invest", "Investir", "Premier investissement", system=True),
    )
    def invest(self):
        """Derived: the first investment was recorded."""

    @transition(
        field="status",
        source=Status.INVESTED,
        target=Status.EXITED,
        custom=step("cigales.project.exit", "Sortir", "Toutes les sorties faites", system=True),
    )
    def exit(self):
        """Derived: every investment of the project has exited."""


class Instrument(models.TextChoices):
    SHARE_CAPITAL = "share_capital", "Parts de capital"
    CURRENT_ACCOUNT = "current_account", "Compte courant d'associé"
    PARTICIPATIVE_TITLES = "participative_titles", "Titres participatifs"
    RECOVERABLE_CONTRIBUTION = (
        "recoverable_contribution",
        "Apport avec droit de reprise (association)",
    )
    LOAN = "loan", "Prêt"


class Investment(models.Model):
    """Money the club put in the enterprise, by one instrument."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="investments")
    # The club, copied from the project, so that constraints and totals need no join.
    club = models.ForeignKey(Club, on_delete=models.PROTECT, related_name="investments")
    instrument = models.CharField("instrument", max_length=32, choices=Instrument.choices)
    on = models.DateField("date")
    amount = amount_field("montant")
    # Share capital: the enterprise's capital after the subscription, to check the caps.
    capital_after = amount_field("capital social après souscription", null=True, blank=True)
    # Loan: its terms.
    rate_percent = models.DecimalField(
        "taux annuel (%)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    duration_months = models.PositiveSmallIntegerField("durée (mois)", null=True, blank=True)

    class Meta:
        verbose_name = "investissement"
        ordering = ["club", "on", "pk"]
        constraints = [
            positive_amount("cigales_investment_positive", "Un investissement est positif."),
            models.CheckConstraint(
                condition=~Q(instrument="share_capital") | Q(capital_after__gt=0),
                name="cigales_share_capital_needs_capital",
                violation_error_message="Indiquez le capital social après la souscription.",
            ),
        ]
        indexes = [models.Index(fields=["club", "on"])]

    def __str__(self) -> str:
        return f"{self.get_instrument_display()} — {self.project.organisation}"

    @property
    def gain(self):
        """What came back less what was put in, once exited (None before)."""
        exit_record = getattr(self, "exit_record", None)
        return None if exit_record is None else exit_record.recovered - self.amount


class Leverage(models.Model):
    """Money other funders put in alongside the club (France Active, a bank, a grant)."""

    class Kind(models.TextChoices):
        SOLIDARITY_FINANCE = "solidarity_finance", "Finance solidaire (France Active…)"
        BANK = "bank", "Prêt bancaire"
        GRANT = "grant", "Subvention"
        OTHER = "other", "Autre"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="leverages")
    kind = models.CharField("nature", max_length=24, choices=Kind.choices)
    funder = models.CharField("financeur", max_length=150)
    amount = amount_field("montant")
    on = models.DateField("date")

    class Meta:
        verbose_name = "effet de levier"
        ordering = ["project", "on"]
        constraints = [
            positive_amount("cigales_leverage_positive", "Un montant levé est positif."),
        ]

    def __str__(self) -> str:
        return f"{self.funder} — {self.project}"


class FollowUp(models.Model):
    """A mentor's note on the enterprise, with the year's figures (at least once a year)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="follow_ups")
    on = models.DateField("date")
    author = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField("compte rendu")
    jobs = models.PositiveSmallIntegerField(
        "emplois créés ou maintenus à ce jour", null=True, blank=True
    )
    turnover = amount_field("chiffre d'affaires du dernier exercice", null=True, blank=True)

    class Meta:
        verbose_name = "suivi"
        ordering = ["project", "-on", "-pk"]

    def __str__(self) -> str:
        return f"Suivi du {self.on:%d/%m/%Y}"


class Exit(models.Model):
    """How an investment ended: one exit per investment (a database constraint)."""

    class Kind(models.TextChoices):
        SALE = "sale", "Cession ou rachat"
        REPAYMENT = "repayment", "Remboursement (prêt, compte courant, reprise d'apport)"
        WRITE_OFF = "write_off", "Perte (abandon de créance, dépréciation)"
        SHARES_TO_MEMBERS = "shares_to_members", "Parts remises aux membres"
        LIQUIDATION = "liquidation", "Liquidation de l'entreprise"

    investment = models.OneToOneField(
        Investment, on_delete=models.PROTECT, related_name="exit_record"
    )
    club = models.ForeignKey(Club, on_delete=models.PROTECT, related_name="exits")
    kind = models.CharField("nature", max_length=24, choices=Kind.choices)
    on = models.DateField("date")
    recovered = amount_field("montant récupéré", default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "sortie"
        ordering = ["club", "on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recovered__gte=0),
                name="cigales_exit_recovered_positive",
                violation_error_message="Le montant récupéré ne peut pas être négatif.",
            ),
        ]

    def __str__(self) -> str:
        return f"Sortie : {self.investment}"


class ExitShare(models.Model):
    """A member's part of an exit, pro rata of what they had saved when the club invested."""

    exit = models.ForeignKey(Exit, on_delete=models.CASCADE, related_name="shares")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="exit_shares")
    invested = amount_field("part de l'investissement")
    recovered = amount_field("part récupérée")

    class Meta:
        verbose_name = "part d'une sortie"
        constraints = [
            models.UniqueConstraint(
                fields=["exit", "member"],
                name="cigales_one_share_per_member_and_exit",
                violation_error_message="Ce membre a déjà sa part de cette sortie.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.exit}"

    @property
    def gain(self):
        return self.recovered - self.invested
