"""Forms of the village pages: they validate input; services do the writes."""

from django import forms

from essor.core.forms import DateTimeField
from essor.village.models import (
    MAX_MARK,
    Animation,
    Draw,
    Edition,
    ExhibitorApplication,
    Question,
    ReviewCriterion,
    Stand,
    Zone,
)
from essor.village.services import APPLICATION_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EditionForm(forms.ModelForm):
    class Meta:
        model = Edition
        fields = [
            "name",
            "starts_on",
            "ends_on",
            "place",
            "opening_hours",
            "call_closes_on",
            "plan_width",
            "plan_height",
            "is_published",
        ]
        widgets = {"starts_on": DATE, "ends_on": DATE, "call_closes_on": DATE}


class ZoneForm(forms.ModelForm):
    class Meta:
        model = Zone
        fields = ["name", "theme", "colour", "position"]
        widgets = {"colour": forms.TextInput(attrs={"type": "color"})}


class StandForm(forms.ModelForm):
    class Meta:
        model = Stand
        fields = [
            "zone",
            "number",
            "area",
            "has_power",
            "has_water",
            "step_free",
            "x",
            "y",
            "width",
            "depth",
        ]

    def __init__(self, *args, edition: Edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = edition.zones.all()
        self.instance.edition = edition


class CriterionForm(forms.ModelForm):
    class Meta:
        model = ReviewCriterion
        fields = ["label", "help_text", "weight", "position"]


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = ExhibitorApplication
        fields = APPLICATION_FIELDS
        widgets = {
            "animation": forms.Textarea(attrs={"rows": 5}),
            "accessibility": forms.Textarea(attrs={"rows": 3}),
            "contact_phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_name": forms.TextInput(attrs={"autocomplete": "name"}),
        }

    def __init__(self, *args, edition: Edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_zone"].queryset = edition.zones.all()
        self.fields["preferred_zone"].empty_label = "Pas de préférence"


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Décision",
        choices=[
            ("accept", "Accepter"),
            ("wait", "Mettre en liste d'attente"),
            ("reject", "Refuser"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Motif (exigé pour la liste d'attente et le refus ; la structure le lira)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Motif (facultatif)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class MarksForm(forms.Form):
    """One mark per criterion of the edition's grid, 0 to MAX_MARK."""

    def __init__(self, *args, criteria, marks: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(value, str(value)) for value in range(MAX_MARK + 1)]
        for criterion in criteria:
            self.fields[f"critere_{criterion.pk}"] = forms.TypedChoiceField(
                label=f"{criterion.label} (poids {criterion.weight})",
                help_text=criterion.help_text,
                choices=choices,
                coerce=int,
                initial=marks.get(criterion.pk),
                widget=forms.RadioSelect,
            )

    def marks(self) -> dict[int, int]:
        return {
            int(name.removeprefix("critere_")): value for name, value in self.cleaned_data.items()
        }


class StandChoiceForm(forms.Form):
    stand = forms.ModelChoiceField(queryset=Stand.objects.none(), label="Stand libre")

    def __init__(self, *args, stands, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stand"].queryset = stands
        self.fields["stand"].label_from_instance = lambda stand: (
            f"{stand} — {stand.zone} — {', '.join(stand.features)}"
        )


DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class AnimationForm(forms.ModelForm):
    class Meta:
        model = Animation
        fields = ["title", "description", "audience", "stand", "starts_at", "ends_at"]
        widgets = {
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"starts_at": DateTimeField, "ends_at": DateTimeField}

    def __init__(self, *args, edition: Edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.edition = edition
        self.fields["stand"].queryset = edition.stands.select_related("zone")
        self.fields["stand"].empty_label = "Espace commun (scène, accueil)"


class RouteForm(forms.Form):
    name = forms.CharField(label="Nom du parcours", max_length=100)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    stands = forms.CharField(
        label="Stands, dans l'ordre de la visite",
        help_text="Leurs numéros séparés par des virgules, par exemple : 3, 12, 7.",
        max_length=500,
    )

    def __init__(self, *args, edition: Edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.edition = edition

    def clean_stands(self):
        numbers = []
        for part in self.cleaned_data["stands"].replace(";", ",").split(","):
            text = part.strip()
            if not text:
                continue
            if not (text.isascii() and text.isdigit() and len(text) <= 5):
                raise forms.ValidationError(f"« {text[:20]} » n'est pas un numéro de stand.")
            numbers.append(int(text))
        by_number = {
            stand.number: stand for stand in self.edition.stands.filter(number__in=numbers)
        }
        unknown = [str(number) for number in numbers if number not in by_number]
        if unknown:
            raise forms.ValidationError(f"Pas de stand n° {', '.join(unknown)} dans cette édition.")
        return [by_number[number] for number in numbers]


class PassportCodeForm(forms.Form):
    code = forms.CharField(
        label="Code de votre passeport",
        max_length=20,
        help_text="Les 8 caractères notés à l'entrée, par exemple K7P2-9XQM.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class AnswerForm(forms.Form):
    answer = forms.TypedChoiceField(label="Votre réponse", coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args, question, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"].label = question.text
        self.fields["answer"].choices = question.choices


class DrawEntryForm(forms.Form):
    first_name = forms.CharField(label="Votre prénom", max_length=60)
    contact = forms.CharField(
        label="Votre courriel ou votre téléphone",
        max_length=254,
        help_text="Pour vous prévenir si vous gagnez, et rien d'autre. Effacé après le tirage.",
    )
    consent = forms.BooleanField(
        label="J'accepte que l'agence garde ce prénom et ce contact pour le tirage au sort, "
        "jusqu'à leur effacement quelques jours après le Village.",
        required=True,
    )


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["text", "choice_1", "choice_2", "choice_3", "correct", "explanation"]
        widgets = {
            "correct": forms.Select(choices=[(1, "Réponse 1"), (2, "Réponse 2"), (3, "Réponse 3")])
        }


class DrawSettingsForm(forms.ModelForm):
    class Meta:
        model = Draw
        fields = ["prizes", "stamps_needed"]


class WinnerCheckForm(forms.Form):
    code = forms.CharField(label="Code du passeport présenté", max_length=20)
