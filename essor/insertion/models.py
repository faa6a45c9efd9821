"""Work integration (IAE): SIAE profiles, yearly annexes, pseudonymised participants, their
contracts, barriers, trainings, monthly hours and exits.

A participant's name and personal details are seen by the SIAE's own staff only; everybody else
sees aggregates (`selectors.py`). `__str__` of personal objects never shows a name: the audit log
stores it as the target's label.
"""

import calendar
import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q

from essor.core.formats import long_date, month_label, round_half_up
from essor.core.validators import validate_no_nir

MAX_WEEKLY_HOURS = 48  # the legal weekly maximum (Code du travail, L3121-20)
MAX_MONTH_HOURS = Decimal("213")  # 31 days × 48 h / 7, rounded up: no month holds more


def month_capacity(month: datetime.date) -> Decimal:
    """The most hours one person can work in that calendar month (48 h a week)."""
    days = calendar.monthrange(month.year, month.month)[1]
    return round_half_up(Decimal(days) * MAX_WEEKLY_HOURS / 7, 2)


class SiaeKind(models.TextChoices):
    ACI = "ACI", "Atelier et chantier d'insertion (ACI)"
    AI = "AI", "Association intermédiaire (AI)"
    EI = "EI", "Entreprise d'insertion (EI)"
    ETTI = "ETTI", "Entreprise de travail temporaire d'insertion (ETTI)"
    EITI = "EITI", "Entreprise d'insertion par le travail indépendant (EITI)"


class Siae(models.Model):
    """The SIAE profile of an organisation of the directory."""

    organisation = models.OneToOneField(
        "directory.Organisation",
        verbose_name="structure",
        on_delete=models.CASCADE,
        related_name="siae",
    )
    kind = models.CharField("type de SIAE", max_length=4, choices=SiaeKind.choices)
    convention_reference = models.CharField(
        "référence de la convention",
        max_length=50,
        blank=True,
        validators=[validate_no_nir],
    )
    funders = models.ManyToManyField(
        "directory.Organisation",
        verbose_name="financeurs",
        related_name="funded_siaes",
        blank=True,
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "SIAE"
        verbose_name_plural = "SIAE"
        ordering = ["organisation__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SiaeKind.values),
                name="insertion_siae_kind_known",
                violation_error_message="Type de SIAE inconnu (ACI, AI, EI, ETTI ou EITI).",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name} ({self.kind})"


ANNEX_NUMBER_PATTERN = r"^(ACI|AI|EI|ETTI|EITI)[0-9]{3}[0-9]{2}[0-9]{4}A[0-9]+M[0-9]+$"
annex_number_validator = RegexValidator(
    ANNEX_NUMBER_PATTERN,
    "Numéro d'annexe attendu sous la forme ACI059170013A0M1 : type de SIAE, département sur "
    "3 chiffres, année sur 2 chiffres, numéro d'ordre sur 4 chiffres, puis A (annexe) et M "
    "(modification) suivis de leur numéro.",
)


class FinancialAnnex(models.Model):
    """The yearly annexe financière: conventioned FTE posts (monthly figure) and the aide au
    poste by co-funder. An amendment is a new annex (its number ends M1, M2…) that replaces the
    one it amends from its start date."""

    siae = models.ForeignKey(
        Siae, verbose_name="SIAE", on_delete=models.CASCADE, related_name="annexes"
    )
    number = models.CharField(
        "numéro", max_length=24, unique=True, validators=[annex_number_validator]
    )
    amends = models.ForeignKey(
        "self",
        verbose_name="avenant à l'annexe",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
    )
    start = models.DateField("début")
    end = models.DateField("fin")
    conventioned_fte = models.DecimalField(
        "ETP conventionnés (chiffre mensuel)",
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    amount_state = models.DecimalField(
        "aide au poste — État (€)", max_digits=12, decimal_places=2, default=Decimal("0")
    )
    amount_departement = models.DecimalField(
        "aide au poste — Département (€)", max_digits=12, decimal_places=2, default=Decimal("0")
    )
    amount_cud = models.DecimalField(
        "Communauté urbaine (€)", max_digits=12, decimal_places=2, default=Decimal("0")
    )
    amount_other = models.DecimalField(
        "autres financeurs (€)", max_digits=12, decimal_places=2, default=Decimal("0")
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "annexe financière"
        verbose_name_plural = "annexes financières"
        ordering = ["siae", "start", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="insertion_annex_dates_ordered",
                violation_error_message="La fin de l'annexe doit suivre son début.",
            ),
            models.CheckConstraint(
                condition=Q(conventioned_fte__gte=0),
                name="insertion_annex_fte_positive",
                violation_error_message="Le nombre d'ETP conventionnés ne peut être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(amount_state__gte=0)
                & Q(amount_departement__gte=0)
                & Q(amount_cud__gte=0)
                & Q(amount_other__gte=0),
                name="insertion_annex_amounts_positive",
                violation_error_message="Les montants ne peuvent être négatifs.",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def total_amount(self) -> Decimal:
        return self.amount_state + self.amount_departement + self.amount_cud + self.amount_other

    @property
    def months_covered(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def yearly_fte(self) -> Decimal:
        """Annual conventioned FTE = monthly figure × months covered / 12."""
        return round_half_up(self.conventioned_fte * self.months_covered / 12, 2)


class Sex(models.TextChoices):
    FEMALE = "F", "Femme"
    MALE = "M", "Homme"


class EducationLevel(models.TextChoices):
    NONE = "1-2", "Sans diplôme (niveaux 1 et 2)"
    LEVEL_3 = "3", "Niveau 3 (CAP, BEP)"
    LEVEL_4 = "4", "Niveau 4 (baccalauréat)"
    LEVEL_5 = "5", "Niveau 5 (bac + 2)"
    LEVEL_6 = "6+", "Niveau 6 et plus (licence et au-delà)"


LOW_QUALIFICATION = (EducationLevel.NONE, EducationLevel.LEVEL_3)


class Participant(models.Model):
    """A person in an IAE pathway in one SIAE, known to others by a pseudonym (`code`)."""

    siae = models.ForeignKey(
        Siae, verbose_name="SIAE", on_delete=models.CASCADE, related_name="participants"
    )
    code = models.CharField("pseudonyme", max_length=20)
    first_name = models.CharField(
        "prénom", max_length=100, blank=True, validators=[validate_no_nir]
    )
    last_name = models.CharField("nom", max_length=100, blank=True, validators=[validate_no_nir])
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField(
        "année de naissance",
        validators=[MinValueValidator(1930), MaxValueValidator(2020)],
    )
    education_level = models.CharField(
        "niveau de formation", max_length=3, choices=EducationLevel.choices
    )
    rsa = models.BooleanField("bénéficiaire du RSA", default=False)
    ass = models.BooleanField("bénéficiaire de l'ASS", default=False)
    aah = models.BooleanField("bénéficiaire de l'AAH", default=False)
    rqth = models.BooleanField("reconnaissance de travailleur handicapé (RQTH)", default=False)
    long_term_unemployed = models.BooleanField("demandeur d'emploi de longue durée", default=False)
    qpv_resident = models.BooleanField("résident d'un quartier prioritaire (QPV)", default=False)
    commune = models.ForeignKey(
        "territory.Commune",
        verbose_name="commune de résidence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    notes = models.TextField(
        "observations",
        blank=True,
        validators=[validate_no_nir],
        help_text="Le strict nécessaire au suivi du parcours ; jamais de numéro de sécurité sociale.",
    )
    # The pathway's span, kept by the services from the contracts (for the indicators' SQL):
    # the first contract's start, and the last contract's end (empty while a contract runs).
    entry_date = models.DateField("entrée", null=True, blank=True, editable=False)
    last_day = models.DateField("fin du dernier contrat", null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField("anonymisé le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "salarié en insertion"
        verbose_name_plural = "salariés en insertion"
        ordering = ["siae", "code"]
        indexes = [
            models.Index(
                fields=["siae", "entry_date", "last_day"], name="insertion_participant_span"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["siae", "code"],
                name="insertion_participant_code_unique",
                violation_error_message="Ce pseudonyme est déjà utilisé dans cette SIAE.",
            ),
            models.CheckConstraint(
                condition=Q(sex__in=Sex.values),
                name="insertion_participant_sex_known",
                violation_error_message="Sexe inconnu.",
            ),
            models.CheckConstraint(
                condition=Q(education_level__in=EducationLevel.values),
                name="insertion_participant_education_known",
                violation_error_message="Niveau de formation inconnu.",
            ),
            models.CheckConstraint(
                condition=Q(birth_year__gte=1930) & Q(birth_year__lte=2020),
                name="insertion_participant_birth_year_plausible",
                violation_error_message="Année de naissance invraisemblable.",
            ),
        ]

    def __str__(self) -> str:
        return self.code  # never the name: this label is written to the audit log

    @property
    def situation(self) -> list[str]:
        flags = [
            (self.rsa, "RSA"),
            (self.ass, "ASS"),
            (self.aah, "AAH"),
            (self.rqth, "RQTH"),
            (self.long_term_unemployed, "demandeur d'emploi de longue durée"),
            (self.qpv_resident, "résident QPV"),
        ]
        return [label for flag, label in flags if flag]

    @property
    def full_name(self) -> str:
        if self.anonymised_at:
            return "(anonymisé)"
        return f"{self.first_name} {self.last_name}".strip()


class Contract(models.Model):
    """A work contract (CDDI, mise à disposition…) under one annex of the SIAE."""

    participant = models.ForeignKey(
        Participant, verbose_name="salarié", on_delete=models.CASCADE, related_name="contracts"
    )
    annex = models.ForeignKey(
        FinancialAnnex,
        verbose_name="annexe financière",
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    start = models.DateField("début")
    end = models.DateField("fin", null=True, blank=True)
    weekly_hours = models.DecimalField(
        "heures hebdomadaires",
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(MAX_WEEKLY_HOURS)],
    )

    class Meta:
        verbose_name = "contrat"
        verbose_name_plural = "contrats"
        ordering = ["participant", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="insertion_contract_dates_ordered",
                violation_error_message="La fin du contrat doit suivre son début.",
            ),
            models.CheckConstraint(
                condition=Q(weekly_hours__gt=0) & Q(weekly_hours__lte=MAX_WEEKLY_HOURS),
                name="insertion_contract_weekly_hours_range",
                violation_error_message="La durée hebdomadaire doit être comprise entre 1 et 48 heures.",
            ),
            models.UniqueConstraint(
                fields=["participant", "start"],
                name="insertion_contract_start_unique",
                violation_error_message="Un contrat de ce salarié commence déjà à cette date.",
            ),
        ]

    def __str__(self) -> str:
        return f"Contrat de {self.participant.code} du {long_date(self.start)}"


class BarrierType(models.Model):
    """A configurable kind of barrier to employment (mobility, housing, health…)."""

    slug = models.SlugField("identifiant", max_length=40, unique=True)
    name = models.CharField("libellé", max_length=100, unique=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    is_active = models.BooleanField("proposé à la saisie", default=True)

    class Meta:
        verbose_name = "type de frein"
        verbose_name_plural = "types de freins"
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class SupportKind(models.TextChoices):
    NONE = "none", "Pas encore d'accompagnement"
    INTERNAL = "internal", "Accompagnement par la SIAE"
    EXTERNAL = "external", "Orientation vers un partenaire extérieur"


class Barrier(models.Model):
    """A barrier met by a participant, and the support given."""

    participant = models.ForeignKey(
        Participant, verbose_name="salarié", on_delete=models.CASCADE, related_name="barriers"
    )
    barrier_type = models.ForeignKey(
        BarrierType, verbose_name="frein", on_delete=models.PROTECT, related_name="+"
    )
    identified_on = models.DateField("constaté le")
    support = models.CharField(
        "accompagnement", max_length=10, choices=SupportKind.choices, default=SupportKind.NONE
    )
    resolved = models.BooleanField("levé", default=False)
    note = models.CharField("précision", max_length=255, blank=True, validators=[validate_no_nir])

    class Meta:
        verbose_name = "frein"
        verbose_name_plural = "freins"
        ordering = ["participant", "barrier_type__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "barrier_type"],
                name="insertion_barrier_unique",
                violation_error_message="Ce frein est déjà noté pour ce salarié.",
            ),
            models.CheckConstraint(
                condition=Q(support__in=SupportKind.values),
                name="insertion_barrier_support_known",
                violation_error_message="Type d'accompagnement inconnu.",
            ),
        ]

    def __str__(self) -> str:
        return f"Frein de {self.participant.code}"


class Training(models.Model):
    participant = models.ForeignKey(
        Participant, verbose_name="salarié", on_delete=models.CASCADE, related_name="trainings"
    )
    title = models.CharField("intitulé", max_length=200, validators=[validate_no_nir])
    start = models.DateField("début")
    hours = models.DecimalField(
        "heures",
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("2000"))],
    )

    class Meta:
        verbose_name = "formation"
        verbose_name_plural = "formations"
        indexes = [models.Index(fields=["start"], name="insertion_training_start")]
        ordering = ["participant", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0),
                name="insertion_training_hours_positive",
                violation_error_message="Le nombre d'heures de formation doit être positif.",
            )
        ]

    def __str__(self) -> str:
        return f"Formation de {self.participant.code}"


class ExitCategory(models.TextChoices):
    DURABLE = "durable", "Emploi durable"
    TRANSITION = "transition", "Emploi de transition"
    POSITIVE = "positive", "Sortie positive"
    OTHER = "other", "Autre sortie"
    WITHDRAWN = "withdrawn", "Retrait des sorties constatées"


DYNAMIC_EXIT_CATEGORIES = (ExitCategory.DURABLE, ExitCategory.TRANSITION, ExitCategory.POSITIVE)
COUNTED_EXIT_CATEGORIES = (*DYNAMIC_EXIT_CATEGORIES, ExitCategory.OTHER)


class Exit(models.Model):
    """The end of a participant's pathway in the SIAE."""

    participant = models.OneToOneField(
        Participant, verbose_name="salarié", on_delete=models.CASCADE, related_name="exit"
    )
    date = models.DateField("date de sortie")
    category = models.CharField("catégorie de sortie", max_length=12, choices=ExitCategory.choices)
    detail = models.CharField(
        "précision",
        max_length=200,
        blank=True,
        validators=[validate_no_nir],
        help_text="Par exemple : CDI, CDD de 8 mois, formation qualifiante…",
    )

    class Meta:
        verbose_name = "sortie"
        verbose_name_plural = "sorties"
        indexes = [models.Index(fields=["date", "category"], name="insertion_exit_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=ExitCategory.values),
                name="insertion_exit_category_known",
                violation_error_message="Catégorie de sortie inconnue.",
            )
        ]

    def __str__(self) -> str:
        return f"Sortie de {self.participant.code}"


class MonthlyHours(models.Model):
    """Hours worked by a participant in one calendar month (`month` is its first day)."""

    participant = models.ForeignKey(
        Participant, verbose_name="salarié", on_delete=models.CASCADE, related_name="hours"
    )
    siae = models.ForeignKey(
        Siae, verbose_name="SIAE", on_delete=models.CASCADE, related_name="hours"
    )
    month = models.DateField("mois")
    hours = models.DecimalField(
        "heures travaillées",
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_MONTH_HOURS)],
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "heures du mois"
        verbose_name_plural = "heures mensuelles"
        ordering = ["month"]
        # Covering index of the indicators' monthly sums (no visit to the table).
        indexes = [
            models.Index(fields=["siae", "month", "hours"], name="insertion_hours_siae_month")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "month"],
                name="insertion_hours_unique_month",
                violation_error_message="Les heures de ce mois sont déjà saisies pour ce salarié.",
            ),
            models.CheckConstraint(
                condition=Q(hours__gte=0) & Q(hours__lte=MAX_MONTH_HOURS),
                name="insertion_hours_within_a_month",
                violation_error_message=(
                    "Un mois ne peut compter plus de 213 heures de travail (48 heures par semaine)."
                ),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"Heures de {self.participant.code} ({month_label(self.month.year, self.month.month)})"
        )


def reference_yearly_hours() -> Decimal:
    """Hours of a full-time post over a year (administrative reference, 1607 by default)."""
    return Decimal(str(getattr(settings, "ESSOR_INSERTION_REFERENCE_YEARLY_HOURS", 1607)))


def retention_months() -> int:
    """Months after the exit before personal details are anonymised (24 by default)."""
    return int(getattr(settings, "ESSOR_INSERTION_RETENTION_MONTHS", 24))
