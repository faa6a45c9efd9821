"""Who hears of what in funding, and in which words. The services call these once their move is
made, inside their transaction: each person concerned gets one notification in Essor and, once
the transaction is committed, one e-mail (`core.notifications.notify`), unless they unticked that
optional kind of e-mail on « Mes notifications ». Nothing is written nor sent for a refused move.

- a funder decides a share (accepts with its amount, refuses or closes with its reason): the
  applicant's members (`funding.decision`);
- a funder sends a share back for correction (what to correct): the applicant's members
  (`funding.correction`, always sent: the file waits for them);
- a payment is made (amount, date), or a planned one cancelled: the applicant's members
  (`funding.payment`);
- a funder reopens its decision (the share is back in instruction, the amount granted withdrawn):
  the applicant's members (`funding.decision`);
- a funder starts instructing a share: the applicant's members (`funding.progress`);
- the structure deposits again a file sent back for correction: the share's instructors, and the
  person who asked the correction if they may still instruct it (`funding.corrected`).

The applicant's members are the active admins and members of the structure, exactly those who may
follow the application (`access.is_applicant`); nobody else (not the application's contact
address, who may have no account).
"""

from decimal import Decimal

from django.conf import settings
from django.urls import reverse

from essor.accounts.models import Role
from essor.accounts.selectors import people_of
from essor.core.formats import euros, long_date, with_article
from essor.core.notifications import EmailCategory, notify
from essor.funding import access

APPLICANTS = "membres des structures qui demandent une subvention"

EMAIL_CATEGORIES = (
    EmailCategory(
        "funding.decision",
        "Décisions des financeurs sur vos demandes de subvention",
        audience=APPLICANTS,
        order=20,
    ),
    EmailCategory(
        "funding.payment",
        "Versements de vos subventions",
        audience=APPLICANTS,
        order=21,
    ),
    EmailCategory(
        "funding.progress",
        "Mise en instruction de vos demandes de subvention",
        audience=APPLICANTS,
        order=19,
    ),
    EmailCategory(
        "funding.correction",
        "Demandes de correction de vos dossiers de subvention",
        audience=APPLICANTS,
        mandatory=True,
        why="le financeur n'examine plus votre demande tant que vous n'avez pas corrigé le dossier",
        order=22,
    ),
    EmailCategory(
        "funding.report_reminder",
        "Rappels du compte-rendu financier attendu",
        audience="membres des structures subventionnées",
        mandatory=True,
        why="la convention vous oblige à le remettre à temps, et le solde de la subvention en "
        "dépend",
        order=23,
    ),
    EmailCategory(
        "funding.corrected",
        "Dossiers corrigés et déposés de nouveau par les structures",
        audience="instructeurs des financeurs",
        order=24,
    ),
)


def applicants(application) -> list:
    """The people who may follow the application: the structure's active admins and members."""
    return people_of([application.organisation_id], access.APPLICANT_ROLES)


def instructors(share, *, asked_by=None) -> list:
    """Who may instruct the share: the instructors the programme lists (if it lists any) who
    still instruct for its funder, otherwise all the funder's instructors; and `asked_by` (the
    agency at a delegated front office) if they may instruct it."""
    funder = share.programme.funder
    people = [
        user
        for user in people_of([funder.organisation_id], [Role.FUNDER_INSTRUCTOR])
        if access.can_instruct_share(user, share)
    ]
    if asked_by is not None and asked_by.is_active and access.can_instruct_share(asked_by, share):
        people.append(asked_by)
    return people


def _amount(value: Decimal) -> str:
    """Whole euros when there are no cents (« 15 000 € »), else with them."""
    return euros(value, 0 if value == value.to_integral_value() else 2)


def _subject(text: str) -> str:
    return f"{settings.ESSOR_PLATFORM_NAME} — {text}"


def _file(share) -> str:
    """« votre dossier 2026-000012 « Atelier vélo » (dispositif « Fonds ESS ») »."""
    application = share.application
    return (
        f"votre dossier {application.reference} « {application.title} » "
        f"(dispositif « {share.programme.name} »)"
    )


def _application_url(share) -> str:
    return reverse("funding:application_detail", args=[share.application_id])


def share_decided(share) -> int:
    """The funder accepted (with the amount granted), refused or closed (with its reason)."""
    from essor.funding.models import ShareStatus

    funder = share.programme.funder.organisation.name
    reference = share.application.reference
    requested = _amount(share.amount_requested)
    if share.status == ShareStatus.ACCEPTED:
        granted = _amount(share.amount_granted)
        message = (
            f"{funder} vous accorde {granted} pour {_file(share)}, sur {requested} demandés. "
            f"Motivation : {share.motivation}"
        )
        subject = _subject(f"{funder} vous accorde {granted} (dossier {reference})")
    elif share.status == ShareStatus.REFUSED:
        message = (
            f"{funder} refuse votre demande de {requested} pour {_file(share)}. "
            f"Motif : {share.motivation}"
        )
        subject = _subject(f"{funder} refuse votre demande (dossier {reference})")
    else:
        message = (
            f"{funder} classe sans suite votre demande de {requested} pour {_file(share)}. "
            f"Motif : {share.motivation}"
        )
        subject = _subject(f"{funder} classe sans suite votre demande (dossier {reference})")
    return notify(
        users=applicants(share.application),
        message=message,
        url=_application_url(share),
        subject=subject,
        category="funding.decision",
    )


def correction_requested(share) -> int:
    """The funder sent the file back: what to correct, and that it waits for the structure."""
    funder = share.programme.funder.organisation.name
    return notify(
        users=applicants(share.application),
        message=(
            f"{funder} vous renvoie {_file(share)} pour correction : corrigez-le, puis "
            f"déposez-le de nouveau. À corriger : {share.motivation}"
        ),
        url=_application_url(share),
        subject=_subject(
            f"{funder} vous demande de corriger le dossier {share.application.reference}"
        ),
        category="funding.correction",
    )


def payment_made(payment) -> int:
    """A payment was made: its amount, its date and what it is (advance, balance, single)."""
    share = payment.agreement.share
    funder = share.programme.funder.organisation.name
    amount = _amount(payment.amount)
    return notify(
        users=applicants(share.application),
        message=(
            f"{funder} a versé {amount} le {long_date(payment.paid_on)} "
            f"({payment.get_kind_display().lower()}) au titre de {_file(share)}."
        ),
        url=_application_url(share),
        subject=_subject(
            f"versement de {amount} {with_article(funder, 'de')} "
            f"(dossier {share.application.reference})"
        ),
        category="funding.payment",
    )


def instruction_started(share) -> int:
    """The funder began examining the share."""
    funder = share.programme.funder.organisation.name
    return notify(
        users=applicants(share.application),
        message=f"{funder} a commencé l'instruction de {_file(share)}.",
        url=_application_url(share),
        subject=_subject(
            f"{funder} instruit votre demande (dossier {share.application.reference})"
        ),
        category="funding.progress",
    )


def decision_reopened(share, *, motivation: str, withdrawn: Decimal | None) -> int:
    """The funder reopened its decision: the share is back in instruction (and the amount it had
    granted, `withdrawn`, is no longer granted)."""
    funder = share.programme.funder.organisation.name
    granted = (
        f" La somme de {_amount(withdrawn)} qui vous était accordée ne l'est plus à ce jour."
        if withdrawn
        else ""
    )
    return notify(
        users=applicants(share.application),
        message=(
            f"{funder} rouvre sa décision sur {_file(share)} : votre demande est de nouveau en "
            f"instruction.{granted} Motif : {motivation}"
        ),
        url=_application_url(share),
        subject=_subject(f"{funder} rouvre sa décision (dossier {share.application.reference})"),
        category="funding.decision",
    )


def payment_cancelled(payment) -> int:
    """A planned payment was cancelled: it will not be made."""
    share = payment.agreement.share
    funder = share.programme.funder.organisation.name
    amount = _amount(payment.amount)
    return notify(
        users=applicants(share.application),
        message=(
            f"{funder} a annulé le versement prévu de {amount} "
            f"({payment.get_kind_display().lower()}) au titre de {_file(share)}."
        ),
        url=_application_url(share),
        subject=_subject(f"versement de {amount} annulé (dossier {share.application.reference})"),
        category="funding.payment",
    )


def file_corrected(share, *, asked_by=None) -> int:
    """The structure deposited again the file this share's funder sent back."""
    application = share.application
    structure = application.organisation.name
    return notify(
        users=instructors(share, asked_by=asked_by),
        message=(
            f"{structure} a corrigé le dossier {application.reference} « {application.title} » "
            f"et l'a déposé de nouveau : sa demande au dispositif « {share.programme.name} », "
            "renvoyée pour correction, est à examiner."
        ),
        url=reverse("funding:share_detail", args=[share.pk]),
        subject=_subject(f"dossier {application.reference} corrigé par {structure}"),
        category="funding.corrected",
    )
