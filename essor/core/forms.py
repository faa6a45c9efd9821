"""Running a service from a form: the service's refusal becomes the form's errors.

Services raise `ValidationError` when they refuse (house rule: French messages naming the field
and the reason); views show those messages on the form that was posted, next to the field they
name when the form has it, above the form otherwise:

    if request.method == "POST" and form.is_valid():
        outcome = run_service(form, services.create_thing, actor=request.user, **form.cleaned_data)
        if outcome:
            return redirect("module:thing", pk=outcome.result.pk)
    return render(request, "module/thing_form.html", {"form": form})
"""

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.forms.renderers import DjangoTemplates

from essor.core import params


@dataclass(frozen=True)
class ServiceOutcome:
    """What `run_service` gives back. True when the service ran; `result` is what it returned
    (None when it refused, or when it returns nothing)."""

    ok: bool
    result: Any = None

    def __bool__(self) -> bool:
        return self.ok


def _field_for(form, key: str) -> str | None:
    """The form field that shows the errors of `key`, or None for the errors above the form.

    A form whose fields are not named like the service's keys (generated fields, for instance)
    defines `service_error_field(key) -> str` to translate them."""
    if key == NON_FIELD_ERRORS:
        return None
    if key in form.fields:
        return key
    translate = getattr(form, "service_error_field", None)
    if translate is not None and (name := translate(key)) in form.fields:
        return name
    return None


def add_service_errors(form, error: ValidationError) -> None:
    """Puts `error` on `form`: each message of a dict on the field of its key when the form has
    it (see `service_error_field`), else with the form's own errors; a list or a single message
    with the form's own errors. Codes and parameters of the messages are kept."""
    if hasattr(error, "error_dict"):
        for key, errors in error.error_dict.items():
            form.add_error(_field_for(form, key), errors)
    else:
        form.add_error(None, error.error_list)


def run_service(form, service, /, **kwargs) -> ServiceOutcome:
    """Calls `service(**kwargs)`. When it raises `ValidationError`, its messages go on `form`
    (`add_service_errors`) and the outcome is false; otherwise the outcome is true and carries
    the service's result. Other exceptions go through.

    `form` and `service` are positional-only, so a service may itself take a `form` or `service`
    keyword argument."""
    try:
        result = service(**kwargs)
    except ValidationError as error:
        add_service_errors(form, error)
        return ServiceOutcome(ok=False)
    return ServiceOutcome(ok=True, result=result)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, refusing a posted key outside the integer range before it reaches the query:
    SQLite raises OverflowError for it in `pk__in`, which Django's field does not catch. A
    model form uses it for its many-to-many fields through `Meta.field_classes`."""

    def _check_values(self, value):
        key = self.to_field_name or "pk"
        meta = self.queryset.model._meta
        field = meta.pk if key == "pk" else meta.get_field(key)
        if isinstance(field, models.IntegerField):
            for pk in value or ():
                if params.identifier(str(pk)) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)


class DateTimeField(forms.DateTimeField):
    """Django's, refusing a year outside those a record can hold (`params.MIN_YEAR` to
    `MAX_YEAR`): 1 January of year 1 in Paris is in year 0 in UTC, which Python cannot write."""

    def to_python(self, value):
        result = super().to_python(value)
        if result is not None and not params.MIN_YEAR <= result.year <= params.MAX_YEAR:
            raise ValidationError(
                f"Indiquez une date entre {params.MIN_YEAR} et {params.MAX_YEAR}.",
                code="invalid",
            )
        return result


# Spaces French typography puts around a colon: plain, no-break, narrow no-break.
_COLON = re.compile(r"[ \u00a0\u202f]*:[ \u00a0\u202f]*")


def without_label(message: str, label) -> str:
    """`message` without a leading « <label> : »: a message written to be read alone (a
    service's, an import's) names its field, but next to the field, or after its label in the
    error summary, the label would be said twice. « Achats : le montant ne peut pas être
    négatif. » on the field « Achats » becomes « Le montant ne peut pas être négatif. »; the label
    may be followed by a parenthesis the message leaves out."""
    text, label = str(message), str(label or "").strip()
    # The label without its parenthesis: « Montant accordé » for « Montant accordé (en euros
    # entiers) ».
    for name in dict.fromkeys((label, label.split(" (")[0].strip())):
        if not name or not text.startswith(name):
            continue
        colon = _COLON.match(text, len(name))
        rest = text[colon.end() :] if colon else ""
        if rest:
            return rest[:1].upper() + rest[1:]
    return message  # untouched (a lazy or safe string stays one)


class BoundField(forms.BoundField):
    """Django's, whose errors do not repeat the field's label (`without_label`). Every form gets
    it from the form renderer (`FormRenderer`, setting `FORM_RENDERER`), so the inline errors and
    every error summary (`{{ field.label }} : {{ error }}`) read the label once."""

    @property
    def errors(self):
        errors = super().errors
        if not errors:
            return errors
        shown = errors.copy()
        shown.field_id = getattr(errors, "field_id", None)
        shown.data = [without_label(message, self.label) for message in errors]
        return shown


class FormRenderer(DjangoTemplates):
    """Django's default renderer, with Essor's `BoundField` for every form."""

    bound_field_class = BoundField
