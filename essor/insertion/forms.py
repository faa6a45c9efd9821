import datetime

from django import forms
from django.db.models import Q

from essor.accounts.models import Role
from essor.core.formats import file_size
from essor.core.forms import ModelMultipleChoiceField
from essor.core.validators import validate_no_nir
from essor.directory.models import Organisation
from essor.insertion.models import (
    Barrier,
    BarrierType,
    Exit,
    ExitCategory,
    FinancialAnnex,
    Participant,
    Siae,
    SiaeKind,
    Training,
)
from essor.territory.models import Commune

HOURS_FILE_MAX_BYTES = 5 * 1024 * 1024
DATE_WIDGET = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class AccessibleForm:
    """Links help texts and errors to their field (aria-describedby, aria-invalid); the ids are
    those of `insertion/includes/field.html`."""

    def _link_help(self):
        for name, field in self.fields.items():
            if isinstance(field, forms.DecimalField):
                # French decimal comma (« 8,5 »): a localised text field, not type=number.
                field.localize = True
                field.widget = forms.TextInput(attrs={"inputmode": "decimal"})
                field.widget.is_localized = True
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}_aide"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                described = [
                    widget.attrs.get("aria-describedby", ""),
                    f"id_{self.add_prefix(name)}_erreurs",
                ]
                widget.attrs["aria-describedby"] = " ".join(filter(None, described))
                widget.attrs["aria-invalid"] = "true"


def _date_fields(form, *names):
    for name in names:
        form.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def funder_choices():
    return (
        Organisation.objects.filter(
            Q(memberships__role=Role.FUNDER_INSTRUCTOR) | Q(legal_category__startswith="7")
        )
        .exclude(is_agency=True)
        .distinct()
        .order_by("name")
    )


class SiaeForm(AccessibleForm, forms.ModelForm):
    class Meta:
        model = Siae
        fields = ["organisation", "kind", "convention_reference", "funders"]
        widgets = {"funders": forms.CheckboxSelectMultiple}
        field_classes = {"funders": ModelMultipleChoiceField}

    def __init__(self, *args, creating: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            self.fields["organisation"].queryset = Organisation.objects.filter(
                siae__isnull=True, is_active=True, merged_into__isnull=True
            ).order_by("name")
            self.fields["organisation"].help_text = "La structure de l'annuaire qui porte la SIAE."
        else:
            del self.fields["organisation"]
        self.fields["funders"].queryset = funder_choices()
        self._link_help()


class AnnexForm(AccessibleForm, forms.ModelForm):
    class Meta:
        model = FinancialAnnex
        fields = [
            "number",
            "amends",
            "start",
            "end",
            "conventioned_fte",
            "amount_state",
            "amount_departement",
            "amount_cud",
            "amount_other",
        ]
        help_texts = {
            "number": "Par exemple ACI059170013A0M1 (M0 pour l'annexe initiale, M1… pour ses avenants).",
            "conventioned_fte": "Le chiffre mensuel de l'annexe (ETP annuel = mensuel × mois couverts / 12).",
        }

    def __init__(self, *args, siae: Siae, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amends"].queryset = FinancialAnnex.objects.filter(siae=siae)
        _date_fields(self, "start", "end")
        self._link_help()


class ParticipantForm(AccessibleForm, forms.ModelForm):
    class Meta:
        model = Participant
        fields = [
            "first_name",
            "last_name",
            "sex",
            "birth_year",
            "education_level",
            "rsa",
            "ass",
            "aah",
            "rqth",
            "long_term_unemployed",
            "qpv_resident",
            "commune",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        self.fields["commune"].queryset = Commune.objects.order_by("name")
        self._link_help()


class ContractForm(AccessibleForm, forms.Form):
    start = forms.DateField(label="Début", **DATE_WIDGET)
    end = forms.DateField(
        label="Fin",
        required=False,
        help_text="Laissez vide si le contrat est en cours.",
        **DATE_WIDGET,
    )
    weekly_hours = forms.DecimalField(
        label="Heures hebdomadaires", min_value=1, max_value=48, decimal_places=1
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._link_help()

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "La fin du contrat doit suivre son début.")
        return data


class ExitForm(AccessibleForm, forms.ModelForm):
    class Meta:
        model = Exit
        fields = ["date", "category", "detail"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _date_fields(self, "date")
        self.fields["category"].choices = [("", "— choisir —"), *ExitCategory.choices]
        self.fields["category"].error_messages["invalid_choice"] = (
            "Catégorie de sortie inconnue : choisissez une catégorie de la liste."
        )
        self._link_help()

    def validate_unique(self):
        pass  # the service replaces an earlier exit of the same person


class BarrierForm(AccessibleForm, forms.ModelForm):
    class Meta:
        model = Barrier
        fields = ["barrier_type", "identified_on", "support", "resolved", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["barrier_type"].queryset = BarrierType.objects.filter(is_active=True)
        _date_fields(self, "identified_on")
        self._link_help()


class BarrierUpdateForm(AccessibleForm, forms.ModelForm):
    class Meta:
        model = Barrier
        fields = ["identified_on", "support", "resolved", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _date_fields(self, "identified_on")
        self._link_help()


class BarrierTypeForm(AccessibleForm, forms.Form):
    name = forms.CharField(
        label="Nouveau type de frein", max_length=100, validators=[validate_no_nir]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._link_help()


class TrainingForm(AccessibleForm, forms.ModelForm):
    class Meta:
        model = Training
        fields = ["title", "start", "hours"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _date_fields(self, "start")
        self._link_help()


class HoursImportForm(AccessibleForm, forms.Form):
    file = forms.FileField(
        label="Fichier CSV des heures",
        help_text=(
            "Colonnes pseudonyme;mois;heures — le mois au format AAAA-MM, les heures avec une "
            "virgule ou un point décimal."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._link_help()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > HOURS_FILE_MAX_BYTES:
            raise forms.ValidationError(f"Le fichier dépasse {file_size(HOURS_FILE_MAX_BYTES)}.")
        return upload


class EraseForm(AccessibleForm, forms.Form):
    reason = forms.CharField(
        label="Motif de l'effacement",
        max_length=300,
        validators=[validate_no_nir],
        help_text="Par exemple : demande de la personne du 3 mars 2026.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._link_help()


def year_choices(today: datetime.date) -> list[tuple[int, str]]:
    return [(year, str(year)) for year in range(today.year, today.year - 6, -1)]


class IndicatorFilterForm(AccessibleForm, forms.Form):
    year = forms.TypedChoiceField(label="Année", coerce=int)
    kind = forms.ChoiceField(label="Type de SIAE", required=False)
    siae = forms.ModelChoiceField(
        label="SIAE", queryset=Siae.objects.none(), required=False, empty_label="Toutes"
    )
    commune = forms.ModelChoiceField(
        label="Commune de résidence",
        queryset=Commune.objects.order_by("name"),
        required=False,
        empty_label="Tout le territoire",
    )

    def __init__(self, *args, siaes, today: datetime.date, by_commune: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not by_commune:
            # A funder's SIAE crossed with a commune would be a handful of people.
            del self.fields["commune"]
        self.fields["year"].choices = year_choices(today)
        self.fields["year"].initial = today.year
        self.fields["kind"].choices = [("", "Tous"), *SiaeKind.choices]
        self.fields["siae"].queryset = siaes.select_related("organisation").order_by(
            "organisation__name"
        )
