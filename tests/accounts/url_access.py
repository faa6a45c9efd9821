from tests.url_access import LOGGED_IN, PUBLIC, UrlCase

URL_ACCESS = [
    UrlCase("accounts:login", PUBLIC),
    UrlCase(
        "accounts:logout",
        {
            **PUBLIC,
            "anonymous": 405,
            **dict.fromkeys(
                [
                    "authenticated",
                    "agency_admin",
                    "agency_staff",
                    "funder_instructor",
                    "organisation_admin",
                    "organisation_member",
                ],
                405,
            ),
        },
        note="POST only",
    ),
    UrlCase("accounts:dashboard", LOGGED_IN),
]
