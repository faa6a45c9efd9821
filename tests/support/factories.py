"""Factories of the support module."""

import datetime

import factory

from essor.support.models import Action, ActionKind, ProjectHolder, Stage
from essor.support.services import name_key
from essor.territory.models import Commune


class ProjectHolderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectHolder
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Porteuse {n}")
    name_key = factory.LazyAttribute(lambda o: name_key(o.name))
    idea = "Un café associatif avec une ressourcerie."
    commune = factory.LazyFunction(lambda: Commune.objects.get(insee_code="59183"))
    in_qpv = False
    first_contact_on = datetime.date(2025, 3, 10)
    stage = Stage.IDEA

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        if create and extracted:
            self.sectors.set(extracted)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    holder = factory.SubFactory(ProjectHolderFactory)
    date = datetime.date(2025, 4, 2)
    kind = ActionKind.MEETING
    notes = "Premier rendez-vous : présentation de l'idée."
