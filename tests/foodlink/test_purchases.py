import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from frictionless import Resource, Schema, system

from essor.core.formats import euros
from essor.foodlink import services
from essor.foodlink.models import Purchase, PurchaseImport
from tests.factories import OrganisationFactory
from tests.foodlink.factories import BuyerProfileFactory, PurchaseFactory, make_buyer

pytestmark = pytest.mark.django_db

REFERENCE = Path(__file__).resolve().parents[2] / "reference"
EXAMPLE = REFERENCE / "macantine-achats.example.csv"
SCHEMA = REFERENCE / "macantine-achats-siret.schema.json"
HEADER = (
    "siret,description,fournisseur,date,prix_ht,famille_produits,categories_egalim,origine,"
    "est_circuit_court,est_local,definition_local,definition_local_km\n"
)


@pytest.fixture
def example_buyer():
    return BuyerProfileFactory(
        organisation=OrganisationFactory(siren="210100343"), siret="21010034300016"
    )


def _import(content: bytes, buyers, name="achats.csv"):
    return services.import_purchases(actor=None, content=content, filename=name, buyers=buyers)


def assert_valid_against_schema(path: Path):
    descriptor = json.loads(SCHEMA.read_text(encoding="utf-8"))
    schema = Schema.from_descriptor({"fields": descriptor["fields"]})
    with system.use_context(trusted=True):
        report = Resource(path=str(path), schema=schema).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])


def test_the_national_example_file_imports_entirely(example_buyer):
    batch = _import(EXAMPLE.read_bytes(), [example_buyer])
    assert batch.row_count == 8
    first = Purchase.objects.get(description="Pommes, rouges, local")
    assert (first.family, first.egalim_group, first.is_local, first.local_definition) == (
        "PRODUITS_LAITIERS",
        "bio",
        True,
        "DEPARTEMENT",
    )
    assert Purchase.objects.get(description="Pommes, vertes 7").local_definition_km == 200
    assert Purchase.objects.get(description="Pommes, vertes 4").egalim_group == "siqo"
    assert Purchase.objects.get(description="Pommes, vertes 2").egalim_group == "other"


def test_the_same_file_is_refused_twice(example_buyer):
    _import(EXAMPLE.read_bytes(), [example_buyer])
    with pytest.raises(services.PurchaseImportError, match="déjà été importé"):
        _import(EXAMPLE.read_bytes(), [example_buyer], name="copie.csv")
    assert Purchase.objects.count() == 8


def test_one_message_per_wrong_line_and_cell_and_nothing_saved(example_buyer):
    content = (
        HEADER
        + "21010034300016,Carottes,Ferme,2026-02-30,12.5,FRUITS_ET_LEGUMES,,,,,,\n"
        + "21010034300016,Lait,Ferme,2026-02-03,abc,LAITAGES,BIO,,,,,\n"
        + "21010034300016,Pain,Fournil,2026-02-03,10,BOULANGERIE,BIO,,,,,\n"
    ).encode()
    with pytest.raises(services.PurchaseImportError) as error:
        _import(content, [example_buyer])
    assert error.value.errors == [
        "Ligne 2, colonne « date » : « 2026-02-30 » n'est pas une date au format AAAA-MM-JJ.",
        "Ligne 3, colonne « prix_ht » : « abc » n'est pas un nombre (utilisez le point comme "
        "séparateur décimal).",
        "Ligne 3, colonne « famille_produits » : famille « LAITAGES » inconnue (attendu : "
        "VIANDES_VOLAILLES, CHARCUTERIE, PRODUITS_DE_LA_MER, FRUITS_ET_LEGUMES, "
        "PRODUITS_LAITIERS, BOULANGERIE, BOISSONS, AUTRES).",
    ]
    assert not Purchase.objects.exists() and not PurchaseImport.objects.exists()


def test_unknown_egalim_category_and_negative_price_are_named(example_buyer):
    content = (
        HEADER + '21010034300016,Lait,Ferme,2026-02-03,-4,PRODUITS_LAITIERS,"BIO,MAISON",,,,,\n'
    ).encode()
    with pytest.raises(services.PurchaseImportError) as error:
        _import(content, [example_buyer])
    assert error.value.errors == [
        "Ligne 2, colonne « prix_ht » : le prix HT doit être strictement positif (« -4 »).",
        "Ligne 2, colonne « categories_egalim » : catégorie inconnue : MAISON.",
    ]


def test_a_canteen_the_person_does_not_manage_is_refused(example_buyer):
    other = BuyerProfileFactory()
    with pytest.raises(services.PurchaseImportError) as error:
        _import(EXAMPLE.read_bytes(), [other])
    assert error.value.errors[0].startswith("Ligne 2, colonne « siret » : aucune cantine")
    assert len(error.value.errors) == 8


def test_missing_columns_are_named():
    with pytest.raises(services.PurchaseImportError, match="colonnes manquantes : prix_ht"):
        _import(b"siret,description,fournisseur,date\n1,2,3,4\n", [])


def test_a_file_not_in_utf8_is_refused(example_buyer):
    content = (HEADER + "21010034300016,Crème brûlée,F,2026-01-02,3,AUTRES,,,,,,\n").encode(
        "latin-1"
    )
    with pytest.raises(services.PurchaseImportError, match="UTF-8"):
        _import(content, [example_buyer])


def test_import_page_lists_the_errors(client, world):
    buyer = make_buyer(world.structure)
    client.force_login(world.users["organisation_member"])
    content = (HEADER + f"{buyer.siret},Lait,F,2026-01-02,0,PRODUITS_LAITIERS,,,,,,\n").encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/circuits-courts/achats/importer/",
        {"file": SimpleUploadedFile("achats.csv", content, content_type="text/csv")},
    )
    assert response.status_code == 200
    assert "Ligne 2, colonne « prix_ht »" in response.content.decode()


def test_export_command_writes_a_file_valid_against_the_national_schema(tmp_path):
    buyer = BuyerProfileFactory()
    PurchaseFactory(
        buyer=buyer,
        date=datetime.date(2025, 3, 4),
        characteristics=["BIO", "IGP"],
        egalim_group="bio",
        origin="FRANCE",
        is_local=True,
        local_definition="KM",
        local_definition_km=40,
        is_short_chain=True,
        description='Pommes "Reinette", local',
    )
    PurchaseFactory(buyer=buyer, date=datetime.date(2025, 6, 1), price_ht=Decimal("12.30"))
    PurchaseFactory(buyer=buyer, date=datetime.date(2024, 6, 1))
    output = tmp_path / "achats.csv"
    call_command("export_achats", "--annee", "2025", "--output", str(output))
    assert_valid_against_schema(output)
    lines = output.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    assert lines[1].endswith(',2025-03-04,100.00,FRUITS_ET_LEGUMES,"BIO,IGP",FRANCE,OUI,OUI,KM,40')


def test_export_round_trips_through_the_import(tmp_path):
    buyer = BuyerProfileFactory()
    PurchaseFactory(
        buyer=buyer, date=datetime.date(2025, 3, 4), characteristics=["HVE"], egalim_group="other"
    )
    output = tmp_path / "achats.csv"
    call_command(
        "export_achats", "--annee", "2025", "--acheteur", buyer.siret, "--output", str(output)
    )
    Purchase.objects.all().delete()
    batch = _import(output.read_bytes(), [buyer])
    assert batch.row_count == 1
    assert Purchase.objects.get().egalim_group == "other"


def test_export_command_refuses_an_unknown_buyer():
    with pytest.raises(CommandError, match="Aucune cantine"):
        call_command("export_achats", "--annee", "2025", "--acheteur", "12345678900011")


def test_download_button_exports_only_the_persons_canteens(client, world, tmp_path):
    mine = make_buyer(world.structure)
    year = timezone.localdate().year
    PurchaseFactory(buyer=mine, description="À moi")
    PurchaseFactory(description="Pas à moi")
    client.force_login(world.users["organisation_member"])
    response = client.get(f"/circuits-courts/achats/export.csv?annee={year}")
    body = response.content.decode()
    assert "À moi" in body and "Pas à moi" not in body
    path = tmp_path / "export.csv"
    path.write_bytes(response.content)
    assert_valid_against_schema(path)


def test_manual_purchase_gets_its_egalim_group(world):
    purchase = services.record_purchase(
        actor=None,
        buyer=make_buyer(world.structure),
        description="Comté",
        supplier="Fromagerie",
        date=timezone.localdate(),
        price_ht=Decimal("40"),
        family="PRODUITS_LAITIERS",
        characteristics=["AOCAOP", "HVE"],
    )
    assert purchase.egalim_group == "siqo"


@pytest.mark.parametrize(
    ("codes", "group"),
    [
        (["HVE", "BIO", "LABEL_ROUGE"], "bio"),
        (["IGP", "FERMIER"], "siqo"),
        (["COMMERCE_EQUITABLE", "PERFORMANCE"], "other"),
        (["EXTERNALITES"], "externalities"),
        ([], "none"),
    ],
)
def test_each_purchase_counts_in_its_highest_group(codes, group):
    assert services.egalim_group(codes) == group


def test_an_imported_formula_stays_text_and_is_exported_neutralised(example_buyer, tmp_path):
    content = (
        HEADER + "21010034300016,=1+2,@Ferme,2026-02-03,12.5,FRUITS_ET_LEGUMES,,,,,,\n"
    ).encode()
    _import(content, [example_buyer])
    purchase = Purchase.objects.get()
    assert (purchase.description, purchase.supplier) == ("=1+2", "@Ferme")
    output = tmp_path / "achats.csv"
    call_command("export_achats", "--annee", "2026", "--output", str(output))
    assert (
        output.read_text(encoding="utf-8")
        .splitlines()[1]
        .startswith("21010034300016,'=1+2,'@Ferme,2026-02-03,12.50,")
    )
    assert_valid_against_schema(output)


def test_download_neutralises_text_a_spreadsheet_would_run(client, world):
    PurchaseFactory(buyer=make_buyer(world.structure), description="-1+2", supplier="+33 6")
    client.force_login(world.users["organisation_member"])
    response = client.get(f"/circuits-courts/achats/export.csv?annee={timezone.localdate().year}")
    assert ",'-1+2,'+33 6," in response.content.decode()


def test_an_imported_price_with_three_decimals_rounds_half_up(example_buyer):
    content = (
        HEADER + "21010034300016,Lait,F,2026-02-03,10.125,PRODUITS_LAITIERS,,,,,,\n"
    ).encode()
    _import(content, [example_buyer])
    assert Purchase.objects.get().price_ht == Decimal("10.13")


# --- Amounts and database refusals ---------------------------------------------------------------


def _one_line(buyer, price: str, categories: str = "") -> bytes:
    return (
        HEADER
        + f'{buyer.siret},Lait,Ferme,2026-02-03,{price},PRODUITS_LAITIERS,"{categories}",,,,,\n'
    ).encode()


def test_an_imported_price_is_rounded_half_up_to_the_cent(example_buyer):
    _import(_one_line(example_buyer, "12.345"), [example_buyer])

    assert Purchase.objects.get().price_ht == Decimal("12.35")


def test_an_imported_price_rounding_to_zero_names_its_line_and_column(example_buyer):
    with pytest.raises(services.PurchaseImportError) as error:
        _import(_one_line(example_buyer, "0.004"), [example_buyer])

    assert error.value.errors == [
        "Ligne 2, colonne « prix_ht » : le prix HT doit être strictement positif une fois "
        "arrondi au centime (« 0.004 »)."
    ]
    assert not PurchaseImport.objects.exists()


def test_an_imported_price_rounding_above_the_maximum_names_its_line_and_column(example_buyer):
    with pytest.raises(services.PurchaseImportError) as error:
        _import(_one_line(example_buyer, "9999999999.995"), [example_buyer])

    assert error.value.errors == [
        "Ligne 2, colonne « prix_ht » : le prix HT ne peut pas dépasser "
        f"{euros(Decimal('9999999999.99'))} (« 9999999999.995 »)."
    ]


def test_a_database_refusal_of_another_constraint_is_not_taken_for_a_duplicate_file(
    example_buyer, monkeypatch
):
    """A line that passes the checks but that the database refuses (here an EGalim group the
    database does not know) is named with its line, column and reason; nothing is saved."""
    real_group = services.egalim_group
    monkeypatch.setattr(
        services, "egalim_group", lambda codes: "gold" if "HVE" in codes else real_group(codes)
    )
    content = (
        HEADER
        + f"{example_buyer.siret},Lait,Ferme,2026-02-03,10,PRODUITS_LAITIERS,BIO,,,,,\n"
        + f"{example_buyer.siret},Pain,Fournil,2026-02-03,10,BOULANGERIE,HVE,,,,,\n"
    ).encode()

    with pytest.raises(services.PurchaseImportError) as error:
        _import(content, [example_buyer])

    assert error.value.errors == ["Ligne 3, colonne « categories_egalim » : Groupe EGalim inconnu."]
    assert not Purchase.objects.exists() and not PurchaseImport.objects.exists()


def test_a_file_imported_in_the_meantime_is_refused_as_a_duplicate(example_buyer, monkeypatch):
    """Another import of the same file was saved between the check and the insert: the unique
    hash refuses it, and only that refusal says « déjà importé »."""
    _import(EXAMPLE.read_bytes(), [example_buyer])
    real_previous_import, calls = services._previous_import, []

    def missed_by_the_first_check(digest):
        calls.append(digest)
        return None if len(calls) == 1 else real_previous_import(digest)

    monkeypatch.setattr(services, "_previous_import", missed_by_the_first_check)

    with pytest.raises(services.PurchaseImportError, match="déjà été importé"):
        _import(EXAMPLE.read_bytes(), [example_buyer], name="copie.csv")
    assert Purchase.objects.count() == 8


def test_a_cell_longer_than_the_csv_limit_names_its_line_and_saves_nothing(example_buyer):
    content = (
        HEADER
        + "21010034300016,Pain,Fournil,2026-02-03,10,BOULANGERIE,BIO,,,,,\n"
        + '21010034300016,"'
        + "x" * 200_000
        + "\n"
    ).encode()
    with pytest.raises(services.PurchaseImportError) as error:
        _import(content, [example_buyer])
    assert len(error.value.errors) == 1
    assert error.value.errors[0].startswith("Ligne 3 : une cellule dépasse 131")
    assert not Purchase.objects.exists() and not PurchaseImport.objects.exists()
