"""The signed-in person's memberships, read once per request.

Every permission rule of every module (`core.permissions`, `funding.access`, `insertion.access`,
`foodlink.selectors`, the navigation) asks `memberships_of_user(user)`: the first call runs one
query and keeps the answer on the user object, which lives as long as the request
(`request.user`); the other calls of the request read it from there.

The answer is not refreshed when a membership changes during the same request: a view that
changes the person's own memberships redirects, and the next request reads them again.
"""

from dataclasses import dataclass, field

from essor.accounts.models import AGENCY_ROLES, Role

# The roles of the people who work for a structure (its admins and members).
ORGANISATION_ROLES = (Role.ORGANISATION_ADMIN, Role.ORGANISATION_MEMBER)

_CACHE_ATTRIBUTE = "_essor_memberships"


@dataclass(frozen=True)
class UserMemberships:
    """(organisation id, role) of each membership of one person, and what the rules ask of it."""

    pairs: frozenset[tuple[int, str]] = frozenset()
    roles: frozenset[str] = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "roles", frozenset(role for _, role in self.pairs))

    def organisation_ids(self, *roles: str) -> set[int]:
        """The organisations where the person holds one of `roles` (any role when none given)."""
        return {org for org, role in self.pairs if not roles or role in roles}

    @property
    def is_agency_member(self) -> bool:
        return bool(self.roles & AGENCY_ROLES)

    @property
    def is_agency_admin(self) -> bool:
        return Role.AGENCY_ADMIN in self.roles

    @property
    def is_funder_instructor(self) -> bool:
        return Role.FUNDER_INSTRUCTOR in self.roles

    @property
    def administered_organisation_ids(self) -> set[int]:
        """The structures the person administers (`organisation_admin`)."""
        return self.organisation_ids(Role.ORGANISATION_ADMIN)

    @property
    def member_organisation_ids(self) -> set[int]:
        """The structures the person works for (`organisation_admin` or `organisation_member`)."""
        return self.organisation_ids(*ORGANISATION_ROLES)

    @property
    def funder_organisation_ids(self) -> set[int]:
        """The funders the person instructs for (`funder_instructor`)."""
        return self.organisation_ids(Role.FUNDER_INSTRUCTOR)


NO_MEMBERSHIPS = UserMemberships()


def memberships_of_user(user) -> UserMemberships:
    """The person's memberships: one query for the first call on this user object, none after."""
    if user is None or not user.is_authenticated:
        return NO_MEMBERSHIPS
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = UserMemberships(frozenset(user.memberships.values_list("organisation_id", "role")))
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached
