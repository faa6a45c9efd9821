from tests.url_access import AGENCY_ONLY, PUBLIC, UrlCase

URL_ACCESS = [
    UrlCase("directory:search", PUBLIC),
    UrlCase("directory:open_data", PUBLIC),
    UrlCase("directory:staff_home", AGENCY_ONLY),
]
