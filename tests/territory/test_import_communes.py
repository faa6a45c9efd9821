from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from essor.territory.models import Commune, FormerCommune

HEADER = "TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,LIBELLE,CAN,COMPARENT\n"
COG_ROWS = [
    "COM,59183,32,59,59D,594,0,DUNKERQUE,Dunkerque,Dunkerque,5912,",
    "COM,59260,32,59,59D,594,0,GHYVELDE,Ghyvelde,Ghyvelde,5912,",
    "COMD,59260,32,59,59D,594,0,GHYVELDE,Ghyvelde,Ghyvelde,,59260",
    "COMD,59404,32,59,59D,594,0,MOERES,Moëres,Les Moëres,,59260",
    "COM,59067,32,59,59D,594,0,BERGUES,Bergues,Bergues,5910,",
    "COM,2A004,94,2A,20D,2A1,0,AJACCIO,Ajaccio,Ajaccio,2AZZ,",
    "COM,75056,11,75,75C,751,0,PARIS,Paris,Paris,75ZZ,",
    "ARM,75101,11,75,75C,751,0,PARIS 1ER ARRONDISSEMENT,Paris 1er Arrondissement,"
    "Paris 1er Arrondissement,,75056",
]


def write(tmp_path: Path, text: str, name="v_commune_2025.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def cog_file(tmp_path):
    return write(tmp_path, HEADER + "\n".join(COG_ROWS) + "\n")


@pytest.mark.django_db
def test_import_creates_new_communes_with_name_and_department(cog_file):
    call_command("import_communes", cog=cog_file)
    bergues = Commune.objects.get(insee_code="59067")
    assert (bergues.name, bergues.department_code) == ("Bergues", "59")
    assert Commune.objects.get(insee_code="2A004").department_code == "2A"


@pytest.mark.django_db
def test_import_keeps_coordinates_and_population_of_known_communes(cog_file):
    Commune.objects.filter(insee_code="59183").update(name="Dunkerque (ancien libellé)")
    call_command("import_communes", cog=cog_file)
    dunkerque = Commune.objects.get(insee_code="59183")
    assert dunkerque.name == "Dunkerque"
    assert dunkerque.population == 86788
    assert dunkerque.latitude == pytest.approx(51.034)


@pytest.mark.django_db
def test_import_maps_delegated_communes_and_districts_to_their_parent(cog_file):
    call_command("import_communes", cog=cog_file)
    moeres = FormerCommune.objects.get(code="59404")
    assert moeres.current.insee_code == "59260"
    assert moeres.kind == "commune déléguée"
    assert FormerCommune.objects.get(code="75101").current.insee_code == "75056"
    # Ghyvelde's delegated commune keeps the new commune's code: no former code for it.
    assert not FormerCommune.objects.filter(code="59260").exists()


@pytest.mark.django_db
def test_import_prints_counts(cog_file, capsys):
    call_command("import_communes", cog=cog_file)
    out = capsys.readouterr().out
    assert "8 lignes lues : 3 communes créées" in out
    assert "1 ancien code créé" in out


@pytest.mark.django_db
def test_import_twice_changes_nothing(cog_file, capsys):
    call_command("import_communes", cog=cog_file)
    call_command("import_communes", cog=cog_file)
    assert "0 commune créée, 0 mise à jour" in capsys.readouterr().out


@pytest.mark.django_db
def test_missing_column_names_it_and_writes_nothing(tmp_path):
    path = write(tmp_path, "TYPECOM,COM,DEP,COMPARENT\nCOM,59067,59,\n")
    before = Commune.objects.count()
    with pytest.raises(CommandError, match=r"colonne.*absente.*LIBELLE"):
        call_command("import_communes", cog=path)
    assert Commune.objects.count() == before


@pytest.mark.django_db
def test_bad_code_names_line_and_field_and_writes_nothing(tmp_path):
    rows = [COG_ROWS[4], "COM,5906,32,59,59D,594,0,X,X,Commune fautive,5910,"]
    path = write(tmp_path, HEADER + "\n".join(rows) + "\n")
    with pytest.raises(CommandError, match=r"ligne 3, champ COM : le code INSEE « 5906 »"):
        call_command("import_communes", cog=path)
    assert not Commune.objects.filter(insee_code="59067").exists()


@pytest.mark.django_db
def test_unknown_parent_is_an_error(tmp_path):
    path = write(tmp_path, HEADER + "COMD,59404,32,59,59D,594,0,M,M,Les Moëres,,59999\n")
    with pytest.raises(CommandError, match=r"ligne 2, champ COMPARENT.*59999"):
        call_command("import_communes", cog=path)
    assert not FormerCommune.objects.filter(code="59404", name="Les Moëres").exists()


@pytest.mark.django_db
def test_duplicate_code_is_an_error(tmp_path):
    path = write(tmp_path, HEADER + "\n".join([COG_ROWS[4], COG_ROWS[4]]) + "\n")
    with pytest.raises(CommandError, match=r"ligne 3, champ COM : le code « 59067 » figure déjà"):
        call_command("import_communes", cog=path)


@pytest.mark.django_db
def test_columns_are_found_by_name_whatever_their_order(tmp_path):
    path = write(tmp_path, "LIBELLE,COMPARENT,DEP,COM,TYPECOM,NOUVELLE\nBergues,,59,59067,COM,x\n")
    call_command("import_communes", cog=path)
    assert Commune.objects.get(insee_code="59067").name == "Bergues"
