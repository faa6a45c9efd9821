"""Sign-in and its throttling (django-axes): a run of bad passwords locks one account from one
address, never the account for everyone nor the address for everyone, and the address is the
person's, read from the reverse proxy's header only when the request comes from that proxy."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD, committed
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BAD_PASSWORD = "mauvais-mot-de-passe"
NEW_PASSWORD = "un-autre-mot-de-passe-solide-456"
# The documented deployment: nginx on the same machine, adding the client to X-Forwarded-For.
PROXY = "127.0.0.1"
ADDRESS_X = "203.0.113.10"
ADDRESS_Y = "198.51.100.20"


@pytest.fixture
def claire():
    return UserFactory(email="claire@example.org")


@pytest.fixture
def bruno():
    return UserFactory(email="bruno@example.org")


def _login(client, email, password, *, client_address=ADDRESS_X, remote=PROXY, forwarded=None):
    """A sign-in through the reverse proxy (REMOTE_ADDR is the proxy, the client is forwarded)."""
    headers = {"REMOTE_ADDR": remote}
    forwarded = client_address if forwarded is None else forwarded
    if forwarded:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, **headers
    )


def _fail(client, email, times=5, **where):
    for _ in range(times):
        response = _login(client, email, BAD_PASSWORD, **where)
    return response


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_login_with_email_and_password_opens_the_personal_space(client, claire):
    response = _login(client, "Claire@Example.org", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    assert client.get(reverse("accounts:dashboard")).context["user"] == claire


def test_bad_password_is_refused_with_a_french_message(client, claire):
    response = _login(client, claire.email, BAD_PASSWORD)
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect" in response.content.decode()
    assert not _signed_in(client)


def test_unknown_email_gets_the_same_message_as_a_bad_password(client, claire):
    unknown = _login(client, "personne@example.org", BAD_PASSWORD)
    known = _login(client, claire.email, BAD_PASSWORD)
    assert unknown.status_code == known.status_code == 200
    message = "Adresse électronique ou mot de passe incorrect"
    assert message in unknown.content.decode()
    assert message in known.content.decode()


def test_four_failures_do_not_lock(client, claire):
    _fail(client, claire.email, times=4)
    assert _login(client, claire.email, PASSWORD).status_code == 302


def test_five_failures_lock_that_account_from_that_address_even_with_the_right_password(
    client, claire
):
    _fail(client, claire.email)
    response = _login(client, claire.email, PASSWORD)
    assert response.status_code == 429
    assert not _signed_in(client)


def test_the_lockout_page_is_french_in_the_site_layout(client, claire):
    response = _fail(client, claire.email)
    page = response.content.decode()
    assert response.status_code == 429
    assert "Trop de tentatives de connexion" in page
    assert "15 minutes" in page
    assert reverse("accounts:password_reset") in page
    assert page.count("<h1") == 1
    for landmark in ('<header class="site-header"', '<main id="contenu"', "<footer"):
        assert landmark in page


def test_a_locked_account_still_signs_in_from_another_address(client, claire):
    _fail(client, claire.email, client_address=ADDRESS_X)
    assert _login(client, claire.email, PASSWORD, client_address=ADDRESS_Y).status_code == 302


def test_another_account_still_signs_in_from_the_locked_address(client, claire, bruno):
    _fail(client, claire.email, client_address=ADDRESS_X)
    assert _login(client, bruno.email, PASSWORD, client_address=ADDRESS_X).status_code == 302


def test_failures_from_many_addresses_do_not_lock_the_account(client, claire):
    for number in range(10):
        _login(client, claire.email, BAD_PASSWORD, client_address=f"192.0.2.{number + 1}")
    assert _login(client, claire.email, PASSWORD, client_address=ADDRESS_Y).status_code == 302


def test_the_case_of_the_address_does_not_escape_the_lock(client, claire):
    for email in ("Claire@example.org", "CLAIRE@EXAMPLE.ORG", "claire@Example.org"):
        _login(client, email, BAD_PASSWORD)
    _fail(client, " claire@example.org ", times=2)
    assert _login(client, claire.email, PASSWORD).status_code == 429


def test_a_spoofed_forwarded_address_from_an_untrusted_client_is_ignored(client, claire):
    # A client reaching Django directly writes its own X-Forwarded-For, a new one each time.
    for number in range(5):
        _login(client, claire.email, BAD_PASSWORD, remote=ADDRESS_X, forwarded=f"192.0.2.{number}")
    response = _login(client, claire.email, PASSWORD, remote=ADDRESS_X, forwarded="192.0.2.99")
    assert response.status_code == 429


def test_a_spoofed_forwarded_address_cannot_lock_someone_else_s_address(client, claire):
    # A direct client claims to be Y: only its own address is locked, Y still signs in.
    _fail(client, claire.email, remote=ADDRESS_X, forwarded=ADDRESS_Y)
    assert _login(client, claire.email, PASSWORD, client_address=ADDRESS_Y).status_code == 302


def test_through_the_trusted_proxy_the_forwarded_address_is_used(client, claire):
    # nginx appends the address it saw to what the client sent: the last entry is the client.
    for number in range(5):
        _login(client, claire.email, BAD_PASSWORD, forwarded=f"192.0.2.{number}, {ADDRESS_X}")
    assert _login(client, claire.email, PASSWORD, client_address=ADDRESS_X).status_code == 429
    assert _login(client, claire.email, PASSWORD, client_address=ADDRESS_Y).status_code == 302


def test_trusted_proxies_come_from_the_settings(client, settings, claire):
    settings.ESSOR_TRUSTED_PROXIES = ["10.0.0.0/24"]
    _fail(client, claire.email, remote="10.0.0.7", client_address=ADDRESS_X)
    assert _login(client, claire.email, PASSWORD, remote="10.0.0.7").status_code == 429
    assert (
        _login(client, claire.email, PASSWORD, remote="10.0.0.7", client_address=ADDRESS_Y)
    ).status_code == 302


def test_a_proxy_no_longer_trusted_is_not_believed(client, settings, claire):
    settings.ESSOR_TRUSTED_PROXIES = ["10.0.0.0/24"]
    # 127.0.0.1 is not trusted any more: all its requests are one client, whatever they forward.
    _fail(client, claire.email, remote=PROXY, client_address=ADDRESS_X)
    response = _login(client, claire.email, PASSWORD, remote=PROXY, client_address=ADDRESS_Y)
    assert response.status_code == 429


def test_with_two_proxies_the_client_is_the_second_last_forwarded_address(client, settings, claire):
    # A CDN, then nginx: X-Forwarded-For reads "<what the client wrote>, client, CDN".
    settings.ESSOR_PROXY_COUNT = 2
    _fail(client, claire.email, forwarded=f"192.0.2.1, {ADDRESS_X}, 100.64.0.1")
    locked = _login(client, claire.email, PASSWORD, forwarded=f"{ADDRESS_X}, 100.64.0.2")
    assert locked.status_code == 429
    free = _login(client, claire.email, PASSWORD, forwarded=f"{ADDRESS_Y}, 100.64.0.1")
    assert free.status_code == 302


def test_a_locked_attempt_does_not_check_the_password(client, claire, monkeypatch):
    _fail(client, claire.email)
    checked = []
    monkeypatch.setattr(
        "django.contrib.auth.backends.ModelBackend.authenticate",
        lambda *args, **kwargs: checked.append(1),
    )
    _login(client, claire.email, PASSWORD)
    assert checked == []


def test_the_lock_lifts_after_the_cool_off(client, claire):
    from axes.models import AccessAttempt

    _fail(client, claire.email)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _login(client, claire.email, PASSWORD).status_code == 302


def test_a_success_clears_the_failures_of_that_account_from_that_address(client, claire):
    _fail(client, claire.email, times=4)
    assert _login(client, claire.email, PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    _fail(client, claire.email, times=4)
    assert _login(client, claire.email, PASSWORD).status_code == 302


def test_the_operator_unlocks_an_account_with_axes_reset_username(client, claire):
    _fail(client, claire.email)
    call_command("axes_reset_username", "claire@example.org")
    assert _login(client, claire.email, PASSWORD).status_code == 302


def test_the_operator_unlocks_an_address_and_account_with_axes_reset_ip_username(client, claire):
    _fail(client, claire.email)
    call_command("axes_reset_ip_username", ADDRESS_X, "claire@example.org")
    assert _login(client, claire.email, PASSWORD).status_code == 302


def test_logout_is_a_post(client, claire):
    client.force_login(claire)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not _signed_in(client)


def test_a_new_password_from_the_reset_link_unlocks_the_account(client, claire):
    _fail(client, claire.email)
    with committed():
        client.post(reverse("accounts:password_reset"), {"email": claire.email})
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert _login(client, claire.email, NEW_PASSWORD).status_code == 302


def test_an_address_longer_than_any_email_is_refused_before_any_attempt_is_logged(client):
    from axes.models import AccessAttempt

    response = _login(client, "a" * 300 + "@example.org", BAD_PASSWORD)

    assert response.status_code == 200
    assert "au plus 254 caractères" in response.content.decode()
    assert not AccessAttempt.objects.exists()
