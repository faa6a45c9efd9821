from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from essor.accounts.models import Membership, Role, User
from essor.directory.models import Organisation

pytestmark = pytest.mark.django_db


def test_command_creates_the_agency_and_its_first_admin():
    out = StringIO()
    call_command(
        "create_agency_admin", email="Directrice@Agence.example.org", nom="Camille", stdout=out
    )
    user = User.objects.get(email="directrice@agence.example.org")
    agency = Organisation.objects.get(is_agency=True)
    assert Membership.objects.get(user=user, organisation=agency).role == Role.AGENCY_ADMIN
    password = out.getvalue().rsplit(": ", 1)[1].strip()
    assert user.check_password(password)


def test_command_promotes_an_existing_account_without_duplicating_it():
    call_command("create_agency_admin", email="a@example.org", stdout=StringIO())
    call_command("create_agency_admin", email="a@example.org", stdout=StringIO())
    assert User.objects.filter(email="a@example.org").count() == 1
    assert Organisation.objects.filter(is_agency=True).count() == 1


def test_command_refuses_an_invalid_email():
    with pytest.raises(CommandError, match="Adresse électronique invalide"):
        call_command("create_agency_admin", email="pas-une-adresse", stdout=StringIO())
