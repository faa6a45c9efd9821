"""Who sees what in a third place. Its managers (the administrators of its organisation) see its
members, bookings and invoices; a member sees their own; the public sees the availability."""

from essor.tierslieu.models import Member, Place, manages_place  # noqa: F401 (re-exported)


def has_membership(user) -> bool:
    return user.is_authenticated and Member.objects.filter(user=user).exists()


def managed_places(user):
    from essor.core.permissions import administered_organisation_ids

    if not user.is_authenticated:
        return Place.objects.none()
    return Place.objects.filter(organisation_id__in=administered_organisation_ids(user))


def sees_my_places(user) -> bool:
    return has_membership(user) or managed_places(user).exists()
