"""Factories and helpers of the public directory tests."""

import datetime

from essor.directory.models import Sector
from essor.territory.models import Commune
from tests.factories import EstablishmentFactory, OrganisationFactory


def public_organisation(name="Association exemple", *, commune="59183", sectors=(), **fields):
    """A public organisation with an open, located head office in `commune`."""
    organisation = OrganisationFactory(name=name, **fields)
    EstablishmentFactory(organisation=organisation, commune=Commune.objects.get(insee_code=commune))
    if sectors:
        organisation.sectors.set(Sector.objects.filter(slug__in=sectors))
    return organisation


def valid_esus():
    today = datetime.date.today()
    return {
        "esus_start": today - datetime.timedelta(days=30),
        "esus_end": today.replace(year=today.year + 2),
    }
