"""Forms of the directory's self-service and back-office (French messages, checks before saving)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format

from essor.core import audit
from essor.core.validators import compact, validate_rna, validate_siren, validate_siret
from essor.directory.ess import legal_category_labels
from essor.directory.models import Organisation, OrganisationClaim, Sector
from essor.directory.selectors_backoffice import find_organisation
from essor.directory.services import PUBLIC_PROFILE_FIELDS, STAFF_FIELDS
from essor.territory.models import Commune
from essor.territory.selectors import resolve_commune

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WebsiteField(forms.URLField):
    """A site typed without its scheme is taken as https."""

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class ClaimForm(forms.ModelForm):
    class Meta:
        model = OrganisationClaim
        fields = ["position", "message"]
        labels = {
            "position": "Votre fonction dans la structure",
            "message": "Message à l'agence (facultatif)",
        }
        help_texts = {
            "position": "Par exemple : présidente, directeur, salariée chargée de communication.",
            "message": "Tout élément qui aide l'agence à vérifier votre lien avec la structure.",
        }
        widgets = {"message": forms.Textarea(attrs={"rows": 4})}


class SectorChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Sector.objects.all(),
            to_field_name="slug",
            required=False,
            label="Secteurs d'activité",
            **kwargs,
        )


def rna_field():
    # Longer than the stored 10 characters: spaces typed by people are removed in clean_rna.
    return forms.CharField(
        label="Numéro RNA",
        required=False,
        max_length=20,
        validators=[validate_rna],
        help_text="Pour une association : W suivi de 9 caractères, par exemple W595001234.",
    )


class OrganisationFieldsMixin:
    """Checks shared by the profile form and the agency's form."""

    def _unique_identifier(self, field: str, message: str) -> str | None:
        """The compacted identifier, None when empty; `message` (with {value} and {name}) when
        another organisation already holds it."""
        value = compact(self.cleaned_data.get(field) or "")
        if not value:
            return None
        clash = Organisation.objects.filter(**{field: value}).exclude(pk=self.instance.pk).first()
        if clash:
            raise ValidationError(message.format(value=value, name=clash.name))
        return value

    def clean_rna(self):
        return self._unique_identifier(
            "rna", "Le numéro RNA {value} est déjà celui de la structure « {name} »."
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("esus_start"), cleaned.get("esus_end")
        if start and end and end <= start:
            self.add_error(
                "esus_end",
                "La fin de l'agrément ESUS doit être postérieure à son début "
                f"(le {date_format(start, 'j F Y')}).",
            )
        if end and not start:
            self.add_error("esus_start", "Indiquez la date de début de l'agrément ESUS.")
        return cleaned


class ProfileForm(OrganisationFieldsMixin, forms.ModelForm):
    """The public profile, edited by the structure's admins (validated by the agency) or the agency."""

    sectors = SectorChoiceField()
    rna = rna_field()

    class Meta:
        model = Organisation
        fields = PUBLIC_PROFILE_FIELDS
        field_classes = {"website": WebsiteField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "esus_start": DATE_INPUT,
            "esus_end": DATE_INPUT,
        }
        help_texts = {
            "phone": "Par exemple : 03 28 00 00 00.",
            "has_ess_statutes": "Pour une société commerciale dont les statuts respectent "
            "l'article 1 de la loi du 31 juillet 2014.",
        }


class StaffOrganisationForm(OrganisationFieldsMixin, forms.ModelForm):
    """Every field the agency maintains, identity included."""

    sectors = SectorChoiceField()
    rna = rna_field()
    siren = forms.CharField(
        label="SIREN",
        required=False,
        max_length=15,
        validators=[validate_siren],
        help_text="9 chiffres. Laissez vide pour une structure sans SIREN.",
    )
    legal_category = forms.ChoiceField(label="Catégorie juridique (INSEE)", required=False)

    class Meta:
        model = Organisation
        fields = STAFF_FIELDS
        field_classes = {"website": WebsiteField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "esus_start": DATE_INPUT,
            "esus_end": DATE_INPUT,
            "creation_date": DATE_INPUT,
        }
        help_texts = {
            "naf_code": "Par exemple : 88.99B.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_category"].choices = [("", "— Non renseignée —")] + [
            (code, f"{code} — {label}") for code, label in sorted(legal_category_labels().items())
        ]

    def clean_siren(self):
        return self._unique_identifier(
            "siren",
            "Une structure porte déjà le SIREN {value} : « {name} ». "
            "Ouvrez sa fiche plutôt que d'en créer une seconde.",
        )


class HeadOfficeForm(forms.Form):
    """The optional head office entered with a new organisation."""

    siret = forms.CharField(
        label="SIRET du siège",
        required=False,
        max_length=20,
        help_text="14 chiffres ; les 9 premiers sont le SIREN de la structure.",
        validators=[validate_siret],
    )
    address = forms.CharField(label="Adresse", required=False, max_length=255)
    postal_code = forms.CharField(label="Code postal", required=False, max_length=5)
    commune = forms.CharField(
        label="Commune",
        required=False,
        max_length=150,
        help_text="Nom de la commune ou code INSEE (par exemple Dunkerque ou 59183).",
        widget=forms.TextInput(attrs={"list": "communes"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="siege", **kwargs)

    def clean_siret(self):
        return compact(self.cleaned_data.get("siret") or "") or None

    def clean_commune(self):
        value = (self.cleaned_data.get("commune") or "").strip()
        if not value:
            return None
        commune = resolve_commune(value) if value[:2].isdigit() else None
        if commune is None:
            matches = list(Commune.objects.filter(name__iexact=value)[:2])
            commune = matches[0] if len(matches) == 1 else None
        if commune is None:
            raise ValidationError(
                f"Commune inconnue : « {value} ». Choisissez une commune de la liste "
                "ou saisissez son code INSEE (le code postal ne convient pas)."
            )
        return commune

    def has_head_office(self) -> bool:
        return any(self.cleaned_data.get(f) for f in ("siret", "address", "commune"))

    def check_siret_matches(self, siren: str | None) -> None:
        siret = self.cleaned_data.get("siret")
        if siret and siren and not siret.startswith(siren):
            self.add_error("siret", f"Ce SIRET n'appartient pas au SIREN {siren}.")
        if siret and Organisation.objects.filter(establishments__siret=siret).exists():
            self.add_error("siret", f"Un établissement porte déjà le SIRET {siret}.")
        if self.has_head_office() and not self.cleaned_data.get("commune"):
            self.add_error("commune", "Indiquez la commune du siège.")

    def establishment_values(self) -> dict:
        return {
            "siret": self.cleaned_data["siret"],
            "address": self.cleaned_data["address"],
            "postal_code": self.cleaned_data["postal_code"],
            "commune": self.cleaned_data["commune"],
        }


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Décision",
        choices=[("approve", "Valider"), ("reject", "Refuser")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Commentaire",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire en cas de refus : il est communiqué à la structure.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", "Indiquez le motif du refus.")
        return cleaned


class MergeForm(forms.Form):
    other = forms.CharField(
        label="L'autre structure (SIREN ou numéro interne)",
        max_length=20,
        help_text="Le numéro interne figure dans l'adresse de la fiche de gestion.",
    )
    keep = forms.ChoiceField(
        label="Structure à conserver",
        choices=[("this", "Cette structure"), ("other", "L'autre structure")],
        widget=forms.RadioSelect,
        initial="this",
    )
    reason = forms.CharField(
        label="Motif de la fusion", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    confirm = forms.BooleanField(
        label="Je confirme la fusion : l'autre fiche ne sera plus publiée.", required=True
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_other(self):
        other = find_organisation(self.cleaned_data["other"])
        if other is None:
            raise ValidationError(
                f"Aucune structure ne porte le SIREN ou le numéro « {self.cleaned_data['other']} »."
            )
        if other.pk == self.organisation.pk:
            raise ValidationError("Choisissez une autre structure que celle-ci.")
        if other.merged_into_id:
            raise ValidationError(
                f"« {other.name} » a déjà été fusionnée dans une autre structure."
            )
        return other


class AuditFilterForm(forms.Form):
    organisation = forms.IntegerField(label="Structure (numéro interne)", required=False)
    action = forms.ChoiceField(label="Action", required=False)
    actor = forms.CharField(label="Personne (nom ou courriel)", required=False, max_length=150)

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        labelled = sorted((audit.action_label(code), code) for code in actions)
        self.fields["action"].choices = [("", "Toutes")] + [(c, label) for label, c in labelled]

    def clean_organisation(self):
        pk = self.cleaned_data.get("organisation")
        if pk is None:
            return None
        organisation = Organisation.objects.filter(pk=pk).first()
        if organisation is None:
            raise ValidationError(f"Aucune structure ne porte le numéro {pk}.")
        return organisation
