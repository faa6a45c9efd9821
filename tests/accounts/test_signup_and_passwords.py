"""Sign-up and forgotten passwords: the answer never tells whether an address has an account (the
mailbox does), and the e-mails they send are limited per client address and per recipient."""

import re
import time

import pytest
from django.core import mail
from django.urls import reverse

from essor import settings as production_settings
from essor.accounts.models import User
from essor.core.models import AuditLogEntry
from tests.conftest import PASSWORD, committed
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "un-autre-mot-de-passe-solide-456"
PROXY = "127.0.0.1"


def _from(address):
    """Request headers of a visitor at `address`, through the reverse proxy."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": address}


def _sign_up(client, email="Claire.Dupont@Example.org", address="203.0.113.10"):
    with committed():
        return client.post(reverse("accounts:signup"), {"email": email}, **_from(address))


def _reset(client, email="claire@example.org", address="203.0.113.10"):
    with committed():
        return client.post(reverse("accounts:password_reset"), {"email": email}, **_from(address))


def _link(message, starting="/compte/") -> str:
    """The path of the first link of the e-mail under `starting`."""
    return re.search(rf"https?://[^/\s]+({starting}\S*)", message.body).group(1)


def _choose_password(client, link, **overrides):
    data = {
        "full_name": "Claire Dupont",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return client.post(link, data)


def test_passwords_are_hashed_with_argon2_outside_tests():
    assert production_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


# --- Sign-up: the same answer for a new and a known address ------------------------------------


def test_sign_up_answers_the_same_whether_or_not_the_address_has_an_account(client):
    UserFactory(email="connue@example.org")
    known = _sign_up(client, email="connue@example.org")
    new = _sign_up(client, email="nouvelle@example.org")
    assert known.status_code == new.status_code == 302
    assert known["Location"] == new["Location"] == reverse("accounts:signup_done")


def test_the_sign_up_confirmation_page_says_to_check_the_mailbox(client):
    page = client.get(reverse("accounts:signup_done")).content.decode()
    assert "Vérifiez votre messagerie" in page
    assert "connue@example.org" not in page


def test_sign_up_creates_no_account_before_the_link_is_followed(client):
    _sign_up(client)
    assert not User.objects.exists()
    assert "_auth_user_id" not in client.session


def test_a_new_address_receives_a_link_to_create_its_account(client):
    _sign_up(client)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["claire.dupont@example.org"]
    assert "Pour créer votre compte" in mail.outbox[0].body
    response = _choose_password(client, _link(mail.outbox[0]))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    user = User.objects.get()
    assert (user.email, user.full_name) == ("claire.dupont@example.org", "Claire Dupont")
    assert user.check_password(PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AuditLogEntry.objects.filter(action="accounts.user.sign_up", target_id=str(user.pk))


def test_the_owner_of_a_known_address_is_warned_with_a_link_to_reset_the_password(client):
    owner = UserFactory(email="claire.dupont@example.org")
    _sign_up(client, email="CLAIRE.DUPONT@example.org")
    assert User.objects.count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["claire.dupont@example.org"]
    assert "Quelqu'un a demandé à créer un compte" in message.body
    assert "/compte/connexion/" in message.body
    form_url = client.get(_link(message, starting="/compte/mot-de-passe/reinitialiser/"))[
        "Location"
    ]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)


def test_the_sign_up_link_refuses_a_weak_password_with_a_message_on_the_field(client):
    _sign_up(client)
    response = _choose_password(
        client, _link(mail.outbox[0]), password1="12345678", password2="12345678"
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    assert 'id="id_password2_error"' in response.content.decode()
    assert not User.objects.exists()


def test_the_sign_up_link_refuses_mismatched_passwords(client):
    _sign_up(client)
    response = _choose_password(client, _link(mail.outbox[0]), password2=NEW_PASSWORD)
    assert response.context["form"].errors["password2"]
    assert not User.objects.exists()


def test_a_sign_up_link_for_an_address_that_has_an_account_since_says_so(client):
    _sign_up(client)
    link = _link(mail.outbox[0])
    UserFactory(email="claire.dupont@example.org")
    response = client.get(link)
    assert response.status_code == 410
    assert "Un compte existe déjà pour cette adresse" in response.content.decode()


def test_a_tampered_sign_up_link_is_not_found(client):
    _sign_up(client)
    link = _link(mail.outbox[0])
    response = client.get(link.replace(link.rstrip("/")[-4:], "abcd"))
    assert response.status_code == 404
    assert "Ce lien d'inscription n'est pas valable" in response.content.decode()


def test_an_expired_sign_up_link_is_gone(client, settings, monkeypatch):
    settings.SIGNUP_LINK_VALID_HOURS = 48
    real_time = time.time
    monkeypatch.setattr("django.core.signing.time.time", lambda: real_time() - 49 * 3600)
    _sign_up(client)
    monkeypatch.setattr("django.core.signing.time.time", real_time)
    response = client.get(_link(mail.outbox[0]))
    assert response.status_code == 410
    assert "Ce lien d'inscription a expiré" in response.content.decode()


# --- Forgotten password: the same answer too ----------------------------------------------------


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = UserFactory(email="claire@example.org")
    response = _reset(client)
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["claire@example.org"]
    form_url = client.get(_link(mail.outbox[0]))["Location"]  # Django swaps the token
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_the_reset_link_points_to_the_configured_site_not_the_request_host(client, settings):
    UserFactory(email="claire@example.org")
    with committed():
        client.post(
            reverse("accounts:password_reset"),
            {"email": "claire@example.org"},
            HTTP_HOST="localhost",
            **_from("203.0.113.10"),
        )
    assert mail.outbox[0].body.count(settings.SITE_URL.rstrip("/") + "/compte/") == 1


def test_password_reset_answers_the_same_whether_or_not_the_address_has_an_account(client):
    UserFactory(email="connue@example.org")
    known = _reset(client, email="connue@example.org")
    unknown = _reset(client, email="inconnue@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("accounts:password_reset_done")
    assert [message.to for message in mail.outbox] == [["connue@example.org"]]


# --- E-mail throttling --------------------------------------------------------------------------


@pytest.fixture
def limits(settings):
    settings.ACCOUNT_EMAIL_LIMIT_PER_RECIPIENT = 3
    settings.ACCOUNT_EMAIL_LIMIT_PER_CLIENT = 5
    settings.ACCOUNT_EMAIL_LIMIT_MINUTES = 60


def test_password_reset_emails_to_one_address_are_limited(client, limits):
    UserFactory(email="claire@example.org")
    for number in range(3):
        assert _reset(client, address=f"192.0.2.{number}").status_code == 302
    refused = _reset(client, address="192.0.2.50")
    assert refused.status_code == 429
    assert "Trop de demandes" in refused.content.decode()
    assert len(mail.outbox) == 3


def test_password_reset_requests_from_one_client_address_are_limited(client, limits):
    for number in range(5):
        UserFactory(email=f"personne{number}@example.org")
        assert _reset(client, email=f"personne{number}@example.org").status_code == 302
    UserFactory(email="claire@example.org")
    assert _reset(client, email="claire@example.org").status_code == 429
    assert _reset(client, email="claire@example.org", address="198.51.100.20").status_code == 302
    assert len(mail.outbox) == 6


def test_the_limit_counts_unknown_addresses_too_and_answers_the_same(client, limits):
    UserFactory(email="connue@example.org")
    for _ in range(3):
        _reset(client, email="connue@example.org", address="192.0.2.1")
        _reset(client, email="inconnue@example.org", address="192.0.2.2")
    known = _reset(client, email="connue@example.org", address="192.0.2.3")
    unknown = _reset(client, email="inconnue@example.org", address="192.0.2.4")
    assert known.status_code == unknown.status_code == 429


def test_sign_up_emails_are_limited_the_same_for_new_and_known_addresses(client, limits):
    UserFactory(email="connue@example.org")
    for number in range(3):
        _sign_up(client, email="connue@example.org", address=f"192.0.2.{number}")
        _sign_up(client, email="nouvelle@example.org", address=f"192.0.2.{number + 10}")
    known = _sign_up(client, email="connue@example.org", address="192.0.2.50")
    new = _sign_up(client, email="nouvelle@example.org", address="192.0.2.51")
    assert known.status_code == new.status_code == 429
    assert "Trop de demandes" in new.content.decode()
    assert len(mail.outbox) == 6


def test_sign_up_and_password_reset_share_the_limit_of_a_recipient(client, limits):
    UserFactory(email="claire@example.org")
    _sign_up(client, email="claire@example.org", address="192.0.2.1")
    _reset(client, address="192.0.2.2")
    _sign_up(client, email="claire@example.org", address="192.0.2.3")
    assert _reset(client, address="192.0.2.4").status_code == 429


def test_a_spoofed_forwarded_address_does_not_escape_the_client_limit(client, limits):
    for number in range(5):
        client.post(
            reverse("accounts:password_reset"),
            {"email": f"personne{number}@example.org"},
            REMOTE_ADDR="203.0.113.10",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        )
    refused = client.post(
        reverse("accounts:password_reset"),
        {"email": "claire@example.org"},
        REMOTE_ADDR="203.0.113.10",
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )
    assert refused.status_code == 429


# --- Password change ----------------------------------------------------------------------------


def test_password_change_needs_the_current_password(client):
    user = UserFactory(email="claire@example.org")
    client.force_login(user)
    data = {"old_password": "faux", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    response = client.post(reverse("accounts:password_change"), data)
    assert response.context["form"].errors["old_password"]
    data["old_password"] = PASSWORD
    response = client.post(reverse("accounts:password_change"), data)
    assert response["Location"] == reverse("accounts:password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
