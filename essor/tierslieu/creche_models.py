"""The solidarity crèche of a third place: a published points grid per year, families' applications
with minimal data, commission sessions that offer places by age group in score order.

A family gives the child's birth date, the wished start, its commune and the grid's criteria that
apply; about health, only a yes/no on disability, and only with its consent (a database
constraint). The commission sees each file under its reference, never a name. The AVIP share
(places for children of parents looking for work) is computed over the accepted places.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin, transition

from essor.core.steps import step
from essor.tierslieu.roles import manages_place


def creche_manager(application, user) -> bool:
    """Le gestionnaire du lieu (en commission, ou sur la réponse de la famille)."""
    return manages_place(application.place, user)


def family_or_manager(application, user) -> bool:
    """La famille qui a déposé la demande, ou le gestionnaire du lieu à sa demande."""
    return application.applicant_id == user.pk or manages_place(application.place, user)


class AgeGroup(models.TextChoices):
    BABIES = "babies", "Bébés (moins de 18 mois)"
    MIDDLE = "middle", "Moyens (de 18 à 30 mois)"
    OLDER = "older", "Grands (30 mois et plus)"


class CrecheGrid(models.Model):
    """The points grid of a year: criteria with their points, published before applications."""

    place = models.ForeignKey(
        "tierslieu.Place", on_delete=models.PROTECT, related_name="creche_grids"
    )
    year = models.PositiveSmallIntegerField("année")
    published_at = models.DateTimeField("publiée le", null=True, blank=True)
    method_note = models.TextField(
        "règles de départage et d'attribution",
        default="À score égal, la demande la plus ancienne passe en premier. Les places sont "
        "proposées par tranche d'âge, à la date d'entrée souhaitée.",
    )

    class Meta:
        verbose_name = "grille de points de la crèche"
        ordering = ["place", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["place", "year"], name="tierslieu_one_grid_a_year"),
        ]

    def __str__(self):
        return f"Grille {self.year} — {self.place}"


class GridCriterion(models.Model):
    grid = models.ForeignKey(CrecheGrid, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField("code", max_length=40)
    label = models.CharField("critère", max_length=200)
    points = models.PositiveSmallIntegerField("points")
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "critère de la grille"
        ordering = ["grid", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "key"], name="tierslieu_criterion_key_unique"),
        ]

    def __str__(self):
        return f"{self.label} ({self.points} points)"


class CrecheApplication(FSMModelMixin, models.Model):
    """A family's application for a place, from the waiting list to an accepted or refused offer."""

    class Status(models.TextChoices):
        WAITING = "waiting", "En liste d'attente"
        OFFERED = "offered", "Place proposée"
        ACCEPTED = "accepted", "Place acceptée"
        DECLINED = "declined", "Place refusée"
        WITHDRAWN = "withdrawn", "Demande retirée"

    place = models.ForeignKey(
        "tierslieu.Place", on_delete=models.PROTECT, related_name="creche_applications"
    )
    grid = models.ForeignKey(CrecheGrid, on_delete=models.PROTECT, related_name="applications")
    # The family's account; emptied when the file is erased (the anonymous figures stay).
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="creche_applications",
    )
    reference = models.CharField("référence", max_length=20, unique=True)
    child_birth_date = models.DateField("date de naissance de l'enfant", null=True, blank=True)
    wanted_start = models.DateField("entrée souhaitée")
    age_group = models.CharField("tranche d'âge", max_length=8, choices=AgeGroup.choices)
    commune = models.ForeignKey(
        "territory.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="commune de résidence",
    )
    criteria = models.JSONField("critères déclarés", default=list, blank=True)
    parent_looking_for_work = models.BooleanField(
        "parent en recherche d'emploi (AVIP)", default=False
    )
    disability = models.BooleanField("enfant en situation de handicap", null=True, blank=True)
    disability_consent = models.BooleanField(
        "consentement à indiquer la situation de handicap", default=False
    )
    score = models.PositiveSmallIntegerField("score", default=0)
    score_detail = models.JSONField("calcul du score", default=list, blank=True)
    status = FSMField(
        "état", max_length=10, choices=Status.choices, default=Status.WAITING, protected=True
    )
    submitted_at = models.DateTimeField("déposée le", auto_now_add=True)
    closed_at = models.DateTimeField("close le", null=True, blank=True)
    erased_at = models.DateTimeField("données effacées le", null=True, blank=True)

    class Meta:
        verbose_name = "demande de place en crèche"
        verbose_name_plural = "demandes de place en crèche"
        ordering = ["-score", "submitted_at", "pk"]
        indexes = [
            models.Index(fields=["place", "status", "age_group"], name="tierslieu_creche_queue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(disability__isnull=True) | Q(disability_consent=True),
                name="tierslieu_disability_only_with_consent",
                violation_error_message=(
                    "La situation de handicap n'est enregistrée qu'avec le consentement de la famille."
                ),
            ),
        ]

    def __str__(self):
        return self.reference

    @transition(
        field=status,
        source=Status.WAITING,
        target=Status.OFFERED,
        permission=creche_manager,
        custom=step("tierslieu.creche.offer", "Proposer une place", "Place proposée"),
    )
    def offer(self):
        """Le gestionnaire du lieu, en commission."""

    @transition(
        field=status,
        source=Status.OFFERED,
        target=Status.ACCEPTED,
        permission=creche_manager,
        custom=step("tierslieu.creche.accept", "Enregistrer l'acceptation", "Place acceptée"),
    )
    def accept(self):
        """Le gestionnaire du lieu, sur la réponse de la famille."""

    @transition(
        field=status,
        source=Status.OFFERED,
        target=Status.DECLINED,
        permission=creche_manager,
        custom=step("tierslieu.creche.decline", "Enregistrer le refus", "Place refusée"),
    )
    def decline(self):
        """Le gestionnaire du lieu, sur la réponse de la famille."""

    @transition(
        field=status,
        source=[Status.WAITING, Status.OFFERED],
        target=Status.WITHDRAWN,
        permission=family_or_manager,
        custom=step("tierslieu.creche.withdraw", "Retirer la demande", "Demande retirée"),
    )
    def withdraw(self):
        """La famille, ou le gestionnaire à sa demande."""


class CommissionSession(models.Model):
    """A commission: places to fill by age group, the people who sit in it, the offers made."""

    place = models.ForeignKey(
        "tierslieu.Place", on_delete=models.PROTECT, related_name="commission_sessions"
    )
    held_on = models.DateField("date de la commission")
    places_babies = models.PositiveSmallIntegerField("places chez les bébés", default=0)
    places_middle = models.PositiveSmallIntegerField("places chez les moyens", default=0)
    places_older = models.PositiveSmallIntegerField("places chez les grands", default=0)
    commission_members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="creche_commissions"
    )
    offers_made_at = models.DateTimeField("places proposées le", null=True, blank=True)

    class Meta:
        verbose_name = "commission d'attribution"
        ordering = ["place", "-held_on"]

    def __str__(self):
        return f"Commission du {self.held_on:%d/%m/%Y}"

    def places_for(self, group: str) -> int:
        return {
            AgeGroup.BABIES: self.places_babies,
            AgeGroup.MIDDLE: self.places_middle,
            AgeGroup.OLDER: self.places_older,
        }[group]


class Offer(models.Model):
    session = models.ForeignKey(CommissionSession, on_delete=models.PROTECT, related_name="offers")
    application = models.ForeignKey(
        CrecheApplication, on_delete=models.PROTECT, related_name="offers"
    )
    rank = models.PositiveSmallIntegerField("rang")

    class Meta:
        verbose_name = "proposition de place"
        ordering = ["session", "application__age_group", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                name="tierslieu_one_offer_per_application",
                violation_error_message="Une place a déjà été proposée à cette demande.",
            ),
        ]

    def __str__(self):
        return f"{self.application} — rang {self.rank}"


class CafeTally(models.Model):
    """The suspended-coffee counter of a place: offered and served, never more served than offered.
    Nobody's identity is kept: the counter is public."""

    place = models.OneToOneField(
        "tierslieu.Place", on_delete=models.PROTECT, related_name="cafe_tally"
    )
    offered = models.PositiveIntegerField("cafés offerts", default=0)
    served = models.PositiveIntegerField("cafés servis", default=0)

    class Meta:
        verbose_name = "compteur des cafés suspendus"
        constraints = [
            models.CheckConstraint(
                condition=Q(served__lte=models.F("offered")),
                name="tierslieu_cafe_never_serves_more_than_offered",
                violation_error_message="Aucun café suspendu n'attend : rien à servir.",
            ),
        ]

    def __str__(self):
        return f"Cafés suspendus — {self.place}"

    @property
    def waiting(self) -> int:
        return self.offered - self.served


class CafeEntry(models.Model):
    """One line of the café's tally (for the monthly figures): how many offered or served, when."""

    class Kind(models.TextChoices):
        OFFERED = "offered", "Offerts"
        SERVED = "served", "Servis"

    place = models.ForeignKey("tierslieu.Place", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("type", max_length=8, choices=Kind.choices)
    quantity = models.PositiveSmallIntegerField("nombre")
    at = models.DateTimeField("le", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "café suspendu"
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="tierslieu_cafe_quantity"),
        ]

    def __str__(self):
        return f"{self.quantity} {self.get_kind_display().lower()}"


class FairTradeSupplier(models.Model):
    """A fair-trade supplier of the café, an organisation of the directory."""

    place = models.ForeignKey(
        "tierslieu.Place", on_delete=models.CASCADE, related_name="cafe_suppliers"
    )
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="cafe_customers"
    )
    products = models.CharField("produits", max_length=200)

    class Meta:
        verbose_name = "fournisseur équitable"
        constraints = [
            models.UniqueConstraint(
                fields=["place", "organisation"], name="tierslieu_supplier_once"
            ),
        ]

    def __str__(self):
        return str(self.organisation)
