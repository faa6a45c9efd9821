"""The public directory's filters, shared by the search page, the map, the exports and the API."""

from dataclasses import dataclass

from django import forms

from essor.core.page_cache import kept
from essor.directory.models import EssFamily, Sector
from essor.directory.naf import naf_divisions, naf_label, naf_labels, normalise
from essor.territory.models import Commune

MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class DirectoryFilters:
    text: str = ""
    sector: str = ""  # Sector.slug
    family: str = ""  # EssFamily value
    commune: str = ""  # Commune.insee_code
    naf: str = ""  # a NAF rév. 2 code of any level (« 88 », « 88.99B »), as naf_labels() has it
    esus: bool = False  # ESUS approval valid today
    employer: bool = False
    # Communes of a postcode typed in the text (any of them): see selectors.recognise_postcode.
    postcode: str = ""
    postcode_communes: tuple[str, ...] = ()  # Commune.insee_code
    postcode_places: tuple[str, ...] = ()  # their names, for the page

    @property
    def is_empty(self) -> bool:
        return not (
            self.text
            or self.sector
            or self.family
            or self.commune
            or self.naf
            or self.esus
            or self.employer
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
    # Any code of the nomenclature is accepted (the organisation page links its sub-class); the
    # list offers the divisions. Choices from the npm package: no query.
    naf = forms.CharField(label="Activité (NAF)", required=False, max_length=6)
    esus = forms.BooleanField(label="Agrément ESUS en cours de validité", required=False)
    employer = forms.BooleanField(label="Structure employeuse", required=False)

    def __init__(self, *args, communes=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [("", "Tous les secteurs"), *_sector_choices()]
        if communes is None:
            communes = Commune.objects.order_by("name").values_list("insee_code", "name")
        self.fields["commune"].choices = [("", "Toutes les communes"), *communes]

    def clean_naf(self) -> str:
        """A known NAF code, written as stored (« 8899B » → « 88.99B »); anything else: no filter."""
        code = normalise(self.cleaned_data.get("naf") or "")
        return code if code in naf_labels() else ""

    def naf_choices(self) -> list[tuple[str, str]]:
        """The divisions, and the finer code chosen, if any (a link from an organisation page)."""
        choices = [(code, f"{code} — {label}") for code, label in naf_divisions()]
        chosen = self.filters().naf
        if chosen and len(chosen) > 2:
            choices.insert(0, (chosen, f"{chosen} — {naf_label(chosen)}"))
        return [("", "Toutes les activités"), *choices]

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
            naf=data.get("naf") or "",
            esus=bool(data.get("esus")),
            employer=bool(data.get("employer")),
        )
