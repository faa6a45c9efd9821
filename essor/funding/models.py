"""Funders, programmes and their yearly envelopes; the shared application (dossier unique), its
budget, attachments and one share per programme asked; decisions, agreements, payments, reports
and committee sessions."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django_fsm import FSMField, FSMModelMixin, transition

from essor.core.formats import euros, long_date, without_accents
from essor.core.validators import validate_rna, validate_siret
from essor.core.workflow import step
from essor.funding import access
from essor.funding.budget import CODE_CHOICES


class FunderProfile(models.Model):
    """The funder role of an organisation (the CUD, the Région, the Département, a commune…)."""

    organisation = models.OneToOneField(
        "directory.Organisation",
        verbose_name="structure",
        on_delete=models.CASCADE,
        related_name="funder_profile",
    )
    siret = models.CharField(
        "SIRET de l'attribuant", max_length=14, validators=[validate_siret], unique=True
    )
    agency_front_office = models.BooleanField(
        "l'agence peut instruire pour ce financeur (guichet délégué)", default=False
    )
    is_demo = models.BooleanField("donnée de démonstration", default=False)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "financeur"
        verbose_name_plural = "financeurs"
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return self.organisation.name


class PaymentMode(models.TextChoices):
    SINGLE = "single", "Versement unique"
    ADVANCE = "advance", "Avance puis solde après le compte-rendu financier"


class Programme(models.Model):
    """A funding scheme (dispositif) of a funder, with one envelope per year."""

    funder = models.ForeignKey(
        FunderProfile, verbose_name="financeur", on_delete=models.CASCADE, related_name="programmes"
    )
    name = models.CharField("nom", max_length=200)
    summary = models.CharField("résumé", max_length=300, blank=True)
    description = models.TextField("description", blank=True)
    eligible_families = models.JSONField(
        "familles de l'ESS éligibles (vide : toutes)", default=list, blank=True
    )
    sectors = models.ManyToManyField(
        "directory.Sector", verbose_name="secteurs éligibles (aucun : tous)", blank=True
    )
    communes = models.ManyToManyField(
        "territory.Commune",
        verbose_name="territoire (aucune commune : tout le territoire)",
        blank=True,
    )
    opens_on = models.DateField("ouverture des demandes")
    closes_on = models.DateField("clôture des demandes")
    ceiling = models.DecimalField(
        "montant maximal par demande", max_digits=12, decimal_places=2, null=True, blank=True
    )
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="instructeurs", blank=True, related_name="+"
    )
    payment_mode = models.CharField(
        "échéancier", max_length=16, choices=PaymentMode.choices, default=PaymentMode.SINGLE
    )
    advance_percent = models.PositiveSmallIntegerField("part de l'avance (%)", default=70)
    is_published = models.BooleanField("publié au catalogue", default=True)
    # Published in the open data (SCDL `notificationUE` and `dispositifAide`).
    de_minimis = models.BooleanField(
        "aide de minimis notifiée à la Commission européenne (règlement UE n° 1407/2013)",
        default=False,
    )
    aid_scheme_id = models.CharField(
        "identifiant au référentiel national des dispositifs d'aide",
        max_length=64,
        blank=True,
        help_text="L'identifiant du dispositif dans les données publiées au schéma national "
        "« dispositifs d'aide » (par exemple 65d5b6c7-102c-4440-ac3b-768f708edc0a), s'il y figure.",
    )
    is_demo = models.BooleanField("donnée de démonstration", default=False)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "dispositif"
        verbose_name_plural = "dispositifs"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")),
                name="programme_window_ordered",
                violation_error_message="La clôture des demandes doit suivre leur ouverture.",
            ),
            models.CheckConstraint(
                condition=Q(ceiling__isnull=True) | Q(ceiling__gt=0),
                name="programme_ceiling_positive",
                violation_error_message="Le plafond doit être positif.",
            ),
            models.CheckConstraint(
                condition=Q(advance_percent__gte=1, advance_percent__lte=99),
                name="programme_advance_percent_range",
                violation_error_message="La part de l'avance doit être comprise entre 1 et 99 %%.",  # %-formatted
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_open_on(self, day) -> bool:
        return self.is_published and self.opens_on <= day <= self.closes_on


class Envelope(models.Model):
    """The budget of a programme for one year. `granted` is the total of accepted shares, kept
    under a row lock by the decision service; the database refuses granted > amount."""

    programme = models.ForeignKey(
        Programme, verbose_name="dispositif", on_delete=models.CASCADE, related_name="envelopes"
    )
    year = models.PositiveSmallIntegerField("année")
    amount = models.DecimalField("montant de l'enveloppe", max_digits=14, decimal_places=2)
    granted = models.DecimalField("montant accordé", max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = "enveloppe"
        verbose_name_plural = "enveloppes"
        ordering = ["programme", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year"],
                name="envelope_one_per_programme_year",
                violation_error_message="Ce dispositif a déjà une enveloppe pour cette année.",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(granted__gte=0),
                name="envelope_amounts_positive",
                violation_error_message="Les montants d'une enveloppe ne peuvent être négatifs.",
            ),
            models.CheckConstraint(
                condition=Q(granted__lte=F("amount")),
                name="envelope_not_exceeded",
                violation_error_message="Le montant accordé dépasserait l'enveloppe.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} — {self.year}"

    @property
    def remaining(self):
        return self.amount - self.granted


class Application(FSMModelMixin, models.Model):
    """The dossier unique: one project, one budget, one set of attachments, several shares.

    Its status is derived from its shares (`derived_application_status`): Essor moves it after
    each move of a share, through the system transitions below."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Brouillon"
        SUBMITTED = "submitted", "Déposé"
        INSTRUCTION = "instruction", "En instruction"
        CORRECTION = "correction", "À corriger"
        DECIDED = "decided", "Décidé"

    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name="structure demandeuse",
        on_delete=models.PROTECT,
        related_name="funding_applications",
    )
    reference = models.CharField("référence", max_length=20, unique=True)
    status = FSMField(
        "état",
        max_length=16,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        protected=True,
    )
    title = models.CharField("intitulé du projet", max_length=255)
    summary = models.TextField("présentation du projet", blank=True)
    objectives = models.TextField("objectifs", blank=True)
    beneficiaries = models.TextField("publics visés", blank=True)
    year = models.PositiveSmallIntegerField("année financée")
    start_date = models.DateField("début du projet", null=True, blank=True)
    end_date = models.DateField("fin du projet", null=True, blank=True)
    sector = models.ForeignKey(
        "directory.Sector",
        verbose_name="secteur",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    commune = models.ForeignKey(
        "territory.Commune",
        verbose_name="commune du projet",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    siret = models.CharField(
        "SIRET de l'établissement porteur", max_length=14, blank=True, validators=[validate_siret]
    )
    rna = models.CharField("numéro RNA", max_length=10, blank=True, validators=[validate_rna])
    contact_name = models.CharField("personne à contacter", max_length=150, blank=True)
    contact_email = models.EmailField("courriel de contact", blank=True)
    contact_phone = models.CharField("téléphone", max_length=30, blank=True)
    declarant_name = models.CharField("nom du signataire", max_length=150, blank=True)
    declared_at = models.DateTimeField("attestation sur l'honneur le", null=True, blank=True)
    submitted_at = models.DateTimeField("déposé le", null=True, blank=True)
    # Empty once the author's account is deleted: the application stays editable by its structure.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    # Reference and title, lower case without accents: the instruction list searches this narrow
    # column (and its covering index) instead of reading the whole table.
    search_text = models.CharField("texte de recherche", max_length=300, blank=True, editable=False)

    class Meta:
        verbose_name = "dossier de demande"
        verbose_name_plural = "dossiers de demande"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organisation", "-created_at"], name="funding_app_org"),
            models.Index(fields=["search_text", "organisation"], name="funding_app_search"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="application_dates_ordered",
                violation_error_message="La fin du projet doit suivre son début.",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="application_submitted_has_date",
                violation_error_message="Un dossier déposé a une date de dépôt.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    def save(self, *args, **kwargs):
        self.search_text = self.search_key(f"{self.reference} {self.title}")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"reference", "title"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    @staticmethod
    def search_key(text: str) -> str:
        """Lower case, accents removed, spaces collapsed: « Épicerie  Solidaire » → « epicerie
        solidaire ». Applied to the stored text and to what people type."""
        return " ".join(without_accents(text).lower().split())[:300]

    # --- workflow: Essor alone moves an application, to the state its shares give ------------

    @transition(
        field=status,
        source=Status.DRAFT,
        target=Status.SUBMITTED,
        custom=step("funding.application.submit", "Déposer", "Dossier déposé", system=True),
    )
    def mark_submitted(self):
        """Its requests were deposited."""

    @transition(
        field=status,
        source=[Status.SUBMITTED, Status.CORRECTION],
        target=Status.INSTRUCTION,
        custom=step(
            "funding.application.instruct",
            "Mettre en instruction",
            "Dossier en instruction",
            system=True,
        ),
    )
    def mark_in_instruction(self):
        """A funder examines or decided its request, and none asks for a correction."""

    @transition(
        field=status,
        source=[Status.SUBMITTED, Status.INSTRUCTION],
        target=Status.CORRECTION,
        custom=step(
            "funding.application.request_correction",
            "Demander une correction",
            "Dossier à corriger",
            system=True,
        ),
    )
    def mark_to_correct(self):
        """A funder sent its request back for correction."""

    @transition(
        field=status,
        source=Status.CORRECTION,
        target=Status.SUBMITTED,
        custom=step(
            "funding.application.resubmit",
            "Déposer de nouveau",
            "Dossier corrigé et déposé de nouveau",
            system=True,
        ),
    )
    def mark_resubmitted(self):
        """The structure deposited the corrected application again."""

    @transition(
        field=status,
        source=[Status.SUBMITTED, Status.INSTRUCTION, Status.CORRECTION],
        target=Status.DECIDED,
        custom=step(
            "funding.application.decide",
            "Clore",
            "Dossier décidé par tous les financeurs",
            system=True,
        ),
    )
    def mark_decided(self):
        """Every funder asked decided its request."""

    @transition(
        field=status,
        source=Status.DECIDED,
        target=Status.INSTRUCTION,
        custom=step(
            "funding.application.reopen",
            "Rouvrir",
            "Dossier rouvert (une décision reprise en instruction)",
            system=True,
        ),
    )
    def mark_reopened(self):
        """A funder reopened its decision."""


class BudgetLine(models.Model):
    """One account of the Cerfa 12156 budget (whole euros)."""

    application = models.ForeignKey(
        Application, verbose_name="dossier", on_delete=models.CASCADE, related_name="budget_lines"
    )
    code = models.CharField("compte", max_length=24, choices=CODE_CHOICES)
    amount = models.DecimalField("montant", max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = "ligne du budget"
        verbose_name_plural = "lignes du budget"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "code"],
                name="budget_line_one_per_account",
                violation_error_message="Ce compte figure déjà au budget.",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="budget_line_amount_positive",
                violation_error_message="Un montant du budget ne peut être négatif.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} : {euros(self.amount)}"


def attachment_path(instance, filename: str) -> str:
    """Private storage path: never derived from the uploaded name (kept in `original_name`)."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"funding/{instance.application_id}/{uuid.uuid4().hex}.{extension}"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        STATUTES = "statuts", "Statuts"
        RIB = "rib", "Relevé d'identité bancaire (RIB)"
        ACCOUNTS = "comptes", "Derniers comptes approuvés"
        ACTIVITY_REPORT = "rapport", "Dernier rapport d'activité"
        MEMBERS = "bureau", "Liste des dirigeants"
        OTHER = "autre", "Autre pièce"

    application = models.ForeignKey(
        Application, verbose_name="dossier", on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField("type de pièce", max_length=16, choices=Kind.choices)
    file = models.FileField("fichier", upload_to=attachment_path, max_length=255)
    original_name = models.CharField("nom du fichier", max_length=255)
    size = models.PositiveIntegerField("taille (octets)")
    content_type = models.CharField("type", max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("déposée le", auto_now_add=True)

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["kind", "uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.original_name}"


class ShareStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Déposé"
    INSTRUCTION = "instruction", "En instruction"
    CORRECTION = "correction", "Renvoyé pour correction"
    ACCEPTED = "accepted", "Accepté"
    REFUSED = "refused", "Refusé"
    CLOSED = "closed", "Classé sans suite"


DECIDED = (ShareStatus.ACCEPTED, ShareStatus.REFUSED, ShareStatus.CLOSED)


def derived_application_status(share_statuses) -> str:
    """The state of an application given the states of its shares (the rule of its machine):

    - no share deposited yet: brouillon;
    - a funder sent its share back: à corriger (the structure has something to do);
    - every funder decided (accepted, refused or closed): décidé;
    - a funder examines its share, or decided it while others have not: en instruction;
    - otherwise (every share deposited, none examined yet): déposé.
    """
    deposited = [status for status in share_statuses if status != ShareStatus.DRAFT]
    if not deposited:
        return Application.Status.DRAFT
    if ShareStatus.CORRECTION in deposited:
        return Application.Status.CORRECTION
    if all(status in DECIDED for status in deposited):
        return Application.Status.DECIDED
    if any(status == ShareStatus.INSTRUCTION or status in DECIDED for status in deposited):
        return Application.Status.INSTRUCTION
    return Application.Status.SUBMITTED


class Share(FSMModelMixin, models.Model):
    """The part of an application addressed to one programme: instructed and decided by its
    funder alone."""

    application = models.ForeignKey(
        Application, verbose_name="dossier", on_delete=models.CASCADE, related_name="shares"
    )
    programme = models.ForeignKey(
        Programme, verbose_name="dispositif", on_delete=models.PROTECT, related_name="shares"
    )
    status = FSMField(
        "état",
        max_length=16,
        choices=ShareStatus.choices,
        default=ShareStatus.DRAFT,
        protected=True,
    )
    amount_requested = models.DecimalField("montant demandé", max_digits=12, decimal_places=2)
    amount_granted = models.DecimalField(
        "montant accordé", max_digits=12, decimal_places=2, null=True, blank=True
    )
    envelope = models.ForeignKey(
        Envelope,
        verbose_name="enveloppe",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shares",
    )
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    motivation = models.TextField("motivation de la décision", blank=True)
    # The act that materialises an acceptance (SCDL `referenceDecision`): the committee session's
    # item when decided in session, else the agreement.
    decision_reference = models.CharField("référence de la décision", max_length=40, blank=True)
    # Copies of the application's facts the lists and dashboards group by, so that they read one
    # table (kept by the services: set when the share is created, updated with the application).
    year = models.PositiveSmallIntegerField("année financée")
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    sector = models.ForeignKey(
        "directory.Sector", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    commune = models.ForeignKey(
        "territory.Commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The total of its paid payments (kept by `services.set_payment_status` under a row lock).
    amount_paid = models.DecimalField("montant versé", max_digits=12, decimal_places=2, default=0)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "part d'un dossier"
        verbose_name_plural = "parts des dossiers"
        ordering = ["application", "programme"]
        indexes = [
            # Covers a funder's dashboard over all years (its programmes first).
            models.Index(
                fields=[
                    "programme",
                    "status",
                    "year",
                    "sector",
                    "commune",
                    "organisation",
                    "amount_requested",
                    "amount_granted",
                    "amount_paid",
                ],
                name="funding_share_programme",
            ),
            models.Index(fields=["-updated_at", "-id"], name="funding_share_recent"),
            # Covers the dashboard's aggregates (no table lookup on SQLite or PostgreSQL).
            models.Index(
                fields=[
                    "year",
                    "status",
                    "programme",
                    "sector",
                    "commune",
                    "organisation",
                    "amount_requested",
                    "amount_granted",
                    "amount_paid",
                ],
                name="funding_share_dashboard",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "programme"],
                name="share_one_per_programme",
                violation_error_message="Ce dispositif est déjà sollicité dans ce dossier.",
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0),
                name="share_paid_positive",
                violation_error_message="Le montant versé ne peut être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(amount_requested__gt=0),
                name="share_requested_positive",
                violation_error_message="Le montant demandé doit être positif.",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted")
                | (
                    Q(amount_granted__gt=0)
                    & Q(amount_granted__lte=F("amount_requested"))
                    & Q(envelope__isnull=False)
                ),
                name="share_accepted_amount",
                violation_error_message=(
                    "Une part acceptée a un montant accordé positif, au plus égal au montant "
                    "demandé, imputé sur une enveloppe."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.reference} — {self.programme}"

    def save(self, *args, **kwargs):
        if self._state.adding and self.organisation_id is None:
            self.copy_application_facts(self.application)
        super().save(*args, **kwargs)

    def copy_application_facts(self, application) -> None:
        self.year = application.year
        self.organisation_id = application.organisation_id
        self.sector_id = application.sector_id
        self.commune_id = application.commune_id

    # --- workflow --------------------------------------------------------------------------

    @transition(
        field=status,
        source=[ShareStatus.DRAFT, ShareStatus.CORRECTION],
        target=ShareStatus.SUBMITTED,
        permission=access.share_applicants,
        custom=step("funding.share.submit", "Déposer", "Demande déposée"),
    )
    def submit(self):
        """The structure deposits its request (again, once corrected)."""

    @transition(
        field=status,
        source=ShareStatus.SUBMITTED,
        target=ShareStatus.INSTRUCTION,
        permission=access.share_instructors,
        custom=step(
            "funding.share.instruct", "Commencer l'instruction", "Demande mise en instruction"
        ),
    )
    def start_instruction(self):
        """The funder starts examining the request."""

    @transition(
        field=status,
        source=[ShareStatus.SUBMITTED, ShareStatus.INSTRUCTION],
        target=ShareStatus.CORRECTION,
        permission=access.share_instructors,
        custom=step(
            "funding.share.request_correction",
            "Renvoyer pour correction",
            "Demande renvoyée pour correction",
            reason=True,
        ),
    )
    def request_correction(self):
        """The funder asks the structure to correct its application (the reason says what)."""

    @transition(
        field=status,
        source=ShareStatus.INSTRUCTION,
        target=ShareStatus.ACCEPTED,
        permission=access.share_instructors,
        custom=step("funding.share.accept", "Accepter", "Demande acceptée", reason=True),
    )
    def accept(self):
        """The funder grants an amount (the service charges the envelope, writes the agreement)."""

    @transition(
        field=status,
        source=ShareStatus.INSTRUCTION,
        target=ShareStatus.REFUSED,
        permission=access.share_instructors,
        custom=step("funding.share.refuse", "Refuser", "Demande refusée", reason=True),
    )
    def refuse(self):
        """The funder refuses the request."""

    @transition(
        field=status,
        source=[ShareStatus.SUBMITTED, ShareStatus.INSTRUCTION, ShareStatus.CORRECTION],
        target=ShareStatus.CLOSED,
        permission=access.share_instructors,
        custom=step(
            "funding.share.close", "Classer sans suite", "Demande classée sans suite", reason=True
        ),
    )
    def close(self):
        """The request is dropped (withdrawn by the structure, never corrected…)."""

    @transition(
        field=status,
        source=list(DECIDED),
        target=ShareStatus.INSTRUCTION,
        permission=access.share_instructors,
        custom=step(
            "funding.share.reopen", "Rouvrir la décision", "Décision rouverte", reason=True
        ),
    )
    def reopen(self):
        """The funder takes its decision back into instruction."""


class Note(models.Model):
    """A private note of a funder's instructors on an application (other funders never see it)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notes")
    funder = models.ForeignKey(FunderProfile, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField("note")
    created_at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "note d'instruction"
        verbose_name_plural = "notes d'instruction"
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Note du {long_date(self.created_at)}"


class Message(models.Model):
    """A message between the applicant and the funders (or the agency) about an application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_organisation = models.ForeignKey(
        "directory.Organisation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField("message")
    created_at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "message"
        verbose_name_plural = "messages"
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Message du {long_date(self.created_at)}"


class Agreement(models.Model):
    """The agreement (convention) of an accepted share, with its payment schedule."""

    share = models.OneToOneField(Share, on_delete=models.CASCADE, related_name="agreement")
    reference = models.CharField("référence", max_length=32, unique=True)
    signed_on = models.DateField("date de la convention")
    amount = models.DecimalField("montant", max_digits=12, decimal_places=2)
    payment_mode = models.CharField("échéancier", max_length=16, choices=PaymentMode.choices)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "convention"
        verbose_name_plural = "conventions"
        ordering = ["-signed_on"]
        indexes = [models.Index(fields=["signed_on"], name="funding_agreement_signed")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="agreement_amount_positive",
                violation_error_message="Le montant d'une convention doit être positif.",
            )
        ]

    def __str__(self) -> str:
        return self.reference


class Payment(FSMModelMixin, models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "Versement unique"
        ADVANCE = "advance", "Avance"
        BALANCE = "balance", "Solde"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Prévu"
        PAID = "paid", "Versé"
        CANCELLED = "cancelled", "Annulé"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="payments")
    kind = models.CharField("nature", max_length=16, choices=Kind.choices)
    amount = models.DecimalField("montant", max_digits=12, decimal_places=2)
    due_on = models.DateField("échéance", null=True, blank=True)
    status = FSMField(
        "état", max_length=16, choices=Status.choices, default=Status.SCHEDULED, protected=True
    )
    paid_on = models.DateField("versé le", null=True, blank=True)

    class Meta:
        verbose_name = "versement"
        verbose_name_plural = "versements"
        ordering = ["agreement", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="payment_amount_positive",
                violation_error_message="Le montant d'un versement doit être positif.",
            ),
            models.CheckConstraint(
                condition=(Q(status="paid") & Q(paid_on__isnull=False))
                | (~Q(status="paid") & Q(paid_on__isnull=True)),
                name="payment_paid_has_date",
                violation_error_message="Un versement effectué a une date, et lui seul.",
            ),
            models.UniqueConstraint(
                fields=["agreement", "kind"],
                name="payment_one_per_kind",
                violation_error_message="Ce versement figure déjà à l'échéancier.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.agreement}"

    # --- workflow --------------------------------------------------------------------------

    @transition(
        field=status,
        source=Status.SCHEDULED,
        target=Status.PAID,
        permission=access.payment_instructors,
        custom=step("funding.payment.pay", "Enregistrer le versement", "Versement effectué"),
    )
    def pay(self):
        """The funder paid it (the service records the date and the share's paid total)."""

    @transition(
        field=status,
        source=Status.SCHEDULED,
        target=Status.CANCELLED,
        permission=access.payment_instructors,
        custom=step("funding.payment.cancel", "Annuler le versement", "Versement annulé"),
    )
    def cancel(self):
        """The payment will not be made."""


class FinancialReport(FSMModelMixin, models.Model):
    """The compte-rendu financier (Cerfa 15059) due for an agreement."""

    class Status(models.TextChoices):
        PENDING = "pending", "À remettre"
        SUBMITTED = "submitted", "Remis"
        ACCEPTED = "accepted", "Accepté"
        RETURNED = "returned", "Renvoyé pour complément"

    agreement = models.OneToOneField(Agreement, on_delete=models.CASCADE, related_name="report")
    due_on = models.DateField("à remettre avant le")
    status = FSMField(
        "état", max_length=16, choices=Status.choices, default=Status.PENDING, protected=True
    )
    review = models.TextField("bilan qualitatif", blank=True)
    submitted_at = models.DateTimeField("remis le", null=True, blank=True)
    reviewed_at = models.DateTimeField("examiné le", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_comment = models.TextField("avis du financeur", blank=True)

    class Meta:
        verbose_name = "compte-rendu financier"
        verbose_name_plural = "comptes-rendus financiers"
        ordering = ["due_on"]
        indexes = [models.Index(fields=["status", "due_on"], name="funding_report_due")]

    def __str__(self) -> str:
        return f"Compte-rendu {self.agreement}"

    # --- workflow --------------------------------------------------------------------------

    @transition(
        field=status,
        source=[Status.PENDING, Status.RETURNED],
        target=Status.SUBMITTED,
        permission=access.report_applicants,
        custom=step(
            "funding.report.submit", "Remettre au financeur", "Compte-rendu financier remis"
        ),
    )
    def submit(self):
        """The structure hands its report in (again, once completed)."""

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.ACCEPTED,
        permission=access.report_reviewers,
        custom=step(
            "funding.report.accept", "Accepter le compte-rendu", "Compte-rendu financier accepté"
        ),
    )
    def accept(self):
        """The funder accepts the report (the balance may then be paid)."""

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.RETURNED,
        permission=access.report_reviewers,
        custom=step(
            "funding.report.return",
            "Demander un complément",
            "Compte-rendu financier renvoyé pour complément",
            reason=True,
        ),
    )
    def send_back(self):
        """The funder asks the structure to complete its report (the reason says what)."""


class ReportLine(models.Model):
    report = models.ForeignKey(FinancialReport, on_delete=models.CASCADE, related_name="lines")
    code = models.CharField("compte", max_length=24, choices=CODE_CHOICES)
    planned = models.DecimalField("prévu", max_digits=12, decimal_places=2, default=0)
    actual = models.DecimalField("réalisé", max_digits=12, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "code"],
                name="report_line_one_per_account",
                violation_error_message="Ce compte figure déjà au compte-rendu.",
            ),
            models.CheckConstraint(
                condition=Q(planned__gte=0) & Q(actual__gte=0),
                name="report_line_positive",
                violation_error_message="Un montant du compte-rendu ne peut être négatif.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} : {euros(self.planned)} / {euros(self.actual)}"


class ReportReminder(models.Model):
    """One reminder e-mail sent for a report (at most one of each kind)."""

    report = models.ForeignKey(FinancialReport, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField("relance", max_length=16)  # "before" or "after"
    sent_on = models.DateField("envoyée le")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "kind"],
                name="report_reminder_once",
                violation_error_message="Cette relance a déjà été envoyée.",
            )
        ]

    def __str__(self) -> str:
        return f"Relance {self.kind} du {long_date(self.sent_on)}"


class CommitteeSession(FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Programmée"
        HELD = "held", "Tenue"

    funder = models.ForeignKey(FunderProfile, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField("intitulé", max_length=200)
    date = models.DateField("date")
    status = FSMField(
        "état", max_length=16, choices=Status.choices, default=Status.PLANNED, protected=True
    )
    held_at = models.DateTimeField("décisions enregistrées le", null=True, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "séance de comité"
        verbose_name_plural = "séances de comité"
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.title} ({long_date(self.date)})"

    @property
    def reference(self) -> str:
        """The committee's act, in the decision references of its agenda (`CS-2026-0004`)."""
        return f"CS-{self.date.year}-{self.pk:04d}"

    # --- workflow --------------------------------------------------------------------------

    @transition(
        field=status,
        source=Status.PLANNED,
        target=Status.HELD,
        permission=access.session_instructors,
        custom=step(
            "funding.session.hold",
            "Enregistrer les décisions de la séance",
            "Décisions du comité enregistrées",
        ),
    )
    def hold(self):
        """The committee decided its agenda (the service records every decision at once)."""


class AgendaItem(models.Model):
    session = models.ForeignKey(CommitteeSession, on_delete=models.CASCADE, related_name="items")
    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "share"],
                name="agenda_item_once",
                violation_error_message="Ce dossier est déjà à l'ordre du jour.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.session} — {self.share}"
