"""Forms of the CIGALES pages: they validate input; services do the writes."""

import datetime

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model

from essor.cigales.models import Club, Exit, Instrument, Leverage, Member, OfficerRole, Vote
from essor.cigales.services import CLUB_RULE_FIELDS
from essor.core.amounts import EuroField
from essor.core.forms import DateTimeField, ModelMultipleChoiceField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ClubForm(forms.ModelForm):
    """The club's rules; the agency also names the regional association that follows it (its
    administrators then see every club)."""

    association_siren = forms.CharField(
        label="SIREN de l'association régionale des CIGALES",
        max_length=11,
        required=False,
        help_text="Renseigné par l'agence : les administrateurs de l'association voient le club.",
    )

    class Meta:
        model = Club
        fields = [f for f in CLUB_RULE_FIELDS if f != "association"]
        widgets = {"convention_signed_on": DATE}

    def __init__(self, *args, agency: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not agency:
            del self.fields["association_siren"]
        elif self.instance.association_id:
            self.initial["association_siren"] = self.instance.association.siren

    def clean_association_siren(self):
        from essor.directory.models import Organisation

        siren = "".join(self.cleaned_data["association_siren"].split())
        if not siren:
            return None
        association = Organisation.objects.filter(siren=siren).first()
        if association is None:
            raise forms.ValidationError("Aucune structure de l'annuaire n'a ce SIREN.")
        return association


class ClubCreateForm(ClubForm):
    founder_name = forms.CharField(
        label="Votre nom dans le club",
        max_length=150,
        help_text="Vous devenez le premier membre et le gérant du club.",
    )


class MemberForm(forms.Form):
    name = forms.CharField(label="Nom", max_length=150)
    joined_on = forms.DateField(label="Membre depuis le", widget=DATE)
    email = forms.EmailField(
        label="Courriel de son compte Essor (facultatif)",
        required=False,
        help_text="Avec un compte, le membre voit le club et son relevé annuel.",
    )

    def clean_email(self):
        email = self.cleaned_data["email"]
        if not email:
            return None
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                "Aucun compte Essor n'a cette adresse : ajoutez le membre sans courriel, et "
                "rattachez-le quand il aura créé son compte."
            )
        return user


class LeaveForm(forms.Form):
    on = forms.DateField(label="Date de sortie", widget=DATE)


class OfficerForm(forms.Form):
    member = forms.ModelChoiceField(label="Membre", queryset=Member.objects.none())
    role = forms.ChoiceField(label="Fonction", choices=OfficerRole.choices)
    starts_on = forms.DateField(label="Début du mandat", widget=DATE)
    ends_on = forms.DateField(
        label="Fin du mandat", widget=DATE, help_text="Le gérant est élu pour un an au plus."
    )

    def __init__(self, *args, club: Club, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = club.members.filter(left_on__isnull=True)


def month_choices(count: int = 24) -> list[tuple[str, str]]:
    from essor.core.formats import month_label

    today = datetime.date.today().replace(day=1)
    choices = []
    month = today
    for _ in range(count):
        choices.append((month.isoformat(), month_label(month.year, month.month)))
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return choices


class MonthForm(forms.Form):
    """One month's savings of every current member, prefilled with their latest amount."""

    month = forms.TypedChoiceField(
        label="Mois", coerce=datetime.date.fromisoformat, choices=month_choices
    )

    def __init__(self, *args, members, last_amounts: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        low = settings.CIGALES_MIN_MONTHLY_SAVING
        high = settings.CIGALES_MAX_MONTHLY_SAVING
        for member in self.members:
            self.fields[f"member_{member.pk}"] = EuroField(
                label=f"{member.name} (€)",
                max_digits=12,
                required=False,
                min_value=0,
                initial=last_amounts.get(member.pk),
                help_text=f"De {low} à {high} € ; laissez vide s'il n'a rien versé.",
            )

    def amounts(self) -> dict:
        return {m: self.cleaned_data.get(f"member_{m.pk}") for m in self.members}


class HandbackForm(forms.Form):
    member = forms.ModelChoiceField(label="Membre", queryset=Member.objects.none())
    amount = EuroField(label="Montant restitué (€)", max_digits=12, min_value=0)
    on = forms.DateField(label="Date", widget=DATE)

    def __init__(self, *args, club: Club, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = club.members.all()


class MeetingForm(forms.Form):
    held_at = DateTimeField(label="Date et heure")
    place = forms.CharField(label="Lieu", max_length=200, required=False)
    agenda = forms.CharField(
        label="Ordre du jour",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="Un point par ligne, soumis au vote ; commencez une ligne par « Info : » pour "
        "un point d'information.",
    )
    project = forms.ModelChoiceField(
        label="Projet d'investissement à voter (facultatif)",
        queryset=None,
        required=False,
    )

    def __init__(self, *args, club: Club, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = club.projects.select_related("organisation")

    def items(self) -> list[dict]:
        items = []
        for line in self.cleaned_data["agenda"].splitlines():
            line = line.strip()
            if not line:
                continue
            info = line.lower().startswith("info :") or line.lower().startswith("info:")
            title = line.split(":", 1)[1].strip() if info else line
            items.append({"title": title[:200], "is_vote": not info})
        project = self.cleaned_data.get("project")
        if project is not None:
            items.append(
                {"title": f"Investir dans {project.organisation}"[:200], "project": project}
            )
        return items


class AttendanceForm(forms.Form):
    members = ModelMultipleChoiceField(
        label="Membres présents",
        queryset=Member.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members


class VoteForm(forms.Form):
    """One select per present member: for, against, abstain, or no vote."""

    def __init__(self, *args, present, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.present = list(present)
        for member in self.present:
            self.fields[f"member_{member.pk}"] = forms.ChoiceField(
                label=member.name,
                choices=[("", "—"), *Vote.Choice.choices],
                required=False,
                initial=current.get(member.pk, ""),
            )

    def votes(self) -> dict:
        return {m: self.cleaned_data.get(f"member_{m.pk}") for m in self.present}


class CloseMeetingForm(forms.Form):
    notes = forms.CharField(
        label="Notes pour le procès-verbal",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )


class ProjectForm(forms.Form):
    siren = forms.CharField(
        label="SIREN de l'entreprise (annuaire)",
        max_length=11,
        required=False,
        help_text="9 chiffres. L'entreprise doit figurer dans l'annuaire.",
    )
    new_name = forms.CharField(
        label="Ou : nom d'une entreprise absente de l'annuaire (agence)",
        max_length=255,
        required=False,
    )
    summary = forms.CharField(label="Le projet en quelques lignes", widget=forms.Textarea)
    in_priority_neighbourhood = forms.BooleanField(
        label="Implanté dans un quartier prioritaire (QPV)", required=False
    )
    jobs_declared = forms.IntegerField(
        label="Emplois créés ou maintenus (déclarés)", min_value=0, max_value=10000, initial=0
    )
    founders_consent = forms.BooleanField(
        label="Les porteurs consentent à la statistique de leur profil", required=False
    )
    founders_women = forms.IntegerField(
        label="Porteuses (femmes)", min_value=0, max_value=50, required=False
    )
    founders_men = forms.IntegerField(
        label="Porteurs (hommes)", min_value=0, max_value=50, required=False
    )
    founders_under_30 = forms.IntegerField(
        label="Porteurs de moins de 30 ans", min_value=0, max_value=50, required=False
    )
    founders_job_seekers = forms.IntegerField(
        label="Porteurs demandeurs d'emploi", min_value=0, max_value=50, required=False
    )

    def clean_siren(self):
        return "".join(self.cleaned_data["siren"].split())

    def clean(self):
        data = super().clean()
        if not data.get("siren") and not (data.get("new_name") or "").strip():
            raise forms.ValidationError("Indiquez le SIREN de l'entreprise ou son nom.")
        return data


class MentorsForm(forms.Form):
    mentors = ModelMultipleChoiceField(
        label="Parrains (un ou deux membres)",
        queryset=Member.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, club: Club, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentors"].queryset = club.members.filter(left_on__isnull=True)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Motif", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class InvestmentForm(forms.Form):
    instrument = forms.ChoiceField(label="Instrument", choices=Instrument.choices)
    amount = EuroField(label="Montant (€)", max_digits=12, min_value=0)
    on = forms.DateField(label="Date", widget=DATE)
    capital_after = EuroField(
        label="Capital social après souscription (€)",
        max_digits=12,
        min_value=0,
        required=False,
        help_text="Pour des parts de capital : le plafond (un tiers, la moitié dans une SCOP) s'y "
        "applique.",
    )
    rate_percent = forms.DecimalField(
        label="Taux annuel du prêt (%)", max_digits=5, decimal_places=2, required=False
    )
    duration_months = forms.IntegerField(
        label="Durée du prêt (mois)", min_value=1, max_value=360, required=False
    )


class LeverageForm(forms.Form):
    kind = forms.ChoiceField(label="Nature", choices=Leverage.Kind.choices)
    funder = forms.CharField(label="Financeur", max_length=150)
    amount = EuroField(label="Montant (€)", max_digits=12, min_value=0)
    on = forms.DateField(label="Date", widget=DATE)


class FollowUpForm(forms.Form):
    on = forms.DateField(label="Date", widget=DATE)
    note = forms.CharField(label="Compte rendu", widget=forms.Textarea(attrs={"rows": 4}))
    jobs = forms.IntegerField(
        label="Emplois créés ou maintenus à ce jour", min_value=0, max_value=10000, required=False
    )
    turnover = EuroField(
        label="Chiffre d'affaires du dernier exercice (€)",
        max_digits=12,
        min_value=0,
        required=False,
    )


class ExitForm(forms.Form):
    kind = forms.ChoiceField(label="Nature de la sortie", choices=Exit.Kind.choices)
    on = forms.DateField(label="Date", widget=DATE)
    recovered = EuroField(
        label="Montant récupéré (€)",
        max_digits=12,
        min_value=0,
        help_text="Pour des parts remises aux membres : leur valeur.",
    )
