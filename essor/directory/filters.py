"""The public directory's filters, shared by the search page, the map, the exports and the API."""

from dataclasses import dataclass

from django import forms

from essor.core.page_cache import kept
from essor.directory.models import EssFamily, Sector
from essor.territory.models import Commune

MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class DirectoryFilters:
    text: str = ""
    sector: str = ""  # Sector.slug
    family: str = ""  # EssFamily value
    commune: str = ""  # Commune.insee_code
    esus: bool = False  # ESUS approval valid today
    employer: bool = False

    @property
    def is_empty(self) -> bool:
        return not (
            self.text or self.sector or self.family or self.commune or self.esus or self.employer
        )


def _sector_choices() -> list[tuple[str, str]]:
    # Read at each search, the map's and the exports' requests: kept until the directory changes.
    return kept(
        "directory:sector_choices",
        ("directory",),
        lambda: list(Sector.objects.values_list("slug", "name")),
    )


class DirectorySearchForm(forms.Form):
    """Search box and filters. Choices: the sectors (kept in the cache, `_sector_choices`) and the
    communes given, or every commune (one query)."""

    q = forms.CharField(
        label="Rechercher une structure",
        required=False,
        max_length=MAX_QUERY_LENGTH,
        help_text="Nom, sigle, activité ou mots de la présentation.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    sector = forms.ChoiceField(label="Secteur", required=False)
    family = forms.ChoiceField(
        label="Famille de l'ESS",
        required=False,
        choices=[("", "Toutes les familles"), *EssFamily.choices],
    )
    commune = forms.ChoiceField(label="Commune", required=False)
    esus = forms.BooleanField(label="Agrément ESUS en cours de validité", required=False)
    employer = forms.BooleanField(label="Structure employeuse", required=False)

    def __init__(self, *args, communes=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [("", "Tous les secteurs"), *_sector_choices()]
        if communes is None:
            communes = Commune.objects.order_by("name").values_list("insee_code", "name")
        self.fields["commune"].choices = [("", "Toutes les communes"), *communes]

    def filters(self) -> DirectoryFilters:
        """The valid filters; an invalid value (unknown sector…) is ignored, never a server error."""
        if not self.is_bound:
            return DirectoryFilters()
        self.is_valid()
        data = self.cleaned_data
        return DirectoryFilters(
            text=data.get("q") or "",
            sector=data.get("sector") or "",
            family=data.get("family") or "",
            commune=data.get("commune") or "",
            esus=bool(data.get("esus")),
            employer=bool(data.get("employer")),
        )
