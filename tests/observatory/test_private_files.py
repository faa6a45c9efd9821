"""The yearly report is served only to those who see the full observatory; its name is random."""

import re

import pytest
from django.urls import reverse

from essor.observatory import services


@pytest.fixture
def report(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    report = services.start_report(year=2025, actor=None)
    return services.store_report(report=report, content=b"%PDF-1.7\n")


@pytest.fixture
def accel(settings):
    settings.ESSOR_PRIVATE_FILES_ACCEL_PREFIX = "/_prive/"


def _url(report):
    return reverse("observatory:report_download", args=[report.pk])


def test_anonymous_people_are_sent_to_the_login_page(client, world, report, accel):
    response = client.get(_url(report))

    assert response.status_code == 302
    assert "X-Accel-Redirect" not in response


def test_an_organisation_gets_nothing(client, world, report, accel):
    client.force_login(world.users["organisation_admin"])

    response = client.get(_url(report))

    assert response.status_code == 403
    assert "X-Accel-Redirect" not in response


@pytest.mark.parametrize("role", ["agency_staff", "funder_instructor"])
def test_the_agency_and_the_funders_get_the_report_from_nginx(client, world, report, accel, role):
    client.force_login(world.users[role])

    response = client.get(_url(report))

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_prive/{report.file.name}"
    assert response["Content-Disposition"] == 'attachment; filename="rapport-annuel-ess-2025.pdf"'


def test_the_report_is_stored_under_an_unguessable_name(report):
    assert re.fullmatch(
        r"observatoire/rapports/rapport-annuel-ess-2025-[\w-]{22,}\.pdf", report.file.name
    ), report.file.name
