"""Project holders accompanied by the agency (`ProjectHolder`) and the accompaniment actions
(`Action`) that make their timeline.

A holder's stage is a workflow machine (`ProjectHolder.stage`, its transitions in the model); each
stage keeps the date it was reached, so the stage at any date (the observatory's « at
31 December ») is one query.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django_fsm import FSMField, FSMModelMixin, transition

from essor.core.formats import long_date
from essor.core.permissions import agency_decides
from essor.core.workflow import step


class Stage(models.TextChoices):
    IDEA = "idee", "Idée"
    EMERGENCE = "emergence", "Émergence"
    STRUCTURING = "structuration", "Structuration"
    CREATION = "creation", "Création"
    ABANDONED = "abandon", "Abandon"


class HolderKind(models.TextChoices):
    PERSON = "personne", "Une personne"
    GROUP = "collectif", "Un collectif"


class Channel(models.TextChoices):
    """How the holder heard of the agency."""

    WORD_OF_MOUTH = "bouche-a-oreille", "Bouche-à-oreille"
    EVENT = "evenement", "Événement (Village des solidarités, réunion publique…)"
    WEBSITE = "internet", "Site internet ou réseaux sociaux"
    EMPLOYMENT = "emploi", "France Travail, mission locale ou Cap emploi"
    LOCAL_AUTHORITY = "collectivite", "Commune ou communauté urbaine"
    NETWORK = "reseau", "Réseau ou structure de l'ESS"
    PRESS = "presse", "Presse"
    OTHER = "autre", "Autre"


class ConsentScope(models.TextChoices):
    AGENCY = "agence", "Contact par l'agence uniquement"
    PARTNERS = "partenaires", "Contact par l'agence et par les partenaires vers qui elle oriente"


def holder_is_followed(holder: "ProjectHolder") -> bool:
    """A condition of every stage transition: a merged or erased holder no longer moves."""
    return holder.is_followed


class ProjectHolder(FSMModelMixin, models.Model):
    kind = models.CharField(
        "porteur", max_length=16, choices=HolderKind.choices, default=HolderKind.PERSON
    )
    name = models.CharField(
        "nom", max_length=200, help_text="Nom et prénom de la personne, ou nom du collectif."
    )
    # Normalised name (no accents, case or extra spaces) for the duplicate check.
    name_key = models.CharField(max_length=200, db_index=True, editable=False, default="")
    email = models.EmailField("courriel", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    phone_key = models.CharField(max_length=30, db_index=True, editable=False, default="")
    consent_on = models.DateField(
        "consentement recueilli le",
        null=True,
        blank=True,
        help_text="Obligatoire pour conserver un courriel ou un téléphone.",
    )
    consent_scope = models.CharField(
        "portée du consentement", max_length=16, choices=ConsentScope.choices, blank=True
    )
    idea = models.TextField("idée de projet")
    sectors = models.ManyToManyField(
        "directory.Sector", verbose_name="secteurs", related_name="project_holders"
    )
    commune = models.ForeignKey(
        "territory.Commune",
        verbose_name="commune",
        on_delete=models.PROTECT,
        related_name="project_holders",
    )
    in_qpv = models.BooleanField("habite ou porte le projet en quartier prioritaire (QPV)")
    heard_via = models.CharField(
        "a connu l'agence par", max_length=20, choices=Channel.choices, blank=True
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="chargé de mission référent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followed_project_holders",
    )
    stage = FSMField(
        "étape", max_length=16, choices=Stage.choices, default=Stage.IDEA, protected=True
    )
    # The date each stage was reached (the idea stage: the first contact with the agency).
    first_contact_on = models.DateField("premier accueil le")
    emergence_on = models.DateField("émergence le", null=True, blank=True)
    structuring_on = models.DateField("structuration le", null=True, blank=True)
    creation_date = models.DateField("création le", null=True, blank=True)
    abandoned_on = models.DateField("abandon le", null=True, blank=True)
    abandon_reason = models.TextField("motif de l'abandon", blank=True)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name="structure créée",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="project_holders",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name="fusionné dans",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    erased_on = models.DateField("données personnelles effacées le", null=True, blank=True)
    is_demo = models.BooleanField("donnée de démonstration", default=False)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "porteur de projet"
        verbose_name_plural = "porteurs de projet"
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["first_contact_on"], name="holder_first_contact"),
            models.Index(fields=["creation_date"], name="holder_creation_date"),
            # Covers the yearly indicators (holders accompanied in a year, by stage, commune,
            # QPV) so that they read the index, not the rows.
            models.Index(
                fields=[
                    "first_contact_on",
                    "creation_date",
                    "abandoned_on",
                    "structuring_on",
                    "emergence_on",
                    "commune",
                    "in_qpv",
                ],
                condition=Q(merged_into__isnull=True),
                name="holder_yearly_figures",
            ),
            models.Index(fields=["advisor", "stage"], name="holder_advisor_stage"),
            models.Index(fields=["commune", "name_key"], name="holder_commune_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(email="") & Q(phone="")) | Q(consent_on__isnull=False),
                name="holder_contact_needs_consent",
                violation_error_message=(
                    "Un courriel ou un téléphone ne peut être conservé qu'avec le consentement "
                    "de la personne : indiquez la date à laquelle il a été recueilli."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(stage="creation")
                | (Q(organisation__isnull=False) & Q(creation_date__isnull=False)),
                name="holder_creation_needs_organisation",
                violation_error_message=(
                    "Une création doit être rattachée à la structure créée dans l'annuaire, "
                    "avec sa date de création."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(stage="abandon")
                | (~Q(abandon_reason="") & Q(abandoned_on__isnull=False)),
                name="holder_abandon_needs_reason",
                violation_error_message="Un abandon doit être daté et motivé.",
            ),
            models.CheckConstraint(
                condition=Q(emergence_on__isnull=True) | Q(emergence_on__gte=F("first_contact_on")),
                name="holder_emergence_after_first_contact",
                violation_error_message="L'émergence ne peut précéder le premier accueil.",
            ),
            models.CheckConstraint(
                condition=Q(structuring_on__isnull=True)
                | (Q(emergence_on__isnull=False) & Q(structuring_on__gte=F("emergence_on"))),
                name="holder_structuring_after_emergence",
                violation_error_message="La structuration suit l'émergence.",
            ),
            models.CheckConstraint(
                condition=Q(creation_date__isnull=True)
                | (Q(structuring_on__isnull=False) & Q(creation_date__gte=F("structuring_on"))),
                name="holder_creation_after_structuring",
                violation_error_message="La création suit la structuration.",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("id")),
                name="holder_not_merged_into_itself",
                violation_error_message="Un porteur ne peut pas être fusionné avec lui-même.",
            ),
        ]

    def __str__(self) -> str:
        # Not the name: this label is copied into the audit log, which must not keep personal
        # details once a holder's data is erased.
        return f"Porteur de projet n° {self.pk}"

    @property
    def is_erased(self) -> bool:
        return self.erased_on is not None

    @property
    def has_contact_consent(self) -> bool:
        return self.consent_on is not None

    @property
    def is_open(self) -> bool:
        """Still accompanied: neither created nor abandoned."""
        return self.stage not in {Stage.CREATION, Stage.ABANDONED}

    @property
    def is_followed(self) -> bool:
        """Worked on: neither merged into another holder nor erased."""
        return self.merged_into_id is None and self.erased_on is None

    # --- workflow: one stage after the other, never skipped nor walked back; creation and
    # abandon are final. The services set the stage's date (and the abandon's reason, the
    # organisation created) before the transition.

    @transition(
        field=stage,
        source=Stage.IDEA,
        target=Stage.EMERGENCE,
        permission=agency_decides,
        conditions=[holder_is_followed],
        custom=step(
            "support.holder.emerge", "Passer à l'émergence", "Projet passé à l'étape « Émergence »"
        ),
    )
    def emerge(self):
        """The idea becomes a project (market study, first partners)."""

    @transition(
        field=stage,
        source=Stage.EMERGENCE,
        target=Stage.STRUCTURING,
        permission=agency_decides,
        conditions=[holder_is_followed],
        custom=step(
            "support.holder.structure",
            "Passer à la structuration",
            "Projet passé à l'étape « Structuration »",
        ),
    )
    def structure(self):
        """The project takes its legal and economic shape."""

    @transition(
        field=stage,
        source=Stage.STRUCTURING,
        target=Stage.CREATION,
        permission=agency_decides,
        conditions=[holder_is_followed],
        custom=step(
            "support.holder.create_business",
            "Enregistrer la création",
            "Création de la structure enregistrée",
        ),
    )
    def create_business(self):
        """The project became an organisation of the directory (the service links it)."""

    @transition(
        field=stage,
        source=[Stage.IDEA, Stage.EMERGENCE, Stage.STRUCTURING],
        target=Stage.ABANDONED,
        permission=agency_decides,
        conditions=[holder_is_followed],
        custom=step(
            "support.holder.abandon", "Enregistrer un abandon", "Abandon du projet", reason=True
        ),
    )
    def abandon(self):
        """The holder gives the project up; the reason is kept on the holder's page."""


class ActionKind(models.TextChoices):
    MEETING = "rendez-vous", "Rendez-vous"
    WORKSHOP = "atelier", "Atelier collectif"
    TRAINING = "formation", "Formation"
    REFERRAL = "orientation", "Orientation vers un partenaire"


class PartnerKind(models.TextChoices):
    CIGALES = "cigales", "Club CIGALES"
    FRANCE_ACTIVE = "france-active", "France Active"
    PROGRAMME = "programme", "Programme de financement"
    TIERS_LIEU = "tiers-lieu", "Tiers-lieu"
    OTHER = "autre", "Autre partenaire"


# What a holder may agree to share with a partner (key -> French label), in display order.
SHAREABLE_FIELDS = {
    "name": "Nom",
    "email": "Courriel",
    "phone": "Téléphone",
    "commune": "Commune",
    "idea": "Idée de projet",
    "sectors": "Secteurs",
    "stage": "Étape du projet",
}
CONTACT_FIELDS = {"email", "phone"}


class Action(models.Model):
    """One accompaniment action: a meeting, a workshop, a training, a referral to a partner."""

    holder = models.ForeignKey(
        ProjectHolder,
        verbose_name="porteur de projet",
        on_delete=models.CASCADE,
        related_name="actions",
    )
    date = models.DateField("date")
    kind = models.CharField("type d'action", max_length=16, choices=ActionKind.choices)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="réalisée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notes = models.TextField("notes", blank=True)
    next_step = models.CharField("prochaine étape", max_length=255, blank=True)
    reminder_on = models.DateField("relance le", null=True, blank=True)
    reminder_done_on = models.DateField("relance faite le", null=True, blank=True)
    # Referral only.
    partner_kind = models.CharField(
        "partenaire", max_length=16, choices=PartnerKind.choices, blank=True
    )
    partner_name = models.CharField("nom du partenaire", max_length=200, blank=True)
    shared_fields = models.JSONField(
        "informations que la personne accepte de transmettre", default=list, blank=True
    )
    is_demo = models.BooleanField("donnée de démonstration", default=False)
    created_at = models.DateTimeField("saisie le", auto_now_add=True)

    class Meta:
        verbose_name = "action d'accompagnement"
        verbose_name_plural = "actions d'accompagnement"
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["holder", "-date"], name="action_holder_date"),
            # Covers the yearly counts by kind (actions and distinct holders).
            models.Index(fields=["date", "kind", "holder"], name="action_date_kind_holder"),
            models.Index(
                fields=["reminder_on"],
                condition=Q(reminder_on__isnull=False, reminder_done_on__isnull=True),
                name="action_open_reminder",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(reminder_on__isnull=True)
                | (~Q(next_step="") & Q(reminder_on__gte=F("date"))),
                name="action_reminder_after_action",
                violation_error_message=(
                    "Une relance suit l'action et porte sur une prochaine étape : "
                    "décrivez la prochaine étape."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(kind="orientation") | ~Q(partner_kind=""),
                name="action_referral_names_partner",
                violation_error_message="Une orientation précise le partenaire.",
            ),
            models.CheckConstraint(
                condition=Q(kind="orientation") | Q(partner_kind=""),
                name="action_partner_only_for_referral",
                violation_error_message="Seule une orientation vers un partenaire en désigne un.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {long_date(self.date)} — {self.holder}"

    @property
    def is_referral(self) -> bool:
        return self.kind == ActionKind.REFERRAL

    @property
    def partner_label(self) -> str:
        label = self.get_partner_kind_display()
        return f"{label} — {self.partner_name}" if self.partner_name else label
