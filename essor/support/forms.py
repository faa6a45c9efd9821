"""Forms of the support module: French messages, the same checks as the services and the
database constraints, so people see a friendly message before anything is saved."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from essor.core import workflow
from essor.core.formats import long_date
from essor.core.validators import validate_no_nir
from essor.directory.models import Organisation, Sector
from essor.support import selectors
from essor.support.models import (
    CONTACT_FIELDS,
    SHAREABLE_FIELDS,
    Action,
    ActionKind,
    ConsentScope,
    ProjectHolder,
    Stage,
)
from essor.territory.models import Commune

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NO_NIR = [validate_no_nir]  # every free text about a person


def _guard_free_texts(form, *names):
    for name in names:
        form.fields[name].validators.append(validate_no_nir)


def _not_in_future(value, label: str):
    if value and value > timezone.localdate():
        raise ValidationError(f"{label} ne peut pas être dans le futur ({long_date(value)}).")
    return value


class AdvisorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name or obj.email


class HolderForm(forms.ModelForm):
    sectors = forms.ModelMultipleChoiceField(
        queryset=Sector.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        label="Secteurs du projet",
        error_messages={"required": "Choisissez au moins un secteur."},
    )
    confirm_not_duplicate = forms.BooleanField(
        required=False,
        label="J'ai vérifié : il ne s'agit pas de la même personne, créer la fiche quand même.",
    )

    class Meta:
        model = ProjectHolder
        fields = [
            "kind",
            "name",
            "idea",
            "sectors",
            "commune",
            "in_qpv",
            "heard_via",
            "advisor",
            "first_contact_on",
            "email",
            "phone",
            "consent_on",
            "consent_scope",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "idea": forms.Textarea(attrs={"rows": 4}),
            "first_contact_on": DATE_INPUT,
            "consent_on": DATE_INPUT,
        }
        labels = {"in_qpv": "Le projet ou la personne est en quartier prioritaire (QPV)"}
        help_texts = {
            "email": "Seulement si la personne a consenti à être recontactée.",
            "phone": "Seulement si la personne a consenti à être recontactée.",
        }
        field_classes = {"advisor": AdvisorChoiceField}

    def __init__(self, *args, check_duplicates: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.check_duplicates = check_duplicates
        self.duplicates = []
        _guard_free_texts(self, "name", "idea")
        self.fields["commune"].queryset = Commune.objects.only("name", "insee_code")
        self.fields["advisor"].queryset = selectors.agency_users()
        self.fields["advisor"].empty_label = "Personne pour l'instant"
        self.fields["first_contact_on"].initial = timezone.localdate
        self.fields["heard_via"].choices = [
            ("", "Non renseigné"),
            *self.fields["heard_via"].choices[1:],
        ]
        self.fields["consent_scope"].choices = [("", "—"), *ConsentScope.choices]
        if self.instance.pk:
            del self.fields["confirm_not_duplicate"]
            if self.instance.stage != Stage.IDEA:
                # The date of the first stage is set: later stages depend on it.
                self.fields["first_contact_on"].disabled = True

    def clean_first_contact_on(self):
        return _not_in_future(
            self.cleaned_data.get("first_contact_on"), "La date du premier accueil"
        )

    def clean_consent_on(self):
        return _not_in_future(self.cleaned_data.get("consent_on"), "La date du consentement")

    def clean(self):
        data = super().clean()
        has_contact = bool(data.get("email") or data.get("phone"))
        if has_contact and not data.get("consent_on"):
            self.add_error(
                "consent_on",
                "Un courriel ou un téléphone ne peut être conservé qu'avec le consentement de la "
                "personne : indiquez la date à laquelle il a été recueilli, ou effacez-les.",
            )
        if data.get("consent_on") and not data.get("consent_scope"):
            self.add_error("consent_scope", "Précisez ce que la personne a accepté.")
        if self.check_duplicates and not self.errors:
            self.duplicates = list(
                selectors.possible_duplicates(
                    name=data.get("name", ""),
                    commune=data.get("commune"),
                    email=data.get("email", ""),
                    phone=data.get("phone", ""),
                    exclude_pk=self.instance.pk,
                )[:10]
            )
            if self.duplicates and not data.get("confirm_not_duplicate") and not self.instance.pk:
                raise ValidationError(
                    "Une fiche semblable existe déjà (même nom dans la même commune, même courriel "
                    "ou même téléphone). Ouvrez-la pour la compléter, ou cochez la case de "
                    "confirmation pour créer une nouvelle fiche (vous pourrez fusionner plus tard).",
                    code="duplicate",
                )
        return data


class StageForm(forms.Form):
    to = forms.ChoiceField(label="Nouvelle étape", widget=forms.RadioSelect)
    on = forms.DateField(label="Date", widget=DATE_INPUT, initial=timezone.localdate)
    note = forms.CharField(
        label="Commentaire (facultatif)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=NO_NIR,
    )

    def __init__(self, *args, holder: ProjectHolder, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Creation and abandon have their own forms (the organisation, the reason).
        self.fields["to"].choices = [
            (action.target, Stage(action.target).label)
            for action in workflow.available_actions(holder, user, "stage")
            if action.target in {Stage.EMERGENCE, Stage.STRUCTURING}
        ]
        # Only the next stage is offered; any other stage posted reaches the state machine,
        # which explains why it is refused.
        self.fields["to"].valid_value = lambda value: value in Stage.values

    def clean_on(self):
        return _not_in_future(self.cleaned_data.get("on"), "La date")


class AbandonForm(forms.Form):
    on = forms.DateField(label="Date de l'abandon", widget=DATE_INPUT, initial=timezone.localdate)
    reason = forms.CharField(
        label="Motif de l'abandon",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez le motif de l'abandon."},
        validators=NO_NIR,
    )

    def clean_on(self):
        return _not_in_future(self.cleaned_data.get("on"), "La date de l'abandon")


class CreationForm(forms.Form):
    CHOICES = [
        ("existing", "La structure est déjà dans l'annuaire"),
        ("new", "Créer sa fiche dans l'annuaire"),
    ]
    on = forms.DateField(label="Date de création", widget=DATE_INPUT, initial=timezone.localdate)
    mode = forms.ChoiceField(
        label="Structure créée", choices=CHOICES, widget=forms.RadioSelect, initial="existing"
    )
    organisation = forms.CharField(
        label="SIREN, numéro RNA ou dénomination exacte de la structure",
        required=False,
        help_text="Par exemple : 912345678, W595001234 ou « Ressourcerie du Port ».",
    )
    name = forms.CharField(
        label="Dénomination de la nouvelle structure", required=False, validators=NO_NIR
    )
    legal_category = forms.ChoiceField(
        label="Forme juridique",
        required=False,
        choices=[
            ("", "Non connue"),
            ("9220", "Association déclarée"),
            ("5458", "SCOP (SARL)"),
            ("5710", "SAS (dont SCIC, entreprise de l'ESS)"),
            ("5460", "Autre coopérative (SARL)"),
        ],
    )
    note = forms.CharField(
        label="Commentaire (facultatif)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=NO_NIR,
    )

    def clean_on(self):
        return _not_in_future(self.cleaned_data.get("on"), "La date de création")

    def clean(self):
        data = super().clean()
        if data.get("mode") == "existing":
            text = (data.get("organisation") or "").strip()
            if not text:
                self.add_error(
                    "organisation",
                    "Une création se rattache à la structure créée : indiquez-la, ou choisissez "
                    "de créer sa fiche.",
                )
                return data
            compact = text.replace(" ", "")
            found = Organisation.objects.filter(merged_into__isnull=True).filter(
                **(
                    {"siren": compact}
                    if compact.isdigit()
                    else {"rna": compact.upper()}
                    if compact.upper().startswith("W")
                    and len(compact) == 10
                    and compact[1:].isalnum()
                    else {"name__iexact": text}
                )
            )
            matches = list(found[:2])
            if not matches:
                self.add_error(
                    "organisation",
                    f"Aucune structure de l'annuaire ne correspond à « {text} ». Vérifiez le "
                    "SIREN ou le nom, ou choisissez de créer sa fiche.",
                )
            elif len(matches) > 1:
                self.add_error(
                    "organisation",
                    f"Plusieurs structures s'appellent « {text} » : indiquez leur SIREN.",
                )
            else:
                data["organisation_obj"] = matches[0]
        elif data.get("mode") == "new" and not (data.get("name") or "").strip():
            self.add_error("name", "Indiquez la dénomination de la nouvelle structure.")
        return data


class ActionForm(forms.ModelForm):
    shared_fields = forms.MultipleChoiceField(
        label="Informations que la personne accepte de transmettre au partenaire",
        choices=list(SHAREABLE_FIELDS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Seules les informations cochées figurent sur la fiche d'orientation.",
    )

    class Meta:
        model = Action
        fields = [
            "date",
            "kind",
            "notes",
            "partner_kind",
            "partner_name",
            "shared_fields",
            "next_step",
            "reminder_on",
        ]
        widgets = {
            "date": DATE_INPUT,
            "reminder_on": DATE_INPUT,
            "notes": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {"partner_kind": "Partenaire (pour une orientation)"}

    def __init__(self, *args, holder: ProjectHolder, **kwargs):
        super().__init__(*args, **kwargs)
        self.holder = holder
        _guard_free_texts(self, "notes", "next_step", "partner_name")
        self.fields["date"].initial = timezone.localdate
        self.fields["partner_kind"].choices = [("", "—"), *self.fields["partner_kind"].choices[1:]]
        if holder.consent_scope != ConsentScope.PARTNERS:
            self.fields["shared_fields"].choices = [
                (key, label) for key, label in SHAREABLE_FIELDS.items() if key not in CONTACT_FIELDS
            ]
            self.fields[
                "shared_fields"
            ].help_text += " La personne n'a pas consenti à la transmission de ses coordonnées."

    def clean_date(self):
        value = _not_in_future(self.cleaned_data.get("date"), "La date de l'action")
        if value and value < self.holder.first_contact_on:
            raise ValidationError(
                "L'action ne peut précéder le premier accueil "
                f"({long_date(self.holder.first_contact_on)})."
            )
        return value

    def clean(self):
        data = super().clean()
        if data.get("reminder_on"):
            if not (data.get("next_step") or "").strip():
                self.add_error(
                    "next_step", "Décrivez la prochaine étape sur laquelle porte la relance."
                )
            if data.get("date") and data["reminder_on"] < data["date"]:
                self.add_error("reminder_on", "La relance ne peut précéder l'action.")
        if data.get("kind") == ActionKind.REFERRAL and not data.get("partner_kind"):
            self.add_error("partner_kind", "Choisissez le partenaire de l'orientation.")
        return data

    def _post_clean(self):
        """No instance validation in the form: the service checks the model's constraints (and
        the form's own checks above give the friendly messages)."""


class MergeForm(forms.Form):
    other = forms.ModelChoiceField(
        label="Fiche en double",
        queryset=ProjectHolder.objects.none(),
        empty_label="Choisissez la fiche",
    )
    keep = forms.ChoiceField(
        label="Fiche à conserver",
        choices=[("this", "Cette fiche"), ("other", "L'autre fiche")],
        widget=forms.RadioSelect,
        initial="this",
    )
    reason = forms.CharField(
        label="Motif de la fusion",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez le motif de la fusion."},
        validators=NO_NIR,
    )

    def __init__(self, *args, holder: ProjectHolder, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = candidates
        self.fields["other"].label_from_instance = lambda h: (
            f"{h.name} — {h.commune.name} (n° {h.pk}, accueil le {long_date(h.first_contact_on)})"
        )


class CaseloadForm(forms.Form):
    advisor = AdvisorChoiceField(
        label="Chargé de mission", queryset=selectors.agency_users(), required=False
    )


def today() -> datetime.date:
    return timezone.localdate()


class EraseForm(forms.Form):
    reason = forms.CharField(
        label="Motif de l'effacement",
        help_text=(
            "Par exemple : demande de la personne du 3 mars, ou fin de la durée de conservation. "
            "Ce motif reste au journal : n'y écrivez ni le nom ni aucune donnée de la personne."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez le motif de l'effacement."},
        validators=NO_NIR,
    )
