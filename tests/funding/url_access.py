from tests.funding import helpers
from tests.url_access import AGENCY_ONLY, ANON_LOGIN, LOGGED_IN, PUBLIC, UrlCase

DENIED = dict.fromkeys(
    ["authenticated", "agency_admin", "agency_staff", "funder_instructor"], 403
) | {"anonymous": ANON_LOGIN, "organisation_admin": 403, "organisation_member": 403}
APPLICANTS = DENIED | {"organisation_admin": 200, "organisation_member": 200}
POST_ONLY_FOR_APPLICANTS = DENIED | {"organisation_admin": 405, "organisation_member": 405}
# The applicant's members, the funders asked and the agency.
CONCERNED = APPLICANTS | {"agency_admin": 200, "agency_staff": 200, "funder_instructor": 200}
# Funders' instructors and the agency.
BACK_OFFICE = DENIED | {"agency_admin": 200, "agency_staff": 200, "funder_instructor": 200}
# The funder's instructors only (the CUD has not delegated its front office to the agency).
FUNDER = DENIED | {"funder_instructor": 200}


def _draft(world):
    return {"pk": helpers.draft_application(world).pk}


def _draft_share(world):
    share = helpers.draft_application(world).shares.get()
    return {"pk": share.application_id, "share_pk": share.pk}


URL_ACCESS = [
    UrlCase("funding:catalogue", PUBLIC),
    UrlCase("funding:programme_detail", PUBLIC, kwargs=lambda w: {"pk": helpers.programme(w).pk}),
    UrlCase("funding:open_data", PUBLIC),
    UrlCase(
        "funding:scdl_csv",
        PUBLIC,
        kwargs=lambda w: {"siret": helpers.funder_profile(w).siret, "year": 2026},
    ),
    UrlCase("funding:my_applications", LOGGED_IN),
    UrlCase("funding:application_create", APPLICANTS),
    UrlCase(
        "funding:application_detail",
        CONCERNED,
        kwargs=lambda w: {"pk": helpers.share_in_instruction(w).application_id},
    ),
    UrlCase("funding:application_edit", APPLICANTS, kwargs=_draft),
    UrlCase("funding:application_budget", APPLICANTS, kwargs=_draft),
    UrlCase("funding:application_requests", APPLICANTS, kwargs=_draft),
    UrlCase(
        "funding:application_request_add",
        POST_ONLY_FOR_APPLICANTS,
        kwargs=_draft,
        note="POST only: permission checked first, then 405 for a GET",
    ),
    UrlCase(
        "funding:application_request_amount",
        POST_ONLY_FOR_APPLICANTS,
        kwargs=_draft_share,
        note="POST only: permission checked first, then 405 for a GET",
    ),
    UrlCase(
        "funding:application_request_remove",
        POST_ONLY_FOR_APPLICANTS,
        kwargs=_draft_share,
        note="POST only: permission checked first, then 405 for a GET",
    ),
    UrlCase("funding:application_attachments", APPLICANTS, kwargs=_draft),
    UrlCase("funding:application_submit", APPLICANTS, kwargs=_draft),
    UrlCase(
        "funding:attachment_download",
        CONCERNED,
        kwargs=lambda w: {"pk": helpers.attachment(w).pk},
    ),
    UrlCase(
        "funding:agreement_pdf",
        CONCERNED,
        kwargs=lambda w: {"pk": helpers.accepted_share(w).agreement.pk},
    ),
    UrlCase(
        "funding:report_detail",
        CONCERNED,
        kwargs=lambda w: {"pk": helpers.accepted_share(w).agreement.report.pk},
    ),
    UrlCase("funding:instruction_list", BACK_OFFICE),
    UrlCase(
        "funding:share_detail",
        BACK_OFFICE,
        kwargs=lambda w: {"pk": helpers.share_in_instruction(w).pk},
    ),
    UrlCase(
        "funding:envelope_balance",
        BACK_OFFICE,
        kwargs=lambda w: {"pk": helpers.programme(w).envelopes.get().pk},
    ),
    UrlCase(
        "funding:payment_update",
        FUNDER | {"funder_instructor": 405},
        kwargs=lambda w: {"pk": helpers.accepted_share(w).agreement.payments.first().pk},
        note="POST only: permission checked first, then 405 for a GET",
    ),
    UrlCase("funding:report_list", BACK_OFFICE),
    UrlCase("funding:instruction_export", BACK_OFFICE),
    UrlCase("funding:funder_list", AGENCY_ONLY),
    UrlCase("funding:programme_list", BACK_OFFICE),
    UrlCase(
        "funding:programme_create",
        FUNDER,
        kwargs=lambda w: helpers.funder_profile(w) and {},
    ),
    UrlCase("funding:programme_edit", FUNDER, kwargs=lambda w: {"pk": helpers.programme(w).pk}),
    UrlCase("funding:session_list", BACK_OFFICE),
    UrlCase(
        "funding:session_detail",
        FUNDER,
        kwargs=lambda w: {"pk": helpers.session(w).pk},
    ),
    UrlCase(
        "funding:session_minutes",
        FUNDER,
        kwargs=lambda w: {"pk": helpers.session(w).pk},
    ),
    UrlCase("funding:dashboard", BACK_OFFICE),
    UrlCase("funding:dashboard_xlsx", BACK_OFFICE),
]
