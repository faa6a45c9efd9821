"""The observatory's own data: the CUD's yearly targets for priority sectors, and the yearly
reports built as PDF files. Every figure it shows comes from the indicator registry."""

from django.conf import settings
from django.db import models

FIRST_YEAR = 2000


class Measure(models.TextChoices):
    """What a target counts; each reads one registered indicator by its sector row keys."""

    NEW_HOLDERS = "new_holders", "Nouveaux porteurs de projet"
    CREATIONS = "creations", "Créations de structures"


# The registered indicator each measure is read from (published by the support module).
MEASURE_INDICATORS = {
    Measure.NEW_HOLDERS: "support.new_holders_by_sector",
    Measure.CREATIONS: "support.creations",
}


class SectorTarget(models.Model):
    """A yearly target the CUD sets for one sector (e.g. 15 new project holders in mobility)."""

    year = models.PositiveSmallIntegerField("année")
    sector = models.ForeignKey(
        "directory.Sector",
        verbose_name="secteur",
        on_delete=models.PROTECT,
        related_name="observatory_targets",
    )
    measure = models.CharField("mesure", max_length=16, choices=Measure.choices)
    target = models.PositiveIntegerField("objectif")
    note = models.CharField("commentaire", max_length=255, blank=True)
    is_demo = models.BooleanField("donnée de démonstration", default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="modifié par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "objectif sectoriel"
        verbose_name_plural = "objectifs sectoriels"
        ordering = ["-year", "sector__position", "sector__name", "measure"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "sector", "measure"],
                name="sector_target_unique_year_sector_measure",
                violation_error_message=(
                    "Un objectif existe déjà pour ce secteur, cette année et cette mesure."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(target__gt=0),
                name="sector_target_positive",
                violation_error_message="L'objectif doit être un nombre entier supérieur à zéro.",
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=FIRST_YEAR, year__lte=2100),
                name="sector_target_year_range",
                violation_error_message="L'année doit être comprise entre 2000 et 2100.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sector} {self.year} — {self.get_measure_display()} : {self.target}"


class AnnualReport(models.Model):
    """One build of the "Rapport annuel de l'ESS" for a year (the PDF lives under MEDIA_ROOT)."""

    year = models.PositiveSmallIntegerField("année")
    job = models.OneToOneField(
        "core.Job",
        verbose_name="tâche de fond",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="observatory_report",
    )
    file = models.FileField("fichier PDF", upload_to="observatoire/rapports/", blank=True)
    size = models.PositiveIntegerField("taille (octets)", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="demandé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    finished_at = models.DateTimeField("produit le", null=True, blank=True)

    class Meta:
        verbose_name = "rapport annuel"
        verbose_name_plural = "rapports annuels"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=FIRST_YEAR, year__lte=2100),
                name="annual_report_year_range",
                violation_error_message="L'année doit être comprise entre 2000 et 2100.",
            ),
        ]

    def __str__(self) -> str:
        return f"Rapport annuel de l'ESS {self.year}"

    @property
    def is_ready(self) -> bool:
        return bool(self.file)

    @property
    def filename(self) -> str:
        return f"rapport-annuel-ess-{self.year}.pdf"


class ComputedTable(models.Model):
    """One registered indicator computed for one year, as the pages read it.

    The figures are the deployment's territory's (one deployment serves one territory), so a
    table is keyed by (indicator, year). The worker refreshes the stale ones in the background
    (`tasks.refresh_tables`, `manage.py refresh_observatory` every five minutes), so that no
    request waits for a computation; a request computes a table itself only when it was never
    computed (a fresh install, a newly registered indicator). `table` holds the
    `IndicatorTable` as JSON (`selectors.table_to_json`), or null when the computation failed
    (`error` then says so in French).
    """

    indicator = models.CharField("indicateur", max_length=100)
    year = models.PositiveSmallIntegerField("année")
    table = models.JSONField("tableau", null=True, blank=True)
    error = models.CharField("erreur", max_length=255, blank=True)
    computed_at = models.DateTimeField("calculé le")
    duration_ms = models.PositiveIntegerField("durée du calcul (ms)", default=0)

    class Meta:
        verbose_name = "tableau calculé"
        verbose_name_plural = "tableaux calculés"
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"],
                name="computed_table_unique_indicator_year",
                violation_error_message="Ce tableau est déjà calculé pour cette année.",
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=FIRST_YEAR, year__lte=2100),
                name="computed_table_year_range",
                violation_error_message="L'année doit être comprise entre 2000 et 2100.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}"


class Audience(models.TextChoices):
    """Who a year's workbook is for: its sheets are the indicators that audience may see."""

    PUBLIC = "public", "Public"
    FULL = "full", "Agence et financeurs"


class YearWorkbook(models.Model):
    """The year's XLSX (one sheet per indicator an audience may see), stored so that no download
    waits for openpyxl (0.2 to 1 s for 30 sheets).

    One per (year, audience): a new build replaces the old one. `digest` is the SHA-256 of the
    sheets' content (`selectors.workbook_digest`), never of when the tables were computed: a
    request serves the stored file while the tables it would be built from say the same, and
    builds (then stores) a new one otherwise. The background refresh builds them after
    refreshing the tables (`services.refresh_workbooks`). The content is kept in the database,
    not in MEDIA_ROOT, so that replacing it is one atomic upsert with no file left behind.
    """

    year = models.PositiveSmallIntegerField("année")
    audience = models.CharField("public visé", max_length=8, choices=Audience.choices)
    digest = models.CharField("empreinte du contenu (SHA-256)", max_length=64)
    content = models.BinaryField("classeur XLSX")
    built_at = models.DateTimeField("produit le")
    duration_ms = models.PositiveIntegerField("durée de production (ms)", default=0)

    class Meta:
        verbose_name = "classeur annuel"
        verbose_name_plural = "classeurs annuels"
        ordering = ["-year", "audience"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "audience"],
                name="year_workbook_unique_year_audience",
                violation_error_message="Ce classeur existe déjà pour cette année et ce public.",
            ),
            models.CheckConstraint(
                condition=models.Q(audience__in=Audience.values),
                name="year_workbook_audience_valid",
                violation_error_message="Le public visé doit être « public » ou « full ».",
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=FIRST_YEAR, year__lte=2100),
                name="year_workbook_year_range",
                violation_error_message="L'année doit être comprise entre 2000 et 2100.",
            ),
        ]

    def __str__(self) -> str:
        return f"Classeur {self.year} ({self.get_audience_display()})"
