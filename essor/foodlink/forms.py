"""Forms of the foodlink module (they check what the services and constraints check too)."""

import datetime
from decimal import Decimal

from django import forms
from django.forms import formset_factory
from django.utils import timezone

from essor.core.amounts import EuroField
from essor.core.formats import file_size, local_date, quantity
from essor.directory.models import Organisation
from essor.foodlink.models import (
    CERTIFICATION_CODES,
    EGALIM_CHARACTERISTICS,
    MONTHS,
    WEEKDAYS,
    BuyerProfile,
    Characteristic,
    Consultation,
    Family,
    Offer,
    ProducerProfile,
    Purchase,
)
from essor.territory.models import Commune

PURCHASES_FILE_MAX_BYTES = 20 * 1024 * 1024
CERTIFICATION_CHOICES = [(code, Characteristic(code).label) for code in CERTIFICATION_CODES]
EGALIM_CHOICES = [(code, Characteristic(code).label) for code in EGALIM_CHARACTERISTICS]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ProducerProfileForm(forms.Form):
    commune = forms.ModelChoiceField(
        label="Commune de l'exploitation",
        queryset=Commune.objects.filter(latitude__isnull=False).order_by("name"),
        to_field_name="insee_code",
        help_text="La distance de livraison se calcule depuis cette commune.",
    )
    address = forms.CharField(label="Adresse", max_length=255, required=False)
    presentation = forms.CharField(label="Présentation", widget=forms.Textarea, required=False)
    delivery_radius_km = forms.IntegerField(
        label="Rayon de livraison (km)", min_value=1, max_value=200
    )
    delivery_days = forms.TypedMultipleChoiceField(
        label="Jours de livraison",
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    minimum_order = EuroField(
        label="Commande minimale (€ HT)",
        min_value=Decimal("0"),
        max_digits=ProducerProfile._meta.get_field("minimum_order").max_digits,
        help_text="Arrondie au centime.",
    )
    contact_name = forms.CharField(label="Nom du contact", max_length=150, required=False)
    contact_email = forms.EmailField(label="Courriel du contact", required=False)
    contact_phone = forms.CharField(label="Téléphone du contact", max_length=30, required=False)


class ProductForm(forms.Form):
    family = forms.ChoiceField(label="Famille", choices=[("", "—"), *Family.choices])
    name = forms.CharField(label="Produit", max_length=150)
    months = forms.TypedMultipleChoiceField(
        label="Mois de disponibilité",
        choices=MONTHS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Indiquez au moins un mois de disponibilité."},
    )


class CertificationForm(forms.Form):
    code = forms.ChoiceField(label="Certification", choices=[("", "—"), *CERTIFICATION_CHOICES])
    expires_on = forms.DateField(label="Valable jusqu'au", widget=DateInput())
    certifier = forms.CharField(label="Organisme certificateur", max_length=150, required=False)

    def clean_expires_on(self):
        value = self.cleaned_data["expires_on"]
        if value < timezone.localdate():
            raise forms.ValidationError(
                "Cette certification a expiré : une certification expirée ne peut pas être déclarée."
            )
        return value


ProductFormSet = formset_factory(ProductForm, extra=2, can_delete=True)
CertificationFormSet = formset_factory(CertificationForm, extra=1, can_delete=True)


def _kept(formset) -> list[dict]:
    return [
        form.cleaned_data
        for form in formset.forms
        if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


def producer_data(profile_form, products, certifications) -> dict:
    profile = dict(profile_form.cleaned_data)
    profile["minimum_order"] = str(profile["minimum_order"])
    profile["commune"] = profile["commune"].insee_code
    return {
        "profile": profile,
        "products": [
            {"family": item["family"], "name": item["name"], "months": item["months"]}
            for item in _kept(products)
        ],
        "certifications": [
            {
                "code": item["code"],
                "expires_on": item["expires_on"].isoformat(),
                "certifier": item.get("certifier", ""),
            }
            for item in _kept(certifications)
        ],
    }


def producer_initial(producer, data: dict | None = None) -> tuple[dict, list, list]:
    """Initial values of the three forms: a pending revision, else the validated profile."""
    if data:
        return data.get("profile", {}), data.get("products", []), data.get("certifications", [])
    profile = {
        "commune": producer.commune.insee_code,
        **{
            field: getattr(producer, field)
            for field in (
                "address",
                "presentation",
                "delivery_radius_km",
                "delivery_days",
                "minimum_order",
                "contact_name",
                "contact_email",
                "contact_phone",
            )
        },
    }
    products = [
        {"family": p.family, "name": p.name, "months": p.months} for p in producer.products.all()
    ]
    certifications = [
        {"code": c.code, "expires_on": c.expires_on, "certifier": c.certifier}
        for c in producer.certifications.all()
    ]
    return profile, products, certifications


class OrganisationBySirenField(forms.CharField):
    def clean(self, value):
        value = super().clean(value).replace(" ", "")
        organisation = Organisation.objects.filter(siren=value).first()
        if organisation is None:
            raise forms.ValidationError(f"Aucune structure de l'annuaire n'a le SIREN « {value} ».")
        return organisation


class CommuneChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=Commune.objects.filter(latitude__isnull=False).order_by("name"),
            label="Commune",
            **kwargs,
        )

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.insee_code})"


class ProducerCreateForm(forms.Form):
    organisation = OrganisationBySirenField(
        label="SIREN de la structure", help_text="La structure doit figurer dans l'annuaire."
    )
    commune = CommuneChoiceField()
    delivery_radius_km = forms.IntegerField(
        label="Rayon de livraison (km)", min_value=1, max_value=200, initial=30
    )

    def clean_organisation(self):
        organisation = self.cleaned_data["organisation"]
        if hasattr(organisation, "producer_profile"):
            raise forms.ValidationError("Cette structure est déjà enregistrée comme producteur.")
        return organisation


class BuyerCreateForm(forms.ModelForm):
    organisation = OrganisationBySirenField(label="SIREN de la structure")
    commune = CommuneChoiceField()

    class Meta:
        model = BuyerProfile
        fields = [
            "name",
            "siret",
            "sector",
            "meals_per_day",
            "management_mode",
            "delivery_address",
            "commune",
        ]

    def clean_organisation(self):
        organisation = self.cleaned_data["organisation"]
        if hasattr(organisation, "buyer_profile"):
            raise forms.ValidationError("Cette structure a déjà une cantine enregistrée.")
        return organisation

    def clean(self):
        data = super().clean()
        organisation, siret = data.get("organisation"), data.get("siret")
        if (
            organisation
            and siret
            and organisation.siren
            and not siret.startswith(organisation.siren)
        ):
            self.add_error("siret", "Le SIRET doit commencer par le SIREN de la structure.")
        return data


class ConsultationForm(forms.ModelForm):
    required_characteristics = forms.MultipleChoiceField(
        label="Caractéristiques exigées",
        choices=Characteristic.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Consultation
        fields = [
            "title",
            "family",
            "product",
            "quantity",
            "unit",
            "delivery_start",
            "delivery_end",
            "delivery_address",
            "required_characteristics",
            "max_distance_km",
            "deadline",
            "comment",
        ]
        widgets = {
            "delivery_start": DateInput(),
            "delivery_end": DateInput(),
            "deadline": DateTimeInput(),
        }
        help_texts = {
            "max_distance_km": "Entre 5 et 100 km autour du lieu de livraison.",
            "delivery_address": "Par défaut, l'adresse de livraison de la cantine.",
        }

    def __init__(self, *args, buyers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer"] = forms.ModelChoiceField(
            label="Cantine", queryset=buyers, empty_label=None
        )
        self.order_fields(["buyer"])
        self.fields["delivery_address"].required = False
        self.fields["max_distance_km"].min_value = 5
        self.fields["max_distance_km"].max_value = 100
        self.fields["max_distance_km"].widget.attrs.update(min=5, max=100)
        self.fields["quantity"].min_value = Decimal("0.001")

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        start, end, deadline = (
            data.get("delivery_start"),
            data.get("delivery_end"),
            data.get("deadline"),
        )
        if start and start < today:
            self.add_error(
                "delivery_start", "La période de livraison ne peut pas commencer dans le passé."
            )
        if start and end and end < start:
            self.add_error(
                "delivery_end", "La fin de la période de livraison doit suivre son début."
            )
        if deadline and deadline <= timezone.now():
            self.add_error("deadline", "La date limite de réponse doit être dans le futur.")
        if deadline and end and local_date(deadline) > end:
            self.add_error(
                "deadline", "La date limite de réponse doit précéder la fin de la livraison."
            )
        return data


class OfferForm(forms.Form):
    unit_price = EuroField(
        label="Prix unitaire HT (€)",
        max_digits=Offer._meta.get_field("unit_price").max_digits,
        help_text="Arrondi au centime.",
    )
    quantity = forms.DecimalField(label="Quantité proposée", max_digits=12, decimal_places=3)
    characteristics = forms.MultipleChoiceField(
        label="Caractéristiques du produit",
        choices=Characteristic.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    comment = forms.CharField(label="Commentaire", widget=forms.Textarea, required=False)

    def __init__(self, *args, consultation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.consultation = consultation
        self.fields[
            "quantity"
        ].help_text = (
            f"Au plus {quantity(consultation.quantity)} {consultation.get_unit_display()}."
        )

    def clean_unit_price(self):
        value = self.cleaned_data["unit_price"]
        if value <= 0:
            raise forms.ValidationError(
                "Le prix unitaire HT doit être strictement positif (au moins 0,01 € une fois "
                "arrondi au centime)."
            )
        return value

    def clean_quantity(self):
        value = self.cleaned_data["quantity"]
        if value <= 0:
            raise forms.ValidationError("La quantité proposée doit être strictement positive.")
        if value > self.consultation.quantity:
            raise forms.ValidationError(
                "La quantité proposée dépasse la quantité demandée "
                f"({quantity(self.consultation.quantity)} {self.consultation.get_unit_display()})."
            )
        return value


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Motif", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class DeliveryForm(forms.Form):
    delivered_on = forms.DateField(label="Date de livraison", widget=DateInput())

    def clean_delivered_on(self):
        value = self.cleaned_data["delivered_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("La date de livraison ne peut pas être dans le futur.")
        return value


class PurchaseForm(forms.ModelForm):
    price_ht = EuroField(
        label="Prix HT (€)",
        max_digits=Purchase._meta.get_field("price_ht").max_digits,
        help_text="Arrondi au centime.",
    )
    characteristics = forms.MultipleChoiceField(
        label="Catégories EGalim",
        choices=EGALIM_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Purchase
        fields = [
            "description",
            "supplier",
            "date",
            "price_ht",
            "family",
            "characteristics",
            "origin",
            "is_short_chain",
            "is_local",
            "local_definition",
            "local_definition_km",
        ]
        widgets = {"date": DateInput()}

    def __init__(self, *args, buyers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer"] = forms.ModelChoiceField(
            label="Cantine", queryset=buyers, empty_label=None
        )
        self.order_fields(["buyer"])

    def clean_price_ht(self):
        value = self.cleaned_data["price_ht"]
        if value <= 0:
            raise forms.ValidationError(
                "Le prix HT doit être strictement positif (au moins 0,01 € une fois arrondi au "
                "centime)."
            )
        return value

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > timezone.localdate() + datetime.timedelta(days=1):
            raise forms.ValidationError("Un achat ne peut pas être daté dans le futur.")
        return value

    def _post_clean(self):
        """No instance validation in the form: the service builds and validates the purchase
        (EGalim group, source, author)."""


class PurchaseImportForm(forms.Form):
    file = forms.FileField(
        label="Fichier CSV des achats",
        help_text="Format national ma-cantine (colonnes siret, description, fournisseur, date, "
        "prix_ht, famille_produits…), encodé en UTF-8.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > PURCHASES_FILE_MAX_BYTES:
            raise forms.ValidationError(
                f"Le fichier dépasse {file_size(PURCHASES_FILE_MAX_BYTES)}."
            )
        return upload


class GuideFilterForm(forms.Form):
    q = forms.CharField(label="Produit ou producteur", required=False, max_length=100)
    family = forms.ChoiceField(
        label="Famille de produits", choices=[("", "Toutes"), *Family.choices], required=False
    )
    commune = forms.ChoiceField(label="Commune", required=False)
    certification = forms.ChoiceField(
        label="Certification", choices=[("", "Toutes"), *CERTIFICATION_CHOICES], required=False
    )
    month = forms.TypedChoiceField(
        label="Disponible en",
        choices=[("", "Toute l'année"), *MONTHS],
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [("", "Toutes")] + [
            (commune.insee_code, commune.name) for commune in communes
        ]
