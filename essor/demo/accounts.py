"""The demonstration accounts: one per role, all with the same published password."""

from dataclasses import dataclass

from essor.accounts.models import Role

DEMO_PASSWORD = "Essor-demo-2026"  # noqa: S105 — published on purpose: demo data only
DEMO_EMAIL_DOMAIN = "demo.essor.fr"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    role: str | None  # None: an account without any membership
    organisation: str  # "agency", "cud", "structure", or a key of the loader's extra structures


ROLE_ACCOUNTS = (
    DemoAccount(
        f"admin.agence@{DEMO_EMAIL_DOMAIN}", "Administration de l'agence (démo)",
        Role.AGENCY_ADMIN, "agency",
    ),
    DemoAccount(
        f"equipe.agence@{DEMO_EMAIL_DOMAIN}", "Équipe de l'agence (démo)",
        Role.AGENCY_STAFF, "agency",
    ),
    DemoAccount(
        f"instructeur.cud@{DEMO_EMAIL_DOMAIN}", "Instruction CUD (démo)",
        Role.FUNDER_INSTRUCTOR, "cud",
    ),
    DemoAccount(
        f"admin.structure@{DEMO_EMAIL_DOMAIN}", "Direction de la structure (démo)",
        Role.ORGANISATION_ADMIN, "structure",
    ),
    DemoAccount(
        f"membre.structure@{DEMO_EMAIL_DOMAIN}", "Bénévole de la structure (démo)",
        Role.ORGANISATION_MEMBER, "structure",
    ),
)  # fmt: skip

# Accounts that give the back-office something to review (profile changes, claims).
EXTRA_ACCOUNTS = (
    DemoAccount(
        f"responsable.1@{DEMO_EMAIL_DOMAIN}", "Responsable 1 (démo)",
        Role.ORGANISATION_ADMIN, "revision-1",
    ),
    DemoAccount(
        f"responsable.2@{DEMO_EMAIL_DOMAIN}", "Responsable 2 (démo)",
        Role.ORGANISATION_ADMIN, "revision-2",
    ),
    DemoAccount(f"visiteur@{DEMO_EMAIL_DOMAIN}", "Visiteur (démo)", None, ""),
)  # fmt: skip

ALL_ACCOUNTS = ROLE_ACCOUNTS + EXTRA_ACCOUNTS


def account_lines(accounts: list[tuple[str, str]]) -> list[str]:
    """The printed list of demo accounts: (e-mail, what it can do) in aligned columns, then the
    shared password."""
    width = max((len(email) for email, _ in accounts), default=0)
    lines = ["Comptes de démonstration :"]
    lines += [f"  {email:<{width}}  {label}" for email, label in accounts]
    lines.append(f"Mot de passe de tous ces comptes : {DEMO_PASSWORD}")
    return lines
