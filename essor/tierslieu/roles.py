"""Who manages a third place: the administrators of its organisation (no model imported here, so
that every file of the module may ask)."""

from essor.core.permissions import administered_organisation_ids


def manages_place(place, user) -> bool:
    return user.is_authenticated and place.organisation_id in administered_organisation_ids(user)
