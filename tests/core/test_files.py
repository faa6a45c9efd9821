"""Private files: `core.files.private_file_response` and what keeps MEDIA_ROOT off the web."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404

from essor.core.files import private_file_response

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.7\n%test\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    settings.ESSOR_PRIVATE_FILES_ACCEL_PREFIX = ""
    return settings.MEDIA_ROOT


@pytest.fixture
def accel(settings, media):
    settings.ESSOR_PRIVATE_FILES_ACCEL_PREFIX = "/_prive/"
    return media


def _store(media: Path, relative: str, content: bytes = PDF) -> Path:
    path = media / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_without_the_accel_prefix_django_streams_the_file(media):
    path = _store(media, "funding/12/3f2a.pdf")

    response = private_file_response(path, filename="statuts.pdf")

    assert isinstance(response, FileResponse)
    assert b"".join(response.streaming_content) == PDF
    assert "X-Accel-Redirect" not in response
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="statuts.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_with_the_accel_prefix_nginx_sends_the_file_after_the_check(accel):
    _store(accel, "funding/12/3f2a.pdf")

    response = private_file_response("funding/12/3f2a.pdf", filename="statuts.pdf")

    assert response["X-Accel-Redirect"] == "/_prive/funding/12/3f2a.pdf"
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="statuts.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_accel_prefix_works_without_its_trailing_slash(settings, accel):
    settings.ESSOR_PRIVATE_FILES_ACCEL_PREFIX = "/_prive"
    _store(accel, "observatoire/rapports/a.pdf")

    response = private_file_response("observatoire/rapports/a.pdf", filename="rapport.pdf")

    assert response["X-Accel-Redirect"] == "/_prive/observatoire/rapports/a.pdf"


def test_the_accel_path_is_percent_encoded(accel):
    _store(accel, "imports/ab c/Établissements?.csv", b"siren\n")

    response = private_file_response("imports/ab c/Établissements?.csv", filename="e.csv")

    assert response["X-Accel-Redirect"] == "/_prive/imports/ab%20c/%C3%89tablissements%3F.csv"


@pytest.mark.parametrize("prefix", ["", "/_prive/"])
def test_a_french_name_is_given_as_an_rfc_6266_filename_star(settings, media, prefix):
    settings.ESSOR_PRIVATE_FILES_ACCEL_PREFIX = prefix
    path = _store(media, "funding/12/3f2a.pdf")

    response = private_file_response(path, filename="Relevé d'identité « Élan ».pdf")

    assert response["Content-Disposition"] == (
        'attachment; filename="Releve d\'identite Elan.pdf"; '
        "filename*=utf-8''Relev%C3%A9%20d%27identit%C3%A9%20%C2%AB%20%C3%89lan%20%C2%BB.pdf"
    )


def test_a_file_can_be_shown_inline(accel):
    _store(accel, "observatoire/rapports/a.pdf")

    response = private_file_response(
        "observatoire/rapports/a.pdf", filename="rapport.pdf", as_attachment=False
    )

    assert response["Content-Disposition"] == 'inline; filename="rapport.pdf"'


def test_the_content_type_comes_from_the_name_not_from_the_upload(accel):
    _store(accel, "funding/12/a.bin", b"<script>alert(1)</script>")

    response = private_file_response("funding/12/a.bin", filename="piece")

    assert response["Content-Type"] == "application/octet-stream"


@pytest.mark.parametrize("prefix", ["", "/_prive/"])
@pytest.mark.parametrize("escape", ["../secret.txt", "funding/../../secret.txt"])
def test_a_relative_path_escaping_media_root_is_refused(settings, media, prefix, escape):
    settings.ESSOR_PRIVATE_FILES_ACCEL_PREFIX = prefix
    (media.parent / "secret.txt").write_text("mot de passe")

    with pytest.raises(SuspiciousFileOperation):
        private_file_response(escape, filename="secret.txt")


def test_an_absolute_path_outside_media_root_is_refused(accel):
    outside = accel.parent / "secret.txt"
    outside.write_text("mot de passe")

    with pytest.raises(SuspiciousFileOperation):
        private_file_response(outside, filename="secret.txt")


def test_a_symbolic_link_leading_out_of_media_root_is_refused(media):
    outside = media.parent / "secret.txt"
    outside.write_text("mot de passe")
    (media / "lien.txt").symlink_to(outside)

    with pytest.raises(SuspiciousFileOperation):
        private_file_response("lien.txt", filename="lien.txt")


@pytest.mark.parametrize("prefix", ["", "/_prive/"])
def test_a_missing_file_is_not_found(settings, media, prefix):
    settings.ESSOR_PRIVATE_FILES_ACCEL_PREFIX = prefix

    with pytest.raises(Http404):
        private_file_response("funding/12/absent.pdf", filename="statuts.pdf")


def test_django_does_not_serve_media_url(client, db, settings):
    _store(Path(settings.MEDIA_ROOT), "funding/1/expose.pdf")

    assert client.get(settings.MEDIA_URL + "funding/1/expose.pdf").status_code == 404


def test_the_nginx_site_of_the_operator_guide_publishes_no_media_location():
    """The guide installs deploy/nginx/essor.conf as it is (tests/deploy checks it in detail)."""
    guide = (ROOT / "docs" / "exploitation" / "guide-exploitation.md").read_text(encoding="utf-8")
    site = (ROOT / "deploy" / "nginx" / "essor.conf").read_text(encoding="utf-8")

    assert "deploy/nginx/essor.conf /etc/nginx/sites-available/essor" in guide
    for block in [site, *re.findall(r"```nginx\n(.*?)```", guide, flags=re.DOTALL)]:
        assert "location /media/" not in block
    assert re.search(r"location /_prive/ \{\s*internal;\s*alias [^;]+/media/;", site)
