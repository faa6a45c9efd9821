"""« Mes notifications »: each person chooses the optional e-mails they receive (all ticked by
default) and reads the list of those always sent."""

import pytest

from essor.core import notifications
from essor.core.models import AuditLogEntry, EmailOptOut

pytestmark = pytest.mark.django_db
URL = "/compte/notifications/"


def _optional_codes():
    return [category.code for category in notifications.optional_categories()]


def test_every_optional_e_mail_is_ticked_by_default(client, world):
    client.force_login(world.users["organisation_member"])

    form = client.get(URL).context["form"]

    assert form.initial["received"] == _optional_codes()


def test_the_page_lists_the_e_mails_always_sent_with_their_reason(client, world):
    client.force_login(world.users["organisation_member"])

    page = client.get(URL).content.decode()

    assert "Courriels toujours envoyés" in page
    assert "Demandes de correction de vos dossiers de subvention" in page
    assert "tant que vous n&#x27;avez pas corrigé le dossier" in page


def test_unticking_a_kind_stores_the_refusal_and_logs_it(client, world):
    member = world.users["organisation_member"]
    client.force_login(member)
    kept = [code for code in _optional_codes() if code != "funding.decision"]

    response = client.post(URL, {"received": kept})

    assert response.status_code == 302
    assert list(EmailOptOut.objects.filter(user=member).values_list("category", flat=True)) == [
        "funding.decision"
    ]
    assert AuditLogEntry.objects.get(action="accounts.email_preferences.update").changes == {
        "courriels refusés": [[], ["Décisions des financeurs sur vos demandes de subvention"]]
    }


def test_ticking_a_kind_again_removes_the_refusal(client, world):
    member = world.users["organisation_member"]
    EmailOptOut.objects.create(user=member, category="funding.decision")
    client.force_login(member)

    client.post(URL, {"received": _optional_codes()})

    assert not EmailOptOut.objects.filter(user=member).exists()


def test_the_page_shows_the_persons_own_choices(client, world):
    EmailOptOut.objects.create(user=world.users["organisation_admin"], category="funding.payment")
    client.force_login(world.users["organisation_member"])

    form = client.get(URL).context["form"]

    assert "funding.payment" in form.initial["received"]


def test_a_mandatory_kind_cannot_be_refused(client, world):
    member = world.users["organisation_member"]
    client.force_login(member)

    response = client.post(URL, {"received": ["funding.decision", "funding.correction"]})

    assert response.status_code == 200
    assert "« funding.correction » n&#x27;est pas un type de courriel proposé." in (
        response.content.decode()
    )
    assert not EmailOptOut.objects.filter(user=member).exists()


def test_one_persons_choice_does_not_change_anothers(client, world):
    client.force_login(world.users["organisation_member"])

    client.post(URL, {"received": []})

    assert not EmailOptOut.objects.filter(user=world.users["organisation_admin"]).exists()
    assert EmailOptOut.objects.filter(user=world.users["organisation_member"]).count() == len(
        _optional_codes()
    )


def test_the_dashboard_links_to_the_page(client, world):
    client.force_login(world.users["authenticated"])

    assert URL in client.get("/compte/").content.decode()
