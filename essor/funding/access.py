"""Who may see and do what in funding. Deny by default; every rule reads the user's memberships
(`accounts.memberships`: one query, kept on the user object for the request)."""

from essor.accounts.memberships import ORGANISATION_ROLES, memberships_of_user
from essor.core.permissions import is_agency_member

APPLICANT_ROLES = ORGANISATION_ROLES


def applicant_organisation_ids(user) -> set[int]:
    """The structures the user may apply for (their admins and members)."""
    return memberships_of_user(user).member_organisation_ids


def funder_organisation_ids(user) -> set[int]:
    """The funders (organisations) the user instructs for."""
    return memberships_of_user(user).funder_organisation_ids


def is_instructor(user) -> bool:
    return bool(funder_organisation_ids(user))


def can_use_back_office(user) -> bool:
    """The instruction pages: funders' instructors and the agency."""
    return is_agency_member(user) or is_instructor(user)


def can_view_application(user, application, funder_org_ids=None) -> bool:
    """Applicant's members, the agency, and instructors of a funder the application asks."""
    if not user.is_authenticated:
        return False
    if is_agency_member(user) or application.organisation_id in applicant_organisation_ids(user):
        return True
    if funder_org_ids is None:
        funder_org_ids = {
            share.programme.funder.organisation_id for share in application.shares.all()
        }
    return bool(funder_org_ids & funder_organisation_ids(user))


def is_applicant(user, application) -> bool:
    return application.organisation_id in applicant_organisation_ids(user)


def can_instruct_funder(user, funder) -> bool:
    """Instruct for a funder: its instructors, or the agency when the funder delegated it."""
    if funder.organisation_id in funder_organisation_ids(user):
        return True
    return funder.agency_front_office and is_agency_member(user)


def can_instruct_share(user, share) -> bool:
    """Decide one share: the funder's instructors (those listed on the programme when it lists
    any), or the agency acting as front office for that funder."""
    programme = share.programme
    funder = programme.funder
    if funder.organisation_id in funder_organisation_ids(user):
        listed = [instructor.pk for instructor in programme.instructors.all()]
        return not listed or user.pk in listed
    return funder.agency_front_office and is_agency_member(user)


def can_see_funder_internals(user, funder) -> bool:
    """Private notes and committee sessions of a funder."""
    return can_instruct_funder(user, funder)


# --- who may move each workflow (the `permission=` of the models' transitions) ----------------
# Predicates `(instance, user) -> bool`; the first line of each docstring is the « Qui » column of
# the transition tables (`manage.py workflow_tables --module funding`).


def share_applicants(share, user) -> bool:
    """Les membres de la structure demandeuse."""
    return is_applicant(user, share.application)


def share_instructors(share, user) -> bool:
    """Les instructeurs désignés du dispositif (à défaut, ceux du financeur), ou l'agence au guichet délégué."""
    return can_instruct_share(user, share)


def payment_instructors(payment, user) -> bool:
    """Les instructeurs du financeur de la convention, ou l'agence au guichet délégué."""
    return can_instruct_funder(user, payment.agreement.share.programme.funder)


def report_applicants(report, user) -> bool:
    """Les membres de la structure bénéficiaire."""
    return is_applicant(user, report.agreement.share.application)


def report_reviewers(report, user) -> bool:
    """Les instructeurs du financeur de la convention, ou l'agence au guichet délégué."""
    return can_instruct_funder(user, report.agreement.share.programme.funder)


def session_instructors(session, user) -> bool:
    """Les instructeurs du financeur de la séance, ou l'agence au guichet délégué."""
    return can_see_funder_internals(user, session.funder)
