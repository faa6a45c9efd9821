"""The attachments of a funding application are served only after the access check."""

import pytest
from django.urls import reverse

from essor.accounts.models import Role
from essor.funding.models import attachment_path
from tests.factories import MembershipFactory, UserFactory
from tests.funding import helpers


@pytest.fixture
def accel(settings):
    settings.ESSOR_PRIVATE_FILES_ACCEL_PREFIX = "/_prive/"


def _url(attachment):
    return reverse("funding:attachment_download", args=[attachment.pk])


def test_anonymous_people_are_sent_to_the_login_page(client, world, accel):
    attachment = helpers.attachment(world)

    response = client.get(_url(attachment))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert "X-Accel-Redirect" not in response


def test_another_organisation_gets_nothing(client, world, accel):
    attachment = helpers.attachment(world)
    stranger = MembershipFactory(
        user=UserFactory(email="admin@velo-solidaire.example.org"),
        organisation=world.other_structure,
        role=Role.ORGANISATION_ADMIN,
    ).user
    client.force_login(stranger)

    response = client.get(_url(attachment))

    assert response.status_code == 403
    assert "X-Accel-Redirect" not in response


def test_the_applicant_gets_the_file_from_nginx_once_checked(client, world, accel):
    attachment = helpers.attachment(world)
    client.force_login(world.users["organisation_member"])

    response = client.get(_url(attachment))

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_prive/{attachment.file.name}"
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="statuts.pdf"'


def test_without_nginx_django_streams_the_file_to_the_applicant(client, world, settings):
    settings.ESSOR_PRIVATE_FILES_ACCEL_PREFIX = ""
    attachment = helpers.attachment(world)
    client.force_login(world.users["organisation_admin"])

    response = client.get(_url(attachment))

    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "X-Accel-Redirect" not in response


def test_an_uploaded_attachment_is_stored_under_a_random_name(world):
    attachment = helpers.attachment(world)

    first = attachment_path(attachment, "statuts.pdf")

    assert first != attachment_path(attachment, "statuts.pdf")
    assert "statuts" not in first
