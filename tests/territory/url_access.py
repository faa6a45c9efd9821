from tests.url_access import PUBLIC, UrlCase

URL_ACCESS = [
    UrlCase("territory:list", PUBLIC),
    UrlCase("territory:detail", PUBLIC, kwargs=lambda world: {"slug": "cud"}),
]
