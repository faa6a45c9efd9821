from tests.url_access import PUBLIC, UrlCase

URL_ACCESS = [
    UrlCase("home", PUBLIC),
    UrlCase("core:healthz", PUBLIC),
    UrlCase("core:legal_notice", PUBLIC),
    UrlCase("core:privacy", PUBLIC),
    UrlCase("core:accessibility", PUBLIC),
    UrlCase("api:api-root", dict.fromkeys(PUBLIC, 404), note="no root endpoint"),
    UrlCase("api:openapi-json", PUBLIC),
]
