"""factory_boy factories shared by every test module."""

import factory
from stdnum import luhn

from essor.accounts.models import Membership, Role, User
from essor.directory.models import Establishment, Organisation, Sector
from essor.territory.models import Commune


def _luhn_number(prefix: str, length: int) -> str:
    body = prefix.zfill(length - 1)[-(length - 1) :]
    return body + luhn.calc_check_digit(body)


def siren_sequence(n: int) -> str:
    """A fictional SIREN that passes the check digit (prefix 9 keeps clear of most real ones)."""
    return _luhn_number(f"9{n:07d}", 9)


def siret_for(siren: str, nic: int = 1) -> str:
    """A SIRET of that SIREN whose NIC ends with a valid check digit."""
    body = f"{siren}{nic:04d}"
    return body + luhn.calc_check_digit(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Personne {n}")
    password = factory.django.Password("mot-de-passe-solide-123")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    siren = factory.Sequence(siren_sequence)
    name = factory.Sequence(lambda n: f"Association exemple {n}")
    legal_category = "9220"
    ess_family = "association"
    is_ess = True
    is_active = True
    description = "Une association du territoire."


class EstablishmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Establishment

    organisation = factory.SubFactory(OrganisationFactory)
    siret = factory.LazyAttribute(
        lambda o: siret_for(o.organisation.siren, 1) if o.organisation.siren else None
    )
    is_head_office = True
    address = "1 rue de la Paix"
    postal_code = "59140"
    city = "Dunkerque"
    commune = factory.LazyFunction(lambda: Commune.objects.get(insee_code="59183"))
    latitude = 51.034
    longitude = 2.377


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.ORGANISATION_MEMBER


def sector(slug: str) -> Sector:
    return Sector.objects.get(slug=slug)
