from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from essor.core.models import Job
from essor.directory.models import Establishment
from essor.directory.sirene.columns import STOCK_ETABLISSEMENT_COLUMNS, STOCK_UNITE_LEGALE_COLUMNS
from tests.sirene import stock


def _upload(path):
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")


def test_upload_enqueues_the_import_and_the_job_page_shows_the_result(
    agency_client, world, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    (siren,) = stock.sirens(1)
    establishments = stock.write(
        tmp_path / "StockEtablissement_utf8.csv",
        [stock.establishment(siren)],
        STOCK_ETABLISSEMENT_COLUMNS,
    )
    units = stock.write(
        tmp_path / "StockUniteLegale_utf8.csv",
        [stock.legal_unit(siren)],
        STOCK_UNITE_LEGALE_COLUMNS,
    )
    response = agency_client.post(
        reverse("directory:sirene_import"),
        {
            "etablissements": _upload(establishments),
            "unites_legales": _upload(units),
            "territoire": "245900428",
        },
    )
    job = Job.objects.get()
    assert response["Location"] == reverse("core:job_detail", kwargs={"pk": job.pk})
    assert job.status == Job.Status.SUCCEEDED
    assert Establishment.objects.filter(organisation__siren=siren).exists()
    page = agency_client.get(response["Location"])
    assert "Lignes lues" in page.content.decode()
    assert 'http-equiv="refresh"' not in page.content.decode()


def test_running_job_page_polls_its_progress_and_shows_a_progress_bar(agency_client, world):
    job = Job.objects.create(
        kind="test",
        label="Import en cours",
        status=Job.Status.RUNNING,
        progress_done=3,
        progress_total=10,
        created_by=world.users["agency_staff"],
    )
    content = agency_client.get(reverse("core:job_detail", kwargs={"pk": job.pk})).content.decode()
    assert 'hx-trigger="every 2s"' in content
    assert '<progress id="job-progress" max="10" value="3">' in content


def test_oversize_upload_is_refused_in_french(agency_client, world, tmp_path, settings):
    settings.MAX_UPLOAD_SIZE = 10
    settings.MEDIA_ROOT = tmp_path / "media"
    response = agency_client.post(
        reverse("directory:sirene_import"),
        {
            "etablissements": SimpleUploadedFile("e.csv", b"siren,siret\n123,456\n"),
            "unites_legales": SimpleUploadedFile("u.csv", b"siren\n"),
            "territoire": "245900428",
        },
    )
    assert response.status_code == 200
    assert "la taille maximale autorisée est" in response.content.decode()
    assert not Job.objects.exists()


def test_wrong_file_type_is_refused_in_french(agency_client, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    response = agency_client.post(
        reverse("directory:sirene_import"),
        {
            "etablissements": SimpleUploadedFile("e.pdf", b"%PDF-1.4"),
            "unites_legales": SimpleUploadedFile("u.csv", b"siren\n"),
            "territoire": "245900428",
        },
    )
    assert "pas accepté : déposez un fichier CSV" in response.content.decode()
    assert not Job.objects.exists()
