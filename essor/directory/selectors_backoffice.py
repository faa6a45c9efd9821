"""Reads for the agency's back-office: queues, lists, comparisons and the audit log."""

import datetime

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q

from essor.accounts.models import Role
from essor.core.formats import long_date
from essor.core.models import AuditLogEntry
from essor.directory.models import (
    CooperativeStatus,
    EssFamily,
    Organisation,
    OrganisationClaim,
    ProfileRevision,
    Sector,
)
from essor.directory.services import BASE_KEY, PUBLIC_PROFILE_FIELDS, revision_changes, snapshot

PAGE_SIZE = 50
ORGANISATION_TARGET = Organisation._meta.label_lower

ORGANISATION_FILTERS = {
    "": "Toutes les structures",
    "public": "Publiées dans l'annuaire",
    "non_ess": "Hors ESS",
    "inactive": "Cessées",
    "merged": "Fusionnées dans une autre",
}


def staff_figures() -> dict:
    return {
        "pending_revisions": ProfileRevision.objects.filter(
            status=ProfileRevision.Status.PENDING
        ).count(),
        "pending_claims": OrganisationClaim.objects.filter(
            status=OrganisationClaim.Status.PENDING
        ).count(),
        "organisations": Organisation.objects.count(),
    }


def organisation_page(*, query: str = "", state: str = "", page=1):
    """A page of organisations for the back-office, searched by name, acronym or SIREN."""
    organisations = Organisation.objects.select_related("merged_into").annotate(
        establishment_count=Count("establishments", distinct=True),
        has_pending_revision=Exists(
            ProfileRevision.objects.filter(
                organisation=OuterRef("pk"), status=ProfileRevision.Status.PENDING
            )
        ),
    )
    query = query.strip()
    if query:
        digits = query.replace(" ", "")
        condition = Q(name__icontains=query) | Q(acronym__icontains=query)
        if digits.isdigit():
            condition |= Q(siren__startswith=digits[:9])
        organisations = organisations.filter(condition)
    if state == "public":
        organisations = organisations.filter(is_ess=True, is_active=True, merged_into__isnull=True)
    elif state == "non_ess":
        organisations = organisations.filter(is_ess=False)
    elif state == "inactive":
        organisations = organisations.filter(is_active=False)
    elif state == "merged":
        organisations = organisations.filter(merged_into__isnull=False)
    return Paginator(organisations.order_by("name", "pk"), PAGE_SIZE).get_page(page)


def find_organisation(reference: str) -> Organisation | None:
    """An organisation by SIREN (9 digits) or internal number."""
    reference = reference.replace(" ", "").strip()
    if not reference.isdigit():
        return None
    if len(reference) == 9:
        found = Organisation.objects.filter(siren=reference).first()
        if found:
            return found
    return Organisation.objects.filter(pk=int(reference)).first()


def pending_revisions_page(page=1):
    revisions = (
        ProfileRevision.objects.filter(status=ProfileRevision.Status.PENDING)
        .select_related("organisation", "proposed_by")
        .order_by("created_at", "pk")
    )
    return Paginator(revisions, PAGE_SIZE).get_page(page)


def pending_claims_page(page=1):
    claims = (
        OrganisationClaim.objects.filter(status=OrganisationClaim.Status.PENDING)
        .select_related("organisation", "user")
        .order_by("created_at", "pk")
    )
    return Paginator(claims, PAGE_SIZE).get_page(page)


def organisation_admins(organisation: Organisation):
    return organisation.memberships.filter(role=Role.ORGANISATION_ADMIN).select_related("user")


# --- comparing a revision ----------------------------------------------------------------------


def _field_label(field: str) -> str:
    label = str(Organisation._meta.get_field(field).verbose_name)
    return label[:1].upper() + label[1:]


def display_value(field: str, value, sector_names: dict[str, str] | None = None) -> str:
    """A field's JSON value as a person reads it."""
    if field == "sectors":
        names = sector_names or {}
        return ", ".join(names.get(slug, slug) for slug in value or []) or "—"
    if field in {"esus_start", "esus_end", "creation_date"}:
        return long_date(datetime.date.fromisoformat(value)) if value else "—"
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if field == "cooperative_status":
        return CooperativeStatus(value or "").label if value else "Aucun"
    if field == "ess_family":
        return EssFamily(value).label if value else "—"
    return value if value not in (None, "") else "—"


def revision_comparison(revision: ProfileRevision) -> list[dict]:
    """One row per proposed field: value when proposed, current value, proposed value, and
    whether the organisation changed since (so approving would overwrite someone's value)."""
    proposed = revision_changes(revision)
    base = revision.data.get(BASE_KEY, {})
    current = snapshot(revision.organisation)
    sector_names = dict(Sector.objects.values_list("slug", "name"))
    rows = []
    for field in PUBLIC_PROFILE_FIELDS:
        if field not in proposed:
            continue
        rows.append(
            {
                "field": field,
                "label": _field_label(field),
                "base": display_value(field, base.get(field), sector_names),
                "current": display_value(field, current[field], sector_names),
                "proposed": display_value(field, proposed[field], sector_names),
                "changed_since": field in base and base[field] != current[field],
                "already_applied": current[field] == proposed[field],
            }
        )
    return rows


# --- audit log ---------------------------------------------------------------------------------


def organisation_target_ids(organisation: Organisation) -> list[str]:
    """The organisation and those merged into it: their history reads together."""
    merged = Organisation.objects.filter(merged_into=organisation).values_list("pk", flat=True)
    return [str(organisation.pk), *(str(pk) for pk in merged)]


def audit_entries(*, organisation: Organisation | None = None, action: str = "", actor: str = ""):
    entries = AuditLogEntry.objects.select_related("actor")
    if organisation is not None:
        entries = entries.filter(
            target_type=ORGANISATION_TARGET, target_id__in=organisation_target_ids(organisation)
        )
    if action:
        entries = entries.filter(action=action)
    if actor.strip():
        entries = entries.filter(
            Q(actor__email__icontains=actor.strip()) | Q(actor__full_name__icontains=actor.strip())
        )
    return entries.order_by("-created_at", "-id")


def change_rows(changes) -> list[dict]:
    """An entry's `changes` as rows: {field: [old, new]} diffs, or plain facts."""
    if not isinstance(changes, dict):
        return [{"key": "", "value": changes}]
    rows = []
    for key, value in changes.items():
        if isinstance(value, list) and len(value) == 2:
            rows.append({"key": key, "old": value[0], "new": value[1], "is_diff": True})
        else:
            rows.append({"key": key, "value": value})
    return rows


def _with_change_rows(entries):
    for entry in entries:
        entry.change_rows = change_rows(entry.changes)
    return entries


def audit_page(*, organisation=None, action: str = "", actor: str = "", page=1):
    result = Paginator(
        audit_entries(organisation=organisation, action=action, actor=actor), PAGE_SIZE
    ).get_page(page)
    result.object_list = _with_change_rows(list(result.object_list))
    return result


def empty_page():
    return Paginator([], PAGE_SIZE).get_page(1)


def audit_actions() -> list[str]:
    return list(
        AuditLogEntry.objects.order_by("action").values_list("action", flat=True).distinct()
    )


def recent_organisation_history(organisation: Organisation, limit: int = 10):
    return _with_change_rows(list(audit_entries(organisation=organisation)[:limit]))
