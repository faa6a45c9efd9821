"""No social security number (NIR) in any free text about a project holder: the forms say why
in French, and the services refuse it whatever the form."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from essor.core.validators import NIR_MESSAGE
from essor.support import forms, services
from essor.support.models import ActionKind, Stage
from tests.support.factories import ProjectHolderFactory

pytestmark = pytest.mark.django_db

NIR = "2 55 08 14 168 025 38"
WRITTEN_OTHERWISE = "2_55_08_14_168_025_38"


@pytest.mark.parametrize(
    ("form_class", "field", "extra"),
    [
        (forms.StageForm, "note", "stage"),
        (forms.AbandonForm, "reason", None),
        (forms.CreationForm, "note", None),
        (forms.CreationForm, "name", None),
        (forms.MergeForm, "reason", "merge"),
        (forms.EraseForm, "reason", None),
        (forms.ActionForm, "notes", "holder"),
        (forms.ActionForm, "next_step", "holder"),
        (forms.ActionForm, "partner_name", "holder"),
        (forms.HolderForm, "name", None),
        (forms.HolderForm, "idea", None),
    ],
)
def test_every_free_text_of_the_forms_refuses_a_nir(world, form_class, field, extra):
    holder = ProjectHolderFactory()
    kwargs = {}
    if extra == "holder":
        kwargs["holder"] = holder
    elif extra == "stage":
        kwargs.update(holder=holder, user=world.users["agency_staff"])
    elif extra == "merge":
        kwargs.update(holder=holder, candidates=holder.__class__.objects.none())
    form = form_class(data={field: f"Numéro : {WRITTEN_OTHERWISE}"}, **kwargs)
    form.is_valid()
    assert NIR_MESSAGE in form.errors.get(field, []), form.errors


def test_the_service_refuses_a_nir_in_an_action_whatever_the_form(world):
    holder = ProjectHolderFactory()
    with pytest.raises(ValidationError) as error:
        services.add_action(
            holder=holder,
            actor=world.users["agency_staff"],
            data={"date": datetime.date(2025, 4, 2), "kind": ActionKind.MEETING, "notes": NIR},
        )
    assert NIR_MESSAGE in error.value.message_dict["notes"]
    assert not holder.actions.exists()


def test_the_service_refuses_a_nir_in_the_idea_whatever_the_form(world):
    holder = ProjectHolderFactory()
    with pytest.raises(ValidationError) as error:
        services.update_holder(holder=holder, actor=world.users["agency_staff"], data={"idea": NIR})
    assert NIR_MESSAGE in error.value.message_dict["idea"]


def test_the_service_refuses_a_nir_in_an_abandon_reason(world):
    holder = ProjectHolderFactory()
    with pytest.raises(ValidationError) as error:
        services.abandon(
            holder=holder,
            actor=world.users["agency_staff"],
            on=datetime.date(2025, 5, 1),
            reason=f"Déménagement ({NIR})",
        )
    assert NIR_MESSAGE in error.value.message_dict["reason"]
    holder.refresh_from_db()
    assert holder.stage == Stage.IDEA


def test_the_service_refuses_a_nir_in_an_erasure_reason(world):
    holder = ProjectHolderFactory()
    with pytest.raises(ValidationError) as error:
        services.erase_personal_data(
            holder=holder, actor=world.users["agency_admin"], reason=f"Demande de {NIR}"
        )
    assert NIR_MESSAGE in error.value.message_dict["reason"]
