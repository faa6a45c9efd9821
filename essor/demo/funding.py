"""Demo data of the funding module: the three co-funders' programmes and envelopes, and a few
dozen applications in every state (some from the demo structure of the organisation accounts).

Every move goes through the services, as people would make it: each application is written and
deposited by a member of its structure (its author: the demo structure's admin, or a « porteur de
projet » account of the other structures), instructed and decided by its funder's instructor."""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q

from essor.accounts.models import Role
from essor.demo import identifiers
from essor.demo.accounts import DEMO_EMAIL_DOMAIN
from essor.funding import services
from essor.funding.models import (
    Agreement,
    Application,
    Attachment,
    BudgetLine,
    CommitteeSession,
    Envelope,
    FinancialReport,
    FunderProfile,
    Payment,
    PaymentMode,
    Programme,
    Share,
    ShareStatus,
)

PROGRAMMES = (
    # funder key, name, summary, ceiling, payment mode, envelope
    (
        "cud",
        "Fonds d'amorçage ESS",
        "Démarrer une activité de l'ESS sur le territoire de la CUD.",
        15000,
        PaymentMode.SINGLE,
        250000,
    ),
    (
        "cud",
        "Soutien aux structures d'utilité sociale",
        "Fonctionnement des associations et coopératives d'utilité sociale.",
        60000,
        PaymentMode.ADVANCE,
        600000,
    ),
    (
        "region",
        "Créer, développer l'ESS",
        "Développement des entreprises de l'ESS en région.",
        80000,
        PaymentMode.ADVANCE,
        900000,
    ),
    (
        "departement",
        "Initiatives solidaires du Nord",
        "Projets de solidarité de proximité : alimentation, mobilité, lien social.",
        30000,
        PaymentMode.SINGLE,
        300000,
    ),
)
TITLES = (
    "Épicerie solidaire du quartier",
    "Atelier vélo participatif",
    "Jardins partagés et paniers",
    "Recyclerie et réemploi",
    "Tiers-lieu culturel",
    "Mobilité solidaire vers l'emploi",
    "Chantier d'insertion bâtiment",
    "Repair café itinérant",
    "Accueil de jour des familles",
    "Festival des solidarités",
)
# (status of the shares, how many applications)
PLAN = (
    ("draft", 5),
    ("submitted", 6),
    ("instruction", 7),
    ("correction", 3),
    ("accepted", 14),
    ("refused", 4),
    ("closed", 3),
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Structures other than the demo structure that apply, each with its « porteur de projet ».
OTHER_APPLICANTS = 6


def _budget(application, rng, subsidy_total, funder_lines):
    own = Decimal(rng.randrange(5, 40) * 1000)
    staff = Decimal(rng.randrange(10, 60) * 1000)
    purchases = subsidy_total + own - staff
    if purchases < 0:
        staff, purchases = subsidy_total + own, Decimal(0)
    lines = {"64": staff, "60": purchases, "70": own}
    for code, amount in funder_lines.items():
        lines[code] = lines.get(code, Decimal(0)) + amount
    return [
        BudgetLine(application=application, code=code, amount=amount)
        for code, amount in lines.items()
        if amount
    ]


def _one_programme_per_funder(rng, programmes, count):
    """`count` programmes of distinct funders: an application asks a funder once (its budget has
    one line per funder at account 74)."""
    by_funder = {}
    for programme in rng.sample(programmes, len(programmes)):
        by_funder.setdefault(programme.funder_id, programme)
    return list(by_funder.values())[:count]


def _attach(application, author):
    for kind in (Attachment.Kind.STATUTES, Attachment.Kind.RIB):
        attachment = Attachment(
            application=application,
            kind=kind,
            original_name=f"{kind}.pdf",
            size=len(PDF),
            content_type="application/pdf",
            uploaded_by=author,
        )
        attachment.file.save(f"{kind}.pdf", ContentFile(PDF), save=False)
        attachment.save()


@transaction.atomic
def load_funding_demo(ctx) -> str:
    rng = ctx.rng
    today = ctx.today
    year = today.year
    instructors = {
        "cud": ctx.demo_user(
            "instructeur.cud",
            "Instruction CUD (démo)",
            ctx.organisations["cud"],
            Role.FUNDER_INSTRUCTOR,
        ),
        "region": ctx.demo_user(
            "instructeur.region",
            "Inès Lefebvre",
            ctx.organisations["region"],
            Role.FUNDER_INSTRUCTOR,
        ),
        "departement": ctx.demo_user(
            "instructeur.departement",
            "Paul Verhaeghe",
            ctx.organisations["departement"],
            Role.FUNDER_INSTRUCTOR,
        ),
    }
    funders = {}
    for key in ("cud", "region", "departement"):
        organisation = ctx.organisations[key]
        profile = FunderProfile.objects.filter(organisation=organisation).first()
        if profile is None:
            profile = FunderProfile.objects.create(
                organisation=organisation,
                siret=identifiers.siret(organisation.siren, 1),
                agency_front_office=key == "cud",
                is_demo=True,
            )
        funders[key] = profile
    instructor_of = {funders[key].pk: user for key, user in instructors.items()}
    programmes = []
    for key, name, summary, ceiling, mode, envelope in PROGRAMMES:
        programme = Programme.objects.create(
            funder=funders[key],
            name=name,
            summary=summary,
            description=(
                f"{summary} Le dispositif finance des projets portés par des structures de l'ESS "
                "du territoire. Données fictives de démonstration."
            ),
            opens_on=datetime.date(year, 1, 1),
            closes_on=datetime.date(year, 12, 31),
            ceiling=Decimal(ceiling),
            payment_mode=mode,
            is_demo=True,
        )
        if key != "cud":
            programme.instructors.add(instructors[key])
        Envelope.objects.bulk_create(
            [
                Envelope(programme=programme, year=year, amount=Decimal(envelope)),
                Envelope(programme=programme, year=year - 1, amount=Decimal(envelope)),
            ]
        )
        programmes.append(programme)
    # A closed programme, to show the catalogue's "all programmes" view.
    Programme.objects.create(
        funder=funders["departement"],
        name="Appel à projets Économie circulaire (clos)",
        summary="Appel à projets de l'an passé.",
        opens_on=datetime.date(year - 1, 3, 1),
        closes_on=datetime.date(year - 1, 5, 31),
        is_demo=True,
    )

    demo_structure = ctx.organisations["structure"]
    authors = {
        demo_structure: ctx.users.get(f"admin.structure@{DEMO_EMAIL_DOMAIN}")
        or ctx.demo_user(
            "admin.structure",
            "Direction de la structure (démo)",
            demo_structure,
            Role.ORGANISATION_ADMIN,
        )
    }
    others = [
        organisation
        for organisation in ctx.structures
        if organisation.is_active and organisation != demo_structure
    ][5 : 5 + OTHER_APPLICANTS]
    for number, organisation in enumerate(others, start=1):
        authors[organisation] = ctx.demo_user(
            f"porteur.{number}",
            f"Porteur de projet {number} (démo)",
            organisation,
            Role.ORGANISATION_ADMIN,
        )
    number = 0
    created = []
    for status, count in PLAN:
        for index in range(count):
            # The demo structure's accounts see one application in each state.
            organisation = demo_structure if index == 0 else others[number % len(others)]
            author = authors[organisation]
            number += 1
            chosen = _one_programme_per_funder(rng, programmes, rng.choice((1, 2, 2, 3)))
            requested = {
                programme: Decimal(rng.randrange(4, int(programme.ceiling) // 1000 + 1) * 1000)
                for programme in chosen
            }
            application = Application.objects.create(
                organisation=organisation,
                reference=f"demo-{number}",
                created_by=author,
                title=f"{rng.choice(TITLES)} ({organisation.name[:40]})",
                summary="Projet fictif de démonstration porté par une structure de l'ESS du territoire.",
                objectives="Créer du lien social et des emplois durables.",
                beneficiaries="Habitants du territoire, notamment des quartiers prioritaires.",
                year=year,
                start_date=datetime.date(year, 1, 1),
                end_date=datetime.date(year, 12, 31),
                sector=rng.choice(ctx.sectors),
                commune=rng.choice(ctx.communes),
                siret=identifiers.siret(organisation.siren, 1) if organisation.siren else "",
                rna=organisation.rna or "",
                contact_name="Contact de démonstration",
                contact_email="contact@example.org",
            )
            application.reference = f"{year}-{application.pk:06d}"
            application.save(update_fields=["reference"])
            lines = {}
            for programme, amount in requested.items():
                code = (
                    "74-epci"
                    if programme.funder == funders["cud"]
                    else (
                        "74-region" if programme.funder == funders["region"] else "74-departement"
                    )
                )
                lines[code] = lines.get(code, Decimal(0)) + amount
            BudgetLine.objects.bulk_create(
                _budget(application, rng, sum(requested.values(), Decimal(0)), lines)
            )
            Share.objects.bulk_create(
                Share(
                    application=application,
                    programme=programme,
                    amount_requested=amount,
                    year=application.year,
                    organisation=organisation,
                    sector=application.sector,
                    commune=application.commune,
                )
                for programme, amount in requested.items()
            )
            _attach(application, author)
            if status != "draft":
                services.submit_application(
                    application=application,
                    actor=author,
                    declarant_name="Président de la structure",
                )
            created.append((application, status))

    decisions = 0
    for application, status in created:
        if status in ("draft", "submitted"):
            continue
        for share in application.shares.select_related("programme__funder__organisation"):
            instructor = instructor_of[share.programme.funder_id]
            services.start_instruction(share=share, actor=instructor)
            if status == "correction":
                services.request_corrections(
                    share=share, actor=instructor, motivation="Le RIB joint est illisible."
                )
            elif status == "accepted":
                amount = (
                    share.amount_requested * Decimal(rng.choice((60, 80, 100))) / 100
                ).quantize(Decimal("1"))
                services.decide(
                    share=share,
                    actor=instructor,
                    outcome=ShareStatus.ACCEPTED,
                    amount=amount,
                    motivation="Projet conforme aux objectifs du dispositif.",
                )
                decisions += 1
            elif status in ("refused", "closed"):
                services.decide(
                    share=share,
                    actor=instructor,
                    outcome=status,
                    motivation="Le projet ne relève pas des priorités du dispositif."
                    if status == "refused"
                    else "La structure a retiré sa demande.",
                )
    # Payments and reports of some accepted shares.
    accepted = Share.objects.filter(
        application__in=[a for a, _ in created], status=ShareStatus.ACCEPTED
    ).select_related("agreement", "application__organisation")
    for index, share in enumerate(accepted):
        agreement = share.agreement
        instructor = instructor_of[share.programme.funder_id]
        first = agreement.payments.exclude(kind="balance").first()
        if index % 3 != 2:
            services.set_payment_status(
                payment=first, actor=instructor, status="paid", paid_on=today
            )
        if index % 4 == 0 and agreement.payment_mode == PaymentMode.ADVANCE:
            report = agreement.report
            actuals = {line.code: line.planned for line in report.lines.all()}
            services.save_report(
                report=report,
                actor=authors[share.application.organisation],
                actuals=actuals,
                review="Action menée comme prévu.",
                submit=True,
            )
            if index % 8 == 0:
                services.review_report(report=report, actor=instructor, accept=True, comment="")
    # A committee session of the CUD with two files on its agenda.
    session = CommitteeSession.objects.create(
        funder=funders["cud"],
        title="Comité ESS de la CUD",
        date=today + datetime.timedelta(days=14),
    )
    for share in Share.objects.filter(
        programme__funder=funders["cud"], status=ShareStatus.SUBMITTED
    )[:2]:
        services.add_to_agenda(session=session, share=share, actor=instructors["cud"])
    return (
        f"{len(programmes) + 1} dispositifs de 3 financeurs, {len(created)} dossiers de demande "
        f"dans tous les états, {decisions} aides accordées."
    )


@transaction.atomic
def remove_funding_demo() -> None:
    applications = Application.objects.filter(organisation__is_demo=True)
    for attachment in Attachment.objects.filter(application__in=applications):
        attachment.file.delete(save=False)
    demo_programmes = Programme.objects.filter(is_demo=True)
    sessions = CommitteeSession.objects.filter(funder__programmes__in=demo_programmes)
    shares = Share.objects.filter(
        Q(application__in=applications) | Q(programme__in=demo_programmes)
    )
    agreements = Agreement.objects.filter(share__in=shares)
    for rows in (
        Payment.objects.filter(agreement__in=agreements),
        FinancialReport.objects.filter(agreement__in=agreements),
        shares,
        applications,
        sessions,
    ):
        services.forget_transitions(rows)
    applications.delete()
    sessions.delete()
    Share.objects.filter(programme__in=demo_programmes).delete()
    demo_programmes.delete()
    FunderProfile.objects.filter(is_demo=True, programmes__isnull=True).delete()
