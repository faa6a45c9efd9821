import datetime

from django import forms
from django.contrib.auth import get_user_model
from stdnum.fr import siret

from essor.core.forms import DateTimeField
from essor.directory.models import Organisation
from essor.tierslieu.models import OpeningHours, Place, Plan, Profile, Space, SpaceKind


class BookingForm(forms.Form):
    starts_at = DateTimeField(
        label="Début",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = DateTimeField(
        label="Fin",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", "La fin suit le début de la réservation.")
        return cleaned


class OutsiderBookingForm(BookingForm):
    outsider_name = forms.CharField(label="Nom de la personne extérieure", max_length=150)
    outsider_email = forms.EmailField(label="Son courriel", required=False)


class CancelForm(forms.Form):
    waive_fee = forms.BooleanField(label="Renoncer aux frais d'annulation", required=False)


class SolidarityRequestForm(forms.Form):
    profile = forms.ChoiceField(label="Votre situation", choices=Profile.choices)
    proof = forms.FileField(
        label="Justificatif",
        help_text="Attestation France Travail, justificatif de domicile ou fiche de la structure "
        "(PDF ou image, 5 Mo au plus).",
    )

    def clean_proof(self):
        proof = self.cleaned_data["proof"]
        if proof.size > 5 * 1024 * 1024:
            raise forms.ValidationError("Le justificatif dépasse 5 Mo.")
        name = proof.name.lower()
        if not name.endswith((".pdf", ".png", ".jpg", ".jpeg")):
            raise forms.ValidationError("Envoyez un PDF, un PNG ou un JPEG.")
        return proof


class GrantReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Décision",
        choices=[("grant", "Accorder"), ("refuse", "Refuser")],
        widget=forms.RadioSelect,
    )
    valid_until = forms.DateField(
        label="Valable jusqu'au",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(label="Motif du refus", required=False, max_length=255)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "grant" and not cleaned.get("valid_until"):
            self.add_error("valid_until", "Indiquez jusqu'à quand le tarif solidaire vaut.")
        if cleaned.get("decision") == "refuse" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Indiquez le motif du refus.")
        return cleaned


class InvoiceMonthForm(forms.Form):
    member = forms.ModelChoiceField(label="Membre", queryset=None)
    month = forms.DateField(
        label="Mois facturé",
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        input_formats=["%Y-%m"],
        help_text="Le mois des formules et des réservations à facturer.",
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


class CreditNoteForm(forms.Form):
    reason = forms.CharField(label="Motif de l'avoir", max_length=255)


class PaymentForm(forms.Form):
    paid_on = forms.DateField(
        label="Payée le",
        initial=datetime.date.today,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    amount = forms.DecimalField(label="Montant reçu (€)", max_digits=12, decimal_places=2)


class CrecheApplicationForm(forms.Form):
    child_birth_date = forms.DateField(
        label="Date de naissance de l'enfant (ou date prévue)",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    wanted_start = forms.DateField(
        label="Entrée souhaitée", widget=forms.DateInput(attrs={"type": "date"})
    )
    commune = forms.ModelChoiceField(label="Votre commune", queryset=None, required=False)
    criteria = forms.MultipleChoiceField(
        label="Votre situation (critères de la grille)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    parent_looking_for_work = forms.BooleanField(
        label="Un parent est en recherche d'emploi (places AVIP)", required=False
    )
    disability_consent = forms.BooleanField(
        label="J'accepte d'indiquer si mon enfant est en situation de handicap",
        required=False,
        help_text="Facultatif. Seule une réponse oui ou non est enregistrée, aucun détail de santé.",
    )
    disability = forms.TypedChoiceField(
        label="Enfant en situation de handicap",
        choices=[("", "Je ne réponds pas"), ("oui", "Oui"), ("non", "Non")],
        coerce=lambda value: value == "oui",
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, criteria=(), communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria"].choices = [
            (c.key, f"{c.label} ({c.points} points)") for c in criteria
        ]
        self.fields["commune"].queryset = communes


class CriterionForm(forms.Form):
    key = forms.SlugField(label="Code", max_length=40, help_text="Par exemple : monoparentale.")
    label = forms.CharField(label="Critère", max_length=200)
    points = forms.IntegerField(label="Points", min_value=0, max_value=1000)


class CommissionForm(forms.Form):
    held_on = forms.DateField(
        label="Date de la commission", widget=forms.DateInput(attrs={"type": "date"})
    )
    places_babies = forms.IntegerField(label="Places chez les bébés", min_value=0, max_value=50)
    places_middle = forms.IntegerField(label="Places chez les moyens", min_value=0, max_value=50)
    places_older = forms.IntegerField(label="Places chez les grands", min_value=0, max_value=50)
    commission_members = forms.CharField(
        label="Membres de la commission (courriels, un par ligne)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CoffeeForm(forms.Form):
    kind = forms.ChoiceField(
        label="Cafés",
        choices=[("offered", "offerts"), ("served", "servis")],
        widget=forms.RadioSelect,
    )
    quantity = forms.IntegerField(label="Nombre", min_value=1, max_value=500)


class PlaceForm(forms.ModelForm):
    class Meta:
        model = Place
        fields = [
            "name", "address", "presentation", "is_public", "cancellation_hours",
            "late_cancellation_fee_percent", "invoice_prefix", "vat_regime", "vat_rate",
            "payment_days", "late_penalty_rate", "seller_siret", "seller_address",
            "seller_vat_number", "creche_places", "creche_retention_months",
        ]  # fmt: skip
        widgets = {"presentation": forms.Textarea(attrs={"rows": 3})}


class PlaceCreateForm(PlaceForm):
    siren = forms.CharField(
        label="SIREN de la structure gestionnaire",
        max_length=11,
        help_text="La structure de l'annuaire qui gère le lieu (9 chiffres).",
    )
    slug = forms.SlugField(
        label="Identifiant dans l'adresse",
        max_length=80,
        help_text="Par exemple : work-and-co (lettres sans accent, chiffres et tirets).",
    )

    class Meta(PlaceForm.Meta):
        fields = ["siren", "slug", *PlaceForm.Meta.fields]

    def clean_siren(self):
        siren = "".join(self.cleaned_data["siren"].split())
        organisation = Organisation.objects.filter(siren=siren).first()
        if organisation is None:
            raise forms.ValidationError("Aucune structure de l'annuaire n'a ce SIREN.")
        self.organisation = organisation
        return siren


class SpaceForm(forms.ModelForm):
    class Meta:
        model = Space
        fields = [
            "name", "kind", "parent", "capacity", "slot_minutes", "hourly_price",
            "solidarity_hourly_price", "is_bookable", "description",
        ]  # fmt: skip

    def __init__(self, *args, place=None, **kwargs):
        super().__init__(*args, **kwargs)
        spaces = Space.objects.filter(place=place)
        if self.instance.pk:
            spaces = spaces.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = spaces.order_by("name")
        self.fields["parent"].empty_label = "Aucun (espace de premier niveau)"


class OpeningHoursForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label="Jour", choices=OpeningHours._meta.get_field("weekday").choices, coerce=int
    )
    opens_at = forms.TimeField(label="Ouverture", widget=forms.TimeInput(attrs={"type": "time"}))
    closes_at = forms.TimeField(label="Fermeture", widget=forms.TimeInput(attrs={"type": "time"}))


class ClosureForm(forms.Form):
    starts_on = forms.DateField(label="Du", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="Au", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="Motif", max_length=150, required=False)


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = [
            "name", "kind", "price", "solidarity_price", "visits", "included_meeting_minutes",
            "space", "is_active",
        ]  # fmt: skip

    def __init__(self, *args, place=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = Space.objects.filter(
            place=place, kind__in=[SpaceKind.OFFICE, SpaceKind.DESK]
        ).order_by("name")
        self.fields["space"].empty_label = "Aucun"


class MemberForm(forms.Form):
    email = forms.EmailField(
        label="Courriel de son compte Essor",
        help_text="La personne crée d'abord son compte (ou vous l'invitez) ; elle réserve ensuite "
        "en ligne.",
    )
    billing_name = forms.CharField(label="Nom à facturer", max_length=150)
    billing_address = forms.CharField(label="Adresse de facturation", max_length=255)
    billing_siret = forms.CharField(label="SIRET à facturer", max_length=14, required=False)
    joined_on = forms.DateField(
        label="Membre depuis",
        initial=datetime.date.today,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError("Aucun compte Essor n'a ce courriel.")
        self.user = user
        return email

    def clean_billing_siret(self):
        value = "".join(self.cleaned_data["billing_siret"].split())
        if value and not siret.is_valid(value):
            raise forms.ValidationError("Ce SIRET n'est pas valide (14 chiffres, clé de contrôle).")
        return value


class SubscribeForm(forms.Form):
    plan = forms.ModelChoiceField(label="Formule", queryset=None)
    starts_on = forms.DateField(
        label="À partir du",
        initial=datetime.date.today,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, place=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = Plan.objects.filter(place=place, is_active=True)
