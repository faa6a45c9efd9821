"""Demo data of the support module: ten years of fictional project holders, ending this year, whose
sector mix starts with culture first and sport second and shifts slowly toward the CUD's priority
sectors; their stages, accompaniment actions and reminders; creations linked to demo structures of
the directory (some of which close later, for the survival rates)."""

import datetime

from django.contrib.auth import get_user_model

from essor.core.formats import with_article
from essor.demo.accounts import DEMO_EMAIL_DOMAIN
from essor.directory.models import Establishment, Organisation
from essor.support.models import (
    SHAREABLE_FIELDS,
    Action,
    ActionKind,
    Channel,
    ConsentScope,
    HolderKind,
    PartnerKind,
    ProjectHolder,
    Stage,
)
from essor.support.services import name_key, phone_key

YEARS = 10
FIRST_NAMES = (
    "Amandine", "Bastien", "Camille", "Djamel", "Élodie", "Fatou", "Gaëtan", "Hélène", "Inès",
    "Jérôme", "Karima", "Louis", "Manon", "Nabil", "Océane", "Pascal", "Rachida", "Sébastien",
    "Thi Lan", "Ulysse", "Valérie", "William", "Yasmine", "Zoé", "Aurélien", "Sophie", "Mehdi",
    "Claire", "Thomas", "Nadia",
)  # fmt: skip
LAST_NAMES = (
    "Vandenbussche", "Martin", "Lefebvre", "Benali", "Declercq", "Diallo", "Vermeersch", "Dupont",
    "Lemaire", "Bouzid", "Ryckebusch", "Nguyen", "Deswarte", "Camara", "Hennebert", "Petit",
    "Verschaeve", "Haddad", "Delattre", "Moreau", "Coppin", "Ouali", "Dewaele", "Roussel",
)  # fmt: skip
GROUP_PREFIXES = ("Collectif", "Les Amis de", "Groupe projet", "Association en création")
IDEAS = {
    "culture": ("une salle de concerts associative", "une compagnie de théâtre de rue",
                "un atelier de sérigraphie partagé", "un festival de quartier"),
    "sport": ("un club de sport adapté", "une école de voile solidaire",
              "une salle d'escalade associative"),
    "batiment": ("une entreprise d'écoconstruction", "une coopérative de rénovation énergétique",
                 "une matériauthèque de réemploi"),
    "services-a-la-personne": ("un service d'aide à domicile coopératif",
                               "une conciergerie solidaire", "une halte-garderie associative"),
    "mobilite": ("un garage solidaire", "une vélo-école pour adultes",
                 "un service de covoiturage rural"),
    "tourisme": ("un gîte d'insertion", "des balades commentées du port",
                 "une auberge de jeunesse coopérative"),
    "alimentation-circuits-courts": ("une épicerie solidaire", "un drive fermier",
                                     "une légumerie pour la restauration collective"),
}  # fmt: skip
GENERIC_IDEAS = ("une activité de l'ESS", "une recyclerie", "un tiers-lieu de quartier")
NOTES = {
    ActionKind.MEETING: (
        "Premier point sur l'idée et les motivations.",
        "Travail sur le modèle économique et le prévisionnel.",
        "Relecture du projet de statuts.",
        "Point d'étape : recherche de local et de partenaires.",
    ),
    ActionKind.WORKSHOP: (
        "Atelier collectif « Choisir son statut dans l'ESS ».",
        "Atelier « Construire son budget prévisionnel ».",
    ),
    ActionKind.TRAINING: (
        "Formation de deux jours à la gestion associative.",
        "Formation « Gouvernance coopérative ».",
    ),
    ActionKind.REFERRAL: (
        "Orientation pour un premier financement.",
        "Orientation pour trouver un local partagé.",
    ),
}
PARTNERS = {
    PartnerKind.CIGALES: "Club CIGALES des Dunes",
    PartnerKind.FRANCE_ACTIVE: "France Active Hauts-de-France",
    PartnerKind.PROGRAMME: "Fonds d'amorçage ESS de la CUD",
    PartnerKind.TIERS_LIEU: "Work&Co",
    PartnerKind.OTHER: "Boutique de gestion",
}
NEXT_STEPS = (
    "Envoyer le budget prévisionnel",
    "Prendre rendez-vous avec la banque",
    "Déposer les statuts",
    "Rencontrer un club CIGALES",
    "Visiter des locaux",
)
ABANDON_REASONS = (
    "Reprise d'un emploi salarié.",
    "Financement insuffisant.",
    "Le collectif s'est séparé.",
    "Déménagement hors du territoire.",
)
# Communes of the CUD with priority districts (QPV), when the commune list does not say so.
QPV_COMMUNES = {"59183", "59271", "59155", "59273", "59131"}
SILENT_REASON = "Sans nouvelles du porteur depuis plus d'un an."
PRIORITY = ("batiment", "services-a-la-personne", "mobilite", "tourisme",
            "alimentation-circuits-courts")  # fmt: skip


def sector_weights(slugs: list[str], progress: float) -> list[float]:
    """Weights of the sectors for a year; `progress` goes from 0 (ten years ago) to 1 (this
    year): culture and sport lead at first, the priority sectors grow slowly."""
    weights = []
    for slug in slugs:
        if slug == "culture":
            weights.append(30 - 13 * progress)
        elif slug == "sport":
            weights.append(22 - 9 * progress)
        elif slug in PRIORITY:
            weights.append(3 + 8 * progress)
        else:
            weights.append(5 - 1 * progress)
    return weights


def _days(rng, low: int, high: int) -> datetime.timedelta:
    return datetime.timedelta(days=rng.randint(low, high))


def _add_years(date: datetime.date, years: int) -> datetime.date:
    try:
        return date.replace(year=date.year + years)
    except ValueError:
        return date.replace(year=date.year + years, day=28)


def _advisors(ctx) -> list:
    emails = [f"equipe.agence@{DEMO_EMAIL_DOMAIN}", f"admin.agence@{DEMO_EMAIL_DOMAIN}"]
    users = [ctx.users.get(email) for email in emails]
    found = [user for user in users if user is not None]
    if not found:
        found = list(get_user_model().objects.filter(email__in=emails))
    return found or [None]


def _stages(rng, first: datetime.date, today: datetime.date) -> dict:
    """The dates of the stages a holder reaches (none in the future)."""
    dates = {"first_contact_on": first, "stage": Stage.IDEA}
    chain = (
        ("emergence_on", Stage.EMERGENCE, 0.72, (30, 150)),
        ("structuring_on", Stage.STRUCTURING, 0.62, (45, 200)),
        ("creation_date", Stage.CREATION, 0.55, (60, 270)),
    )
    current = first
    for field, stage, chance, (low, high) in chain:
        if rng.random() >= chance:
            # Some stop there: an abandon, or still in progress.
            if rng.random() < 0.45:
                on = current + _days(rng, 30, 240)
                if on <= today:
                    dates.update(
                        abandoned_on=on,
                        stage=Stage.ABANDONED,
                        abandon_reason=rng.choice(ABANDON_REASONS),
                    )
            return dates
        on = current + _days(rng, low, high)
        if on > today:
            return dates
        dates[field] = on
        dates["stage"] = stage
        current = on
    return dates


def load_support_demo(ctx) -> str:
    rng = ctx.rng
    today = ctx.today
    communes = list(ctx.communes)
    weights = [commune.population or 1 for commune in communes]
    sectors = list(ctx.sectors)
    slugs = [sector.slug for sector in sectors]
    advisors = _advisors(ctx)
    reserved = {organisation.pk for organisation in ctx.organisations.values()}
    free_structures = [s for s in ctx.structures if s.pk not in reserved]
    rng.shuffle(free_structures)
    channels = [choice for choice, _ in Channel.choices]

    holders, holder_sectors, used_names = [], [], set()
    first_year = today.year - YEARS + 1
    for year in range(first_year, today.year + 1):
        progress = (year - first_year) / (YEARS - 1)
        year_weights = sector_weights(slugs, progress)
        end = min(datetime.date(year, 12, 31), today)
        start = datetime.date(year, 1, 1)
        span = (end - start).days
        count = rng.randint(60, 90)
        if year == today.year:
            count = max(10, round(count * (span + 1) / 365))
        for _ in range(count):
            chosen = rng.choices(sectors, weights=year_weights)[0]
            linked = [chosen]
            if rng.random() < 0.15:
                other = rng.choices(sectors, weights=year_weights)[0]
                if other != chosen:
                    linked.append(other)
            is_group = rng.random() < 0.2
            first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            name = (
                f"{rng.choice(GROUP_PREFIXES)} {rng.choice(IDEAS.get(chosen.slug, GENERIC_IDEAS)).split(' ', 1)[1].capitalize()}"
                if is_group
                else f"{first_name} {last_name}"
            )
            while name in used_names:
                name = f"{name} {rng.randint(2, 99)}"
            used_names.add(name)
            commune = rng.choices(communes, weights=weights)[0]
            first = start + datetime.timedelta(days=rng.randint(0, span))
            consent = rng.random() < 0.7
            local = name_key(f"{first_name} {last_name}").replace(" ", ".")
            email = f"{local}.{len(holders)}@example.org" if consent else ""
            phone = (
                f"06 00 {len(holders) // 100:02d} {len(holders) % 100:02d} 00"
                if consent and rng.random() < 0.6
                else ""
            )
            stages = _stages(rng, first, today)
            organisation = None
            if stages["stage"] == Stage.CREATION:
                if free_structures:
                    organisation = free_structures.pop()
                else:
                    # No structure left to link: the project stays at the structuring stage.
                    stages.update(stage=Stage.STRUCTURING, creation_date=None)
            holder = ProjectHolder(
                kind=HolderKind.GROUP if is_group else HolderKind.PERSON,
                name=name,
                name_key=name_key(name),
                email=email,
                phone=phone,
                phone_key=phone_key(phone),
                consent_on=first if consent else None,
                consent_scope=(
                    rng.choice([ConsentScope.AGENCY, ConsentScope.PARTNERS]) if consent else ""
                ),
                idea=f"Créer {rng.choice(IDEAS.get(chosen.slug, GENERIC_IDEAS))} {with_article(commune.name, 'à')}.",
                commune=commune,
                in_qpv=(commune.is_qpv_present or commune.insee_code in QPV_COMMUNES)
                and rng.random() < 0.3,
                heard_via=rng.choice(channels),
                advisor=rng.choice(advisors),
                is_demo=True,
                organisation=organisation,
                **stages,
            )
            holders.append(holder)
            holder_sectors.append(linked)

    # A duplicate to show the warning: the same person entered again, in the same commune.
    original = next(h for h in reversed(holders) if h.kind == HolderKind.PERSON and h.is_open)
    duplicate = ProjectHolder(
        kind=original.kind,
        name=original.name.upper(),
        name_key=original.name_key,
        idea=original.idea,
        commune=original.commune,
        in_qpv=original.in_qpv,
        heard_via=Channel.EVENT,
        advisor=original.advisor,
        first_contact_on=original.first_contact_on,
        is_demo=True,
    )
    holders.append(duplicate)
    holder_sectors.append(holder_sectors[holders.index(original)])

    ProjectHolder.objects.bulk_create(holders)
    Through = ProjectHolder.sectors.through
    Through.objects.bulk_create(
        Through(projectholder_id=holder.pk, sector_id=sector.pk)
        for holder, linked in zip(holders, holder_sectors, strict=True)
        for sector in linked
    )

    # The created structures: their creation date, and some close later (survival rates).
    created, closed = [], []
    for holder in holders:
        if holder.organisation is None:
            continue
        organisation = holder.organisation
        organisation.creation_date = holder.creation_date
        organisation.is_active, organisation.closed_on = True, None
        draw = rng.random()
        closed_on = None
        if draw < 0.12:
            closed_on = holder.creation_date + _days(rng, 60, 360)
        elif draw < 0.25:
            closed_on = _add_years(holder.creation_date, 1) + _days(rng, 10, 700)
        if closed_on and closed_on <= today:
            organisation.is_active, organisation.closed_on = False, closed_on
            closed.append(organisation.pk)
        created.append(organisation)
    Organisation.objects.bulk_update(created, ["creation_date", "is_active", "closed_on"])
    Establishment.objects.filter(organisation_id__in=closed).update(is_open=False)

    actions = _actions(rng, holders, today)
    Action.objects.bulk_create(actions)

    abandons = sum(1 for holder in holders if holder.stage == Stage.ABANDONED)
    return (
        f"{len(holders)} porteurs de projet sur {YEARS} ans, {len(actions)} actions "
        f"d'accompagnement, {len(created)} créations ({len(closed)} cessées depuis), "
        f"{abandons} abandons"
    )


def _actions(rng, holders, today) -> list[Action]:
    kinds = [ActionKind.MEETING, ActionKind.WORKSHOP, ActionKind.TRAINING, ActionKind.REFERRAL]
    kind_weights = [50, 20, 15, 15]
    actions = []
    for holder in holders:
        last_day = (
            holder.creation_date
            or holder.abandoned_on
            or min(today, _add_years(holder.first_contact_on, 2))
        )
        span = max((last_day - holder.first_contact_on).days, 0)
        count = rng.randint(1, 3) + (
            2 if holder.stage in {Stage.STRUCTURING, Stage.CREATION} else 0
        )
        dates = sorted(
            holder.first_contact_on + datetime.timedelta(days=rng.randint(0, span))
            for _ in range(count)
        )
        dates[0] = holder.first_contact_on
        for index, date in enumerate(dates):
            kind = ActionKind.MEETING if index == 0 else rng.choices(kinds, weights=kind_weights)[0]
            action = Action(
                holder=holder,
                date=date,
                kind=kind,
                staff=holder.advisor,
                notes=rng.choice(NOTES[kind]),
                is_demo=True,
            )
            if kind == ActionKind.REFERRAL:
                partner = rng.choice(list(PARTNERS))
                action.partner_kind = partner
                action.partner_name = PARTNERS[partner]
                shared = ["name", "commune", "idea", "sectors"]
                if holder.consent_scope == ConsentScope.PARTNERS:
                    shared += ["email", "phone"]
                action.shared_fields = [field for field in SHAREABLE_FIELDS if field in shared]
            is_last = index == len(dates) - 1
            if is_last and holder.is_open:
                action.next_step = rng.choice(NEXT_STEPS)
                action.reminder_on = date + _days(rng, 7, 60)
                if action.reminder_on < today - datetime.timedelta(days=120):
                    # Old reminders were dealt with; recent ones are still open (some due).
                    action.reminder_done_on = action.reminder_on
            actions.append(action)
    return actions


def remove_support_demo() -> None:
    Action.objects.filter(holder__is_demo=True).delete()
    demo = ProjectHolder.objects.filter(is_demo=True)
    demo.update(merged_into=None)
    demo.delete()
