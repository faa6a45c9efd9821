"""The Village's e-mails follow the preferences of « Mes notifications »: an exhibitor's admin who
unticked the Village's answers still reads them in Essor, without the e-mail."""

import datetime

import pytest
from django.core import mail

from essor.core.models import EmailOptOut, Notification
from essor.village import services
from tests.conftest import committed
from tests.village.factories import EditionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(world):
    today = datetime.date.today()
    edition = EditionFactory(
        starts_on=today + datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=61),
        call_closes_on=today + datetime.timedelta(days=10),
    )
    application = services.start_application(
        edition=edition,
        organisation=world.structure,
        actor=world.users["organisation_admin"],
        data={
            "contact_name": "Camille Martin",
            "contact_email": "camille@example.org",
            "animation_title": "Atelier vélo",
            "animation": "Réparer une crevaison.",
        },
    )
    return services.submit_application(
        application=application, actor=world.users["organisation_admin"]
    )


def _refuse(world, application):
    services.decide(
        application=application,
        actor=world.users["agency_staff"],
        decision="reject",
        reason="Trop de stands de réemploi cette année.",
    )


def test_the_agencys_answer_is_e_mailed_to_the_exhibitors_admin(world, submitted):
    with committed():
        _refuse(world, submitted)

    assert [message.to for message in mail.outbox] == [[world.users["organisation_admin"].email]]
    assert "Trop de stands de réemploi cette année." in mail.outbox[0].body


def test_an_admin_who_unticked_the_village_answers_reads_them_in_essor_only(world, submitted):
    admin = world.users["organisation_admin"]
    EmailOptOut.objects.create(user=admin, category="village.exhibitor")

    with committed():
        _refuse(world, submitted)

    assert mail.outbox == []
    assert Notification.objects.filter(user=admin, message__contains="Trop de stands").exists()
