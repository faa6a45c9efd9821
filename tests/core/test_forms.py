"""run_service: a service's refusal becomes the posted form's errors."""

import pytest
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from essor.core.forms import ServiceOutcome, add_service_errors, run_service


class NameForm(forms.Form):
    name = forms.CharField(label="Nom")
    email = forms.EmailField(label="Courriel", required=False)


class AmountForm(forms.Form):
    amount = forms.CharField(label="Montant accordé (en euros entiers)")


class AccountsForm(forms.Form):
    """Fields generated from codes that the service names differently (like a budget grid)."""

    compte_60 = forms.IntegerField(required=False)

    def service_error_field(self, key):
        return "compte_" + key


def _bound(form_class=NameForm):
    form = form_class({"name": "Les Jardins"})
    assert form.is_valid()
    return form


def _refuse(error):
    def service(**kwargs):
        raise error

    return service


def test_a_service_that_runs_gives_a_true_outcome_with_its_result():
    form = _bound()

    outcome = run_service(form, lambda *, name: f"créé : {name}", name="Les Jardins")

    assert outcome == ServiceOutcome(ok=True, result="créé : Les Jardins")
    assert outcome
    assert form.is_valid()


def test_a_service_that_returns_nothing_still_gives_a_true_outcome():
    outcome = run_service(_bound(), lambda: None)

    assert outcome
    assert outcome.result is None


def test_a_refusal_gives_a_false_outcome_without_result():
    form = _bound()

    outcome = run_service(form, _refuse(ValidationError("Refusé.")))

    assert not outcome
    assert outcome.result is None
    assert not form.is_valid()


def test_a_message_keyed_by_a_field_of_the_form_goes_on_that_field():
    form = _bound()

    run_service(form, _refuse(ValidationError({"name": "Ce nom est déjà pris."})))

    assert form.errors == {"name": ["Ce nom est déjà pris."]}
    assert "name" not in form.cleaned_data


def test_a_message_keyed_by_something_the_form_lacks_goes_above_the_form():
    form = _bound()

    run_service(form, _refuse(ValidationError({"siret": "SIRET inconnu."})))

    assert form.non_field_errors() == ["SIRET inconnu."]
    assert "siret" not in form.errors


def test_messages_keyed_to_the_whole_object_go_above_the_form():
    form = _bound()

    run_service(form, _refuse(ValidationError({NON_FIELD_ERRORS: ["Dates incohérentes."]})))

    assert form.non_field_errors() == ["Dates incohérentes."]


def test_a_dict_spreads_its_messages_between_fields_and_the_form():
    form = _bound()
    error = ValidationError(
        {"name": ["Trop court.", "Déjà pris."], "email": "Adresse refusée.", "other": "Autre."}
    )

    add_service_errors(form, error)

    assert form.errors["name"] == ["Trop court.", "Déjà pris."]
    assert form.errors["email"] == ["Adresse refusée."]
    assert form.non_field_errors() == ["Autre."]


def test_a_list_of_messages_goes_above_the_form_one_message_each():
    form = _bound()

    run_service(form, _refuse(ValidationError(["Budget déséquilibré.", "Pièce manquante."])))

    assert form.non_field_errors() == ["Budget déséquilibré.", "Pièce manquante."]
    assert list(form.errors) == [NON_FIELD_ERRORS]


def test_a_plain_message_goes_above_the_form():
    form = _bound()

    run_service(form, _refuse(ValidationError("Ce dossier est déposé.")))

    assert form.non_field_errors() == ["Ce dossier est déposé."]


def test_the_parameters_of_a_message_are_filled_in_and_its_code_kept():
    form = _bound()
    error = ValidationError(
        "%(montant)s € dépasse le plafond.", code="ceiling", params={"montant": "5 000"}
    )

    run_service(form, _refuse(error))

    assert form.non_field_errors() == ["5 000 € dépasse le plafond."]
    assert form.errors.as_data()[NON_FIELD_ERRORS][0].code == "ceiling"


def test_a_form_translates_the_service_keys_into_its_field_names():
    form = AccountsForm({"compte_60": "10"})
    assert form.is_valid()

    run_service(form, _refuse(ValidationError({"60": "Montant négatif."})))

    assert form.errors == {"compte_60": ["Montant négatif."]}


def test_a_key_that_the_translation_does_not_find_goes_above_the_form():
    form = AccountsForm({"compte_60": "10"})
    assert form.is_valid()

    run_service(form, _refuse(ValidationError({"99": "Compte inconnu : 99."})))

    assert form.non_field_errors() == ["Compte inconnu : 99."]


def test_the_service_receives_form_and_service_as_ordinary_keyword_arguments():
    received = {}

    def service(*, form, service):
        received.update(form=form, service=service)

    run_service(_bound(), service, form="formulaire", service="service")

    assert received == {"form": "formulaire", "service": "service"}


def test_errors_other_than_validation_errors_go_through():
    form = _bound()

    with pytest.raises(LookupError):
        run_service(form, _refuse(LookupError("base indisponible")))
    assert form.is_valid()


# A field's label is not repeated inside its own errors (core.forms.BoundField, FORM_RENDERER).


def _name_errors(message):
    form = _bound()
    add_service_errors(form, ValidationError({"name": message}))
    return list(form["name"].errors)


def test_an_error_beginning_with_its_field_s_label_is_shown_without_it():
    assert _name_errors("Nom : « x » est déjà pris.") == ["« x » est déjà pris."]


def test_the_rest_of_the_message_begins_with_a_capital():
    assert _name_errors("Nom\u00a0: trop long.") == ["Trop long."]


def test_a_label_s_parenthesis_may_be_left_out_of_the_message():
    form = AmountForm({"amount": "0"})
    assert form.is_valid()
    add_service_errors(form, ValidationError({"amount": "Montant accordé : indiquez un montant."}))
    assert list(form["amount"].errors) == ["Indiquez un montant."]


def test_an_error_naming_another_field_keeps_its_words():
    assert _name_errors("Nom de famille : trop long.") == ["Nom de famille : trop long."]


def test_an_error_that_is_only_the_label_is_left_alone():
    assert _name_errors("Nom :") == ["Nom :"]


def test_the_form_s_own_errors_keep_the_full_message():
    form = _bound()
    add_service_errors(form, ValidationError({"name": "Nom : trop long."}))
    assert form.errors["name"] == ["Nom : trop long."]


def test_the_rendered_field_says_its_label_once():
    form = _bound()
    add_service_errors(form, ValidationError({"name": "Nom : trop long."}))
    html = form["name"].as_field_group()
    assert html.count("Nom") == 1 and "Trop long." in html
