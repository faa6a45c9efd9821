"""Third places (tiers-lieux): spaces booked by the slot, members and their plans, invoices.

A third place is an `Organisation` of the directory (its administrators manage it). Its spaces form
a tree (a hall holds two meeting rooms): booking a space blocks its ancestors and descendants for
the same time. A booking of an exclusive space never overlaps another one: on PostgreSQL an
exclusion constraint (btree_gist, migration 0002) says so; on SQLite, and for the tree and the
hot-desk capacity on both, the booking service checks inside a transaction that holds the place's
row lock (SQLite's transactions are IMMEDIATE: one writer at a time).

Invoices are numbered per place and year without gaps (the number is allocated in the transaction
that writes the invoice), never changed once issued (a database trigger refuses updates, a credit
note corrects them), and each carries the hash of the previous one, so that tampering shows.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django_fsm import FSMField, FSMModelMixin, transition

from essor.core.steps import step
from essor.tierslieu.roles import manages_place

AMOUNT_DIGITS = 12


def amount_field(label: str, **kwargs):
    return models.DecimalField(label, max_digits=AMOUNT_DIGITS, decimal_places=2, **kwargs)


def grant_manager(grant, user) -> bool:
    """Le gestionnaire du lieu (un administrateur de sa structure)."""
    return manages_place(grant.member.place, user)


def booker_or_manager(booking, user) -> bool:
    """Le membre qui a réservé, ou le gestionnaire du lieu."""
    return booking._may_cancel(user)


class VatRegime(models.TextChoices):
    FRANCHISE = "franchise", "Franchise en base (TVA non applicable, art. 293 B du CGI)"
    EXEMPT_261 = "exempt_261", "Exonération (art. 261 du CGI)"
    STANDARD = "standard", "TVA au taux indiqué"


class Place(models.Model):
    """A third place of the territory, run by an organisation of the directory."""

    organisation = models.OneToOneField(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="third_place",
        verbose_name="structure gestionnaire",
    )
    name = models.CharField("nom du lieu", max_length=150)
    slug = models.SlugField("identifiant", max_length=80, unique=True)
    commune = models.ForeignKey(
        "territory.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="commune",
    )
    address = models.CharField("adresse", max_length=255, blank=True)
    presentation = models.TextField("présentation publique", blank=True)
    is_public = models.BooleanField("disponibilités publiées", default=True)
    # Cancellation rule: free until `cancellation_hours` before the start, then a fee.
    cancellation_hours = models.PositiveSmallIntegerField(
        "annulation gratuite jusqu'à (heures avant le début)", default=24
    )
    late_cancellation_fee_percent = models.PositiveSmallIntegerField(
        "frais d'annulation tardive (% du prix)",
        default=50,
        validators=[MaxValueValidator(100)],
    )
    # Invoicing: the seller's mentions and VAT regime.
    invoice_prefix = models.CharField("préfixe des factures", max_length=10, default="F")
    vat_regime = models.CharField(
        "régime de TVA", max_length=16, choices=VatRegime.choices, default=VatRegime.STANDARD
    )
    vat_rate = models.DecimalField(
        "taux de TVA (%)", max_digits=4, decimal_places=2, default=20,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    payment_days = models.PositiveSmallIntegerField("délai de paiement (jours)", default=30)
    late_penalty_rate = models.CharField(
        "taux des pénalités de retard",
        max_length=120,
        default="trois fois le taux d'intérêt légal",
    )
    seller_siret = models.CharField("SIRET du vendeur", max_length=14)
    seller_address = models.CharField("adresse du vendeur", max_length=255)
    seller_vat_number = models.CharField("n° de TVA intracommunautaire", max_length=20, blank=True)
    creche_places = models.PositiveSmallIntegerField("places de la crèche", default=0)
    # Retention of the crèche's files once a family's application is closed (months).
    creche_retention_months = models.PositiveSmallIntegerField(
        "conservation des dossiers de la crèche (mois)", default=24
    )

    class Meta:
        verbose_name = "tiers-lieu"
        verbose_name_plural = "tiers-lieux"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seller_siret__regex=r"^[0-9]{14}$"),
                name="tierslieu_place_siret_14_digits",
                violation_error_message="Le SIRET du vendeur compte 14 chiffres.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def vat_applies(self) -> bool:
        return self.vat_regime == VatRegime.STANDARD

    @property
    def vat_mention(self) -> str:
        if self.vat_regime == VatRegime.FRANCHISE:
            return "TVA non applicable, art. 293 B du CGI"
        if self.vat_regime == VatRegime.EXEMPT_261:
            return "Exonération de TVA, art. 261 du CGI"
        return ""


class OpeningHours(models.Model):
    """One opening period of a weekday (a place may open twice a day)."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(
        "jour",
        choices=[
            (0, "lundi"), (1, "mardi"), (2, "mercredi"), (3, "jeudi"), (4, "vendredi"),
            (5, "samedi"), (6, "dimanche"),
        ],
    )  # fmt: skip
    opens_at = models.TimeField("ouverture")
    closes_at = models.TimeField("fermeture")

    class Meta:
        verbose_name = "horaire d'ouverture"
        verbose_name_plural = "horaires d'ouverture"
        ordering = ["weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="tierslieu_opening_closes_after_opening",
                violation_error_message="La fermeture suit l'ouverture.",
            ),
            models.CheckConstraint(
                condition=Q(weekday__lte=6),
                name="tierslieu_opening_weekday",
                violation_error_message="Le jour est entre lundi et dimanche.",
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class Closure(models.Model):
    """Days the place is closed (holidays, works), both days included."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="closures")
    starts_on = models.DateField("du")
    ends_on = models.DateField("au")
    reason = models.CharField("motif", max_length=150, blank=True)

    class Meta:
        verbose_name = "fermeture"
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="tierslieu_closure_dates_ordered",
                violation_error_message="La fin de la fermeture ne précède pas son début.",
            ),
        ]

    def __str__(self):
        return f"Fermeture du {self.starts_on:%d/%m/%Y} au {self.ends_on:%d/%m/%Y}"


class SpaceKind(models.TextChoices):
    HALL = "hall", "Salle ou plateau"
    MEETING_ROOM = "meeting_room", "Salle de réunion"
    OFFICE = "office", "Bureau privatif"
    DESK = "desk", "Poste de travail attitré"
    HOT_DESKS = "hot_desks", "Espace de postes partagés"


class Space(models.Model):
    """A bookable space; `parent` makes the tree (a hall holds meeting rooms)."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="spaces")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="contenu dans",
    )
    name = models.CharField("nom", max_length=100)
    kind = models.CharField("type", max_length=16, choices=SpaceKind.choices)
    # For shared desks: how many people at once; 1 for the others.
    capacity = models.PositiveSmallIntegerField("capacité", default=1)
    slot_minutes = models.PositiveSmallIntegerField(
        "durée d'un créneau (minutes)",
        default=60,
        choices=[(15, "15 min"), (30, "30 min"), (60, "1 h"), (120, "2 h"), (240, "une demi-journée")],
    )  # fmt: skip
    hourly_price = amount_field("prix horaire HT", default=0)
    solidarity_hourly_price = amount_field("prix horaire solidaire HT", null=True, blank=True)
    is_bookable = models.BooleanField("réservable au créneau", default=True)
    description = models.CharField("description", max_length=255, blank=True)

    class Meta:
        verbose_name = "espace"
        ordering = ["place", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "name"],
                name="tierslieu_space_name_unique",
                violation_error_message="Le lieu a déjà un espace de ce nom.",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="tierslieu_space_capacity_positive",
                violation_error_message="La capacité est d'au moins une personne.",
            ),
            models.CheckConstraint(
                condition=Q(hourly_price__gte=0)
                & (Q(solidarity_hourly_price__isnull=True) | Q(solidarity_hourly_price__gte=0)),
                name="tierslieu_space_prices_positive",
                violation_error_message="Un prix ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="tierslieu_space_not_own_parent",
                violation_error_message="Un espace ne peut pas se contenir lui-même.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_shared(self) -> bool:
        """Shared desks take several bookings at once, up to the capacity."""
        return self.kind == SpaceKind.HOT_DESKS


class Profile(models.TextChoices):
    """The profiles that open solidarity prices (on a proof the manager reviews)."""

    ESS_STRUCTURE = "ess_structure", "Structure de l'ESS de l'annuaire"
    JOB_SEEKER = "job_seeker", "Personne en recherche d'emploi"
    QPV_RESIDENT = "qpv_resident", "Habitant d'un quartier prioritaire"


class Member(models.Model):
    """A person (with an account) or a structure using a place: coworker, resident, outsider."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="third_place_memberships",
        verbose_name="compte",
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="third_place_members",
        verbose_name="structure",
    )
    billing_name = models.CharField("nom à facturer", max_length=150)
    billing_address = models.CharField("adresse de facturation", max_length=255)
    billing_siret = models.CharField("SIRET à facturer", max_length=14, blank=True)
    joined_on = models.DateField("membre depuis")
    left_on = models.DateField("parti le", null=True, blank=True)
    calendar_token = models.UUIDField("jeton du calendrier", default=uuid.uuid4, unique=True)

    class Meta:
        verbose_name = "membre"
        ordering = ["billing_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "user"],
                name="tierslieu_member_once_per_place",
                violation_error_message="Cette personne est déjà membre du lieu.",
            ),
        ]

    def __str__(self):
        return self.billing_name


class SolidarityGrant(FSMModelMixin, models.Model):
    """A request for solidarity prices, granted on a proof the manager reviews, until a date."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "À examiner"
        GRANTED = "granted", "Accordé"
        REFUSED = "refused", "Refusé"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="grants")
    profile = models.CharField("profil", max_length=16, choices=Profile.choices)
    proof = models.FileField("justificatif", upload_to="tierslieu/proofs/%Y/")
    status = FSMField(
        "état", max_length=12, choices=Status.choices, default=Status.SUBMITTED, protected=True
    )
    valid_until = models.DateField("valable jusqu'au", null=True, blank=True)
    reason = models.CharField("motif du refus", max_length=255, blank=True)
    submitted_at = models.DateTimeField("déposé le", auto_now_add=True)

    class Meta:
        verbose_name = "tarif solidaire"
        verbose_name_plural = "tarifs solidaires"
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="granted") | Q(valid_until__isnull=False),
                name="tierslieu_grant_has_expiry",
                violation_error_message="Un tarif solidaire accordé a une date de fin.",
            ),
        ]

    def __str__(self):
        return f"Tarif solidaire de {self.member} ({self.get_profile_display()})"

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.GRANTED,
        permission=grant_manager,
        custom=step(
            "tierslieu.grant.grant", "Accorder le tarif solidaire", "Tarif solidaire accordé"
        ),
    )
    def grant(self):
        """Le gestionnaire du lieu."""

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.REFUSED,
        permission=grant_manager,
        custom=step(
            "tierslieu.grant.refuse", "Refuser le tarif solidaire", "Tarif solidaire refusé",
            reason=True,
        ),
    )  # fmt: skip
    def refuse(self):
        """Le gestionnaire du lieu."""


class PlanKind(models.TextChoices):
    DAY_PASS = "day_pass", "Journée"
    VISIT_CARD = "visit_card", "Carte de passages"
    MONTHLY_DESK = "monthly_desk", "Poste au mois"
    MONTHLY_OFFICE = "monthly_office", "Bureau au mois"


class Plan(models.Model):
    """What a place sells: a day, a card of visits, a desk or an office by the month."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="plans")
    name = models.CharField("nom", max_length=100)
    kind = models.CharField("formule", max_length=16, choices=PlanKind.choices)
    price = amount_field("prix HT")
    solidarity_price = amount_field("prix solidaire HT", null=True, blank=True)
    visits = models.PositiveSmallIntegerField("passages inclus", default=0)
    included_meeting_minutes = models.PositiveIntegerField(
        "salle de réunion incluse (minutes par mois)", default=0
    )
    space = models.ForeignKey(
        Space,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
        verbose_name="bureau ou poste attribué",
    )
    is_active = models.BooleanField("proposée", default=True)

    class Meta:
        verbose_name = "formule"
        ordering = ["place", "price"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0)
                & (Q(solidarity_price__isnull=True) | Q(solidarity_price__gte=0)),
                name="tierslieu_plan_prices_positive",
                violation_error_message="Un prix ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="visit_card") | Q(visits__gte=1),
                name="tierslieu_plan_card_has_visits",
                violation_error_message="Une carte de passages en compte au moins un.",
            ),
        ]

    def __str__(self):
        return self.name


class Subscription(models.Model):
    """A member's plan for a period (a month, a card until its visits are used, a day)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="subscriptions")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    starts_on = models.DateField("du")
    ends_on = models.DateField("au")
    price = amount_field("prix HT appliqué")
    is_solidarity = models.BooleanField("au tarif solidaire", default=False)
    visits_left = models.PositiveSmallIntegerField("passages restants", default=0)
    invoice_line = models.OneToOneField(
        "InvoiceLine", on_delete=models.PROTECT, null=True, blank=True, related_name="subscription"
    )

    class Meta:
        verbose_name = "abonnement"
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="tierslieu_subscription_dates_ordered",
                violation_error_message="La fin de l'abonnement ne précède pas son début.",
            ),
        ]

    def __str__(self):
        return f"{self.plan} — {self.member}, du {self.starts_on:%d/%m/%Y}"


class CheckIn(models.Model):
    """A visit: a member comes in on a day (a visit of their card is used)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="check_ins")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="check_ins"
    )
    day = models.DateField("jour")
    at = models.DateTimeField("arrivée", auto_now_add=True)

    class Meta:
        verbose_name = "passage"
        constraints = [
            models.UniqueConstraint(
                fields=["member", "day"],
                name="tierslieu_one_check_in_a_day",
                violation_error_message="Ce membre est déjà passé aujourd'hui.",
            ),
        ]

    def __str__(self):
        return f"Passage de {self.member} le {self.day:%d/%m/%Y}"


class Booking(FSMModelMixin, models.Model):
    """A space booked from `starts_at` to `ends_at` (whole slots), by a member or an outsider."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmée"
        CANCELLED = "cancelled", "Annulée"

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="bookings")
    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="bookings")
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    # An outsider booked by the manager: a name and an address to invoice, nothing more.
    outsider_name = models.CharField("nom (personne extérieure)", max_length=150, blank=True)
    outsider_email = models.EmailField("courriel (personne extérieure)", blank=True)
    starts_at = models.DateTimeField("début", db_index=True)
    ends_at = models.DateTimeField("fin")
    # Copied from the space: exclusive bookings never overlap (the exclusion constraint's scope).
    exclusive = models.BooleanField(default=True, editable=False)
    status = FSMField(
        "état", max_length=12, choices=Status.choices, default=Status.CONFIRMED, protected=True
    )
    included_minutes = models.PositiveIntegerField("minutes incluses dans l'abonnement", default=0)
    price = amount_field("prix HT", default=0)
    is_solidarity = models.BooleanField("au tarif solidaire", default=False)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    cancellation_fee = amount_field("frais d'annulation HT", default=0)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    uid = models.UUIDField("identifiant iCalendar", default=uuid.uuid4, unique=True)
    invoice_line = models.OneToOneField(
        "InvoiceLine", on_delete=models.PROTECT, null=True, blank=True, related_name="booking"
    )
    created_at = models.DateTimeField("réservée le", auto_now_add=True)

    class Meta:
        verbose_name = "réservation"
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["space", "starts_at"], name="tierslieu_booking_space")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="tierslieu_booking_ends_after_start",
                violation_error_message="La fin de la réservation suit son début.",
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=False) | ~Q(outsider_name=""),
                name="tierslieu_booking_has_someone",
                violation_error_message="Une réservation est faite pour un membre ou une personne nommée.",
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0, cancellation_fee__gte=0),
                name="tierslieu_booking_amounts_positive",
                violation_error_message="Un montant ne peut pas être négatif.",
            ),
        ]

    def __str__(self):
        return f"{self.space} — {self.starts_at:%d/%m/%Y %H:%M}"

    @property
    def who(self) -> str:
        return self.member.billing_name if self.member_id else self.outsider_name

    def _may_cancel(self, user) -> bool:
        if manages_place(self.place, user):
            return True
        return self.member_id is not None and self.member.user_id == user.pk

    @transition(
        field=status,
        source=Status.CONFIRMED,
        target=Status.CANCELLED,
        permission=booker_or_manager,
        custom=step("tierslieu.booking.cancel", "Annuler la réservation", "Réservation annulée"),
    )
    def cancel(self):
        """Le membre qui a réservé, ou le gestionnaire du lieu."""


class InvoiceSequence(models.Model):
    """The last number given to a place's invoices of a year (locked to allocate the next)."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("année")
    last_number = models.PositiveIntegerField("dernier numéro", default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["place", "year"], name="tierslieu_sequence_per_year"),
        ]

    def __str__(self):
        return f"{self.place} {self.year} : {self.last_number}"


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", "Facture"
    CREDIT_NOTE = "credit_note", "Avoir"


class Invoice(models.Model):
    """An issued invoice or credit note: never changed nor deleted (a trigger refuses updates)."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField("type", max_length=12, choices=InvoiceKind.choices)
    year = models.PositiveSmallIntegerField("année")
    sequence = models.PositiveIntegerField("rang dans l'année")
    number = models.CharField("numéro", max_length=32)
    issued_on = models.DateField("date d'émission")
    due_on = models.DateField("échéance")
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name="facture corrigée",
    )
    # The mentions, frozen at issue (the seller's or buyer's later changes do not alter them).
    seller_name = models.CharField("vendeur", max_length=255)
    seller_siret = models.CharField("SIRET du vendeur", max_length=14)
    seller_address = models.CharField("adresse du vendeur", max_length=255)
    seller_vat_number = models.CharField("TVA du vendeur", max_length=20, blank=True)
    buyer_name = models.CharField("client", max_length=255)
    buyer_address = models.CharField("adresse du client", max_length=255)
    buyer_siret = models.CharField("SIRET du client", max_length=14, blank=True)
    vat_mention = models.CharField("mention de TVA", max_length=120, blank=True)
    penalties_mention = models.CharField("pénalités de retard", max_length=255)
    total_excl_vat = amount_field("total HT")
    total_vat = amount_field("TVA")
    total_incl_vat = amount_field("total TTC")
    previous_hash = models.CharField("empreinte de la précédente", max_length=64, blank=True)
    hash = models.CharField("empreinte", max_length=64, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "facture"
        ordering = ["place", "year", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "year", "sequence"],
                name="tierslieu_invoice_number_unique",
                violation_error_message="Ce numéro de facture existe déjà.",
            ),
            models.CheckConstraint(
                condition=Q(sequence__gte=1),
                name="tierslieu_invoice_sequence_positive",
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice", corrects__isnull=True, total_excl_vat__gte=0)
                | Q(kind="credit_note", corrects__isnull=False, total_excl_vat__lte=0),
                name="tierslieu_credit_note_corrects_an_invoice",
                violation_error_message="Un avoir, de montant négatif, corrige une facture.",
            ),
            models.CheckConstraint(
                condition=Q(total_incl_vat=F("total_excl_vat") + F("total_vat")),
                name="tierslieu_invoice_totals_add_up",
                violation_error_message="Le TTC est la somme du HT et de la TVA.",
            ),
        ]

    def __str__(self):
        return self.number

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Une facture émise ne se modifie pas : émettez un avoir.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Une facture émise ne se supprime pas : émettez un avoir.")


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField("ligne")
    label = models.CharField("désignation", max_length=255)
    quantity = models.DecimalField("quantité", max_digits=10, decimal_places=2)
    unit = models.CharField("unité", max_length=20, default="unité")
    unit_price = amount_field("prix unitaire HT")
    vat_rate = models.DecimalField("taux de TVA (%)", max_digits=4, decimal_places=2)
    total_excl_vat = amount_field("montant HT")

    class Meta:
        verbose_name = "ligne de facture"
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "position"], name="tierslieu_invoice_line_position"
            ),
        ]

    def __str__(self):
        return f"{self.invoice_id} ligne {self.position}"


class InvoicePayment(models.Model):
    """A payment received against an invoice (the invoice itself is never changed)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField("payée le")
    amount = amount_field("montant")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        verbose_name = "paiement"
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="tierslieu_payment_positive",
                violation_error_message="Un paiement est positif.",
            ),
        ]

    def __str__(self):
        return f"Paiement de {self.amount} € le {self.paid_on:%d/%m/%Y}"


# The crèche and the café live in their own file (this one holds the place, its spaces and money).
from essor.tierslieu.creche_models import (  # noqa: E402
    AgeGroup,
    CafeEntry,
    CafeTally,
    CommissionSession,
    CrecheApplication,
    CrecheGrid,
    FairTradeSupplier,
    GridCriterion,
    Offer,
)

__all__ = [
    "AgeGroup",
    "CafeEntry",
    "CafeTally",
    "CommissionSession",
    "CrecheApplication",
    "CrecheGrid",
    "FairTradeSupplier",
    "GridCriterion",
    "Offer",
]
