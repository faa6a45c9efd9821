from tests.url_access import ANON_LOGIN, LOGGED_IN, ORGANISATION_ADMIN, PUBLIC, UrlCase

POST_ONLY = dict.fromkeys(PUBLIC, 405)
# Logged-in people are sent from the sign-up page to their space.
ANONYMOUS_ONLY = {**dict.fromkeys(PUBLIC, 302), "anonymous": 200}
# Agency staff see the members page but only agency admins and the organisation's admins invite.
MEMBER_MANAGERS = {**ORGANISATION_ADMIN, "agency_staff": 403}


def _membership_pk(world):
    return {"pk": world.users["organisation_member"].memberships.get().pk}


URL_ACCESS = [
    UrlCase("accounts:login", PUBLIC),
    UrlCase("accounts:logout", POST_ONLY, note="POST only"),
    UrlCase("accounts:dashboard", LOGGED_IN),
    UrlCase(
        "accounts:notification_preferences",
        LOGGED_IN,
        note="each person's own choices: no identifier in the URL",
    ),
    UrlCase("accounts:signup", ANONYMOUS_ONLY),
    UrlCase("accounts:signup_done", PUBLIC),
    UrlCase(
        "accounts:signup_confirm",
        {**ANONYMOUS_ONLY, "anonymous": 404},
        kwargs=lambda world: {"token": "jeton-inconnu"},
        note="unknown link: 404 with a French page; expired or already used: 410",
    ),
    UrlCase("accounts:password_reset", PUBLIC),
    UrlCase("accounts:password_reset_done", PUBLIC),
    UrlCase(
        "accounts:password_reset_confirm",
        PUBLIC,
        kwargs=lambda world: {"uidb64": "MQ", "token": "jeton-invalide"},
        note="invalid link: a French page saying so",
    ),
    UrlCase("accounts:password_reset_complete", PUBLIC),
    UrlCase("accounts:password_change", {**LOGGED_IN, "anonymous": ANON_LOGIN}),
    UrlCase("accounts:password_change_done", LOGGED_IN),
    UrlCase(
        "accounts:members", ORGANISATION_ADMIN, kwargs=lambda world: {"pk": world.structure.pk}
    ),
    UrlCase("accounts:invite", MEMBER_MANAGERS, kwargs=lambda world: {"pk": world.structure.pk}),
    UrlCase(
        "accounts:accept_invitation",
        dict.fromkeys(PUBLIC, 404),
        kwargs=lambda world: {"token": "jeton-inconnu"},
        note="unknown token: 404 with a French page; used, revoked or expired: 410",
    ),
    UrlCase("accounts:revoke_invitation", POST_ONLY, kwargs=lambda world: {"pk": 1}),
    UrlCase("accounts:change_role", POST_ONLY, kwargs=_membership_pk),
    UrlCase("accounts:remove_member", POST_ONLY, kwargs=_membership_pk),
]
