"""The producers' booklet (public) is served through core.files; its stored name is unguessable."""

import re
from pathlib import Path

import pytest
from django.utils import timezone

from essor.core.models import Job
from essor.foodlink import tasks

DOWNLOAD = "/circuits-courts/livret/telecharger/"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def _booklet(media: Path, relative: str) -> Job:
    target = media / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"%PDF-1.7\n")
    return Job.objects.create(
        kind=tasks.JOB_KIND,
        label="Livret",
        status=Job.Status.SUCCEEDED,
        finished_at=timezone.now(),
        result={"path": relative},
    )


def test_anyone_gets_the_public_booklet_from_nginx(client, db, media, settings):
    settings.ESSOR_PRIVATE_FILES_ACCEL_PREFIX = "/_prive/"
    _booklet(media, "foodlink/guide/guide-producteurs-20261126-Zm9vYmFyYmF6cXV4.pdf")

    response = client.get(DOWNLOAD)

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == (
        "/_prive/foodlink/guide/guide-producteurs-20261126-Zm9vYmFyYmF6cXV4.pdf"
    )
    assert response["Content-Disposition"] == 'attachment; filename="guide-producteurs-locaux.pdf"'


def test_a_booklet_path_leading_out_of_media_root_is_refused(client, db, media):
    (media.parent / "secret.txt").write_text("mot de passe")
    Job.objects.create(
        kind=tasks.JOB_KIND,
        label="Livret",
        status=Job.Status.SUCCEEDED,
        finished_at=timezone.now(),
        result={"path": "../secret.txt"},
    )

    response = client.get(DOWNLOAD)

    assert response.status_code == 400
    assert not response.streaming


def test_the_booklet_is_stored_under_an_unguessable_name(db, media, monkeypatch):
    monkeypatch.setattr(tasks, "render_pdf", lambda template, context: b"%PDF-fake")

    first = tasks.build_booklet()["path"]
    second = tasks.build_booklet()["path"]

    assert first != second
    assert re.fullmatch(r"foodlink/guide/guide-producteurs-\d{8}-[\w-]{22,}\.pdf", first), first
