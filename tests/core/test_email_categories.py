"""Kinds of e-mail (`core.notifications.EmailCategory`): an optional kind is sent unless the
person unticked it, a mandatory kind always; the in-app notification is written either way."""

import pytest
from django.core import mail

from essor.core import notifications
from essor.core.models import EmailOptOut, Notification
from tests.conftest import committed

pytestmark = pytest.mark.django_db


def _notify(users, category):
    with committed():
        notifications.notify(
            users=users, message="Bonjour", url="/x/", subject="Sujet", category=category
        )


def test_an_optional_kind_is_not_e_mailed_to_who_unticked_it(world):
    member, admin = world.users["organisation_member"], world.users["organisation_admin"]
    EmailOptOut.objects.create(user=member, category="funding.decision")

    _notify([member, admin], "funding.decision")

    assert [message.to for message in mail.outbox] == [[admin.email]]


def test_who_unticked_an_optional_kind_still_gets_the_notification(world):
    member = world.users["organisation_member"]
    EmailOptOut.objects.create(user=member, category="funding.decision")

    _notify([member], "funding.decision")

    assert Notification.objects.filter(user=member, message="Bonjour").exists()


def test_a_refusal_of_one_kind_leaves_the_others(world):
    member = world.users["organisation_member"]
    EmailOptOut.objects.create(user=member, category="funding.decision")

    _notify([member], "funding.payment")

    assert [message.to for message in mail.outbox] == [[member.email]]


def test_a_mandatory_kind_is_e_mailed_whatever_was_stored(world):
    member = world.users["organisation_member"]
    EmailOptOut.objects.create(user=member, category="funding.correction")

    _notify([member], "funding.correction")

    assert [message.to for message in mail.outbox] == [[member.email]]
    assert "Pour ne plus recevoir" not in mail.outbox[0].body


def test_an_unknown_kind_is_a_programming_error(world):
    with pytest.raises(ValueError, match="Type de courriel inconnu"):
        notifications.notify(
            users=[world.users["organisation_member"]], message="Bonjour", category="inconnu"
        )


def test_a_mandatory_kind_must_say_why():
    with pytest.raises(ValueError, match="doit dire pourquoi"):
        notifications.register_email_category(
            notifications.EmailCategory("essai.obligatoire", "Essai", "tous", mandatory=True)
        )


def test_every_module_declares_its_kinds():
    codes = {category.code for category in notifications.email_categories()}

    assert {
        "accounts.password_reset",
        "accounts.invitation",
        "funding.decision",
        "funding.correction",
        "funding.payment",
        "funding.corrected",
        "funding.progress",
        "village.exhibitor",
        "village.agency",
        "foodlink.consultation",
        "foodlink.award",
        "cigales.follow_up",
    } <= codes


def test_an_e_mail_without_its_kind_is_a_programming_error(world):
    with pytest.raises(ValueError, match="doit avoir un type"):
        notifications.notify(
            users=[world.users["organisation_member"]], message="Bonjour", subject="Sujet"
        )
