from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from essor.accounts import selectors, services
from essor.accounts.models import LoginFailure
from tests.accounts.factories import make_failures
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return UserFactory(email="claire@example.org")


@pytest.fixture(autouse=True)
def _three_failures_lock(settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCKOUT_MINUTES = 15


def _login(client, email, password, ip="192.0.2.1"):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=ip
    )


def test_login_with_email_and_password_opens_the_personal_space(client, person):
    response = _login(client, "Claire@Example.org", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    assert client.get(reverse("accounts:dashboard")).context["user"] == person


def test_bad_password_is_refused_and_recorded(client, person):
    response = _login(client, person.email, "mauvais-mot-de-passe")
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect" in response.content.decode()
    failure = LoginFailure.objects.get()
    assert (failure.email, failure.ip_address) == ("claire@example.org", "192.0.2.1")


def test_unknown_email_gets_the_same_message_as_a_bad_password(client, person):
    unknown = _login(client, "personne@example.org", "mauvais-mot-de-passe").content.decode()
    known = _login(client, person.email, "mauvais-mot-de-passe").content.decode()
    message = "Adresse électronique ou mot de passe incorrect"
    assert message in unknown
    assert message in known


def test_email_is_locked_after_max_failures_even_with_the_right_password(client, person):
    for ip in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        _login(client, person.email, "mauvais-mot-de-passe", ip=ip)
    response = _login(client, person.email, PASSWORD, ip="192.0.2.4")
    assert response.status_code == 200
    assert "Trop de tentatives" in response.content.decode()
    assert "Réessayez dans 15 minute" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_locked_attempt_does_not_check_the_password(client, person, monkeypatch):
    make_failures(3, email=person.email)
    checked = []
    monkeypatch.setattr(
        "django.contrib.auth.backends.ModelBackend.authenticate",
        lambda *args, **kwargs: checked.append(1),
    )
    _login(client, person.email, PASSWORD)
    assert checked == []


def test_ip_is_locked_after_max_failures_on_any_email(client, person):
    for n in range(3):
        _login(client, f"inconnu{n}@example.org", "mauvais-mot-de-passe", ip="198.51.100.7")
    response = _login(client, person.email, PASSWORD, ip="198.51.100.7")
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_another_ip_and_email_are_not_locked(client, person):
    make_failures(3, email="autre@example.org", ip_address="198.51.100.7")
    response = _login(client, person.email, PASSWORD, ip="192.0.2.9")
    assert response.status_code == 302


def test_failures_older_than_the_window_do_not_lock(client, person):
    make_failures(3, email=person.email, age=timedelta(minutes=16))
    assert _login(client, person.email, PASSWORD).status_code == 302


def test_lock_remaining_minutes_count_from_the_oldest_failure_of_the_window(person):
    make_failures(2, email=person.email, age=timedelta(minutes=10))
    make_failures(1, email=person.email, age=timedelta(minutes=1))
    assert selectors.lockout_minutes_remaining(email=person.email, ip_address=None) == 5


def test_success_clears_the_failures_of_that_email(client, person):
    make_failures(2, email=person.email)
    make_failures(1, email="autre@example.org")
    assert _login(client, person.email, PASSWORD).status_code == 302
    assert list(LoginFailure.objects.values_list("email", flat=True)) == ["autre@example.org"]


def test_purge_deletes_only_failures_older_than_the_window():
    make_failures(2, age=timedelta(minutes=20))
    recent = make_failures(1)
    assert services.purge_login_failures() == 2
    assert list(LoginFailure.objects.values_list("pk", flat=True)) == [recent[0].pk]


def test_purge_command_reports_what_it_deleted(capsys):
    make_failures(2, age=timedelta(minutes=20))
    call_command("purge_login_failures")
    assert "2 échec(s) de connexion supprimé(s)" in capsys.readouterr().out
    assert not LoginFailure.objects.exists()


def test_logout_is_a_post(client, person):
    client.force_login(person)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
