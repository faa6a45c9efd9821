"""Demo data of the modules: each module registers a step from its `AppConfig.ready()`; the core
loader runs the steps, in `order`, after the directory's demo data, in the same transaction.

    register_step(DemoStep(name="funding", order=30, load=load_funding_demo,
                           remove=remove_funding_demo))

A step receives a `DemoContext` and returns one French summary line ("12 dossiers de demande…").
It draws from its own `random.Random` (seeded from the demo seed and its name), so adding a module
never changes another module's data.
"""

import datetime
import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from essor.accounts.models import Membership
from essor.demo.accounts import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD


@dataclass
class DemoContext:
    seed: int
    rng: random.Random  # the step's own generator
    today: datetime.date
    # "agency", "cud", "region", "departement", "structure" (the demo structure of the
    # organisation accounts), "revision-1", "revision-2", "claim-1", "claim-2"
    organisations: dict
    structures: list  # the ~300 fictional ESS structures (directory.Organisation, is_demo=True)
    communes: list  # the CUD's communes with coordinates
    partner_communes: list  # the Pays des Moulins de Flandre's communes that have coordinates
    sectors: list  # directory.Sector, in display order
    users: dict  # email -> User of the demo accounts created so far
    accounts: list = field(default_factory=list)  # (email, label, full name), printed at the end
    _password_hash: str = ""

    def demo_user(self, local_part: str, full_name: str, organisation=None, role: str = ""):
        """A demo account `<local_part>@demo.essor.fr` (password DEMO_PASSWORD), member of
        `organisation` with `role` when given, listed in the accounts printed by `make run`."""
        email = f"{local_part}@{DEMO_EMAIL_DOMAIN}"
        User = get_user_model()
        user = self.users.get(email) or User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, None, full_name=full_name)
        if not self._password_hash:
            # Argon2 takes most of a second per hash: hash the shared password once.
            self._password_hash = make_password(DEMO_PASSWORD)
        User.objects.filter(pk=user.pk).update(password=self._password_hash)
        self.users[email] = user
        label = "Compte sans rôle"
        if organisation is not None and role:
            Membership.objects.get_or_create(
                user=user, organisation=organisation, defaults={"role": role}
            )
            label = f"{Membership(role=role).get_role_display()} — {organisation.name}"
        if all(existing[0] != email for existing in self.accounts):
            self.accounts.append((email, label, full_name))
        return user


@dataclass(frozen=True)
class DemoStep:
    name: str
    order: int
    load: Callable[[DemoContext], str]
    remove: Callable[[], None] | None = None  # deletes what `load` made (before the directory's)


_STEPS: dict[str, DemoStep] = {}


def register_step(step: DemoStep) -> DemoStep:
    _STEPS[step.name] = step
    return step


def steps() -> list[DemoStep]:
    return sorted(_STEPS.values(), key=lambda step: (step.order, step.name))


def step_random(seed: int, name: str) -> random.Random:
    digest = hashlib.sha256(f"{seed}:{name}".encode()).hexdigest()
    return random.Random(int(digest[:16], 16))  # demo data, not security
