"""Writes of the directory's back-office: profile revisions, claims, create/update/merge.

Every function is keyword-only, runs in one transaction and writes to the audit log. Audit entries
target the organisation concerned, so that its history (claims and revisions included) reads in
one place. Errors meant for people are `ValidationError`s with French messages.
"""

import datetime
from collections import Counter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from essor.accounts.models import Invitation, Membership, Role, User
from essor.core import audit, workflow
from essor.core.permissions import is_agency_member
from essor.directory.ess import apply_family
from essor.directory.models import (
    Establishment,
    FactSource,
    Organisation,
    OrganisationClaim,
    ProfileRevision,
    SearchWord,
    Sector,
)
from essor.directory.selectors import public_organisations
from essor.directory.spelling import words_of

# The public fields a structure may propose to change, in display order.
PUBLIC_PROFILE_FIELDS = [
    "name",
    "acronym",
    "description",
    "activity",
    "sectors",
    "email",
    "phone",
    "website",
    "cooperative_status",
    "has_ess_statutes",
    "esus_start",
    "esus_end",
    "rna",
]
# The fields the agency edits from the back-office (public fields plus identity and state).
STAFF_FIELDS = [
    "siren",
    "legal_category",
    "naf_code",
    "creation_date",
    "is_active",
    *PUBLIC_PROFILE_FIELDS,
]
DATE_FIELDS = {"esus_start", "esus_end", "creation_date"}
# Empty identifiers are stored as NULL: they are unique when present.
NULLABLE_IDENTIFIERS = {"siren", "rna"}
# The key of a revision's `data` that keeps the values of the changed fields when proposed, so the
# agency can see whether the organisation changed since (the other keys are proposed values).
BASE_KEY = "_base"

# When one person holds two memberships that a merge brings together, the higher role is kept.
ROLE_RANK = {
    Role.ORGANISATION_MEMBER: 0,
    Role.ORGANISATION_ADMIN: 1,
    Role.FUNDER_INSTRUCTOR: 1,
    Role.AGENCY_STAFF: 2,
    Role.AGENCY_ADMIN: 3,
}


# --- values -------------------------------------------------------------------------------------


def to_json_value(field: str, value):
    """The JSON form of a field's value: ISO dates, sorted sector slugs, "" for empty text."""
    if field == "sectors":
        return sorted(sector.slug if isinstance(sector, Sector) else sector for sector in value)
    if field in DATE_FIELDS:
        return value.isoformat() if value else None
    if value is None and field not in {"is_active", "has_ess_statutes"}:
        return ""
    return value


def from_json_value(field: str, value):
    if field in DATE_FIELDS:
        return datetime.date.fromisoformat(value) if value else None
    if field in NULLABLE_IDENTIFIERS:
        return value or None
    return value


def snapshot(organisation: Organisation, fields=PUBLIC_PROFILE_FIELDS) -> dict:
    """The organisation's current values of `fields`, in JSON form."""
    values = {}
    for field in fields:
        if field == "sectors":
            raw = [sector.slug for sector in organisation.sectors.all()] if organisation.pk else []
        else:
            raw = getattr(organisation, field)
        values[field] = to_json_value(field, raw)
    return values


def _proposed(data: dict, fields) -> dict:
    return {field: to_json_value(field, data[field]) for field in fields if field in data}


def _apply(organisation: Organisation, values: dict, *, source: str) -> None:
    """Set JSON `values` on the organisation and record their source (saves it)."""
    today = timezone.localdate().isoformat()
    sources = dict(organisation.field_sources or {})
    for field, value in values.items():
        if field != "sectors":
            setattr(organisation, field, from_json_value(field, value))
        sources[field] = {"source": source, "date": today}
    organisation.field_sources = sources
    apply_family(organisation)
    organisation.full_clean(exclude=["sectors"])
    organisation.save()
    if "sectors" in values:
        organisation.sectors.set(Sector.objects.filter(slug__in=values["sectors"]))


def _lock(model, pk):
    return model.objects.select_for_update(of=("self",)).get(pk=pk)


# --- profile edits and revisions --------------------------------------------------------------


def edit_profile(*, organisation: Organisation, user, data: dict):
    """An edit of the public profile: applied at once for the agency, a revision otherwise.

    Returns ("applied", changes) or ("proposed", revision); revision is None when nothing changed.
    """
    if is_agency_member(user):
        return "applied", update_organisation(
            organisation=organisation, actor=user, data=data, fields=PUBLIC_PROFILE_FIELDS
        )
    return "proposed", propose_revision(organisation=organisation, user=user, data=data)


@transaction.atomic
def propose_revision(*, organisation: Organisation, user, data: dict) -> ProfileRevision | None:
    """Record the structure's proposed changes; the public page keeps the validated values.

    A pending revision of the organisation is updated rather than duplicated; None when the
    values equal the published ones (a pending revision is then left for the agency to decide).
    """
    organisation = _lock(Organisation, organisation.pk)
    current = snapshot(organisation)
    proposed = _proposed(data, PUBLIC_PROFILE_FIELDS)
    changed = {field: value for field, value in proposed.items() if current[field] != value}
    pending = (
        ProfileRevision.objects.select_for_update(of=("self",))
        .filter(organisation=organisation, status=ProfileRevision.Status.PENDING)
        .first()
    )
    if not changed:
        return None
    revision_data = {**changed, BASE_KEY: {field: current[field] for field in changed}}
    if pending is None:
        revision = ProfileRevision.objects.create(
            organisation=organisation, data=revision_data, proposed_by=user
        )
        action = "directory.revision.propose"
    else:
        revision = pending
        revision.data = revision_data
        revision.proposed_by = user
        revision.save(update_fields=["data", "proposed_by"])
        action = "directory.revision.update"
    audit.record(
        actor=user,
        action=action,
        target=organisation,
        changes={"revision": revision.pk, **audit.diff(revision_data[BASE_KEY], changed)},
    )
    return revision


def revision_changes(revision: ProfileRevision) -> dict:
    """The proposed values of a revision, without the stored base values."""
    return {key: value for key, value in revision.data.items() if key != BASE_KEY}


@transaction.atomic
def approve_revision(
    *, revision: ProfileRevision, reviewer, fields=None, comment: str = ""
) -> ProfileRevision:
    """Apply the proposed values (all of them, or only `fields`) with the source "declared".

    The revision row is locked so two people approving at once cannot apply it twice.
    """
    revision = _lock(ProfileRevision, revision.pk)
    _check_pending(revision)
    organisation = _lock(Organisation, revision.organisation_id)
    proposed = revision_changes(revision)
    selected = proposed if fields is None else {f: proposed[f] for f in fields if f in proposed}
    before = snapshot(organisation, list(selected))
    _apply(organisation, selected, source=FactSource.DECLARED)
    revision.reviewed_by = reviewer
    revision.reviewed_at = timezone.now()
    revision.review_comment = comment
    left_aside = sorted(set(proposed) - set(selected))
    workflow.perform(
        revision.approve,
        actor=reviewer,
        reason=comment,
        audit_target=organisation,
        changes={
            "modification n°": revision.pk,
            **audit.diff(before, selected),
            **({"champs non appliqués": left_aside} if left_aside else {}),
        },
    )
    return revision


@transaction.atomic
def reject_revision(*, revision: ProfileRevision, reviewer, comment: str) -> ProfileRevision:
    if not comment.strip():
        raise ValidationError("Indiquez le motif du refus : il est transmis à la structure.")
    revision = _lock(ProfileRevision, revision.pk)
    _check_pending(revision)
    revision.reviewed_by = reviewer
    revision.reviewed_at = timezone.now()
    revision.review_comment = comment
    workflow.perform(
        revision.reject,
        actor=reviewer,
        reason=comment,
        audit_target=revision.organisation,
        changes={"modification n°": revision.pk},
    )
    return revision


def _check_pending(revision: ProfileRevision) -> None:
    if revision.status != ProfileRevision.Status.PENDING:
        raise ValidationError("Cette modification a déjà été examinée.")


# --- claims ------------------------------------------------------------------------------------


def create_claim(
    *, organisation: Organisation, user, position: str, message: str = ""
) -> OrganisationClaim:
    if organisation.merged_into_id:
        raise ValidationError(
            "Cette fiche a été fusionnée avec une autre : demandez la gestion de la fiche conservée."
        )
    if Membership.objects.filter(
        user=user, organisation=organisation, role=Role.ORGANISATION_ADMIN
    ).exists():
        raise ValidationError("Vous administrez déjà cette structure : inutile de la revendiquer.")
    try:
        with transaction.atomic():
            claim = OrganisationClaim.objects.create(
                organisation=organisation, user=user, position=position, message=message
            )
            audit.record(
                actor=user,
                action="directory.claim.create",
                target=organisation,
                changes={"demande": claim.pk, "fonction": position},
                message=message,
            )
    except IntegrityError as exc:
        raise ValidationError(
            "Vous avez déjà une demande en attente pour cette structure : "
            "l'agence vous répondra prochainement."
        ) from exc
    return claim


def _review_claim(claim, reviewer, comment: str) -> OrganisationClaim:
    """The locked pending claim, with its reviewer and comment set (saved by the transition)."""
    claim = _lock(OrganisationClaim, claim.pk)
    if claim.status != OrganisationClaim.Status.PENDING:
        raise ValidationError("Cette demande a déjà été examinée.")
    claim.reviewed_by = reviewer
    claim.reviewed_at = timezone.now()
    claim.review_comment = comment.strip()
    return claim


@transaction.atomic
def accept_claim(*, claim: OrganisationClaim, reviewer, comment: str = "") -> Membership:
    """Accept a claim: the person becomes an admin of the organisation (or stays higher)."""
    claim = _review_claim(claim, reviewer, comment)
    membership, created = Membership.objects.select_for_update(of=("self",)).get_or_create(
        user=claim.user,
        organisation=claim.organisation,
        defaults={"role": Role.ORGANISATION_ADMIN},
    )
    previous = None if created else membership.role
    if not created and ROLE_RANK[membership.role] < ROLE_RANK[Role.ORGANISATION_ADMIN]:
        membership.role = Role.ORGANISATION_ADMIN
        membership.save(update_fields=["role"])
    # The role is granted first so that the journal says which; a refused transition (someone
    # without the right, a claim decided meanwhile) rolls it back with the rest.
    workflow.perform(
        claim.accept,
        actor=reviewer,
        reason=claim.review_comment,
        audit_target=claim.organisation,
        changes={
            "demande": claim.pk,
            "personne": claim.user.email,
            "rôle": [
                Role(previous).label if previous else None,
                Role(membership.role).label,
            ],
        },
    )
    return membership


@transaction.atomic
def refuse_claim(*, claim: OrganisationClaim, reviewer, comment: str) -> OrganisationClaim:
    """Refuse a claim; the reason is shown to the person in their space."""
    if not (comment or "").strip():
        raise ValidationError(
            {"comment": "Indiquez le motif du refus : il est transmis à la personne."}
        )
    claim = _review_claim(claim, reviewer, comment)
    workflow.perform(
        claim.refuse,
        actor=reviewer,
        reason=claim.review_comment,
        reason_field="comment",
        audit_target=claim.organisation,
        changes={"demande": claim.pk, "personne": claim.user.email},
    )
    return claim


# --- organisations -----------------------------------------------------------------------------


def _siren_taken_error(siren: str) -> ValidationError:
    return ValidationError(
        {"siren": f"Une structure porte déjà le SIREN {siren} : ouvrez sa fiche plutôt."}
    )


@transaction.atomic
def create_organisation(*, actor, data: dict, head_office: dict | None = None) -> Organisation:
    """Create an organisation entered by the agency (source "agency"), with its head office."""
    values = _proposed(data, STAFF_FIELDS)
    organisation = Organisation()
    for field, value in values.items():
        if field != "sectors":
            setattr(organisation, field, from_json_value(field, value))
    today = timezone.localdate().isoformat()
    organisation.field_sources = {
        field: {"source": FactSource.AGENCY, "date": today}
        for field, value in values.items()
        if value not in ("", None, [], False)
    }
    apply_family(organisation)
    organisation.full_clean(exclude=["sectors"])
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError as exc:
        # Another person created the same SIREN between the form check and this save.
        raise _siren_taken_error(organisation.siren) from exc
    organisation.sectors.set(Sector.objects.filter(slug__in=values.get("sectors", [])))
    establishment = None
    if head_office:
        establishment = Establishment(organisation=organisation, is_head_office=True, **head_office)
        commune = establishment.commune
        if commune and not establishment.city:
            establishment.city = commune.name
        establishment.field_sources = {
            field: {"source": FactSource.AGENCY, "date": today} for field in head_office
        }
        establishment.full_clean()
        establishment.save()
    audit.record(
        actor=actor,
        action="directory.organisation.create",
        target=organisation,
        changes={
            **audit.diff({}, {k: v for k, v in values.items() if v not in ("", None, [])}),
            **(
                {"siege": [None, establishment.siret or str(establishment)]}
                if establishment
                else {}
            ),
        },
    )
    return organisation


@transaction.atomic
def update_organisation(
    *, organisation: Organisation, actor, data: dict, fields=STAFF_FIELDS, message: str = ""
) -> dict:
    """Apply the agency's edits at once (source "agency"); returns the changes {field: [old, new]}."""
    organisation = _lock(Organisation, organisation.pk)
    before = snapshot(organisation, fields)
    proposed = _proposed(data, fields)
    changed = {field: value for field, value in proposed.items() if before[field] != value}
    if not changed:
        return {}
    _apply(organisation, changed, source=FactSource.AGENCY)
    changes = audit.diff({f: before[f] for f in changed}, changed)
    audit.record(
        actor=actor,
        action="directory.organisation.update",
        target=organisation,
        changes=changes,
        message=message,
    )
    return changes


# --- merging a duplicate ----------------------------------------------------------------------------
#
# A merge moves every row that points to the duplicate, from any module, present or future: the
# relations are read from Organisation's metadata, never listed here. Most rows just change
# organisation; the directory's own tables and the accounts' have rules (one head office, one role
# per person, one pending revision, claim or invitation); a many-to-many link already held by the
# kept organisation is dropped. A one-to-one profile (SIAE, funder, producer, canteen…) moves when
# only the duplicate has one; when both have one the merge is refused, naming the profiles: which
# facts to keep is a decision for people, in the module that owns the profile.

MERGED_REVISION_COMMENT = "Fiche fusionnée : proposez vos modifications sur la fiche conservée."
MERGED_CLAIM_COMMENT = (
    "Fiche fusionnée avec une autre : votre demande en attente sur la fiche conservée suffit."
)


# Fields a merge copies from the duplicate when the kept organisation has no value.
MERGE_FILLABLE_FIELDS = [
    "acronym",
    "legal_category",
    "naf_code",
    "activity",
    "description",
    "email",
    "phone",
    "website",
    "creation_date",
]


def relations_to_organisation() -> list:
    """Every foreign key and one-to-one field pointing to Organisation, from any module: the
    hidden ones (`related_name="+"`) and the tables of many-to-many relations included."""
    return [
        relation.field
        for relation in Organisation._meta.get_fields(include_hidden=True)
        if relation.auto_created
        and not relation.concrete
        and (relation.one_to_many or relation.one_to_one)
    ]


def _relation_label(field) -> str:
    """What moved, in French, for the audit entry."""
    model = field.model
    if model is Organisation:
        return "structures fusionnées auparavant dans le doublon"
    if model._meta.auto_created:  # the table of a many-to-many relation
        owner = model._meta.auto_created
        m2m = next(f for f in owner._meta.many_to_many if f.remote_field.through is model)
        if owner is Organisation:
            return str(m2m.verbose_name)
        return f"{owner._meta.verbose_name_plural} ({m2m.verbose_name})"
    return str(model._meta.verbose_name_plural)


def _rows_of(field, organisation):
    return field.model._base_manager.filter(**{field.name: organisation})


def _profiles_of_both(keep: Organisation, duplicate: Organisation) -> list[str]:
    """The one-to-one profiles (of modules the directory does not know) both organisations have."""
    return [
        f"« {field.model._meta.verbose_name} » ({field.model._meta.app_config.verbose_name})"
        for field in relations_to_organisation()
        if field.one_to_one
        and field.model not in _MOVERS
        and _rows_of(field, keep).exists()
        and _rows_of(field, duplicate).exists()
    ]


def _move_rows(field, keep, duplicate, actor) -> int:
    """Repoint the rows. A move that would break another module's unique rule (the kept
    organisation already has such a row) refuses the merge in French, not with a database error."""
    try:
        with transaction.atomic():
            return _rows_of(field, duplicate).update(**{field.name: keep})
    except IntegrityError as error:
        raise ValidationError(
            f"Fusion impossible : des éléments « {field.model._meta.verbose_name_plural} » de la "
            "structure en double existent déjà pour la structure conservée. Rapprochez-les "
            "d'abord dans leur module, puis fusionnez."
        ) from error


def _move_links(field, keep, duplicate, actor) -> int:
    """A many-to-many table: a link the kept organisation already has is dropped."""
    (other,) = (f.name for f in field.model._meta.concrete_fields if f.is_relation and f != field)
    rows = _rows_of(field, duplicate)
    count = rows.count()
    rows.filter(**{f"{other}__in": _rows_of(field, keep).values(other)}).delete()
    rows.update(**{field.name: keep})
    return count


def _move_establishments(field, keep, duplicate, actor) -> int:
    """A structure has one head office: the kept one's wins."""
    if keep.establishments.filter(is_head_office=True).exists():
        duplicate.establishments.update(is_head_office=False)
    return duplicate.establishments.update(organisation=keep)


def _move_memberships(field, keep, duplicate, actor) -> int:
    """One membership per person and organisation: the higher role is kept."""
    kept = {m.user_id: m for m in keep.memberships.select_for_update(of=("self",))}
    count = 0
    for membership in duplicate.memberships.select_for_update(of=("self",)):
        count += 1
        existing = kept.get(membership.user_id)
        if existing is None:
            membership.organisation = keep
            membership.save(update_fields=["organisation"])
            continue
        if ROLE_RANK[membership.role] > ROLE_RANK[existing.role]:
            existing.role = membership.role
            existing.save(update_fields=["role"])
        membership.delete()  # the person keeps their (higher) role on the kept organisation
    return count


def _move_revisions(field, keep, duplicate, actor) -> int:
    """One pending revision per organisation: the duplicate's is refused if the kept one has one."""
    if keep.revisions.filter(status=ProfileRevision.Status.PENDING).exists():
        for revision in duplicate.revisions.filter(status=ProfileRevision.Status.PENDING):
            revision.reviewed_by = actor
            revision.reviewed_at = timezone.now()
            revision.review_comment = MERGED_REVISION_COMMENT
            workflow.perform(
                revision.reject,
                actor=actor,
                reason=MERGED_REVISION_COMMENT,
                audit_target=duplicate,
                changes={"modification n°": revision.pk},
            )
    return duplicate.revisions.update(organisation=keep)


def _move_claims(field, keep, duplicate, actor) -> int:
    """One pending claim per person: the duplicate's is refused if the kept one has one."""
    claimants = keep.claims.filter(status=OrganisationClaim.Status.PENDING).values("user_id")
    for claim in duplicate.claims.filter(
        status=OrganisationClaim.Status.PENDING, user_id__in=claimants
    ).select_related("user"):
        claim.reviewed_by = actor
        claim.reviewed_at = timezone.now()
        claim.review_comment = MERGED_CLAIM_COMMENT
        workflow.perform(
            claim.refuse,
            actor=actor,
            reason=MERGED_CLAIM_COMMENT,
            audit_target=duplicate,
            changes={"demande": claim.pk, "personne": claim.user.email},
        )
    return duplicate.claims.update(organisation=keep)


def _move_invitations(field, keep, duplicate, actor) -> int:
    """One pending invitation per address: the kept organisation's stands."""
    unfinished = {"accepted_at__isnull": True, "revoked_at__isnull": True}
    invited = keep.invitations.filter(**unfinished).annotate(address=Lower("email"))
    duplicate.invitations.filter(**unfinished).annotate(address=Lower("email")).filter(
        address__in=invited.values("address")
    ).update(revoked_at=timezone.now())
    return duplicate.invitations.update(organisation=keep)


_MOVERS = {
    Establishment: _move_establishments,
    Membership: _move_memberships,
    ProfileRevision: _move_revisions,
    OrganisationClaim: _move_claims,
    Invitation: _move_invitations,
}


@transaction.atomic
def merge_organisations(
    *, keep: Organisation, duplicate: Organisation, actor, reason: str
) -> Organisation:
    """Merge `duplicate` into `keep`: everything that points to it moves to `keep` (see above);
    the duplicate stays (never deleted) with `merged_into` set, out of the public directory, and
    its audit history stays readable from the kept organisation."""
    if keep.pk == duplicate.pk:
        raise ValidationError("Choisissez deux structures différentes.")
    # Lock in id order so two crossed merges cannot deadlock.
    locked = {
        org.pk: org
        for org in Organisation.objects.select_for_update(of=("self",))
        .filter(pk__in=[keep.pk, duplicate.pk])
        .order_by("pk")
    }
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    if duplicate.merged_into_id or keep.merged_into_id:
        raise ValidationError("Une des deux structures a déjà été fusionnée dans une autre.")
    if duplicate.is_agency:
        raise ValidationError("L'agence ne peut pas être fusionnée dans une autre structure.")
    if not reason.strip():
        raise ValidationError("Indiquez le motif de la fusion.")
    profiles = _profiles_of_both(keep, duplicate)
    if profiles:
        raise ValidationError(
            "Fusion impossible : les deux structures ont chacune une fiche "
            f"{', '.join(profiles)}. Une structure n'en a qu'une : rapprochez d'abord ces fiches "
            "dans leur module (en gardant les informations justes), puis fusionnez."
        )

    sirets = list(duplicate.establishments.values_list("siret", flat=True))
    moved: dict = {}
    for field in relations_to_organisation():
        if field.model in _MOVERS:
            mover = _MOVERS[field.model]
        elif field.model._meta.auto_created:
            mover = _move_links
        else:
            mover = _move_rows
        count = mover(field, keep, duplicate, actor)
        if count:
            moved[_relation_label(field)] = count
    if sirets:
        moved["SIRET déplacés"] = ", ".join(siret or "(sans SIRET)" for siret in sirets)

    # Identifiers and blank facts move to the kept organisation (identifiers are unique).
    filled = {}
    identifiers = {
        field: getattr(duplicate, field)
        for field in ("siren", "rna")
        if getattr(duplicate, field) and not getattr(keep, field)
    }
    for field in MERGE_FILLABLE_FIELDS:
        if getattr(duplicate, field) and not getattr(keep, field):
            filled[field] = getattr(duplicate, field)
    duplicate.merged_into = keep
    for field in identifiers:
        setattr(duplicate, field, None)
    duplicate.save()
    if identifiers or filled:
        sources = dict(keep.field_sources or {})
        for field, value in {**identifiers, **filled}.items():
            setattr(keep, field, value)
            if field in (duplicate.field_sources or {}):
                sources[field] = duplicate.field_sources[field]
        keep.field_sources = sources
        apply_family(keep)
        keep.save()

    audit.record(
        actor=actor,
        action="directory.organisation.merge_into",
        target=duplicate,
        changes={"fusionnee_dans": [None, f"{keep} (n° {keep.pk})"]},
        message=reason,
    )
    audit.record(
        actor=actor,
        action="directory.organisation.merge",
        target=keep,
        changes={
            "doublon": f"{duplicate} (n° {duplicate.pk})",
            **moved,
            **{field: [None, value] for field, value in {**identifiers, **filled}.items()},
        },
        message=reason,
    )
    return keep


# --- the first agency admin ------------------------------------------------------------------


@transaction.atomic
def create_agency_admin(
    *, email: str, full_name: str, password: str, password_generated: bool = False
) -> tuple[User, bool]:
    """The first agency admin of a new instance (the agency organisation is created if missing),
    and whether the account was created (an existing account is promoted, its password kept). A
    generated password must be changed at the first sign-in."""
    agency = Organisation.objects.filter(is_agency=True).first()
    if agency is None:
        agency = Organisation.objects.create(name=settings.ESSOR_AGENCY_NAME, is_agency=True)
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User.objects.create_user(email=email, password=password, full_name=full_name)
        if password_generated:
            user.must_change_password = True
            user.save(update_fields=["must_change_password"])
    Membership.objects.update_or_create(
        user=user, organisation=agency, defaults={"role": Role.AGENCY_ADMIN}
    )
    audit.record(
        actor=None,
        action="accounts.membership.create_agency_admin",
        target=agency,
        changes={"email": user.email, "role": Role.AGENCY_ADMIN},
        message="Commande create_agency_admin",
    )
    return user, created


# --- The vocabulary of typo corrections ---------------------------------------------------------


def rebuild_search_words(*, progress=None) -> int:
    """Rebuilds the words typos are corrected against (`SearchWord`, see spelling.py) from the
    names, acronyms and activities of the public organisations, read as a stream; replaced in
    one transaction, so that a search never sees half a vocabulary. `progress(done, total,
    message)` follows the reading. Returns the number of words."""
    organisations = public_organisations().order_by()
    total = organisations.count()
    users: Counter = Counter()
    spellings: dict[str, Counter] = {}
    rows = organisations.values_list("name", "acronym", "activity").iterator(chunk_size=5000)
    for done, (name, acronym, activity) in enumerate(rows, start=1):
        for word, written in words_of(f"{name} {acronym} {activity}").items():
            users[word] += 1
            spellings.setdefault(word, Counter())[written] += 1
        if progress and done % 5000 == 0:
            progress(done, total, "Lecture des structures")
    if progress:
        progress(total, total, "Enregistrement des mots")
    with transaction.atomic():
        SearchWord.objects.all().delete()
        SearchWord.objects.bulk_create(
            (
                SearchWord(
                    word=word,
                    # The most frequent written form; between equals, the accented one.
                    spelling=max(spellings[word].items(), key=lambda item: (item[1], item[0]))[0],
                    organisations=count,
                )
                for word, count in users.items()
            ),
            batch_size=5000,
        )
    return len(users)
