"""Loads the demonstration data set: the agency, the co-funders, the partner territory, about 300
fictional ESS structures of the CUD, one account per role and a few items for the back-office.

Everything is drawn from one `random.Random(seed)`, so a seed always gives the same data.
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from essor.accounts.models import Membership
from essor.core.audit import record
from essor.demo import identifiers, names, registry
from essor.demo.accounts import ALL_ACCOUNTS, DEMO_EMAIL_DOMAIN, DEMO_PASSWORD
from essor.directory.ess import apply_family
from essor.directory.models import (
    CooperativeStatus,
    Establishment,
    HeadcountBand,
    Organisation,
    OrganisationClaim,
    ProfileRevision,
    Sector,
)
from essor.directory.services import rebuild_search_words
from essor.territory.importers import (
    COG_CURRENT,
    read_package_communes,
    read_package_epci_members,
)
from essor.territory.models import Commune, Territory
from essor.territory.services import import_cog_rows, set_territory_communes

DEFAULT_SEED = 2026
CUD_SIREN = "245900428"
DEMO_SOURCE = {"source": "demo"}

# Real public bodies (legal categories from INSEE's table: 7343 communauté urbaine, 7230 région,
# 7220 département).
CO_FUNDERS = (
    ("cud", CUD_SIREN, "Communauté urbaine de Dunkerque", "CUD", "7343"),
    ("region", "200053742", "Région Hauts-de-France", "", "7230"),
    ("departement", "225900018", "Département du Nord", "", "7220"),
)

PARTNER_TERRITORY = "Pays des Moulins de Flandre"
# Its communes come from the EPCI list of the npm package @etalab/decoupage-administratif.
PARTNER_EPCI_SIRENS = ("200040954",)  # CC des Hauts de Flandre
# The package gives no coordinates: approximate centroids of the villages where the demo places
# its fictional producers (the other communes of the territory have none until geocoded).
PRODUCER_VILLAGES = {
    "59067": (50.968, 2.434),  # Bergues
    "59089": (50.867, 2.349),  # Bollezeele
    "59210": (50.886, 2.432),  # Esquelbecq
    "59309": (50.979, 2.585),  # Hondschoote
    "59663": (50.881, 2.468),  # Wormhout
}


@dataclass(frozen=True)
class Profile:
    """A kind of ESS structure and how many of the 300 belong to it."""

    count: int
    legal_category: str
    prefixes: tuple[str, ...]
    cooperative_status: str = CooperativeStatus.NONE
    is_esus_company: bool = False
    sector: str = ""  # a forced sector slug


PROFILES = (
    Profile(200, "9220", ("Association", "", "")),
    Profile(8, "9230", ("Association",)),
    Profile(8, "9221", ("",), sector="insertion"),
    Profile(4, "9222", ("Association intermédiaire",), sector="insertion"),
    Profile(18, "5458", ("SCOP",), CooperativeStatus.SCOP),
    Profile(10, "5460", ("Coopérative",)),
    Profile(10, "5710", ("SCIC",), CooperativeStatus.SCIC),
    Profile(3, "5499", ("CAE",), CooperativeStatus.CAE),
    Profile(10, "8210", ("Mutuelle",), sector="sante"),
    Profile(10, "9300", ("Fondation",)),
    Profile(19, "5710", ("",), is_esus_company=True),
)
ORGANISATION_COUNT = sum(profile.count for profile in PROFILES)

EMPLOYER_BANDS = ("01", "02", "03", "11", "12", "21")
EMPLOYER_BAND_WEIGHTS = (30, 25, 18, 15, 9, 3)


@dataclass
class DemoSummary:
    organisations: int = 0
    establishments: int = 0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # email, role, organisation
    revisions: int = 0
    claims: int = 0
    modules: list[str] = field(default_factory=list)  # one French line per module's demo step


def demo_data_present() -> bool:
    return Organisation.objects.filter(is_demo=True).exists()


@transaction.atomic
def remove_demo_data() -> None:
    """Delete the demo structures (and, by cascade, their sites, memberships, revisions) and the
    demo accounts. Real organisations, communes and territories stay. The modules' steps go
    first: their records may keep who did what (an invoice its issuer) and protect the accounts."""
    demo = Organisation.objects.filter(is_demo=True)
    for step in reversed(registry.steps()):
        if step.remove is not None:
            step.remove()
    get_user_model().objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").delete()
    Organisation.objects.filter(merged_into__in=demo).update(merged_into=None)
    demo.update(merged_into=None)
    demo.delete()


def _date_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def _acronym(name: str) -> str:
    return "".join(word[0] for word in name.split() if word[0].isupper() and word.isalpha())[:6]


def _jitter(rng: random.Random, commune: Commune) -> tuple[float, float]:
    # About ±900 m around the centroid: enough to spread markers, not to leave the commune.
    return (
        round(commune.latitude + rng.uniform(-0.008, 0.008), 6),
        round(commune.longitude + rng.uniform(-0.012, 0.012), 6),
    )


def _address(rng: random.Random) -> str:
    return f"{rng.randint(1, 180)} {rng.choice(names.STREETS)}"


def _establishment(
    rng: random.Random, organisation: Organisation, number: int, commune: Commune, is_open: bool
) -> Establishment:
    latitude, longitude = _jitter(rng, commune)
    return Establishment(
        organisation=organisation,
        siret=identifiers.siret(organisation.siren, number),
        is_head_office=number == 1,
        address=_address(rng),
        postal_code=(commune.postal_codes or [""])[0],
        city=commune.name,
        commune=commune,
        latitude=latitude,
        longitude=longitude,
        naf_code=organisation.naf_code,
        headcount_band=organisation.headcount_band if number == 1 else HeadcountBand.UNKNOWN,
        is_employer=organisation.is_employer if number == 1 else None,
        is_open=is_open,
        creation_date=organisation.creation_date,
        field_sources=dict.fromkeys(("address", "latitude", "longitude"), DEMO_SOURCE),
    )


def _ess_structures(
    rng: random.Random,
    sirens: list[str],
    rnas: list[str],
    communes: list[Commune],
    sectors: list[Sector],
) -> tuple[list[Organisation], dict[int, list[Sector]], list[tuple[int, int, Commune, bool]]]:
    """The fictional structures (unsaved), their sectors by index, and their sites to create."""
    weights = [commune.population or 1 for commune in communes]
    profiles = [profile for profile in PROFILES for _ in range(profile.count)]
    rng.shuffle(profiles)
    sector_by_slug = {sector.slug: sector for sector in sectors}
    # Every sector is used: the first structures take them in turn.
    free = [index for index, profile in enumerate(profiles) if not profile.sector]
    assigned = {index: sectors[position] for position, index in enumerate(free[: len(sectors)])}

    organisations, sector_links, sites, used_names = [], {}, [], set()
    for index, profile in enumerate(profiles):
        sector = assigned.get(index) or sector_by_slug.get(profile.sector) or rng.choice(sectors)
        theme = names.THEMES.get(sector.slug, names.GENERIC_THEME)
        prefix = rng.choice(profile.prefixes)
        name = names.structure_name(rng, theme, prefix)
        while name in used_names:
            name = names.structure_name(rng, theme, prefix)
        used_names.add(name)
        commune = rng.choices(communes, weights=weights)[0]
        is_employer = rng.random() < 0.45 or profile.legal_category in {"9221", "9222"}
        slug = slugify(name)[:40].strip("-")
        organisation = Organisation(
            siren=sirens[index],
            name=name,
            acronym=_acronym(name) if rng.random() < 0.1 else "",
            rna=rnas.pop()
            if profile.legal_category.startswith("92") and rng.random() < 0.6
            else None,
            legal_category=profile.legal_category,
            cooperative_status=profile.cooperative_status,
            has_ess_statutes=profile.is_esus_company,
            sirene_ess_flag="O" if rng.random() < 0.5 else "",
            naf_code=rng.choice(theme.naf_codes),
            activity=theme.activity,
            headcount_band=(
                rng.choices(EMPLOYER_BANDS, weights=EMPLOYER_BAND_WEIGHTS)[0]
                if is_employer
                else rng.choice((HeadcountBand.NONE, HeadcountBand.UNKNOWN))
            ),
            is_employer=True if is_employer else rng.choice((False, None)),
            creation_date=_date_between(
                rng, datetime.date(1960, 1, 1), datetime.date(2024, 12, 31)
            ),
            is_active=rng.random() >= 0.06,
            description=names.description(rng, theme, name, commune.name),
            email=f"contact.{slug}@example.org",
            phone=f"03 28 00 00 {index % 100:02d}",
            website=f"https://{slug}.example.org" if rng.random() < 0.3 else "",
            is_demo=True,
        )
        if profile.is_esus_company:
            organisation.creation_date = _date_between(
                rng, datetime.date(2010, 1, 1), datetime.date(2022, 12, 31)
            )
            # Five-year approvals starting in 2024-2025: valid for the years the demo is shown.
            organisation.esus_start = _date_between(
                rng, datetime.date(2024, 1, 1), datetime.date(2025, 12, 31)
            )
            organisation.esus_end = organisation.esus_start.replace(
                year=organisation.esus_start.year + 5
            ) - datetime.timedelta(days=1)
        organisation.field_sources = dict.fromkeys(
            ("name", "legal_category", "description", "email", "phone", "sectors"), DEMO_SOURCE
        )
        apply_family(organisation)
        organisations.append(organisation)

        sector_links[index] = [sector]
        if rng.random() < 0.2:
            other = rng.choice(sectors)
            if other != sector:
                sector_links[index].append(other)

        sites.append((index, 1, commune, organisation.is_active))
        if rng.random() < 0.15:
            for number in range(2, 2 + rng.randint(1, 2)):
                other_commune = rng.choices(communes, weights=weights)[0]
                is_open = organisation.is_active and rng.random() >= 0.1
                sites.append((index, number, other_commune, is_open))
    return organisations, sector_links, sites


def _partner_territory() -> Territory:
    """The partner territory: the communes of its EPCIs (and their former codes), from the
    installed reference package, as `import_communes` and `import_epci` would set them."""
    members = read_package_epci_members(set(PARTNER_EPCI_SIRENS))
    codes = {row.commune_code for row in members}
    import_cog_rows(
        rows=[
            row
            for row in read_package_communes()
            if (row.code if row.kind == COG_CURRENT else row.parent_code) in codes
        ]
    )
    for code, (latitude, longitude) in PRODUCER_VILLAGES.items():
        Commune.objects.filter(insee_code=code, latitude__isnull=True).update(
            latitude=latitude, longitude=longitude
        )
    result = set_territory_communes(
        name=PARTNER_TERRITORY, kind=Territory.Kind.PARTNER, commune_codes=codes
    )
    return result.territory


def _institutions(rng: random.Random, siren: str, dunkerque: Commune) -> dict[str, Organisation]:
    """The agency (kept if it exists) and the co-funders (real bodies, found by SIREN)."""
    agency = Organisation.objects.filter(is_agency=True).first()
    if agency is None:
        agency = Organisation(
            siren=siren,
            name=settings.ESSOR_AGENCY_NAME,
            legal_category="9220",
            is_agency=True,
            is_demo=True,
            naf_code="94.99Z",
            activity="Animation de la politique ESS du territoire",
            description=(
                "L'agence anime la politique de l'économie sociale et solidaire du territoire. "
                "Données fictives de démonstration."
            ),
            email="contact.agence@example.org",
            phone="03 28 00 00 00",
            field_sources={"name": DEMO_SOURCE},
        )
        apply_family(agency)
        agency.save()
        latitude, longitude = _jitter(rng, dunkerque)
        Establishment.objects.create(
            organisation=agency,
            siret=identifiers.siret(siren, 1),
            is_head_office=True,
            address=_address(rng),
            postal_code=dunkerque.postal_codes[0] if dunkerque.postal_codes else "",
            city=dunkerque.name,
            commune=dunkerque,
            latitude=latitude,
            longitude=longitude,
        )
    institutions = {"agency": agency}
    for key, funder_siren, name, acronym, legal_category in CO_FUNDERS:
        funder, _ = Organisation.objects.get_or_create(
            siren=funder_siren,
            defaults={
                "name": name,
                "acronym": acronym,
                "legal_category": legal_category,
                "description": f"{name}, cofinanceur de la politique ESS du territoire.",
                "field_sources": {"name": {"source": "agency"}},
            },
        )
        institutions[key] = funder
    return institutions


def _accounts(organisations: dict[str, Organisation]) -> list[tuple[str, str, str]]:
    User = get_user_model()
    # The password is public and shared: hash it once (Argon2 takes most of a second per hash).
    demo_password_hash = make_password(DEMO_PASSWORD)
    printed = []
    for account in ALL_ACCOUNTS:
        user = User.objects.filter(email=account.email).first()
        if user is None:
            user = User.objects.create_user(account.email, None, full_name=account.full_name)
        User.objects.filter(pk=user.pk).update(password=demo_password_hash)
        label = "Compte sans rôle"
        if account.role:
            organisation = organisations[account.organisation]
            Membership.objects.get_or_create(
                user=user, organisation=organisation, defaults={"role": account.role}
            )
            label = f"{Membership(role=account.role).get_role_display()} — {organisation.name}"
        printed.append((account.email, label, account.full_name))
    return printed


def _back_office_items(
    rng: random.Random, organisations: dict[str, Organisation], users: dict[str, object]
) -> tuple[int, int]:
    """Pending profile changes and management claims, with their audit entries."""
    revisions = 0
    for key in ("structure", "revision-1", "revision-2"):
        organisation = organisations[key]
        proposer = users[key]
        revision = ProfileRevision.objects.create(
            organisation=organisation,
            proposed_by=proposer,
            data={
                "description": organisation.description.replace(
                    "Données fictives", "Nouveaux horaires d'accueil. Données fictives"
                ),
                "phone": f"03 28 00 01 {rng.randint(0, 99):02d}",
            },
        )
        record(
            actor=proposer,
            action="directory.revision.propose",
            target=revision,
            message="Modification de fiche proposée (démonstration).",
        )
        revisions += 1
    claims = 0
    for key in ("claim-1", "claim-2"):
        claim = OrganisationClaim.objects.create(
            organisation=organisations[key],
            user=users["visitor"],
            position=rng.choice(("Président", "Trésorière", "Directrice", "Coordinateur")),
            message="Je souhaite mettre à jour la fiche de notre structure (démonstration).",
        )
        record(
            actor=users["visitor"],
            action="directory.claim.submit",
            target=claim,
            message="Demande de gestion de fiche (démonstration).",
        )
        claims += 1
    return revisions, claims


@transaction.atomic
def _module_steps(*, seed: int, tick: Callable[[int], None], accounts: list, **data) -> list[str]:
    """Runs the modules' demo steps (see core.demo.registry); returns their summary lines."""
    users = {
        user.email: user
        for user in get_user_model().objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
    }
    lines = []
    for step in registry.steps():
        context = registry.DemoContext(
            seed=seed,
            rng=registry.step_random(seed, step.name),
            today=timezone.localdate(),
            users=users,
            accounts=accounts,
            **data,
        )
        lines.append(step.load(context))
        tick(1)
    return lines


def load_demo(*, seed: int = DEFAULT_SEED, progress: Callable[[int], None] | None = None):
    rng = random.Random(seed)
    tick = progress or (lambda n: None)
    territory = Territory.objects.filter(siren=CUD_SIREN).first()
    communes = list(
        (territory.communes.all() if territory else Commune.objects.none())
        .filter(latitude__isnull=False)
        .order_by("insee_code")
    )
    if not communes:
        raise ValueError(
            "Les communes de la Communauté urbaine de Dunkerque sont introuvables : lancez "
            "d'abord python manage.py migrate."
        )
    sectors = list(Sector.objects.order_by("position", "slug"))
    dunkerque = max(communes, key=lambda commune: commune.population or 0)

    taken = set(Organisation.objects.exclude(siren=None).values_list("siren", flat=True))
    sirens = identifiers.draw_sirens(rng, ORGANISATION_COUNT + 1, exclude=taken)
    taken_rna = set(Organisation.objects.exclude(rna=None).values_list("rna", flat=True))
    rnas = identifiers.draw_rnas(rng, ORGANISATION_COUNT, exclude=taken_rna)

    partner = _partner_territory()
    institutions = _institutions(rng, sirens.pop(), dunkerque)
    tick(1)

    structures, sector_links, sites = _ess_structures(rng, sirens, rnas, communes, sectors)
    Organisation.objects.bulk_create(structures)
    tick(len(structures))
    Sectors = Organisation.sectors.through
    Sectors.objects.bulk_create(
        Sectors(organisation_id=structures[index].pk, sector_id=sector.pk)
        for index, linked in sector_links.items()
        for sector in linked
    )
    establishments = [
        _establishment(rng, structures[index], number, commune, is_open)
        for index, number, commune, is_open in sites
    ]
    Establishment.objects.bulk_create(establishments)
    tick(1)

    # The demo structure shown to the organisation accounts: an active association.
    active = [o for o in structures if o.is_active and o.legal_category == "9220"]
    organisations = {
        **institutions,
        "structure": active[0],
        "revision-1": active[1],
        "revision-2": active[2],
        "claim-1": active[3],
        "claim-2": active[4],
    }
    accounts = _accounts(organisations)
    by_email = {
        user.email: user
        for user in get_user_model().objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
    }
    users = {
        "structure": by_email[f"admin.structure@{DEMO_EMAIL_DOMAIN}"],
        "revision-1": by_email[f"responsable.1@{DEMO_EMAIL_DOMAIN}"],
        "revision-2": by_email[f"responsable.2@{DEMO_EMAIL_DOMAIN}"],
        "visitor": by_email[f"visiteur@{DEMO_EMAIL_DOMAIN}"],
    }
    revisions, claims = _back_office_items(rng, organisations, users)
    module_lines = _module_steps(
        seed=seed,
        organisations=organisations,
        structures=structures,
        communes=communes,
        partner_communes=list(
            partner.communes.filter(latitude__isnull=False).order_by("insee_code")
        ),
        sectors=sectors,
        accounts=accounts,
        tick=tick,
    )
    record(
        actor=None,
        action="demo.data.load",
        target=institutions["agency"],
        changes={"graine": seed, "structures": len(structures)},
        message="Chargement des données de démonstration.",
    )
    rebuild_search_words()  # the search corrects typos against the demo's names
    tick(1)
    return DemoSummary(
        organisations=len(structures),
        establishments=len(establishments),
        accounts=accounts,
        revisions=revisions,
        claims=claims,
        modules=module_lines,
    )
