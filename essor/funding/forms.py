"""Forms of the funding module: thin, the rules live in services (their French errors are shown
beside the fields)."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from essor.core.formats import euros, file_size
from essor.core.forms import ModelMultipleChoiceField
from essor.directory.models import Organisation, Sector
from essor.funding import budget, services
from essor.funding.models import Application, Attachment, FunderProfile, Payment, Programme
from essor.territory.models import Commune

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def field_name(code: str) -> str:
    return "compte_" + code.replace("-", "_")


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = services.EDITABLE_FIELDS
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "summary": forms.Textarea(attrs={"rows": 5}),
            "objectives": forms.Textarea(attrs={"rows": 3}),
            "beneficiaries": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "siret": "14 chiffres, sans espace. Il identifie le bénéficiaire dans les données "
            "publiées.",
            "rna": "Pour une association : W suivi de 9 caractères.",
            "year": "L'année de l'action financée (l'enveloppe de cette année est sollicitée).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].queryset = Sector.objects.order_by("position", "name")
        self.fields["commune"].queryset = Commune.objects.order_by("name")
        self.fields["year"].initial = self.fields["year"].initial or timezone.localdate().year

    def clean_year(self):
        year = self.cleaned_data["year"]
        current = timezone.localdate().year
        if not current - 1 <= year <= current + 2:
            raise ValidationError(f"Indiquez une année entre {current - 1} et {current + 2}.")
        return year

    def clean_siret(self):
        return self.cleaned_data["siret"].replace(" ", "")

    def clean_rna(self):
        return self.cleaned_data["rna"].replace(" ", "").upper()


class BudgetForm(forms.Form):
    """The Cerfa 12156 grid: one field per account (whole euros)."""

    def __init__(self, *args, amounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        amounts = amounts or {}
        for account in budget.ACCOUNTS:
            value = amounts.get(account.code)
            self.fields[field_name(account.code)] = forms.CharField(
                label=account.label,
                required=False,
                initial=f"{value:.0f}" if value else "",
                widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "amount"}),
            )

    def clean(self):
        cleaned = super().clean()
        for account in budget.ACCOUNTS:
            name = field_name(account.code)
            try:
                cleaned[name] = services.whole_euros(cleaned.get(name), label=account.label)
            except ValidationError as error:
                self.add_error(name, error)
        return cleaned

    def service_error_field(self, code: str) -> str:
        """The services name the accounts by their code (see core.forms.run_service)."""
        return field_name(code)

    def amounts(self) -> dict:
        return {
            account.code: self.cleaned_data[field_name(account.code)] for account in budget.ACCOUNTS
        }

    def bound_side(self, side):
        return [
            self[field_name(account.code)] for account in budget.ACCOUNTS if account.side == side
        ]


class ShareRequestForm(forms.Form):
    programme = forms.ModelChoiceField(queryset=Programme.objects.none(), label="Dispositif")
    amount = forms.CharField(
        label="Montant demandé (en euros entiers)",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, programmes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if programmes is not None:
            self.fields["programme"].queryset = programmes
        self.fields["programme"].label_from_instance = lambda p: f"{p.funder} — {p.name}"


class ShareAmountForm(forms.Form):
    """The amount asked of a programme already in the application (one form per line)."""

    amount = forms.CharField(
        label="Montant demandé (en euros entiers)",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


class ShareRemoveForm(forms.Form):
    """Taking a programme out of the application: a button; the form carries the refusal."""


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label="Type de pièce", choices=Attachment.Kind.choices)
    file = forms.FileField(label="Fichier")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        formats = ", ".join(sorted(services.allowed_extensions()))
        limit = file_size(services.max_attachment_bytes())
        self.fields["file"].help_text = f"Formats acceptés : {formats}. Taille maximale : {limit}."


class SubmitForm(forms.Form):
    declarant_name = forms.CharField(
        label="Nom et qualité du signataire (représentant légal ou mandataire)", max_length=150
    )
    certify = forms.BooleanField(
        label="Je certifie exactes les informations du présent dossier, notamment la mention de "
        "l'ensemble des demandes de subventions introduites auprès d'autres financeurs publics.",
        error_messages={"required": "Cochez l'attestation sur l'honneur pour déposer le dossier."},
    )
    obligations = forms.BooleanField(
        label="J'atteste que la structure est à jour de ses obligations administratives, "
        "comptables, sociales et fiscales.",
        error_messages={"required": "Cochez l'attestation sur l'honneur pour déposer le dossier."},
    )


class DecisionForm(forms.Form):
    """The instruction of a share: the actions its reader may take now (the transitions the
    workflow engine offers them), an amount for an acceptance, a motivation."""

    action = forms.ChoiceField(label="Action")
    amount = forms.CharField(
        label="Montant accordé (en euros entiers, pour une acceptation)",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    motivation = forms.CharField(
        label="Motivation (obligatoire pour une décision, un renvoi ou une réouverture)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(action.name, action.label) for action in actions]
        self.labels = {action.name: action.label for action in actions}


class TextForm(forms.Form):
    body = forms.CharField(label="Texte", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, label="Texte", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].label = label


class PaymentForm(forms.Form):
    status = forms.ChoiceField(
        label="Nouvel état",
        choices=[(Payment.Status.PAID, "Versé"), (Payment.Status.CANCELLED, "Annulé")],
    )
    paid_on = forms.DateField(label="Date du versement", required=False, widget=DATE)


class ReportForm(forms.Form):
    review = forms.CharField(
        label="Bilan qualitatif de l'action (objectifs atteints, publics, écarts expliqués)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, actuals=None, **kwargs):
        super().__init__(*args, **kwargs)
        actuals = actuals or {}
        for account in budget.ACCOUNTS:
            value = actuals.get(account.code)
            self.fields[field_name(account.code)] = forms.CharField(
                label=f"{account.label} — réalisé",
                required=False,
                initial=f"{value:.0f}" if value else "",
                widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "amount"}),
            )

    def service_error_field(self, code: str) -> str:
        """The services name the accounts by their code (see core.forms.run_service)."""
        return field_name(code)

    def actuals(self) -> dict:
        return {
            account.code: self.cleaned_data.get(field_name(account.code))
            for account in budget.ACCOUNTS
        }


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Avis",
        choices=[("accept", "Accepter le compte-rendu"), ("return", "Demander un complément")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Commentaire (obligatoire pour un complément)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ProgrammeForm(forms.ModelForm):
    eligible_families = forms.MultipleChoiceField(
        label="Familles de l'ESS éligibles (aucune : toutes)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Programme
        fields = [
            "funder",
            "name",
            "summary",
            "description",
            "eligible_families",
            "sectors",
            "communes",
            "opens_on",
            "closes_on",
            "ceiling",
            "instructors",
            "payment_mode",
            "advance_percent",
            "de_minimis",
            "aid_scheme_id",
            "is_published",
        ]
        widgets = {
            "opens_on": DATE,
            "closes_on": DATE,
            "sectors": forms.CheckboxSelectMultiple,
            "communes": forms.CheckboxSelectMultiple,
            "instructors": forms.CheckboxSelectMultiple,
        }
        field_classes = dict.fromkeys(
            ["sectors", "communes", "instructors"], ModelMultipleChoiceField
        )

    def __init__(self, *args, funders=None, instructors=None, **kwargs):
        super().__init__(*args, **kwargs)
        from essor.directory.models import EssFamily

        self.fields["eligible_families"].choices = EssFamily.choices
        self.fields["funder"].queryset = funders
        self.fields["instructors"].queryset = instructors
        self.fields["instructors"].label_from_instance = lambda u: f"{u} ({u.email})"
        self.fields["communes"].queryset = Commune.objects.order_by("name")


class EnvelopeForm(forms.Form):
    year = forms.IntegerField(label="Année", min_value=2000, max_value=2100)
    amount = forms.CharField(
        label="Montant de l'enveloppe (euros entiers)",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


class SessionForm(forms.Form):
    funder = forms.ModelChoiceField(queryset=None, label="Financeur")
    title = forms.CharField(label="Intitulé de la séance", max_length=200)
    date = forms.DateField(label="Date", widget=DATE)

    def __init__(self, *args, funders=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = funders


class AgendaForm(forms.Form):
    share = forms.ModelChoiceField(queryset=None, label="Dossier à inscrire")

    def __init__(self, *args, shares=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["share"].queryset = shares
        self.fields["share"].label_from_instance = lambda s: (
            f"{s.application.reference} — {s.application.organisation} — {s.programme} "
            f"({euros(s.amount_requested, 0)})"
        )


class DashboardForm(forms.Form):
    year = forms.TypedChoiceField(label="Année financée", required=False, coerce=int)
    dimension = forms.ChoiceField(
        label="Regrouper par",
        required=False,
        choices=[
            ("programme", "Dispositif"),
            ("funder", "Financeur"),
            ("sector", "Secteur"),
            ("commune", "Commune"),
            ("year", "Année"),
        ],
    )

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "Toutes")] + [(y, str(y)) for y in years]


def parse_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


class FunderForm(forms.ModelForm):
    class Meta:
        model = FunderProfile
        fields = ["organisation", "siret", "agency_front_office"]
        help_texts = {
            "siret": "Le SIRET publié comme « idAttribuant » dans les données ouvertes.",
            "organisation": "La collectivité ou l'organisme public, tel qu'il figure à l'annuaire.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(is_ess=False, is_agency=False).order_by("name")
        if self.instance.pk:
            organisations = Organisation.objects.filter(pk=self.instance.organisation_id)
        else:
            organisations = organisations.filter(funder_profile__isnull=True)
        self.fields["organisation"].queryset = organisations

    def clean_siret(self):
        return self.cleaned_data["siret"].replace(" ", "")
