from tests.url_access import AGENCY_ONLY, PUBLIC, UrlCase

# The full observatory: the agency and the funders' instructors.
FULL = {**AGENCY_ONLY, "funder_instructor": 200}
PUBLIC_KEY = "observatory.organisations_by_family"
PUBLIC_AXIS = "poids-de-less"  # « Poids de l'ESS », the observatory's own axis


def _target(world):
    from essor.directory.models import Sector
    from essor.observatory.models import Measure, SectorTarget

    target = SectorTarget.objects.create(
        year=2025,
        sector=Sector.objects.get(slug="mobilite"),
        measure=Measure.NEW_HOLDERS,
        target=12,
    )
    return {"pk": target.pk}


def _report(world):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from essor.observatory.models import AnnualReport

    name = "observatoire/rapports/test-matrice-acces.pdf"  # one small file, reused
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(b"%PDF-1.7 test"))
    return {"pk": AnnualReport.objects.create(year=2025, file=name, size=13).pk}


def _open_file(world):
    from essor.observatory.selectors import current_year

    return {"key": PUBLIC_KEY, "year": current_year()}


URL_ACCESS = [
    UrlCase("observatory:public", PUBLIC),
    UrlCase("observatory:year_xlsx", PUBLIC),
    UrlCase("observatory:dashboard", FULL),
    UrlCase("observatory:axis", PUBLIC, kwargs=lambda world: {"slug": PUBLIC_AXIS}),
    UrlCase(
        "observatory:axis",
        dict.fromkeys(PUBLIC, 404),
        kwargs=lambda world: {"slug": "axe-inconnu"},
        note="an unknown axis",
    ),
    UrlCase("observatory:indicator", PUBLIC, kwargs=lambda world: {"key": PUBLIC_KEY}),
    UrlCase("observatory:indicator_xlsx", PUBLIC, kwargs=lambda world: {"key": PUBLIC_KEY}),
    UrlCase(
        "observatory:indicator",
        dict.fromkeys(PUBLIC, 404),
        kwargs=lambda world: {"key": "observatory.inconnu"},
        note="an unknown indicator",
    ),
    UrlCase("observatory:open_data", PUBLIC),
    UrlCase("observatory:open_data_index", PUBLIC),
    UrlCase("observatory:open_data_csv", PUBLIC, kwargs=_open_file),
    UrlCase("observatory:open_data_json", PUBLIC, kwargs=_open_file),
    UrlCase("observatory:targets", FULL),
    UrlCase("observatory:targets_xlsx", FULL),
    UrlCase("observatory:target_create", AGENCY_ONLY),
    UrlCase("observatory:target_update", AGENCY_ONLY, kwargs=_target),
    UrlCase("observatory:target_delete", AGENCY_ONLY, kwargs=_target),
    UrlCase("observatory:reports", FULL),
    UrlCase("observatory:report_download", FULL, kwargs=_report),
]
