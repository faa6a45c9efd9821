"""The staff upload form of the SIRENE import."""

import zipfile

from django import forms
from django.conf import settings

from essor.core.formats import file_size
from essor.territory.models import Territory

ACCEPTED_EXTENSIONS = (".csv", ".zip")


def _check_upload(upload) -> None:
    if upload.size > settings.MAX_UPLOAD_SIZE:
        raise forms.ValidationError(
            "Le fichier « %(name)s » pèse %(size)s : la taille maximale autorisée est %(limit)s.",
            code="too_large",
            params={
                "name": upload.name,
                "size": file_size(upload.size),
                "limit": file_size(settings.MAX_UPLOAD_SIZE),
            },
        )
    if not upload.name.lower().endswith(ACCEPTED_EXTENSIONS):
        raise forms.ValidationError(
            "Le fichier « %(name)s » n'est pas accepté : déposez un fichier CSV (.csv) ou "
            "l'archive ZIP (.zip) telle que publiée par l'INSEE.",
            code="wrong_type",
            params={"name": upload.name},
        )
    if upload.name.lower().endswith(".zip") and not zipfile.is_zipfile(upload):
        raise forms.ValidationError(
            "Le fichier « %(name)s » porte l'extension .zip mais n'est pas une archive ZIP.",
            code="wrong_type",
            params={"name": upload.name},
        )
    upload.seek(0)


class SireneImportForm(forms.Form):
    etablissements = forms.FileField(
        label="Fichier des établissements (StockEtablissement)",
        help_text="CSV UTF-8 séparé par des virgules, ou l'archive ZIP publiée par l'INSEE.",
        validators=[_check_upload],
    )
    unites_legales = forms.FileField(
        label="Fichier des unités légales (StockUniteLegale)",
        help_text="CSV UTF-8 séparé par des virgules, ou l'archive ZIP publiée par l'INSEE.",
        validators=[_check_upload],
    )
    geolocalisation = forms.FileField(
        label="Fichier de géolocalisation des établissements (facultatif)",
        help_text="CSV séparé par des points-virgules, ou son archive ZIP. "
        "S'il est fourni, ses coordonnées priment sur celles du fichier des établissements.",
        required=False,
        validators=[_check_upload],
    )
    territoire = forms.ModelChoiceField(
        label="Territoire",
        queryset=Territory.objects.exclude(siren__isnull=True).exclude(siren=""),
        to_field_name="siren",
        empty_label=None,
    )
    date = forms.DateField(
        label="Date du stock (facultatif)",
        help_text="Format AAAA-MM-JJ ; par défaut, la date du jour.",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        main = self.fields["territoire"].queryset.filter(is_main=True).first()
        if main is not None:
            self.fields["territoire"].initial = main.siren
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}_aide"

    def full_clean(self):
        super().full_clean()
        # Link each error message to its field for screen readers (ids set in the template).
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                described = [widget.attrs.get("aria-describedby", ""), f"id_{name}_erreurs"]
                widget.attrs["aria-describedby"] = " ".join(filter(None, described))
                widget.attrs["aria-invalid"] = "true"
