"""Communes, former communes and EPCIs read from the npm package @etalab/decoupage-administratif,
installed by the set-up command at the version pinned in package.json."""

import json
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from essor.core import npm_data
from essor.territory.importers import (
    DECOUPAGE_PACKAGE,
    ReferenceFileError,
    communes_from_entries,
    read_package_communes,
    read_package_epci_members,
)
from essor.territory.models import Commune, FormerCommune, Territory
from essor.territory.selectors import commune_code_map, resolve_commune

ROOT = Path(__file__).resolve().parents[2]
CUD = "245900428"
HAUTS_DE_FLANDRE = "200040954"
PINNED_VERSION = "6.0.0"


def real_data(name: str):
    return npm_data.read_json(DECOUPAGE_PACKAGE, f"data/{name}")


def test_the_pinned_version_is_the_installed_one():
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"][DECOUPAGE_PACKAGE]
    assert pinned == PINNED_VERSION == npm_data.package_version(DECOUPAGE_PACKAGE)


def test_known_communes_and_former_codes_of_the_package():
    rows = {(row.kind, row.code): row for row in read_package_communes()}
    dunkerque = rows["COM", "59183"]
    assert (dunkerque.name, dunkerque.department, dunkerque.siren) == (
        "Dunkerque",
        "59",
        "200027159",
    )
    assert "59140" in dunkerque.postal_codes
    # Coudekerque-Village merged into Téteghem-Coudekerque-Village (delegated commune, 2016).
    assert rows["COMD", "59154"].parent_code == "59588"
    # Malo-les-Bains was absorbed whole by Dunkerque: only the former code is left.
    assert (rows["FUSION", "59373"].parent_code, rows["FUSION", "59373"].name) == ("59183", "")


def test_known_epci_members_of_the_package():
    members = read_package_epci_members({CUD})
    assert len(members) == 17
    assert {row.epci_name for row in members} == {"CU de Dunkerque"}
    assert "59183" in {row.commune_code for row in members}


@pytest.fixture
def package_copy(tmp_path, settings):
    """A copy of the installed package whose data the test may change (settings point to it)."""
    root = tmp_path / "node_modules" / DECOUPAGE_PACKAGE
    root.mkdir(parents=True)
    shutil.copy(npm_data.package_root(DECOUPAGE_PACKAGE) / "package.json", root)
    (root / "data").mkdir()
    communes = [entry for entry in real_data("communes.json") if entry["departement"] == "59"]
    epci = [
        entry
        for entry in real_data("epci.json")
        if all(member["code"].startswith("59") for member in entry["membres"])
    ]
    settings.NPM_NODE_MODULES = tmp_path / "node_modules"

    def write(communes=communes, epci=epci):
        (root / "data" / "communes.json").write_text(json.dumps(communes), encoding="utf-8")
        (root / "data" / "epci.json").write_text(json.dumps(epci), encoding="utf-8")

    write()
    write.communes, write.epci = communes, epci
    return write


@pytest.mark.django_db
def test_import_communes_reads_the_package_end_to_end(package_copy, capsys):
    call_command("import_communes")
    out = capsys.readouterr().out
    assert f"{DECOUPAGE_PACKAGE} {PINNED_VERSION} :" in out
    bergues = Commune.objects.get(insee_code="59067")
    assert (bergues.name, bergues.department_code, bergues.siren) == ("Bergues", "59", "215900671")
    assert bergues.postal_codes == ["59380"]
    assert Commune.objects.filter(department_code="59").count() == 647


@pytest.mark.django_db
def test_package_import_keeps_coordinates_and_updates_official_facts(package_copy):
    Commune.objects.filter(insee_code="59183").update(population=1, postal_codes=["00000"])
    call_command("import_communes")
    dunkerque = Commune.objects.get(insee_code="59183")
    assert dunkerque.latitude == pytest.approx(51.034)  # the package gives no coordinates
    assert dunkerque.population == 86263
    assert dunkerque.postal_codes == ["59140", "59240", "59279", "59430", "59640"]


@pytest.mark.django_db
def test_former_codes_map_to_the_current_commune(package_copy):
    call_command("import_communes")
    assert resolve_commune("59154").insee_code == "59588"  # Coudekerque-Village
    assert resolve_commune("59404").insee_code == "59260"  # Les Moëres
    malo = FormerCommune.objects.get(code="59373")
    # Absorbed whole: the package has no name for it; the one seeded with the CUD stays.
    assert (malo.current.insee_code, malo.name, malo.kind) == (
        "59183",
        "Malo-les-Bains",
        "commune fusionnée",
    )


@pytest.mark.django_db
def test_a_merge_in_a_new_version_is_followed_without_a_code_change(package_copy, capsys):
    call_command("import_communes")
    call_command("import_epci", siren=[HAUTS_DE_FLANDRE])
    # A next version of the list: Bergues becomes a delegated commune of Hoymille.
    communes = [dict(entry) for entry in package_copy.communes]
    for entry in communes:
        if entry["code"] == "59067" and entry["type"] == "commune-actuelle":
            entry.update(type="commune-deleguee", chefLieu="59319")
        elif entry["code"] == "59319" and entry["type"] == "commune-actuelle":
            entry["anciensCodes"] = [*entry.get("anciensCodes", []), "59067"]
    epci = [
        {**entry, "membres": [m for m in entry["membres"] if m["code"] != "59067"]}
        for entry in package_copy.epci
    ]
    package_copy(communes=communes, epci=epci)
    call_command("import_communes")
    call_command("import_epci", siren=[HAUTS_DE_FLANDRE])

    hoymille = Commune.objects.get(insee_code="59319")
    bergues = FormerCommune.objects.get(code="59067")
    assert (bergues.current, bergues.name, bergues.kind) == (
        hoymille,
        "Bergues",
        "commune déléguée",
    )
    assert resolve_commune("59067") == hoymille
    territory = Territory.objects.get(siren=HAUTS_DE_FLANDRE)
    assert "59067" not in territory.communes.values_list("insee_code", flat=True)
    assert commune_code_map(territory)["59067"] == hoymille.id  # SIRENE's old code still lands


@pytest.mark.django_db
def test_a_commune_restored_stops_being_a_former_code(package_copy, capsys):
    FormerCommune.objects.create(
        code="59067", name="Bergues", current=Commune.objects.get(insee_code="59183")
    )
    call_command("import_communes")
    assert not FormerCommune.objects.filter(code="59067").exists()
    assert "1 retiré." in capsys.readouterr().out
    assert resolve_commune("59067").name == "Bergues"


@pytest.mark.django_db
def test_import_epci_reads_the_package_and_keeps_the_configured_name(package_copy, capsys):
    call_command("import_communes")
    call_command("import_epci", siren=[CUD])
    cud = Territory.objects.get(siren=CUD)
    assert cud.name == "Communauté urbaine de Dunkerque"
    assert cud.communes.count() == 17
    assert "17 lignes retenues" in capsys.readouterr().out


@pytest.mark.django_db
def test_partner_territory_from_the_package(package_copy):
    call_command("import_communes")
    call_command("import_epci", siren=[HAUTS_DE_FLANDRE], nom="Pays partenaire", partenaire=True)
    territory = Territory.objects.get(slug="pays-partenaire")
    assert (territory.kind, territory.communes.count()) == (Territory.Kind.PARTNER, 40)


@pytest.mark.django_db
def test_unknown_siren_in_the_package_is_an_error(package_copy):
    with pytest.raises(CommandError, match=r"Aucune commune pour le SIREN 200066876"):
        call_command("import_epci", siren=["200066876"])


@pytest.mark.django_db
def test_missing_package_says_how_to_install_it(tmp_path, settings):
    settings.NPM_NODE_MODULES = tmp_path
    with pytest.raises(CommandError, match=r"paquet npm @etalab/decoupage-administratif.*npm ci"):
        call_command("import_communes")
    with pytest.raises(CommandError, match=r"make install"):
        call_command("import_epci", siren=[CUD])


def test_a_malformed_entry_names_its_place_and_field():
    entries = [
        {"code": "59183", "nom": "Dunkerque", "type": "commune-actuelle", "departement": "59"},
        {"code": "5918", "nom": "Mauvais", "type": "commune-actuelle", "departement": "59"},
        {"code": "59404", "nom": "Les Moëres", "type": "commune-deleguee", "chefLieu": "59999"},
    ]
    with pytest.raises(ReferenceFileError) as error:
        communes_from_entries(entries, source="communes.json")
    assert error.value.errors == [
        "communes.json, entrée 2, champ code : le code INSEE « 5918 » est invalide.",
        "communes.json, entrée 3, champ chefLieu : la commune parente « 59999 » n'est pas une "
        "commune (type commune-actuelle) du fichier.",
    ]


@pytest.mark.django_db
def test_the_whole_package_imports(capsys):
    """The real list, whole: every commune of France, its EPCI after."""
    call_command("import_communes")
    assert Commune.objects.count() > 34_900
    call_command("import_epci", siren=[CUD])
    assert Territory.objects.get(siren=CUD).communes.count() == 17
