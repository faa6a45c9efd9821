"""Every page of the support module is for agency staff only (project holders' personal details)."""

import datetime

from essor.support.models import ActionKind, PartnerKind
from tests.support.factories import ActionFactory, ProjectHolderFactory
from tests.url_access import AGENCY_ADMIN_ONLY, AGENCY_ONLY, UrlCase

# POST-only: the agency gets 405 on a GET, everyone else is refused before.
AGENCY_POST_ONLY = {**AGENCY_ONLY, "agency_admin": 405, "agency_staff": 405}


def _holder(world):
    return {"pk": ProjectHolderFactory().pk}


def _reminder(world):
    action = ActionFactory(next_step="Rappeler", reminder_on=datetime.date(2025, 5, 1))
    return {"pk": action.pk}


def _referral(world):
    action = ActionFactory(
        kind=ActionKind.REFERRAL, partner_kind=PartnerKind.CIGALES, shared_fields=["name", "idea"]
    )
    return {"pk": action.pk}


URL_ACCESS = [
    UrlCase("support:holder_list", AGENCY_ONLY),
    UrlCase("support:holder_create", AGENCY_ONLY),
    UrlCase("support:holder_export_csv", AGENCY_ONLY),
    UrlCase("support:holder_export_xlsx", AGENCY_ONLY),
    UrlCase("support:caseload", AGENCY_ONLY),
    UrlCase("support:holder_detail", AGENCY_ONLY, kwargs=_holder),
    UrlCase("support:holder_edit", AGENCY_ONLY, kwargs=_holder),
    UrlCase("support:holder_stage", AGENCY_ONLY, kwargs=_holder),
    UrlCase("support:holder_creation", AGENCY_ONLY, kwargs=_holder),
    UrlCase("support:holder_abandon", AGENCY_ONLY, kwargs=_holder),
    UrlCase("support:holder_merge", AGENCY_ONLY, kwargs=_holder),
    UrlCase("support:holder_erase", AGENCY_ADMIN_ONLY, kwargs=_holder),
    UrlCase("support:action_create", AGENCY_ONLY, kwargs=_holder),
    UrlCase("support:reminder_done", AGENCY_POST_ONLY, kwargs=_reminder),
    UrlCase("support:action_edit", AGENCY_ONLY, kwargs=_reminder),
    UrlCase("support:referral", AGENCY_ONLY, kwargs=_referral),
    UrlCase("support:referral_pdf", AGENCY_ONLY, kwargs=_referral),
]
