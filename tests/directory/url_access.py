from tests.url_access import AGENCY_ONLY, PUBLIC, UrlCase

URL_ACCESS = [
    UrlCase("directory:search", PUBLIC),
    UrlCase("directory:map_data", PUBLIC),
    UrlCase("directory:organisation", PUBLIC, kwargs=lambda world: {"pk": world.structure.pk}),
    UrlCase("directory:open_data", PUBLIC),
    UrlCase("directory:export_csv", PUBLIC),
    UrlCase("directory:export_geojson", PUBLIC),
    UrlCase("directory:staff_home", AGENCY_ONLY),
    UrlCase("api:directory_organisations", PUBLIC),
    UrlCase(
        "api:directory_organisation",
        PUBLIC,
        kwargs=lambda world: {"organisation_id": world.structure.pk},
    ),
    UrlCase("api:directory_sectors", PUBLIC),
    UrlCase("api:directory_communes", PUBLIC),
]
