"""Communes (identified by their INSEE code) and the territories made of them."""

from django.db import models

from essor.core.validators import validate_insee_commune_code


class Commune(models.Model):
    insee_code = models.CharField(
        "code INSEE", max_length=5, unique=True, validators=[validate_insee_commune_code]
    )
    name = models.CharField("nom", max_length=150)
    department_code = models.CharField("département", max_length=3, blank=True)
    postal_codes = models.JSONField("codes postaux", default=list, blank=True)
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)
    siren = models.CharField("SIREN de la commune", max_length=9, blank=True)
    is_qpv_present = models.BooleanField("compte un quartier prioritaire", default=False)

    class Meta:
        verbose_name = "commune"
        verbose_name_plural = "communes"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="commune_latitude_range",
                violation_error_message="La latitude doit être comprise entre -90 et 90.",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="commune_longitude_range",
                violation_error_message="La longitude doit être comprise entre -180 et 180.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.insee_code})"

    def distance_to(self, other: "Commune") -> float | None:
        """Distance in km between the two centroids, or None when one has no coordinates."""
        from essor.territory.geo import commune_distance_km

        return commune_distance_km(self, other)


class FormerCommune(models.Model):
    """An old INSEE code (merged, associated or delegated commune) and the commune it is now part of."""

    code = models.CharField("ancien code INSEE", max_length=5, unique=True)
    name = models.CharField("ancien nom", max_length=150)
    current = models.ForeignKey(
        Commune,
        verbose_name="commune actuelle",
        on_delete=models.CASCADE,
        related_name="former_communes",
    )
    kind = models.CharField("nature", max_length=100, blank=True)
    effective_date = models.DateField("date d'effet", null=True, blank=True)

    class Meta:
        verbose_name = "ancienne commune"
        verbose_name_plural = "anciennes communes"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code}) → {self.current.name}"


class Territory(models.Model):
    class Kind(models.TextChoices):
        EPCI = "epci", "Intercommunalité (EPCI)"
        PARTNER = "partner", "Territoire partenaire"
        OTHER = "other", "Autre territoire"

    slug = models.SlugField("identifiant", max_length=64, unique=True)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("nature", max_length=16, choices=Kind.choices, default=Kind.EPCI)
    siren = models.CharField("SIREN", max_length=9, unique=True, null=True, blank=True)
    is_main = models.BooleanField("territoire principal de l'instance", default=False)
    communes = models.ManyToManyField(
        Commune, verbose_name="communes", related_name="territories", blank=True
    )

    class Meta:
        verbose_name = "territoire"
        verbose_name_plural = "territoires"
        ordering = ["-is_main", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_main"],
                condition=models.Q(is_main=True),
                name="territory_single_main",
                violation_error_message="Un seul territoire peut être le territoire principal.",
            )
        ]

    def __str__(self) -> str:
        return self.name
