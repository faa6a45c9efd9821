"""Short food chains: producers and canteens (profiles of `directory.Organisation`), buyers'
consultations, producers' offers, awards and purchases (EGalim).

Codes of families and characteristics follow the national platform ma-cantine (see STANDARDS.md,
"Short food chains and public catering").
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from essor.accounts.memberships import memberships_of_user
from essor.core.amounts import line_amount
from essor.core.formats import local_date, long_date, month_names, with_article
from essor.core.models import ProposedChange
from essor.core.permissions import agency_decides
from essor.core.validators import validate_siret
from essor.core.workflow import step


class Family(models.TextChoices):
    VIANDES_VOLAILLES = "VIANDES_VOLAILLES", "Viandes et volailles"
    CHARCUTERIE = "CHARCUTERIE", "Charcuterie"
    PRODUITS_DE_LA_MER = "PRODUITS_DE_LA_MER", "Produits de la mer"
    FRUITS_ET_LEGUMES = "FRUITS_ET_LEGUMES", "Fruits et légumes"
    PRODUITS_LAITIERS = "PRODUITS_LAITIERS", "Produits laitiers"
    BOULANGERIE = "BOULANGERIE", "Boulangerie"
    BOISSONS = "BOISSONS", "Boissons"
    AUTRES = "AUTRES", "Autres produits"


class Characteristic(models.TextChoices):
    """EGalim characteristics (they count for the rates) and information-only ones."""

    BIO = "BIO", "Agriculture biologique"
    LABEL_ROUGE = "LABEL_ROUGE", "Label Rouge"
    AOCAOP = "AOCAOP", "AOC / AOP"
    IGP = "IGP", "IGP"
    STG = "STG", "STG"
    HVE = "HVE", "Haute valeur environnementale"
    PECHE_DURABLE = "PECHE_DURABLE", "Écolabel pêche durable"
    RUP = "RUP", "Région ultrapériphérique"
    FERMIER = "FERMIER", "Fermier"
    COMMERCE_EQUITABLE = "COMMERCE_EQUITABLE", "Commerce équitable"
    EXTERNALITES = "EXTERNALITES", "Externalités environnementales"
    PERFORMANCE = "PERFORMANCE", "Performance environnementale"
    FRANCE = "FRANCE", "Origine France"
    EUROPE = "EUROPE", "Origine Europe (hors France)"
    CIRCUIT_COURT = "CIRCUIT_COURT", "Circuit court"
    LOCAL = "LOCAL", "Local"


EGALIM_CHARACTERISTICS = (
    "BIO",
    "LABEL_ROUGE",
    "AOCAOP",
    "IGP",
    "STG",
    "HVE",
    "PECHE_DURABLE",
    "RUP",
    "FERMIER",
    "COMMERCE_EQUITABLE",
    "EXTERNALITES",
    "PERFORMANCE",
)

# Certifications a producer may hold (with an expiry date).
CERTIFICATION_CODES = ("BIO", "HVE", "LABEL_ROUGE", "AOCAOP", "IGP", "STG", "PECHE_DURABLE")


class EgalimGroup(models.TextChoices):
    """A purchase counts once, in its highest group (bio › SIQO › other EGalim › externalités)."""

    BIO = "bio", "Bio"
    SIQO = "siqo", "Signes de qualité (SIQO)"
    OTHER = "other", "Autres labels EGalim"
    EXTERNALITIES = "externalities", "Externalités / performance"
    NONE = "none", "Hors EGalim"


MONTHS = list(enumerate(month_names(), start=1))
WEEKDAYS = [
    (0, "lundi"),
    (1, "mardi"),
    (2, "mercredi"),
    (3, "jeudi"),
    (4, "vendredi"),
    (5, "samedi"),
    (6, "dimanche"),
]
ALL_MONTHS_MASK = (1 << 12) - 1


def months_to_mask(months) -> int:
    return sum(1 << (int(month) - 1) for month in set(months))


def mask_to_months(mask: int) -> list[int]:
    return [month for month in range(1, 13) if mask & (1 << (month - 1))]


class ProducerProfile(models.Model):
    """The public, agency-validated face of a producer organisation (changes go through
    `ProducerRevision`)."""

    organisation = models.OneToOneField(
        "directory.Organisation",
        verbose_name="structure",
        on_delete=models.CASCADE,
        related_name="producer_profile",
    )
    territory = models.ForeignKey(
        "territory.Territory",
        verbose_name="territoire",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    commune = models.ForeignKey(
        "territory.Commune", verbose_name="commune", on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField("adresse", max_length=255, blank=True)
    latitude = models.FloatField("latitude")
    longitude = models.FloatField("longitude")
    presentation = models.TextField("présentation", blank=True)
    delivery_radius_km = models.PositiveSmallIntegerField("rayon de livraison (km)", default=30)
    delivery_days = models.JSONField("jours de livraison", default=list, blank=True)
    minimum_order = models.DecimalField(
        "commande minimale (€ HT)", max_digits=10, decimal_places=2, default=0
    )
    contact_name = models.CharField("nom du contact", max_length=150, blank=True)
    contact_email = models.EmailField("courriel du contact", blank=True)
    contact_phone = models.CharField("téléphone du contact", max_length=30, blank=True)
    is_published = models.BooleanField("publié dans le guide", default=False, db_index=True)
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "profil de producteur"
        verbose_name_plural = "profils de producteurs"
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="producer_position"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90)
                & models.Q(longitude__gte=-180, longitude__lte=180),
                name="producer_position_range",
                violation_error_message="La position du producteur est invalide.",
            ),
            models.CheckConstraint(
                condition=models.Q(delivery_radius_km__gte=1, delivery_radius_km__lte=200),
                name="producer_radius_range",
                violation_error_message="Le rayon de livraison doit être compris entre 1 et 200 km.",
            ),
            models.CheckConstraint(
                condition=models.Q(minimum_order__gte=0),
                name="producer_minimum_order_positive",
                violation_error_message="La commande minimale ne peut pas être négative.",
            ),
        ]

    def __str__(self) -> str:
        return self.organisation.name

    @property
    def delivery_days_display(self) -> str:
        names = dict(WEEKDAYS)
        return ", ".join(names[int(day)] for day in sorted(self.delivery_days))


class ProducerProduct(models.Model):
    producer = models.ForeignKey(
        ProducerProfile,
        verbose_name="producteur",
        on_delete=models.CASCADE,
        related_name="products",
    )
    family = models.CharField("famille", max_length=32, choices=Family.choices)
    name = models.CharField("produit", max_length=150)
    # Bit m-1 set when the product is available in month m (1 = janvier).
    months_mask = models.PositiveSmallIntegerField("mois de disponibilité", default=ALL_MONTHS_MASK)

    class Meta:
        verbose_name = "produit"
        verbose_name_plural = "produits"
        ordering = ["family", "name"]
        indexes = [models.Index(fields=["family", "producer"], name="product_family_producer")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(family__in=Family.values),
                name="product_family_known",
                violation_error_message="Famille de produits inconnue.",
            ),
            models.CheckConstraint(
                condition=models.Q(months_mask__gte=1, months_mask__lte=ALL_MONTHS_MASK),
                name="product_months_valid",
                violation_error_message="Indiquez au moins un mois de disponibilité.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def months(self) -> list[int]:
        return mask_to_months(self.months_mask)

    @property
    def season_display(self) -> str:
        months = self.months
        if len(months) == 12:
            return "toute l'année"
        names = dict(MONTHS)
        return ", ".join(names[month] for month in months)


class ProducerCertification(models.Model):
    producer = models.ForeignKey(
        ProducerProfile,
        verbose_name="producteur",
        on_delete=models.CASCADE,
        related_name="certifications",
    )
    code = models.CharField(
        "certification",
        max_length=32,
        choices=[(code, Characteristic(code).label) for code in CERTIFICATION_CODES],
    )
    expires_on = models.DateField("valable jusqu'au")
    certifier = models.CharField("organisme certificateur", max_length=150, blank=True)

    class Meta:
        verbose_name = "certification"
        verbose_name_plural = "certifications"
        ordering = ["code"]
        indexes = [models.Index(fields=["code", "expires_on"], name="certification_code_expiry")]
        constraints = [
            models.UniqueConstraint(
                fields=["producer", "code"],
                name="certification_unique_per_producer",
                violation_error_message="Cette certification est déjà déclarée pour ce producteur.",
            ),
            models.CheckConstraint(
                condition=models.Q(code__in=CERTIFICATION_CODES),
                name="certification_code_known",
                violation_error_message="Certification inconnue.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} (jusqu'au {long_date(self.expires_on)})"


class ProducerRevision(ProposedChange):
    """Changes a producer proposes to its public profile; public once the agency validates.

    `data`: {"profile": {...}, "products": [{family, name, months}],
    "certifications": [{code, expires_on, certifier}]}."""

    producer = models.ForeignKey(
        ProducerProfile,
        verbose_name="producteur",
        on_delete=models.CASCADE,
        related_name="revisions",
    )

    class Meta(ProposedChange.Meta):
        verbose_name = "modification de profil de producteur"
        verbose_name_plural = "modifications de profils de producteurs"
        constraints = [
            models.UniqueConstraint(
                fields=["producer"],
                condition=models.Q(status="pending"),
                name="producer_revision_one_pending",
                violation_error_message="Une modification est déjà en attente pour ce producteur.",
            )
        ]

    def __str__(self) -> str:
        return f"Modification {with_article(self.producer, 'de')} ({self.get_status_display()})"

    # --- workflow --------------------------------------------------------------------------

    @transition(
        field="status",
        source=ProposedChange.Status.PENDING,
        target=ProposedChange.Status.APPROVED,
        permission=agency_decides,
        custom=step("foodlink.producer.approve", "Valider", "Modification de la fiche validée"),
    )
    def approve(self):
        """The agency publishes the producer's proposed profile (the service applies it)."""

    @transition(
        field="status",
        source=ProposedChange.Status.PENDING,
        target=ProposedChange.Status.REJECTED,
        permission=agency_decides,
        custom=step("foodlink.producer.reject", "Refuser", "Modification de la fiche refusée"),
    )
    def reject(self):
        """The agency refuses the producer's proposed profile."""


class BuyerProfile(models.Model):
    """A canteen (public catering) buying for its meals; its managers are the organisation's members."""

    class Sector(models.TextChoices):
        SCHOOL = "school", "Restauration scolaire"
        HEALTH = "health", "Santé (hôpital, clinique)"
        SOCIAL = "social", "Social et médico-social (EHPAD…)"
        ADMINISTRATION = "administration", "Restaurant administratif"
        OTHER = "other", "Autre"

    class ManagementMode(models.TextChoices):
        DIRECT = "direct", "Gestion directe"
        CONCEDED = "conceded", "Gestion concédée"

    organisation = models.OneToOneField(
        "directory.Organisation",
        verbose_name="structure",
        on_delete=models.CASCADE,
        related_name="buyer_profile",
    )
    name = models.CharField("nom de la cantine", max_length=255)
    siret = models.CharField("SIRET", max_length=14, unique=True, validators=[validate_siret])
    sector = models.CharField("secteur", max_length=32, choices=Sector.choices)
    meals_per_day = models.PositiveIntegerField("couverts par jour")
    management_mode = models.CharField(
        "mode de gestion", max_length=16, choices=ManagementMode.choices
    )
    delivery_address = models.CharField("adresse de livraison", max_length=255)
    commune = models.ForeignKey(
        "territory.Commune", verbose_name="commune", on_delete=models.PROTECT, related_name="+"
    )
    latitude = models.FloatField("latitude")
    longitude = models.FloatField("longitude")
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "cantine"
        verbose_name_plural = "cantines"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(meals_per_day__gte=1),
                name="buyer_meals_positive",
                violation_error_message="Le nombre de couverts par jour doit être positif.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


def manages_the_canteen(consultation, user) -> bool:
    """Les gestionnaires de la cantine."""
    return consultation.buyer.organisation_id in memberships_of_user(user).member_organisation_ids


def responses_are_over(consultation) -> bool:
    """The deadline has passed: the producers may no longer answer (closing before it would cut
    short the time they were promised)."""
    return consultation.deadline <= timezone.now()


class Consultation(FSMModelMixin, models.Model):
    """A buyer's need, sent to the producers who can meet it; its steps are the transitions
    below, run by the services through `workflow.perform`."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Brouillon"
        PUBLISHED = "published", "Publiée"
        CLOSED = "closed", "Close (réponses terminées)"
        AWARDED = "awarded", "Attribuée"
        ORDERED = "ordered", "Commandée"
        DELIVERED = "delivered", "Livrée"
        CANCELLED = "cancelled", "Annulée"
        UNSUCCESSFUL = "unsuccessful", "Infructueuse"

    class Unit(models.TextChoices):
        KG = "kg", "kg"
        L = "l", "litres"
        PIECE = "piece", "pièces"
        PORTION = "portion", "portions"

    buyer = models.ForeignKey(
        BuyerProfile, verbose_name="cantine", on_delete=models.CASCADE, related_name="consultations"
    )
    title = models.CharField("objet", max_length=200)
    family = models.CharField("famille de produits", max_length=32, choices=Family.choices)
    product = models.CharField("produit", max_length=150)
    quantity = models.DecimalField("quantité", max_digits=12, decimal_places=3)
    unit = models.CharField("unité", max_length=16, choices=Unit.choices)
    delivery_start = models.DateField("livraison à partir du")
    delivery_end = models.DateField("livraison au plus tard le")
    delivery_address = models.CharField("lieu de livraison", max_length=255)
    delivery_latitude = models.FloatField("latitude du lieu de livraison")
    delivery_longitude = models.FloatField("longitude du lieu de livraison")
    required_characteristics = models.JSONField(
        "caractéristiques exigées", default=list, blank=True
    )
    max_distance_km = models.PositiveSmallIntegerField("distance maximale (km)", default=50)
    deadline = models.DateTimeField("date limite de réponse")
    comment = models.TextField("précisions", blank=True)
    status = FSMField(
        "état",
        max_length=16,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        protected=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créée par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    published_at = models.DateTimeField("publiée le", null=True, blank=True)
    awarded_at = models.DateTimeField("attribuée le", null=True, blank=True)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="attribuée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "consultation"
        verbose_name_plural = "consultations"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["buyer", "status"], name="consultation_buyer_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_distance_km__gte=5, max_distance_km__lte=100),
                name="consultation_distance_range",
                violation_error_message="La distance maximale doit être comprise entre 5 et 100 km.",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0),
                name="consultation_quantity_positive",
                violation_error_message="La quantité demandée doit être positive.",
            ),
            models.CheckConstraint(
                condition=models.Q(delivery_end__gte=models.F("delivery_start")),
                name="consultation_delivery_window_ordered",
                violation_error_message="La fin de la période de livraison doit suivre son début.",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        "draft",
                        "published",
                        "closed",
                        "awarded",
                        "ordered",
                        "delivered",
                        "cancelled",
                        "unsuccessful",
                    ]
                ),
                name="consultation_status_known",
                violation_error_message="État de consultation inconnu.",
            ),
            models.CheckConstraint(
                condition=models.Q(family__in=Family.values),
                name="consultation_family_known",
                violation_error_message="Famille de produits inconnue.",
            ),
            # An awarded consultation (and any later state) records who awarded it and when.
            models.CheckConstraint(
                condition=~models.Q(status__in=["awarded", "ordered", "delivered"])
                | models.Q(awarded_at__isnull=False),
                name="consultation_awarded_has_date",
                violation_error_message="Une consultation attribuée doit avoir une date d'attribution.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    # --- workflow: the canteen's managers conduct the consultation ---------------------------

    @transition(
        field=status,
        source=Status.DRAFT,
        target=Status.PUBLISHED,
        permission=manages_the_canteen,
        custom=step(
            "foodlink.consultation.publish",
            "Publier et alerter les producteurs",
            "Consultation publiée",
        ),
    )
    def publish(self):
        """The matching producers are alerted (the service runs the matching)."""

    @transition(
        field=status,
        source=Status.PUBLISHED,
        target=Status.CLOSED,
        conditions=[responses_are_over],
        permission=manages_the_canteen,
        custom=step("foodlink.consultation.close", "Clore les réponses", "Réponses closes"),
    )
    def close(self):
        """No more offers: possible once the deadline has passed, and offered only then."""

    @transition(
        field=status,
        source=Status.CLOSED,
        target=Status.AWARDED,
        permission=manages_the_canteen,
        custom=step("foodlink.consultation.award", "Attribuer", "Consultation attribuée"),
    )
    def award_offers(self):
        """Offers retained in whole or in part (the service records the award)."""

    @transition(
        field=status,
        source=Status.CLOSED,
        target=Status.UNSUCCESSFUL,
        permission=manages_the_canteen,
        custom=step(
            "foodlink.consultation.declare_unsuccessful",
            "Déclarer la consultation infructueuse",
            "Consultation déclarée infructueuse",
            reason=True,
        ),
    )
    def declare_unsuccessful(self):
        """No offer is retained."""

    @transition(
        field=status,
        source=[Status.DRAFT, Status.PUBLISHED, Status.CLOSED],
        target=Status.CANCELLED,
        permission=manages_the_canteen,
        custom=step(
            "foodlink.consultation.cancel",
            "Annuler la consultation",
            "Consultation annulée",
            reason=True,
        ),
    )
    def cancel(self):
        """The need is withdrawn before any award."""

    @transition(
        field=status,
        source=Status.AWARDED,
        target=Status.ORDERED,
        permission=manages_the_canteen,
        custom=step(
            "foodlink.consultation.order", "Émettre les bons de commande", "Bons de commande émis"
        ),
    )
    def order(self):
        """One purchase order per retained offer."""

    @transition(
        field=status,
        source=Status.ORDERED,
        target=Status.DELIVERED,
        permission=manages_the_canteen,
        custom=step(
            "foodlink.consultation.deliver", "Confirmer la livraison", "Livraison confirmée"
        ),
    )
    def deliver(self):
        """Each retained offer becomes a purchase (the service records them)."""


class ConsultationAlert(models.Model):
    """A producer matched by a consultation and told about it."""

    consultation = models.ForeignKey(
        Consultation, verbose_name="consultation", on_delete=models.CASCADE, related_name="alerts"
    )
    producer = models.ForeignKey(
        ProducerProfile, verbose_name="producteur", on_delete=models.CASCADE, related_name="alerts"
    )
    distance_km = models.FloatField("distance (km)")
    rank = models.PositiveIntegerField("rang")
    created_at = models.DateTimeField("alerté le", auto_now_add=True)

    class Meta:
        verbose_name = "alerte"
        verbose_name_plural = "alertes"
        ordering = ["consultation", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "producer"],
                name="alert_unique_per_producer",
                violation_error_message="Ce producteur a déjà été alerté pour cette consultation.",
            )
        ]

    def __str__(self) -> str:
        return f"Alerte {self.producer_id} — {self.consultation_id}"


class Offer(FSMModelMixin, models.Model):
    """A producer's answer to a consultation. Its state follows the canteen's decision on the
    consultation (the award, or « infructueuse »): Essor moves it, never a person directly."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Déposée"
        RETAINED = "retained", "Retenue"
        NOT_RETAINED = "not_retained", "Non retenue"

    consultation = models.ForeignKey(
        Consultation, verbose_name="consultation", on_delete=models.CASCADE, related_name="offers"
    )
    producer = models.ForeignKey(
        ProducerProfile, verbose_name="producteur", on_delete=models.CASCADE, related_name="offers"
    )
    unit_price = models.DecimalField("prix unitaire HT (€)", max_digits=10, decimal_places=2)
    quantity = models.DecimalField("quantité proposée", max_digits=12, decimal_places=3)
    characteristics = models.JSONField("caractéristiques", default=list, blank=True)
    comment = models.TextField("commentaire", blank=True)
    status = FSMField(
        "état", max_length=16, choices=Status.choices, default=Status.SUBMITTED, protected=True
    )
    awarded_quantity = models.DecimalField(
        "quantité attribuée", max_digits=12, decimal_places=3, null=True, blank=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="déposée par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("déposée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "offre"
        verbose_name_plural = "offres"
        ordering = ["unit_price", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "producer"],
                name="offer_one_per_producer",
                violation_error_message="Ce producteur a déjà déposé une offre pour cette consultation.",
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gt=0),
                name="offer_price_positive",
                violation_error_message="Le prix doit être strictement positif.",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0),
                name="offer_quantity_positive",
                violation_error_message="La quantité proposée doit être strictement positive.",
            ),
            models.CheckConstraint(
                condition=models.Q(awarded_quantity__isnull=True)
                | (
                    models.Q(awarded_quantity__gt=0)
                    & models.Q(awarded_quantity__lte=models.F("quantity"))
                ),
                name="offer_awarded_quantity_within_offer",
                violation_error_message="La quantité attribuée doit être positive et ne pas dépasser l'offre.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="retained") | models.Q(awarded_quantity__isnull=False),
                name="offer_retained_has_quantity",
                violation_error_message="Une offre retenue doit avoir une quantité attribuée.",
            ),
        ]

    def __str__(self) -> str:
        return f"Offre {with_article(self.producer, 'de')} — {self.consultation}"

    @property
    def awarded_amount(self):
        """The awarded quantity at the unit price, rounded half up to the cent."""
        if self.awarded_quantity is None:
            return None
        return line_amount(self.awarded_quantity, self.unit_price)

    @property
    def order_number(self) -> str:
        year = local_date(self.consultation.awarded_at).year
        return f"BC-{year}-{self.consultation_id:05d}-{self.pk:05d}"

    # --- workflow: derived from the consultation's award, performed by its services ----------

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.RETAINED,
        custom=step("foodlink.offer.retain", "Retenir", "Offre retenue", system=True),
    )
    def retain(self):
        """The award retains the offer, for its `awarded_quantity` (set by the service)."""

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.NOT_RETAINED,
        custom=step("foodlink.offer.decline", "Ne pas retenir", "Offre non retenue", system=True),
    )
    def decline(self):
        """The award retains other offers, or the consultation is declared unsuccessful."""


class Award(models.Model):
    """The decision on a consultation: one per consultation (the database refuses a second)."""

    consultation = models.OneToOneField(
        Consultation, verbose_name="consultation", on_delete=models.CASCADE, related_name="award"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="décidée par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("décidée le", auto_now_add=True)
    total_amount = models.DecimalField("montant attribué (€ HT)", max_digits=12, decimal_places=2)
    crosses_threshold = models.BooleanField("dépasse le seuil", default=False)
    reason = models.TextField("motivation", blank=True)

    class Meta:
        verbose_name = "attribution"
        verbose_name_plural = "attributions"

    def __str__(self) -> str:
        return f"Attribution de {self.consultation}"


class PurchaseImport(models.Model):
    """An imported purchase file (its hash refuses the same file twice)."""

    file_hash = models.CharField("empreinte SHA-256", max_length=64, unique=True)
    filename = models.CharField("fichier", max_length=255)
    row_count = models.PositiveIntegerField("lignes importées")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="importé par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("importé le", auto_now_add=True)

    class Meta:
        verbose_name = "import d'achats"
        verbose_name_plural = "imports d'achats"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class Purchase(models.Model):
    class Source(models.TextChoices):
        AWARD = "award", "Consultation"
        MANUAL = "manual", "Saisi"
        IMPORT = "import", "Importé"

    class Origin(models.TextChoices):
        NONE = "", "Non renseignée"
        FRANCE = "FRANCE", "France"
        EUROPE = "EUROPE", "Europe (hors France)"

    class LocalDefinition(models.TextChoices):
        NONE = "", "Non renseignée"
        PAT = "PAT", "Projet alimentaire territorial"
        COMMUNE = "COMMUNE", "Commune"
        DEPARTEMENT = "DEPARTEMENT", "Département"
        REGION = "REGION", "Région"
        KM = "KM", "Distance en kilomètres"

    buyer = models.ForeignKey(
        BuyerProfile, verbose_name="cantine", on_delete=models.CASCADE, related_name="purchases"
    )
    description = models.CharField("description", max_length=255)
    supplier = models.CharField("fournisseur", max_length=255, blank=True)
    producer = models.ForeignKey(
        ProducerProfile,
        verbose_name="producteur",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="purchases",
    )
    date = models.DateField("date")
    price_ht = models.DecimalField("prix HT (€)", max_digits=12, decimal_places=2)
    family = models.CharField("famille de produits", max_length=32, choices=Family.choices)
    characteristics = models.JSONField("catégories EGalim", default=list, blank=True)
    egalim_group = models.CharField(
        "groupe EGalim", max_length=16, choices=EgalimGroup.choices, default=EgalimGroup.NONE
    )
    origin = models.CharField(
        "origine", max_length=8, choices=Origin.choices, blank=True, default=""
    )
    is_short_chain = models.BooleanField("circuit court", default=False)
    is_local = models.BooleanField("local", default=False)
    local_definition = models.CharField(
        "définition de local", max_length=16, choices=LocalDefinition.choices, blank=True
    )
    local_definition_km = models.PositiveIntegerField("distance (km)", null=True, blank=True)
    source = models.CharField("origine de la saisie", max_length=8, choices=Source.choices)
    offer = models.OneToOneField(
        Offer,
        verbose_name="offre",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="purchase",
    )
    purchase_import = models.ForeignKey(
        PurchaseImport,
        verbose_name="import",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="purchases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="saisi par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)

    class Meta:
        verbose_name = "achat"
        verbose_name_plural = "achats"
        ordering = ["-date", "-pk"]
        indexes = [
            # Covers the EGalim dashboard's aggregate (no table lookup per purchase).
            models.Index(
                fields=[
                    "buyer",
                    "date",
                    "family",
                    "egalim_group",
                    "is_local",
                    "is_short_chain",
                    "price_ht",
                ],
                name="purchase_buyer_egalim",
            ),
            models.Index(fields=["date"], name="purchase_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price_ht__gt=0),
                name="purchase_price_positive",
                violation_error_message="Le prix HT doit être strictement positif.",
            ),
            models.CheckConstraint(
                condition=models.Q(family__in=Family.values),
                name="purchase_family_known",
                violation_error_message="Famille de produits inconnue.",
            ),
            models.CheckConstraint(
                condition=models.Q(egalim_group__in=EgalimGroup.values),
                name="purchase_egalim_group_known",
                violation_error_message="Groupe EGalim inconnu.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({long_date(self.date)})"
