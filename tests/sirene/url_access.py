from tests.url_access import AGENCY_ONLY, UrlCase

URL_ACCESS = [
    UrlCase("directory:sirene_import", AGENCY_ONLY),
]
