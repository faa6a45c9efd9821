"""Forms of the observatory: the year shown, the CUD's targets, the yearly report's year."""

from django import forms

from essor.directory.models import Sector
from essor.observatory import selectors
from essor.observatory.models import Measure, SectorTarget
from essor.observatory.services import DUPLICATE_TARGET


class LinkedErrorsMixin:
    """Fields in error point to their messages (and help text) with aria-describedby."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            bound = self[name]
            ids = [f"{bound.auto_id}_erreurs"]
            if self.fields[name].help_text:
                ids.append(f"{bound.auto_id}_helptext")
            self.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)


def _target_year_bounds() -> tuple[int, int]:
    year = selectors.current_year()
    return year - selectors.YEARS_SHOWN + 1, year + 5


class TargetForm(LinkedErrorsMixin, forms.Form):
    year = forms.IntegerField(
        label="Année",
        error_messages={
            "required": "Indiquez l'année de l'objectif.",
            "invalid": "L'année doit être un nombre, par exemple 2026.",
        },
    )
    sector = forms.ModelChoiceField(
        label="Secteur",
        queryset=Sector.objects.all(),
        to_field_name="slug",
        empty_label="— Choisissez un secteur —",
        error_messages={
            "required": "Choisissez le secteur de l'objectif.",
            "invalid_choice": (
                "Le secteur « %(value)s » n'existe pas dans la nomenclature des secteurs : "
                "choisissez un secteur de la liste."
            ),
        },
    )
    measure = forms.ChoiceField(
        label="Mesure",
        choices=Measure.choices,
        error_messages={
            "required": "Choisissez ce que l'objectif compte.",
            "invalid_choice": "Mesure inconnue : choisissez une mesure de la liste.",
        },
    )
    target = forms.IntegerField(
        label="Objectif",
        help_text="Nombre entier supérieur à zéro.",
        min_value=1,
        # The column's limit (a positive integer on both databases).
        max_value=2**31 - 1,
        error_messages={
            "required": "Indiquez l'objectif.",
            "invalid": "L'objectif doit être un nombre entier.",
            "min_value": "L'objectif doit être un nombre entier supérieur à zéro.",
            "max_value": "L'objectif doit être un nombre entier d'au plus 2 147 483 647.",
        },
    )
    note = forms.CharField(label="Commentaire", max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        first, last = _target_year_bounds()
        self.fields["year"].help_text = f"De {first} à {last}."
        self.fields["sector"].label_from_instance = lambda sector: (
            f"{sector.name} (prioritaire)" if sector.is_priority else sector.name
        )

    def clean_year(self):
        year = self.cleaned_data["year"]
        first, last = _target_year_bounds()
        if not first <= year <= last:
            raise forms.ValidationError(
                f"L'année {year} est hors de la période des objectifs (de {first} à {last})."
            )
        return year

    def clean(self):
        data = super().clean()
        if (
            data.get("year")
            and data.get("sector")
            and data.get("measure")
            and SectorTarget.objects.filter(
                year=data["year"], sector=data["sector"], measure=data["measure"]
            ).exists()
        ):
            raise forms.ValidationError(DUPLICATE_TARGET + " Modifiez l'objectif existant.")
        return data


class TargetUpdateForm(LinkedErrorsMixin, forms.Form):
    target = TargetForm.base_fields["target"]
    note = forms.CharField(label="Commentaire", max_length=255, required=False)


class ReportForm(LinkedErrorsMixin, forms.Form):
    year = forms.TypedChoiceField(
        label="Année du rapport",
        coerce=int,
        error_messages={
            "required": "Choisissez l'année du rapport.",
            "invalid_choice": "Cette année n'est pas disponible : choisissez une année de la liste.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in selectors.available_years()]
        self.fields["year"].initial = selectors.current_year() - 1
