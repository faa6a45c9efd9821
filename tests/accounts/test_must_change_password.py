"""A password Essor generated (create_agency_admin run without a terminal) must be changed: until
then every page leads to the password-change page."""

import getpass
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from essor.accounts.models import User
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "un-autre-mot-de-passe-solide-456"


@pytest.fixture
def generated(client):
    """A signed-in person whose password Essor generated."""
    user = UserFactory(email="premiere@agence.example.org")
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    client.force_login(user)
    return user


def test_create_agency_admin_without_a_terminal_generates_a_password_to_change():
    out = StringIO()
    call_command("create_agency_admin", email="a@agence.example.org", stdout=out)
    user = User.objects.get(email="a@agence.example.org")
    assert user.must_change_password
    assert user.check_password(out.getvalue().rsplit(": ", 1)[1].strip())


def test_create_agency_admin_with_a_chosen_password_does_not_ask_to_change_it(monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": NEW_PASSWORD)
    call_command("create_agency_admin", email="b@agence.example.org", stdout=StringIO())
    user = User.objects.get(email="b@agence.example.org")
    assert not user.must_change_password
    assert user.check_password(NEW_PASSWORD)


def test_promoting_an_existing_account_keeps_its_password_and_prints_none():
    UserFactory(email="c@agence.example.org")
    out = StringIO()
    call_command("create_agency_admin", email="c@agence.example.org", stdout=out)
    user = User.objects.get(email="c@agence.example.org")
    assert user.check_password(PASSWORD)
    assert not user.must_change_password
    assert "Mot de passe généré" not in out.getvalue()
    assert "son mot de passe n'a pas été modifié" in out.getvalue()


@pytest.mark.parametrize(
    "url",
    ["accounts:dashboard", "home", "core:notifications", "accounts:password_change_done"],
)
def test_every_page_leads_to_the_password_change_page(client, generated, url):
    response = client.get(reverse(url))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change")


def test_a_form_sent_elsewhere_is_not_processed(client, generated):
    response = client.post(reverse("accounts:dashboard"), {})
    assert response["Location"] == reverse("accounts:password_change")


def test_the_password_change_page_says_why(client, generated):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 200
    assert "Votre mot de passe a été généré par Essor" in response.content.decode()


def test_signing_out_static_files_and_the_health_check_stay_open(client, generated):
    assert client.get(reverse("core:healthz")).status_code == 200
    assert client.get("/static/css/does-not-exist.css").status_code == 404
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] != reverse("accounts:password_change")
    assert "_auth_user_id" not in client.session


def test_changing_the_password_lifts_the_redirection(client, generated):
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    generated.refresh_from_db()
    assert not generated.must_change_password
    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_a_password_set_by_any_means_clears_the_flag(generated):
    generated.refresh_from_db()
    generated.set_password(NEW_PASSWORD)
    generated.save()
    generated.refresh_from_db()
    assert not generated.must_change_password


def test_a_person_with_a_chosen_password_is_not_redirected(client):
    client.force_login(UserFactory())
    assert client.get(reverse("accounts:dashboard")).status_code == 200
