"""Writes of the village module: editions and their plan, the exhibitors' call, stands.

Every write checks the actor's right, says why it refuses in French (ValidationError naming the
field), and writes one audit entry; status changes go through the workflow engine
(`core.workflow.perform`), which locks the row and logs the transition.
"""

import datetime
import hashlib
import re
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from essor.accounts.models import Role
from essor.accounts.selectors import people_of
from essor.core import audit, workflow
from essor.core.formats import local_date, long_date, time_of_day, with_article
from essor.core.notifications import notify
from essor.core.permissions import can_admin_organisation, is_agency_member
from essor.village import stamps
from essor.village.models import (
    MAX_MARK,
    Animation,
    Draw,
    DrawEntry,
    Edition,
    ExhibitorApplication,
    Passport,
    Question,
    ReviewCriterion,
    ReviewMark,
    Route,
    RouteStop,
    Stamp,
    Stand,
    StandKey,
    Zone,
    new_secret,
)

Status = ExhibitorApplication.Status
# A French phone number: 10 digits from 0, or +33 and 9 digits.
PHONE = re.compile(r"(0\d{9}|\+33\d{9})")
# The fields a structure fills in (identity comes from its directory record).
APPLICATION_FIELDS = [
    "contact_name",
    "contact_email",
    "contact_phone",
    "animation_title",
    "animation",
    "preferred_zone",
    "needs_power",
    "needs_water",
    "needs_step_free",
    "tables",
    "chairs",
    "accessibility",
    "first_participation",
    "priority_neighbourhood",
]


def _require_agency(actor) -> None:
    if not is_agency_member(actor):
        raise PermissionDenied("Seule l'agence organise le Village des solidarités.")


def _saved(instance, *, action: str, actor, message: str = ""):
    """Saves after the model's own checks (constraints included), with a French refusal. A
    machine's state is left out: it is protected (only its transitions set it)."""
    instance.full_clean(exclude=["status"])
    instance.save()
    audit.record(actor=actor, action=action, target=instance, message=message)
    return instance


# --- Editions and their plan ----------------------------------------------------------------


def save_edition(*, edition: Edition, actor) -> Edition:
    _require_agency(actor)
    action = "village.edition.update" if edition.pk else "village.edition.create"
    return _saved(edition, action=action, actor=actor, message=edition.name)


def add_zone(*, zone: Zone, actor) -> Zone:
    _require_agency(actor)
    return _saved(zone, action="village.zone.create", actor=actor, message=zone.name)


def add_stand(*, stand: Stand, actor) -> Stand:
    _require_agency(actor)
    if stand.zone.edition_id != stand.edition_id:
        raise ValidationError({"zone": "Cette zone appartient à une autre édition."})
    edition = stand.edition
    if stand.x + stand.width > edition.plan_width or stand.y + stand.depth > edition.plan_height:
        raise ValidationError(
            f"Le stand déborde du plan ({edition.plan_width} m × {edition.plan_height} m) : "
            "rapprochez-le de l'origine ou réduisez-le."
        )
    with transaction.atomic():
        _saved(stand, action="village.stand.create", actor=actor, message=str(stand))
        StandKey.objects.create(stand=stand)
    return stand


def add_criterion(*, criterion: ReviewCriterion, actor) -> ReviewCriterion:
    _require_agency(actor)
    criterion.full_clean()
    criterion.save()
    audit.record(
        actor=actor,
        action="village.edition.update",
        target=criterion.edition,
        message=f"Critère de sélection ajouté : {criterion.label} (poids {criterion.weight}).",
    )
    return criterion


# --- The exhibitors' call -----------------------------------------------------------------------


def call_is_open(edition: Edition, today=None) -> bool:
    today = today or timezone.localdate()
    return edition.is_published and today <= edition.call_closes_on


def _require_open_call(edition: Edition) -> None:
    if not call_is_open(edition):
        raise ValidationError(
            f"L'appel aux exposants de « {edition} » est clos depuis le "
            f"{long_date(edition.call_closes_on)}."
            if edition.is_published
            else f"L'appel aux exposants de « {edition} » n'est pas ouvert."
        )


def _require_exhibitor_admin(actor, organisation) -> None:
    if not can_admin_organisation(actor, organisation):
        raise PermissionDenied(
            "Seuls les administrateurs de la structure (et l'agence) gèrent sa candidature."
        )


def start_application(*, edition: Edition, organisation, actor, data: dict):
    """A draft for `organisation`, saved as it is: it may be completed later."""
    _require_exhibitor_admin(actor, organisation)
    _require_open_call(edition)
    application = ExhibitorApplication(edition=edition, organisation=organisation, author=actor)
    _fill(application, data)
    try:
        with transaction.atomic():
            _saved(application, action="village.application.create", actor=actor)
    except IntegrityError as error:  # the same structure, at the same moment, in another tab
        raise ValidationError(
            "Cette structure a déjà une candidature pour cette édition."
        ) from error
    return application


def _fill(application: ExhibitorApplication, data: dict) -> None:
    preferred = data.get("preferred_zone")
    if preferred is not None and preferred.edition_id != application.edition_id:
        raise ValidationError({"preferred_zone": "Cette zone appartient à une autre édition."})
    for name in APPLICATION_FIELDS:
        if name in data:
            setattr(application, name, data[name])


def update_application(*, application: ExhibitorApplication, actor, data: dict):
    _require_exhibitor_admin(actor, application.organisation)
    if not application.is_editable:
        raise ValidationError(
            "Une candidature déposée ne se modifie plus : écrivez à l'agence pour toute précision."
        )
    _fill(application, data)
    return _saved(application, action="village.application.update", actor=actor)


def _agency_people():
    from essor.directory.models import Organisation

    agencies = Organisation.objects.filter(is_agency=True).values_list("id", flat=True)
    return people_of(agencies, [Role.AGENCY_ADMIN, Role.AGENCY_STAFF])


def _exhibitor_people(application):
    return people_of([application.organisation_id], [Role.ORGANISATION_ADMIN])


def _tell_exhibitor(application, message: str) -> None:
    notify(
        users=_exhibitor_people(application),
        message=message,
        url=reverse("village:application_detail", args=[application.pk]),
        subject=f"Village des solidarités — {application.edition}",
        category="village.exhibitor",
    )


def submit_application(*, application: ExhibitorApplication, actor):
    _require_open_call(application.edition)
    missing = [
        ExhibitorApplication._meta.get_field(name).verbose_name
        for name in ("contact_name", "contact_email", "animation_title", "animation")
        if not getattr(application, name)
    ]
    if missing:
        raise ValidationError("Complétez avant de déposer : " + ", ".join(missing) + ".")
    application.submitted_at = timezone.now()
    workflow.perform(application.submit, actor=actor)
    notify(
        users=_agency_people(),
        message=f"Nouvelle candidature d'exposant : {application.organisation}.",
        url=reverse("village:review", args=[application.pk]),
        subject=f"Village des solidarités — candidature {with_article(application.organisation, 'de')}",
        category="village.agency",
    )
    return application


DECISIONS = {
    "accept": (
        "accept",
        "Votre candidature {edition} est acceptée : l'agence vous attribue "
        "un stand, puis vous confirmerez votre venue.",
    ),
    "wait": ("wait", "Votre candidature {edition} est en liste d'attente : {reason}"),
    "reject": ("reject", "Votre candidature {edition} n'est pas retenue : {reason}"),
}


def decide(*, application: ExhibitorApplication, actor, decision: str, reason: str = ""):
    """The agency accepts, puts on the waiting list or refuses (with a reason the structure
    reads, by notification and e-mail)."""
    if decision not in DECISIONS:
        raise ValidationError("Décision inconnue.")
    method, message = DECISIONS[decision]
    application.reason = reason
    workflow.perform(getattr(application, method), actor=actor, reason=reason)
    _tell_exhibitor(
        application, message.format(edition=with_article(application.edition, "à"), reason=reason)
    )
    return application


def confirm(*, application: ExhibitorApplication, actor):
    workflow.perform(application.confirm, actor=actor)
    notify(
        users=_agency_people(),
        message=f"{application.organisation} confirme sa venue {with_article(application.edition, 'à')}.",
        url=reverse("village:review", args=[application.pk]),
        subject=f"Village des solidarités — {application.organisation} confirme sa venue",
        category="village.agency",
    )
    return application


def withdraw(*, application: ExhibitorApplication, actor, reason: str = ""):
    """The structure withdraws; its stand is freed for another exhibitor."""
    freed = application.stand
    application.stand = None
    application.reason = reason
    workflow.perform(
        application.withdraw,
        actor=actor,
        reason=reason,
        changes={"stand": [str(freed), None]} if freed else None,
    )
    notify(
        users=_agency_people(),
        message=f"{application.organisation} retire sa candidature {with_article(application.edition, 'à')}.",
        url=reverse("village:review", args=[application.pk]),
        subject=f"Village des solidarités — retrait {with_article(application.organisation, 'de')}",
        category="village.agency",
    )
    return application


def mark(*, application: ExhibitorApplication, actor, marks: dict[int, int]):
    """The agency's marks on the published grid, criterion by criterion (all or none)."""
    _require_agency(actor)
    criteria = {criterion.pk: criterion for criterion in application.edition.criteria.all()}
    errors = {}
    for criterion_id, value in marks.items():
        if criterion_id not in criteria:
            raise ValidationError("Ce critère n'appartient pas à la grille de cette édition.")
        if not isinstance(value, int) or not 0 <= value <= MAX_MARK:
            errors[f"critere_{criterion_id}"] = (
                f"{criteria[criterion_id].label} : une note va de 0 à {MAX_MARK}."
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for criterion_id, value in marks.items():
            ReviewMark.objects.update_or_create(
                application=application, criterion_id=criterion_id, defaults={"mark": value}
            )
        audit.record(
            actor=actor,
            action="village.application.mark",
            target=application,
            changes={criteria[pk].label: [None, value] for pk, value in marks.items()},
        )
    return application


# --- Stands ----------------------------------------------------------------------------------------


def _missing_features(application: ExhibitorApplication, stand: Stand) -> list[str]:
    missing = []
    if application.needs_power and not stand.has_power:
        missing.append("l'électricité")
    if application.needs_water and not stand.has_water:
        missing.append("un point d'eau")
    if application.needs_step_free and not stand.step_free:
        missing.append("un accès de plain-pied")
    return missing


def allocate_stand(*, application: ExhibitorApplication, stand: Stand, actor):
    """Gives an accepted exhibitor a free stand of its edition that offers what it needs. Two
    allocations of one stand at the same moment: the database keeps one, the other is refused."""
    _require_agency(actor)
    if stand.edition_id != application.edition_id:
        raise ValidationError({"stand": "Ce stand appartient à une autre édition."})
    if missing := _missing_features(application, stand):
        raise ValidationError(
            {"stand": f"Le {stand} n'offre pas ce dont l'exposant a besoin : {', '.join(missing)}."}
        )
    try:
        with transaction.atomic():
            locked = ExhibitorApplication.objects.select_for_update(of=("self",)).get(
                pk=application.pk
            )
            if locked.status not in (Status.ACCEPTED, Status.CONFIRMED):
                raise ValidationError(
                    f"Seule une candidature acceptée reçoit un stand (celle-ci est "
                    f"« {locked.get_status_display()} »)."
                )
            previous = locked.stand
            locked.stand = stand
            locked.save(update_fields=["stand"])
            audit.record(
                actor=actor,
                action="village.application.allocate_stand",
                target=locked,
                changes={"stand": [str(previous) if previous else None, str(stand)]},
            )
    except IntegrityError as error:
        raise ValidationError(
            {"stand": f"Le {stand} est déjà attribué à un autre exposant."}
        ) from error
    application.stand = stand
    _tell_exhibitor(
        application,
        f"Votre stand {with_article(application.edition, 'à')} : n° {stand.number}, zone « {stand.zone} ».",
    )
    return application


# --- The public programme ------------------------------------------------------------------------


def add_animation(*, animation: Animation, actor) -> Animation:
    """An animation of the programme, within the edition's days, on a stand of the edition, and
    never at the same time as another one on that stand (checked with the edition's row locked,
    so two people adding at once cannot both pass)."""
    _require_agency(actor)
    edition = animation.edition
    if animation.stand is not None and animation.stand.edition_id != edition.pk:
        raise ValidationError({"stand": "Ce stand appartient à une autre édition."})
    if animation.starts_at and animation.ends_at:
        first, last = local_date(animation.starts_at), local_date(animation.ends_at)
        if first < edition.starts_on or last > edition.ends_on:
            raise ValidationError(
                {
                    "starts_at": f"Une animation a lieu pendant le Village, du "
                    f"{long_date(edition.starts_on)} au {long_date(edition.ends_on)}."
                }
            )
    with transaction.atomic():
        Edition.objects.select_for_update(of=("self",)).get(pk=edition.pk)
        if animation.stand is not None:
            overlapping = (
                Animation.objects.filter(
                    stand=animation.stand,
                    starts_at__lt=animation.ends_at,
                    ends_at__gt=animation.starts_at,
                )
                .exclude(pk=animation.pk)
                .first()
            )
            if overlapping is not None:
                raise ValidationError(
                    {
                        "starts_at": f"Le {animation.stand} accueille déjà « {overlapping} » de "
                        f"{time_of_day(overlapping.starts_at)} à "
                        f"{time_of_day(overlapping.ends_at)}."
                    }
                )
        _saved(animation, action="village.animation.create", actor=actor, message=animation.title)
    return animation


def save_route(*, edition: Edition, actor, name: str, description: str, stands: list[Stand]):
    """A themed route: its stands in the order given (each once, all of this edition)."""
    _require_agency(actor)
    if len(stands) < 2:
        raise ValidationError({"stands": "Un parcours passe par au moins deux stands."})
    if len({stand.pk for stand in stands}) != len(stands):
        raise ValidationError({"stands": "Un parcours ne passe qu'une fois par chaque stand."})
    if any(stand.edition_id != edition.pk for stand in stands):
        raise ValidationError({"stands": "Un de ces stands appartient à une autre édition."})
    route = Route(edition=edition, name=name, description=description)
    with transaction.atomic():
        _saved(route, action="village.route.create", actor=actor, message=name)
        RouteStop.objects.bulk_create(
            RouteStop(route=route, stand=stand, position=index)
            for index, stand in enumerate(stands, start=1)
        )
    return route


# --- The « passeport des solidarités » ---------------------------------------------------------


def event_is_on(edition: Edition, today=None) -> bool:
    today = today or timezone.localdate()
    return edition.is_published and edition.starts_on <= today <= edition.ends_on


def _require_event_on(edition: Edition) -> None:
    if not event_is_on(edition):
        raise ValidationError(
            f"Le Village n'est pas ouvert aujourd'hui : le jeu se joue pendant l'événement, du "
            f"{long_date(edition.starts_on)} au {long_date(edition.ends_on)}."
        )


def key_of(stand: Stand) -> StandKey:
    """The stand's signing and kiosk keys, made on first use."""
    key, _ = StandKey.objects.get_or_create(stand=stand)
    stand.key = key
    return key


def ensure_keys(edition: Edition) -> None:
    """Makes the keys of the edition's stands that have none yet (one query when all do)."""
    missing = edition.stands.filter(key__isnull=True)
    StandKey.objects.bulk_create(StandKey(stand=stand) for stand in missing)


def renew_stand_keys(*, stand: Stand, actor) -> StandKey:
    """New secrets for a stand: its QR codes (screen and printed) and its kiosk link stop
    working at once (a lost tablet, a photographed code)."""
    _require_agency(actor)
    key = key_of(stand)
    key.stamp_secret, key.kiosk_key = new_secret(), new_secret()
    key.save()
    audit.record(actor=actor, action="village.stand.renew_keys", target=stand, message=str(stand))
    return key


def new_passport(*, edition: Edition) -> Passport:
    _require_event_on(edition)
    for _ in range(5):  # a code already taken (about one chance in 10¹¹): draw another
        try:
            with transaction.atomic():
                return Passport.objects.create(edition=edition)
        except IntegrityError:
            continue
    raise ValidationError("Aucun code libre : réessayez.")


def normalise_code(text: str) -> str:
    return "".join(character for character in (text or "").upper() if character.isalnum())[:8]


def find_passport(*, edition: Edition, code: str) -> Passport:
    passport = Passport.objects.filter(edition=edition, code=normalise_code(code)).first()
    if passport is None:
        raise ValidationError(
            {"code": "Aucun passeport de cette édition ne porte ce code : vérifiez-le."}
        )
    return passport


def check_stamp(*, passport: Passport, stand: Stand, token: str, grace: int = 0) -> None:
    """Why this QR code does not stamp this passport now (ValidationError, French), if it
    does not: another edition, a day outside the Village, a refused token."""
    if stand.edition_id != passport.edition_id:
        raise ValidationError(
            f"Ce QR code est celui d'une autre édition du Village ({stand.edition})."
        )
    _require_event_on(stand.edition)
    try:
        stamps.check(stand, token, grace=grace)
    except stamps.TokenRefused as refusal:
        raise ValidationError(str(refusal)) from None


_UNREAD = object()


def stamp(
    *, passport: Passport, stand: Stand, token: str, answer: int | None, question=_UNREAD
) -> Stamp:
    """Stamps the passport at this stand, once, with the visitor's answer to its question (the
    caller may pass the stand's question it already read, or None when it has none)."""
    check_stamp(passport=passport, stand=stand, token=token, grace=stamps.ANSWER_GRACE)
    if question is _UNREAD:
        question = Question.objects.filter(stand=stand).first()
    if question is not None and answer not in dict(question.choices):
        raise ValidationError({"answer": "Choisissez une réponse."})
    try:
        with transaction.atomic():
            return Stamp.objects.create(
                passport=passport,
                stand=stand,
                answer=answer if question else None,
                is_right=(answer == question.correct) if question else None,
            )
    except IntegrityError as error:
        raise ValidationError("Votre passeport porte déjà le tampon de ce stand.") from error


def may_write_question(stand: Stand, user) -> bool:
    """The agency, or the admins of the exhibitor holding the stand."""
    if is_agency_member(user):
        return True
    holder = stand.applications.filter(status__in=[Status.ACCEPTED, Status.CONFIRMED]).first()
    return bool(holder and can_admin_organisation(user, holder.organisation))


def set_question(*, stand: Stand, actor, data: dict) -> Question:
    if not may_write_question(stand, actor):
        raise PermissionDenied("Seuls l'agence et l'exposant du stand écrivent sa question.")
    question = Question.objects.filter(stand=stand).first() or Question(stand=stand)
    for name, value in data.items():
        setattr(question, name, value)
    return _saved(question, action="village.stand.question", actor=actor, message=question.text)


# --- The prize draw ----------------------------------------------------------------------------


def draw_of(edition: Edition) -> Draw:
    draw, _ = Draw.objects.get_or_create(edition=edition)
    return draw


def draw_order(seed: str, codes) -> list[str]:
    """The published rule of the draw: the entries' codes ordered by SHA-256 of « graine:code »
    (hexadecimal); the first ones win. Anyone can recompute it once the seed is published."""
    return sorted(codes, key=lambda code: hashlib.sha256(f"{seed}:{code}".encode()).hexdigest())


def _is_contact(text: str) -> bool:
    try:
        validate_email(text)
        return True
    except ValidationError:
        digits = text.replace(" ", "").replace(".", "").replace("-", "")
        return bool(PHONE.fullmatch(digits))


def enter_draw(*, passport: Passport, first_name: str, contact: str, consent: bool) -> DrawEntry:
    draw = draw_of(passport.edition)
    if draw.entries_frozen_at is not None:
        raise ValidationError("La liste des participants au tirage est arrêtée.")
    count = passport.stamps.count()
    if count < draw.stamps_needed:
        raise ValidationError(
            f"Il faut {draw.stamps_needed} tampons pour participer au tirage ; votre passeport "
            f"en porte {count}."
        )
    errors = {}
    if not first_name.strip():
        errors["first_name"] = "Indiquez votre prénom."
    if not _is_contact(contact.strip()):
        errors["contact"] = "Indiquez un courriel ou un numéro de téléphone (10 chiffres)."
    if not consent:
        errors["consent"] = "Le tirage a besoin de votre accord pour garder ces informations."
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return DrawEntry.objects.create(
                passport=passport,
                first_name=first_name.strip(),
                contact=contact.strip(),
                consent_on=timezone.now(),
            )
    except IntegrityError as error:
        raise ValidationError("Ce passeport participe déjà au tirage.") from error


def _locked_draw(edition: Edition) -> Draw:
    draw_of(edition)
    return Draw.objects.select_for_update(of=("self",)).get(edition=edition)


def freeze_entries(*, edition: Edition, actor) -> Draw:
    """Stops the entries and publishes them (codes only) with the hash of a secret seed."""
    _require_agency(actor)
    with transaction.atomic():
        draw = _locked_draw(edition)
        if draw.entries_frozen_at is not None:
            raise ValidationError("La liste des participants est déjà arrêtée.")
        draw.seed = secrets.token_hex(32)
        draw.seed_hash = hashlib.sha256(draw.seed.encode()).hexdigest()
        draw.entries_frozen_at = timezone.now()
        draw.save()
        audit.record(
            actor=actor,
            action="village.draw.freeze",
            target=draw,
            message=f"{DrawEntry.objects.filter(passport__edition=edition).count()} participants.",
        )
    return draw


def run_draw(*, edition: Edition, actor) -> Draw:
    _require_agency(actor)
    with transaction.atomic():
        draw = _locked_draw(edition)
        if draw.entries_frozen_at is None:
            raise ValidationError("Arrêtez d'abord la liste des participants.")
        if draw.drawn_at is not None:
            raise ValidationError("Le tirage a déjà eu lieu.")
        codes = DrawEntry.objects.filter(passport__edition=edition).values_list(
            "passport__code", flat=True
        )
        draw.winners = draw_order(draw.seed, codes)[: draw.prizes]
        draw.drawn_at = timezone.now()
        draw.save()
        audit.record(
            actor=actor,
            action="village.draw.run",
            target=draw,
            message=f"Codes gagnants : {', '.join(draw.winners) or 'aucun'}.",
        )
    return draw


def winner_details(*, edition: Edition, code: str, actor) -> DrawEntry | None:
    """At the information stand: whether this code won, and the entry (personal data: the read
    is logged)."""
    _require_agency(actor)
    draw = draw_of(edition)
    code = normalise_code(code)
    if code not in draw.winners:
        return None
    entry = DrawEntry.objects.select_related("passport").get(passport__code=code)
    audit.record(
        actor=actor,
        action="village.draw.read_winner",
        target=draw,
        message=f"Gagnant {code} vérifié.",
    )
    return entry


def erase_draw_entries(*, today=None) -> int:
    """Blanks the first names and contacts of the entries of editions ended more than
    ESSOR_VILLAGE_DRAW_KEEP_DAYS days ago (the codes stay, for the published draw)."""
    today = today or timezone.localdate()
    ended_before = today - datetime.timedelta(days=settings.ESSOR_VILLAGE_DRAW_KEEP_DAYS)
    return DrawEntry.objects.filter(
        passport__edition__ends_on__lt=ended_before, erased_on__isnull=True
    ).update(first_name="", contact="", erased_on=today)
