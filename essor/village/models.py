"""The Village des solidarités: editions, their zones and stands, and the exhibitors' call.

One `Organisation` of the directory per exhibitor (house rule); one application per structure and
edition, one stand per application and one application per stand (database constraints).
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from essor.core import formats
from essor.core.permissions import (
    administered_organisation_ids,
    agency_decides,
    can_admin_organisation,
)
from essor.core.steps import step

# A Village lasts a weekend, a week at most: a longer one is a typing error (9999 for 2027).
MAX_EDITION_DAYS = 14


class Edition(models.Model):
    """One yearly Village: when, where, its opening hours; published once the call opens."""

    name = models.CharField("nom", max_length=150)
    starts_on = models.DateField("premier jour")
    ends_on = models.DateField("dernier jour")
    place = models.CharField("lieu", max_length=200)
    opening_hours = models.CharField(
        "horaires d'ouverture", max_length=200, help_text="Par exemple : 10 h – 18 h."
    )
    call_closes_on = models.DateField("clôture de l'appel aux exposants")
    is_published = models.BooleanField("publiée", default=False)
    # The plan's drawing area, in metres: stands are placed on it.
    plan_width = models.PositiveSmallIntegerField("largeur du plan (m)", default=60)
    plan_height = models.PositiveSmallIntegerField("profondeur du plan (m)", default=40)

    class Meta:
        verbose_name = "édition"
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="village_edition_days_ordered",
                violation_error_message="Le dernier jour doit suivre le premier.",
            ),
            models.CheckConstraint(
                condition=Q(call_closes_on__lte=F("starts_on")),
                name="village_edition_call_before_event",
                violation_error_message="L'appel aux exposants doit se clore avant l'événement.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if (
            self.starts_on
            and self.ends_on
            and (self.ends_on - self.starts_on).days >= MAX_EDITION_DAYS
        ):
            raise ValidationError({"ends_on": f"Un Village dure au plus {MAX_EDITION_DAYS} jours."})


class Zone(models.Model):
    """A theme of the village (« Manger local », « Réemploi »…), with its colour on the plan."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="zones")
    name = models.CharField("nom", max_length=100)
    theme = models.CharField("thème", max_length=200, blank=True)
    colour = models.CharField(
        "couleur",
        max_length=7,
        default="#d8e8f8",
        help_text="Couleur claire du plan, en hexadécimal (#rrggbb) : le texte reste noir.",
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "zone"
        ordering = ["edition", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "name"],
                name="village_zone_unique_name",
                violation_error_message="Une zone de ce nom existe déjà dans cette édition.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Stand(models.Model):
    """A numbered place in a zone, with what it offers and where it stands on the plan."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="stands")
    # RESTRICT: a zone holding stands is not deleted alone, but goes with its whole edition.
    zone = models.ForeignKey(Zone, on_delete=models.RESTRICT, related_name="stands")
    number = models.PositiveSmallIntegerField("numéro", validators=[MinValueValidator(1)])
    area = models.DecimalField(
        "surface (m²)",
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("500"))],
    )
    has_power = models.BooleanField("électricité", default=False)
    has_water = models.BooleanField("point d'eau", default=False)
    step_free = models.BooleanField("accès de plain-pied", default=True)
    # Position and size on the plan, in metres from the top left corner.
    x = models.PositiveSmallIntegerField("x (m)", default=0)
    y = models.PositiveSmallIntegerField("y (m)", default=0)
    width = models.PositiveSmallIntegerField(
        "largeur (m)", default=3, validators=[MinValueValidator(1)]
    )
    depth = models.PositiveSmallIntegerField(
        "profondeur (m)", default=3, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = "stand"
        ordering = ["edition", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "number"],
                name="village_stand_unique_number",
                violation_error_message="Ce numéro de stand existe déjà dans cette édition.",
            ),
        ]

    def __str__(self) -> str:
        return f"Stand {self.number}"

    @property
    def features(self) -> list[str]:
        area = Decimal(self.area)
        found = [f"{formats.number(area, 0 if area == area.to_integral_value() else 1)} m²"]
        if self.has_power:
            found.append("électricité")
        if self.has_water:
            found.append("point d'eau")
        found.append("accès de plain-pied" if self.step_free else "accès avec marche")
        return found


def exhibitor_admins_act(application, user) -> bool:
    """Les administrateurs de la structure exposante."""
    return application.organisation_id in administered_organisation_ids(user)


def exhibitor_or_agency(application, user) -> bool:
    """Les administrateurs de la structure exposante, et l'agence."""
    return can_admin_organisation(user, application.organisation)


class ExhibitorApplication(FSMModelMixin, models.Model):
    """A structure's application to exhibit at an edition, from its draft to its stand."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Brouillon"
        SUBMITTED = "submitted", "Déposée"
        WAITING_LIST = "waiting_list", "Liste d'attente"
        ACCEPTED = "accepted", "Acceptée"
        CONFIRMED = "confirmed", "Confirmée par l'exposant"
        REJECTED = "rejected", "Refusée"
        WITHDRAWN = "withdrawn", "Retirée"

    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="village_applications"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="auteur",
    )
    status = FSMField(
        "état", max_length=16, choices=Status.choices, default=Status.DRAFT, protected=True
    )
    contact_name = models.CharField("personne à contacter", max_length=150)
    contact_email = models.EmailField("courriel de contact")
    contact_phone = models.CharField("téléphone de contact", max_length=20, blank=True)
    # A draft may leave them empty: submitting asks for them.
    animation_title = models.CharField("titre de l'animation", max_length=150, blank=True)
    animation = models.TextField(
        "l'animation proposée",
        blank=True,
        help_text="Ce que les visiteurs feront ou découvriront sur le stand.",
    )
    preferred_zone = models.ForeignKey(
        Zone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="zone souhaitée",
    )
    needs_power = models.BooleanField("besoin d'électricité", default=False)
    needs_water = models.BooleanField("besoin d'un point d'eau", default=False)
    needs_step_free = models.BooleanField(
        "besoin d'un accès de plain-pied",
        default=False,
        help_text="Pour une personne de l'équipe ou du matériel sur roues.",
    )
    tables = models.PositiveSmallIntegerField(
        "tables", default=1, validators=[MaxValueValidator(10)]
    )
    chairs = models.PositiveSmallIntegerField(
        "chaises", default=2, validators=[MaxValueValidator(20)]
    )
    accessibility = models.TextField(
        "accessibilité de l'animation",
        blank=True,
        help_text="Ce que l'animation prévoit pour les visiteurs handicapés (supports, langue des "
        "signes, hauteur des tables…).",
    )
    first_participation = models.BooleanField("première participation", default=False)
    priority_neighbourhood = models.BooleanField(
        "structure d'un quartier prioritaire (QPV)", default=False
    )
    stand = models.ForeignKey(
        Stand, on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    reason = models.TextField("motif", blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    submitted_at = models.DateTimeField("déposée le", null=True, blank=True)

    class Meta:
        verbose_name = "candidature d'exposant"
        verbose_name_plural = "candidatures d'exposants"
        ordering = ["edition", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "organisation"],
                name="village_one_application_per_structure",
                violation_error_message="Cette structure a déjà une candidature pour cette édition.",
            ),
            # One exhibitor per stand (a withdrawn or refused one leaves its stand: see services).
            models.UniqueConstraint(
                fields=["edition", "stand"],
                condition=Q(stand__isnull=False),
                name="village_one_exhibitor_per_stand",
                violation_error_message="Ce stand est déjà attribué à un autre exposant.",
            ),
            models.CheckConstraint(
                condition=Q(stand__isnull=True) | Q(status__in=["accepted", "confirmed"]),
                name="village_stand_only_when_accepted",
                violation_error_message="Seule une candidature acceptée reçoit un stand.",
            ),
        ]
        indexes = [models.Index(fields=["edition", "status"])]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.edition}"

    # --- workflow --------------------------------------------------------------------------

    @transition(
        field="status",
        source=Status.DRAFT,
        target=Status.SUBMITTED,
        permission=exhibitor_or_agency,
        custom=step("village.application.submit", "Déposer la candidature", "Candidature déposée"),
    )
    def submit(self):
        """The structure sends its application to the agency."""

    @transition(
        field="status",
        source=[Status.SUBMITTED, Status.WAITING_LIST],
        target=Status.ACCEPTED,
        permission=agency_decides,
        custom=step("village.application.accept", "Accepter", "Candidature acceptée"),
    )
    def accept(self):
        """The agency accepts the exhibitor (a stand is allocated next)."""

    @transition(
        field="status",
        source=Status.SUBMITTED,
        target=Status.WAITING_LIST,
        permission=agency_decides,
        custom=step(
            "village.application.wait",
            "Mettre en liste d'attente",
            "Candidature mise en liste d'attente",
            reason=True,
        ),
    )
    def wait(self):
        """No place for now: the agency may accept it later."""

    @transition(
        field="status",
        source=[Status.SUBMITTED, Status.WAITING_LIST],
        target=Status.REJECTED,
        permission=agency_decides,
        custom=step("village.application.reject", "Refuser", "Candidature refusée", reason=True),
    )
    def reject(self):
        """The agency refuses, with a reason the structure reads."""

    @transition(
        field="status",
        source=Status.ACCEPTED,
        target=Status.CONFIRMED,
        permission=exhibitor_admins_act,
        custom=step(
            "village.application.confirm", "Confirmer notre venue", "Venue confirmée par l'exposant"
        ),
    )
    def confirm(self):
        """The exhibitor confirms it will come."""

    @transition(
        field="status",
        source=[
            Status.DRAFT,
            Status.SUBMITTED,
            Status.WAITING_LIST,
            Status.ACCEPTED,
            Status.CONFIRMED,
        ],
        target=Status.WITHDRAWN,
        permission=exhibitor_admins_act,
        custom=step(
            "village.application.withdraw", "Retirer la candidature", "Candidature retirée"
        ),
    )
    def withdraw(self):
        """The structure withdraws; its stand, if any, is freed."""

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class ReviewCriterion(models.Model):
    """A line of the published review grid of an edition, with its weight."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="criteria")
    label = models.CharField("critère", max_length=150)
    help_text = models.CharField("ce qui est regardé", max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(
        "poids", default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "critère de sélection"
        ordering = ["edition", "position", "id"]

    def __str__(self) -> str:
        return self.label


# Each criterion is marked from 0 (not at all) to MAX_MARK (fully).
MAX_MARK = 3


class ReviewMark(models.Model):
    """The agency's mark of one application on one criterion."""

    application = models.ForeignKey(
        ExhibitorApplication, on_delete=models.CASCADE, related_name="marks"
    )
    criterion = models.ForeignKey(ReviewCriterion, on_delete=models.CASCADE, related_name="marks")
    mark = models.PositiveSmallIntegerField("note", validators=[MaxValueValidator(MAX_MARK)])

    class Meta:
        verbose_name = "note"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion"], name="village_one_mark_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(mark__lte=MAX_MARK),
                name="village_mark_in_range",
                violation_error_message=f"Une note va de 0 à {MAX_MARK}.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion} : {self.mark}/{MAX_MARK}"


class Animation(models.Model):
    """A moment of the public programme: on a stand (or on the village's stage when no stand),
    at a time slot."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="animations")
    stand = models.ForeignKey(
        Stand,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="animations",
        help_text="Laissez vide pour une animation de l'espace commun (scène, accueil).",
    )
    title = models.CharField("titre", max_length=150)
    description = models.TextField("description", blank=True)
    audience = models.CharField("public", max_length=100, blank=True, default="Tout public")
    starts_at = models.DateTimeField("début")
    ends_at = models.DateTimeField("fin")

    class Meta:
        verbose_name = "animation"
        ordering = ["edition", "starts_at", "stand__number", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="village_animation_ends_after_it_starts",
                violation_error_message="La fin d'une animation doit suivre son début.",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Route(models.Model):
    """A themed route through the village: stands to visit in order."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="routes")
    name = models.CharField("nom", max_length=100)
    description = models.TextField("description", blank=True)

    class Meta:
        verbose_name = "parcours"
        verbose_name_plural = "parcours"
        ordering = ["edition", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "name"],
                name="village_route_unique_name",
                violation_error_message="Un parcours de ce nom existe déjà dans cette édition.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RouteStop(models.Model):
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="stops")
    stand = models.ForeignKey(Stand, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField("ordre")

    class Meta:
        verbose_name = "étape de parcours"
        ordering = ["route", "position"]
        constraints = [
            models.UniqueConstraint(fields=["route", "stand"], name="village_route_stand_once"),
            models.UniqueConstraint(fields=["route", "position"], name="village_route_position"),
        ]

    def __str__(self) -> str:
        return f"{self.route} — étape {self.position}"


# --- The « passeport des solidarités » -----------------------------------------------------------


def new_secret() -> str:
    return secrets.token_urlsafe(32)


# Short codes a visitor reads aloud or types: no 0/O, 1/I/L, U.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_passport_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


class StandKey(models.Model):
    """The secrets of a stand for the stamp rally: the key its QR codes are signed with, and the
    key of its kiosk page's link. Regenerating one revokes what was signed or shared with it."""

    stand = models.OneToOneField(Stand, on_delete=models.CASCADE, related_name="key")
    stamp_secret = models.CharField(max_length=64, default=new_secret)
    kiosk_key = models.CharField(max_length=64, default=new_secret, unique=True)

    class Meta:
        verbose_name = "clés du stand"

    def __str__(self) -> str:
        return f"Clés du {self.stand}"


class Question(models.Model):
    """The question a stamp asks about the structure: discovery, not an exam."""

    stand = models.OneToOneField(Stand, on_delete=models.CASCADE, related_name="question")
    text = models.CharField("question", max_length=200)
    choice_1 = models.CharField("réponse 1", max_length=120)
    choice_2 = models.CharField("réponse 2", max_length=120)
    choice_3 = models.CharField("réponse 3", max_length=120, blank=True)
    correct = models.PositiveSmallIntegerField(
        "bonne réponse", validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    explanation = models.CharField("à retenir", max_length=300, blank=True)

    class Meta:
        verbose_name = "question du stand"
        constraints = [
            models.CheckConstraint(
                condition=Q(correct__gte=1, correct__lte=3) & (Q(correct__lte=2) | ~Q(choice_3="")),
                name="village_question_correct_choice_exists",
                violation_error_message="La bonne réponse doit être l'une des réponses proposées.",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def choices(self) -> list[tuple[int, str]]:
        offered = [(1, self.choice_1), (2, self.choice_2), (3, self.choice_3)]
        return [(number, text) for number, text in offered if text]

    @property
    def right_answer(self) -> str:
        return dict(self.choices)[self.correct]


class Passport(models.Model):
    """A visitor's stamp card: no account and no personal data, only a short code to find it
    again on another phone."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="passports")
    code = models.CharField("code", max_length=8, unique=True, default=new_passport_code)
    created_at = models.DateTimeField("créé le", default=timezone.now)

    class Meta:
        verbose_name = "passeport"
        indexes = [models.Index(fields=["edition", "created_at"])]

    def __str__(self) -> str:
        return self.display_code

    @property
    def display_code(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"


class Stamp(models.Model):
    """One stand's stamp on one passport (once), with the visitor's answer."""

    passport = models.ForeignKey(Passport, on_delete=models.CASCADE, related_name="stamps")
    stand = models.ForeignKey(Stand, on_delete=models.CASCADE, related_name="stamps")
    stamped_at = models.DateTimeField("tamponné le", default=timezone.now)
    answer = models.PositiveSmallIntegerField("réponse", null=True, blank=True)
    is_right = models.BooleanField("bonne réponse", null=True)

    class Meta:
        verbose_name = "tampon"
        constraints = [
            models.UniqueConstraint(
                fields=["passport", "stand"],
                name="village_one_stamp_per_stand",
                violation_error_message="Ce passeport porte déjà le tampon de ce stand.",
            ),
        ]
        indexes = [models.Index(fields=["stand", "stamped_at"])]

    def __str__(self) -> str:
        return f"{self.passport} — {self.stand}"


class DrawEntry(models.Model):
    """A passport entered in the prize draw: only what the draw needs, with consent, erased some
    days after the event (`erased_on`)."""

    passport = models.OneToOneField(Passport, on_delete=models.CASCADE, related_name="entry")
    first_name = models.CharField("prénom", max_length=60, blank=True)
    contact = models.CharField(
        "courriel ou téléphone",
        max_length=254,
        blank=True,
        help_text="Pour vous prévenir si vous gagnez, et rien d'autre.",
    )
    consent_on = models.DateTimeField("consentement donné le")
    entered_at = models.DateTimeField("inscrit le", default=timezone.now)
    erased_on = models.DateField("données effacées le", null=True, blank=True)

    class Meta:
        verbose_name = "participation au tirage"

    def __str__(self) -> str:
        return f"Participation de {self.passport}"


class Draw(models.Model):
    """The edition's prize draw, auditable: the hash of a secret seed is published with the list
    of entries before the draw; the seed after it, so anyone can recompute the winners
    (`services.draw_order`)."""

    edition = models.OneToOneField(Edition, on_delete=models.CASCADE, related_name="draw")
    prizes = models.PositiveSmallIntegerField(
        "nombre de lots", default=3, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    stamps_needed = models.PositiveSmallIntegerField(
        "tampons pour participer",
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    seed = models.CharField(max_length=64, blank=True)  # secret until the draw
    seed_hash = models.CharField("empreinte SHA-256 de la graine", max_length=64, blank=True)
    entries_frozen_at = models.DateTimeField("liste des participants arrêtée le", null=True)
    drawn_at = models.DateTimeField("tiré le", null=True)
    winners = models.JSONField("codes gagnants", default=list, blank=True)

    class Meta:
        verbose_name = "tirage au sort"

    def __str__(self) -> str:
        return f"Tirage {formats.with_article(self.edition, 'de')}"
