"""Demo data: five SIAE (one of each kind) with two years of annexes, 150 pseudonymous
participants with fictional names, contracts, barriers, trainings, monthly hours and exits."""

import datetime
from decimal import Decimal

from essor.accounts.models import Role
from essor.insertion.models import (
    Barrier,
    BarrierType,
    Contract,
    EducationLevel,
    Exit,
    ExitCategory,
    FinancialAnnex,
    MonthlyHours,
    Participant,
    Siae,
    SiaeKind,
    SupportKind,
    Training,
)
from essor.insertion.services import covered_days, hours_capacity

FIRST_NAMES_F = [
    "Amina",
    "Sophie",
    "Nadia",
    "Julie",
    "Fatou",
    "Claire",
    "Inès",
    "Laura",
    "Yasmine",
    "Élodie",
]
FIRST_NAMES_M = [
    "Karim",
    "Julien",
    "Mehdi",
    "Thomas",
    "Moussa",
    "Kevin",
    "Rachid",
    "Nicolas",
    "Dylan",
    "Bruno",
]
LAST_NAMES = [
    "Fictif",
    "Exemple",
    "Démo",
    "Modèle",
    "Essai",
    "Témoin",
    "Maquette",
    "Prototype",
    "Brouillon",
    "Esquisse",
    "Ébauche",
    "Aperçu",
]
TRAININGS = [
    "CACES R489",
    "Sauveteur secouriste du travail",
    "Français langue étrangère",
    "Permis B",
    "Habilitation électrique",
    "Bureautique",
]
EXIT_WEIGHTS = [
    (ExitCategory.DURABLE, 25),
    (ExitCategory.TRANSITION, 25),
    (ExitCategory.POSITIVE, 15),
    (ExitCategory.OTHER, 30),
    (ExitCategory.WITHDRAWN, 5),
]
PARTICIPANTS = 150


def _months(start: datetime.date, end: datetime.date):
    month = start.replace(day=1)
    while month <= end:
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def load(ctx) -> str:
    rng = ctx.rng
    today = ctx.today
    first_year = today.year - 1
    period_start = datetime.date(first_year, 1, 1)
    candidates = [
        o for o in ctx.structures if o.is_active and o.pk != ctx.organisations["structure"].pk
    ]
    chosen = rng.sample(candidates, 5)
    funders = [ctx.organisations[key] for key in ("cud", "departement") if key in ctx.organisations]
    siaes = Siae.objects.bulk_create(
        Siae(organisation=organisation, kind=kind, convention_reference=f"CONV-{kind}-{first_year}")
        for organisation, kind in zip(chosen, SiaeKind.values, strict=True)
    )
    Siae.funders.through.objects.bulk_create(
        Siae.funders.through(siae_id=siae.pk, organisation_id=funder.pk)
        for siae in siaes
        for funder in funders
    )
    annexes: dict[tuple[int, int], FinancialAnnex] = {}
    for number, siae in enumerate(siaes, start=1):
        for year in (first_year, today.year):
            fte = Decimal(rng.randint(8, 13))
            annexes[(siae.pk, year)] = FinancialAnnex(
                siae=siae,
                number=f"{siae.kind}059{year % 100:02d}{number:04d}A0M0",
                start=datetime.date(year, 1, 1),
                end=datetime.date(year, 12, 31),
                conventioned_fte=fte,
                amount_state=fte * Decimal("21000"),
                amount_departement=fte * Decimal("2500"),
                amount_cud=Decimal(rng.choice([0, 5000, 10000, 15000])),
                amount_other=Decimal("0"),
            )
    FinancialAnnex.objects.bulk_create(annexes.values())

    communes = ctx.communes
    levels = EducationLevel.values
    participants, plans = [], []
    for index in range(PARTICIPANTS):
        siae = siaes[index % len(siaes)]
        female = rng.random() < 0.45
        participants.append(
            Participant(
                siae=siae,
                code=f"SAL-{index // len(siaes) + 1:04d}",
                first_name=rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M),
                last_name=rng.choice(LAST_NAMES),
                sex="F" if female else "M",
                birth_year=rng.randint(today.year - 62, today.year - 18),
                education_level=rng.choices(levels, weights=[30, 35, 20, 10, 5])[0],
                rsa=rng.random() < 0.45,
                ass=rng.random() < 0.1,
                aah=rng.random() < 0.05,
                rqth=rng.random() < 0.15,
                long_term_unemployed=rng.random() < 0.6,
                qpv_resident=rng.random() < 0.35,
                commune=rng.choice(communes) if communes else None,
            )
        )
        start = period_start + datetime.timedelta(
            days=rng.randint(0, (today - period_start).days - 31)
        )
        length = rng.randint(90, 450)
        end = start + datetime.timedelta(days=length)
        plans.append(
            (start, end if end < today else None, Decimal(rng.choice([20, 24, 26, 30, 35])))
        )
    for participant, (start, end, _) in zip(participants, plans, strict=True):
        participant.entry_date, participant.last_day = start, end
    Participant.objects.bulk_create(participants)

    contracts, exits, hours, barriers, trainings = [], [], [], [], []
    barrier_types = list(BarrierType.objects.filter(is_active=True))
    for participant, (start, end, weekly) in zip(participants, plans, strict=True):
        last_day = end or today
        # One contract per annex year the pathway crosses (renewals at the turn of the year).
        for year in range(start.year, last_day.year + 1):
            contract_start = max(start, datetime.date(year, 1, 1))
            contract_end = min(last_day, datetime.date(year, 12, 31))
            if end is None and year == last_day.year:
                contract_end = None
            contracts.append(
                Contract(
                    participant=participant,
                    annex=annexes[(participant.siae_id, year)],
                    start=contract_start,
                    end=contract_end,
                    weekly_hours=weekly,
                )
            )
        if end is not None:
            category = rng.choices([c for c, _ in EXIT_WEIGHTS], [w for _, w in EXIT_WEIGHTS])[0]
            exits.append(Exit(participant=participant, date=end, category=category))
        for month in _months(
            start, min(last_day, today.replace(day=1) - datetime.timedelta(days=1))
        ):
            worked = weekly * Decimal("4.33") * Decimal(rng.randint(70, 100)) / 100
            hours.append(
                MonthlyHours(
                    participant=participant,
                    siae_id=participant.siae_id,
                    month=month,
                    # At most what the pathway's days in the month allow (48 hours a week).
                    hours=min(
                        worked, hours_capacity(covered_days([(start, end)], month)[0])
                    ).quantize(Decimal("0.01")),
                )
            )
        for barrier_type in rng.sample(barrier_types, rng.randint(0, min(3, len(barrier_types)))):
            barriers.append(
                Barrier(
                    participant=participant,
                    barrier_type=barrier_type,
                    identified_on=start,
                    support=rng.choice(SupportKind.values),
                    resolved=rng.random() < 0.4,
                )
            )
        if rng.random() < 0.5:
            trainings.append(
                Training(
                    participant=participant,
                    title=rng.choice(TRAININGS),
                    start=min(start + datetime.timedelta(days=rng.randint(15, 90)), today),
                    hours=Decimal(rng.choice([7, 14, 21, 35, 70, 105])),
                )
            )
    Contract.objects.bulk_create(contracts)
    Exit.objects.bulk_create(exits)
    MonthlyHours.objects.bulk_create(hours, batch_size=2000)
    Barrier.objects.bulk_create(barriers)
    Training.objects.bulk_create(trainings)

    ctx.demo_user(
        "encadrant.siae",
        "Camille Encadrante",
        organisation=siaes[0].organisation,
        role=Role.ORGANISATION_ADMIN,
    )
    return (
        f"{len(siaes)} SIAE (ACI, AI, EI, ETTI, EITI), {len(annexes)} annexes financières, "
        f"{len(participants)} salariés en insertion pseudonymisés, {len(hours)} mois d'heures, "
        f"{len(exits)} sorties"
    )


def remove() -> None:
    """Contracts protect their annex and amendments the annex they amend: delete from the
    leaves up."""
    demo = Siae.objects.filter(organisation__is_demo=True)
    Participant.objects.filter(siae__in=demo).delete()
    annexes = FinancialAnnex.objects.filter(siae__in=demo)
    annexes.filter(amends__isnull=False).delete()
    annexes.delete()
    demo.delete()
