from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from essor.core.models import AuditLogEntry
from essor.territory.models import Commune, Territory

CUD = "245900428"
CCHF = "200040947"  # an EPCI of the file below (fictional membership for the test)
HEADER = ["CODGEO", "LIBGEO", "EPCI", "LIBEPCI", "DEP", "REG"]
ROWS = [
    ["59183", "Dunkerque", CUD, "CU de Dunkerque", "59", "32"],
    ["59273", "Gravelines", CUD, "CU de Dunkerque", "59", "32"],
    ["59067", "Bergues", CCHF, "CC des Hauts de Flandre", "59", "32"],
    ["59663", "Wormhout", CCHF, "CC des Hauts de Flandre", "59", "32"],
    ["59350", "Lille", "200093201", "Métropole Européenne de Lille", "59", "32"],
]


def write_csv(tmp_path: Path, rows, delimiter=";") -> Path:
    path = tmp_path / "composition.csv"
    lines = [delimiter.join(row) for row in [HEADER, *rows]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_xlsx(tmp_path: Path, rows) -> Path:
    """The layout INSEE publishes: a title block, then the header row, on a named sheet."""
    workbook = Workbook()
    workbook.active.title = "EPCI"
    sheet = workbook.create_sheet("Composition_communale")
    sheet.append(["Composition communale des EPCI au 1er janvier 2025"])
    sheet.append(["Source : Insee, Code officiel géographique"])
    sheet.append([])
    sheet.append(HEADER)
    for row in rows:
        sheet.append([int(row[0]), *row[1:]])  # spreadsheets often store codes as numbers
    path = tmp_path / "EPCI_au_01-01-2025.xlsx"
    workbook.save(path)
    return path


@pytest.fixture
def flanders_communes(db):
    for code, name in [("59067", "Bergues"), ("59663", "Wormhout"), ("59350", "Lille")]:
        Commune.objects.create(insee_code=code, name=name, department_code="59")


def codes(territory):
    return sorted(territory.communes.values_list("insee_code", flat=True))


def test_csv_import_replaces_the_epci_communes(tmp_path, flanders_communes):
    call_command("import_epci", fichier=write_csv(tmp_path, ROWS), siren=[CUD])
    cud = Territory.objects.get(siren=CUD)
    assert cud.slug == "cud"  # found by SIREN: the existing territory is updated
    assert codes(cud) == ["59183", "59273"]


def test_comma_separated_csv_is_read_too(tmp_path, flanders_communes):
    call_command("import_epci", fichier=write_csv(tmp_path, ROWS, ","), siren=[CCHF])
    territory = Territory.objects.get(siren=CCHF)
    assert (territory.name, territory.kind) == ("CC des Hauts de Flandre", "epci")
    assert codes(territory) == ["59067", "59663"]


def test_xlsx_import_reads_the_composition_sheet(tmp_path, flanders_communes):
    call_command(
        "import_epci", fichier=write_xlsx(tmp_path, ROWS), siren=[CCHF], nom="Hauts de Flandre"
    )
    territory = Territory.objects.get(slug="hauts-de-flandre")
    assert codes(territory) == ["59067", "59663"]


def test_partner_territory_gathers_several_epcis(tmp_path, flanders_communes):
    path = write_csv(tmp_path, ROWS)
    call_command("import_epci", fichier=path, siren=[CCHF], nom="Pays partenaire", partenaire=True)
    call_command(
        "import_epci",
        fichier=path,
        siren=["200093201"],
        nom="Pays partenaire",
        partenaire=True,
        ajouter=True,
    )
    territory = Territory.objects.get(slug="pays-partenaire")
    assert territory.kind == Territory.Kind.PARTNER
    assert territory.siren is None
    assert codes(territory) == ["59067", "59350", "59663"]


def test_import_is_recorded_in_the_audit_log(tmp_path, flanders_communes):
    call_command("import_epci", fichier=write_csv(tmp_path, ROWS), siren=[CCHF])
    entry = AuditLogEntry.objects.get(action="territory.territory.set_communes")
    assert entry.changes["ajoutées"] == 2


def test_unknown_commune_codes_are_listed_and_nothing_is_written(tmp_path, db):
    # Bergues and Wormhout were never imported.
    with pytest.raises(CommandError, match=r"2 codes commune inconnus : 59067, 59663"):
        call_command("import_epci", fichier=write_csv(tmp_path, ROWS), siren=[CCHF])
    assert not Territory.objects.filter(siren=CCHF).exists()


def test_failed_replacement_keeps_the_previous_composition(tmp_path, db):
    rows = [*ROWS[:2], ["59999", "Inconnue", CUD, "CU de Dunkerque", "59", "32"]]
    with pytest.raises(CommandError, match="59999"):
        call_command("import_epci", fichier=write_csv(tmp_path, rows), siren=[CUD])
    assert Territory.objects.get(siren=CUD).communes.count() == 17


def test_siren_absent_from_the_file_is_an_error(tmp_path, db):
    with pytest.raises(CommandError, match=r"Aucune commune pour le SIREN 200066876"):
        call_command("import_epci", fichier=write_csv(tmp_path, ROWS), siren=["200066876"])


def test_missing_column_is_named(tmp_path, db):
    path = tmp_path / "composition.csv"
    path.write_text("CODGEO;LIBGEO;LIBEPCI\n59183;Dunkerque;CUD\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"absente.*EPCI"):
        call_command("import_epci", fichier=path, siren=[CUD])
