import re

import pytest
from django.core import mail
from django.urls import reverse

from essor import settings as production_settings
from essor.accounts.models import User
from essor.core.models import AuditLogEntry
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "un-autre-mot-de-passe-solide-456"


def _sign_up(client, **overrides):
    data = {
        "full_name": "Claire Dupont",
        "email": "Claire.Dupont@Example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return client.post(reverse("accounts:signup"), data)


def test_passwords_are_hashed_with_argon2_outside_tests():
    assert production_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_sign_up_creates_the_account_and_logs_in(client):
    response = _sign_up(client)
    assert response.status_code == 302
    user = User.objects.get()
    assert (user.email, user.full_name) == ("claire.dupont@example.org", "Claire Dupont")
    assert user.check_password(PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AuditLogEntry.objects.filter(action="accounts.user.sign_up", target_id=str(user.pk))


def test_sign_up_refuses_a_weak_password_with_a_message_on_the_field(client):
    response = _sign_up(client, password1="12345678", password2="12345678")
    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    assert 'id="id_password2_error"' in response.content.decode()
    assert not User.objects.exists()


def test_sign_up_refuses_mismatched_passwords(client):
    response = _sign_up(client, password2=NEW_PASSWORD)
    assert response.context["form"].errors["password2"]
    assert not User.objects.exists()


def test_sign_up_refuses_an_email_already_used_whatever_its_case(client):
    UserFactory(email="claire.dupont@example.org")
    response = _sign_up(client)
    assert "Un compte existe déjà" in response.context["form"].errors["email"][0]
    assert User.objects.count() == 1


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = UserFactory(email="claire@example.org")
    response = client.post(reverse("accounts:password_reset"), {"email": "claire@example.org"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["claire@example.org"]
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]  # Django swaps the token for a session marker
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


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
