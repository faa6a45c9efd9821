"""Every legal entity the platform knows (`Organisation`) and its sites (`Establishment`).

Each public fact keeps its provenance in `field_sources`: {field: {"source": ..., "date": ...}}
with source "sirene" (an import of a given date), "declared" (by the structure, validated by the
agency) or "agency". A SIRENE re-import only overwrites the facts whose source is "sirene".
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition

from essor.core.formats import with_article
from essor.core.models import ProposedChange
from essor.core.permissions import agency_decides
from essor.core.validators import validate_rna, validate_siren, validate_siret
from essor.core.workflow import step


class FactSource(models.TextChoices):
    SIRENE = "sirene", "Répertoire SIRENE (INSEE)"
    DECLARED = "declared", "Déclaré par la structure"
    AGENCY = "agency", "Renseigné par l'agence"
    DEMO = "demo", "Données de démonstration"


class EssFamily(models.TextChoices):
    ASSOCIATION = "association", "Association"
    FOUNDATION = "foundation", "Fondation"
    MUTUAL = "mutual", "Mutuelle"
    COOPERATIVE = "cooperative", "Coopérative"
    COMPANY = "company", "Entreprise de l'ESS (ESUS ou statuts ESS)"


class CooperativeStatus(models.TextChoices):
    NONE = "", "Aucun"
    SCOP = "scop", "SCOP"
    SCIC = "scic", "SCIC"
    CAE = "cae", "Coopérative d'activité et d'emploi (CAE)"
    OTHER = "other", "Autre statut coopératif"


class DiffusionStatus(models.TextChoices):
    DIFFUSIBLE = "O", "Diffusible"
    PARTIAL = "P", "Partiellement diffusible"
    NOT_DIFFUSIBLE = "N", "Non diffusible"


class HeadcountBand(models.TextChoices):
    """SIRENE's `trancheEffectifs…` codes."""

    UNKNOWN = "NN", "Non renseigné"
    NONE = "00", "0 salarié"
    B01 = "01", "1 ou 2 salariés"
    B03 = "02", "3 à 5 salariés"
    B06 = "03", "6 à 9 salariés"
    B10 = "11", "10 à 19 salariés"
    B20 = "12", "20 à 49 salariés"
    B50 = "21", "50 à 99 salariés"
    B100 = "22", "100 à 199 salariés"
    B200 = "31", "200 à 249 salariés"
    B250 = "32", "250 à 499 salariés"
    B500 = "41", "500 à 999 salariés"
    B1000 = "42", "1 000 à 1 999 salariés"
    B2000 = "51", "2 000 à 4 999 salariés"
    B5000 = "52", "5 000 à 9 999 salariés"
    B10000 = "53", "10 000 salariés et plus"


class Sector(models.Model):
    """One entry of the configurable sector taxonomy (culture, sport, bâtiment…)."""

    slug = models.SlugField("identifiant", max_length=64, unique=True)
    name = models.CharField("nom", max_length=100, unique=True)
    description = models.TextField("description", blank=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    is_priority = models.BooleanField("secteur prioritaire du territoire", default=False)

    class Meta:
        verbose_name = "secteur"
        verbose_name_plural = "secteurs"
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    siren = models.CharField(
        "SIREN", max_length=9, unique=True, null=True, blank=True, validators=[validate_siren]
    )
    name = models.CharField("dénomination", max_length=255)
    acronym = models.CharField("sigle", max_length=100, blank=True)
    rna = models.CharField(
        "numéro RNA", max_length=10, unique=True, null=True, blank=True, validators=[validate_rna]
    )
    legal_category = models.CharField("catégorie juridique", max_length=4, blank=True)
    cooperative_status = models.CharField(
        "statut coopératif déclaré",
        max_length=16,
        choices=CooperativeStatus.choices,
        blank=True,
        default=CooperativeStatus.NONE,
    )
    has_ess_statutes = models.BooleanField(
        "statuts conformes à l'article 1 de la loi ESS", default=False
    )
    esus_start = models.DateField("agrément ESUS depuis le", null=True, blank=True)
    esus_end = models.DateField("agrément ESUS jusqu'au", null=True, blank=True)
    sirene_ess_flag = models.CharField("indicateur ESS de SIRENE", max_length=1, blank=True)
    # Derived by directory.ess.derive_family from the facts above; stored to filter on it.
    ess_family = models.CharField(
        "famille de l'ESS", max_length=16, choices=EssFamily.choices, blank=True
    )
    is_ess = models.BooleanField("structure de l'ESS", default=False, db_index=True)
    naf_code = models.CharField("activité principale (NAF)", max_length=6, blank=True)
    activity = models.CharField("activité", max_length=255, blank=True)
    headcount_band = models.CharField(
        "tranche d'effectif", max_length=2, choices=HeadcountBand.choices, blank=True
    )
    is_employer = models.BooleanField("employeur", null=True, blank=True)
    creation_date = models.DateField("date de création", null=True, blank=True)
    is_active = models.BooleanField("en activité", default=True)
    # When it ceased (SIRENE: start of the closed period); survival rates are computed from it.
    closed_on = models.DateField("date de cessation", null=True, blank=True)
    diffusion_status = models.CharField(
        "diffusion",
        max_length=1,
        choices=DiffusionStatus.choices,
        default=DiffusionStatus.DIFFUSIBLE,
    )
    sectors = models.ManyToManyField(
        Sector, verbose_name="secteurs", related_name="organisations", blank=True
    )
    description = models.TextField("présentation", blank=True)
    email = models.EmailField("courriel de contact", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    website = models.URLField("site internet", blank=True)
    is_agency = models.BooleanField("agence animatrice de l'instance", default=False)
    is_demo = models.BooleanField("donnée de démonstration", default=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name="fusionnée dans",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    field_sources = models.JSONField("sources des informations", default=dict, blank=True)
    last_sirene_date = models.DateField("dernière mise à jour SIRENE", null=True, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "structure"
        verbose_name_plural = "structures"
        ordering = ["name"]
        indexes = [
            models.Index(fields=["is_ess", "is_active", "name"], name="org_public_listing"),
            models.Index(fields=["ess_family"], name="org_ess_family"),
            models.Index(fields=["legal_category"], name="org_legal_category"),
            # The directory's activity filter (naf_code IN the sub-classes of a division).
            models.Index(fields=["naf_code"], name="org_naf_code"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["is_agency"],
                condition=models.Q(is_agency=True),
                name="organisation_single_agency",
                violation_error_message="Une seule structure peut être l'agence de l'instance.",
            ),
            models.CheckConstraint(
                condition=models.Q(esus_end__isnull=True)
                | models.Q(esus_start__isnull=True)
                | models.Q(esus_end__gt=models.F("esus_start")),
                name="organisation_esus_dates_ordered",
                violation_error_message="La fin de l'agrément ESUS doit suivre son début.",
            ),
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("id")),
                name="organisation_not_merged_into_itself",
                violation_error_message="Une structure ne peut pas être fusionnée dans elle-même.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def is_public(self) -> bool:
        return self.is_ess and self.is_active and self.merged_into_id is None


class Establishment(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="structure",
        on_delete=models.CASCADE,
        related_name="establishments",
    )
    siret = models.CharField(
        "SIRET", max_length=14, unique=True, null=True, blank=True, validators=[validate_siret]
    )
    name = models.CharField("enseigne", max_length=255, blank=True)
    is_head_office = models.BooleanField("siège", default=False)
    address = models.CharField("adresse", max_length=255, blank=True)
    address_complement = models.CharField("complément d'adresse", max_length=255, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    city = models.CharField("commune (libellé)", max_length=150, blank=True)
    commune = models.ForeignKey(
        "territory.Commune",
        verbose_name="commune",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="establishments",
    )
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    naf_code = models.CharField("activité principale (NAF)", max_length=6, blank=True)
    headcount_band = models.CharField(
        "tranche d'effectif", max_length=2, choices=HeadcountBand.choices, blank=True
    )
    is_employer = models.BooleanField("employeur", null=True, blank=True)
    is_open = models.BooleanField("ouvert", default=True)
    diffusion_status = models.CharField(
        "diffusion",
        max_length=1,
        choices=DiffusionStatus.choices,
        default=DiffusionStatus.DIFFUSIBLE,
    )
    creation_date = models.DateField("date de création", null=True, blank=True)
    field_sources = models.JSONField("sources des informations", default=dict, blank=True)
    last_sirene_date = models.DateField("dernière mise à jour SIRENE", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "établissement"
        verbose_name_plural = "établissements"
        ordering = ["-is_head_office", "siret"]
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="establishment_position"),
            models.Index(fields=["commune", "is_open"], name="establishment_commune_open"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(is_head_office=True),
                name="establishment_single_head_office",
                violation_error_message="Une structure n'a qu'un siège.",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="establishment_latitude_range",
                violation_error_message="La latitude doit être comprise entre -90 et 90.",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="establishment_longitude_range",
                violation_error_message="La longitude doit être comprise entre -180 et 180.",
            ),
        ]

    def __str__(self) -> str:
        return self.name or (
            f"{self.organisation} — {self.city}" if self.city else str(self.organisation)
        )

    @property
    def is_located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class ProfileRevision(ProposedChange):
    """Changes to a public profile proposed by the structure, published once the agency validates.

    `data`: the proposed values of the public fields, sectors as a list of slugs."""

    organisation = models.ForeignKey(
        Organisation, verbose_name="structure", on_delete=models.CASCADE, related_name="revisions"
    )

    class Meta(ProposedChange.Meta):
        verbose_name = "modification de fiche"
        verbose_name_plural = "modifications de fiches"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(status="pending"),
                name="revision_one_pending_per_organisation",
                violation_error_message="Une modification est déjà en attente pour cette structure.",
            )
        ]

    def __str__(self) -> str:
        return f"Modification {with_article(self.organisation, 'de')} ({self.get_status_display()})"

    # --- workflow --------------------------------------------------------------------------

    @transition(
        field="status",
        source=ProposedChange.Status.PENDING,
        target=ProposedChange.Status.APPROVED,
        permission=agency_decides,
        custom=step("directory.revision.approve", "Valider", "Modification de la fiche validée"),
    )
    def approve(self):
        """The agency publishes the proposed values (the service applies them)."""

    @transition(
        field="status",
        source=ProposedChange.Status.PENDING,
        target=ProposedChange.Status.REJECTED,
        permission=agency_decides,
        custom=step(
            "directory.revision.reject", "Refuser", "Modification de la fiche refusée", reason=True
        ),
    )
    def reject(self):
        """The agency refuses the proposed values; the reason is sent to the structure."""


class OrganisationClaim(FSMModelMixin, models.Model):
    """A person asks to manage an organisation's profile; the agency accepts or refuses."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        ACCEPTED = "accepted", "Acceptée"
        REFUSED = "refused", "Refusée"

    organisation = models.ForeignKey(
        Organisation, verbose_name="structure", on_delete=models.CASCADE, related_name="claims"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="demandeur",
        on_delete=models.CASCADE,
        related_name="organisation_claims",
    )
    position = models.CharField("fonction dans la structure", max_length=150)
    message = models.TextField("message", blank=True)
    status = FSMField(
        "état", max_length=16, choices=Status.choices, default=Status.PENDING, protected=True
    )
    created_at = models.DateTimeField("demandée le", auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="examinée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("examinée le", null=True, blank=True)
    review_comment = models.TextField("réponse de l'agence", blank=True)

    class Meta:
        verbose_name = "demande de gestion"
        verbose_name_plural = "demandes de gestion"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=models.Q(status="pending"),
                name="claim_one_pending_per_user_and_organisation",
                violation_error_message="Vous avez déjà une demande en attente pour cette structure.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation}"

    # --- workflow --------------------------------------------------------------------------

    @transition(
        field=status,
        source=Status.PENDING,
        target=Status.ACCEPTED,
        permission=agency_decides,
        custom=step(
            "directory.claim.accept",
            "Accepter : en faire un administrateur de la fiche",
            "Demande de gestion acceptée",
        ),
    )
    def accept(self):
        """The person becomes an admin of the organisation (the service grants the role)."""

    @transition(
        field=status,
        source=Status.PENDING,
        target=Status.REFUSED,
        permission=agency_decides,
        custom=step("directory.claim.refuse", "Refuser", "Demande de gestion refusée", reason=True),
    )
    def refuse(self):
        """The agency refuses; the reason is shown to the person in their space."""


class SearchWord(models.Model):
    """A word of the public organisations' names, acronyms and activities: the vocabulary a typo
    in a search is corrected against (see spelling.py). Rebuilt whole, never edited by hand."""

    word = models.CharField("mot (minuscules, sans accents)", max_length=100, primary_key=True)
    spelling = models.CharField("graphie la plus fréquente", max_length=100)
    organisations = models.PositiveIntegerField("nombre de structures")

    class Meta:
        verbose_name = "mot de l'annuaire"
        verbose_name_plural = "mots de l'annuaire"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(word__regex=r"^[a-z]{2,}$"), name="search_word_folded"
            ),
        ]

    def __str__(self) -> str:
        return self.spelling
