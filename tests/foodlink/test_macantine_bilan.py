"""The canteen's yearly bilan for ma-cantine (« bilan simple », one row per SIRET): the file is
valid against the national schema, and each amount is the one ma-cantine itself computes from the
same purchases (`Purchase.canteen_summary_for_year`), so that the canteen imports it and
télédéclares without typing anything."""

import csv
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from frictionless import Resource, Schema, system
from hypothesis import given, settings
from hypothesis import strategies as st

from essor.foodlink import egalim, selectors, services
from essor.foodlink.models import EGALIM_CHARACTERISTICS, Family
from tests.factories import OrganisationFactory
from tests.foodlink.factories import BuyerProfileFactory, PurchaseFactory, awarded_offer, make_buyer
from tests.foodlink.queries import queries_of

REFERENCE = Path(__file__).resolve().parents[2] / "reference"
SCHEMA = REFERENCE / "macantine-bilans-simple-siret.schema.json"
PARIS = ZoneInfo("Europe/Paris")
YEAR = 2025


def _purchase(buyer, price="100.00", codes=(), *, on=None, **fields):
    codes = list(codes)
    return PurchaseFactory(
        buyer=buyer,
        price_ht=Decimal(price),
        characteristics=codes,
        egalim_group=egalim.egalim_group(codes),
        date=on or datetime.date(YEAR, 6, 15),
        **fields,
    )


def _bilan(buyer, year=YEAR) -> dict:
    return selectors.macantine_bilan(buyer=buyer, year=year).amounts


def _nonzero(amounts: dict) -> dict:
    return {column: amount for column, amount in amounts.items() if amount}


def _assert_valid_against_the_schema(path: Path):
    descriptor = json.loads(SCHEMA.read_text(encoding="utf-8"))
    schema = Schema.from_descriptor({"fields": descriptor["fields"]})
    with system.use_context(trusted=True):
        report = Resource(path=str(path), schema=schema, encoding=descriptor["encoding"]).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])


# --- The file ------------------------------------------------------------------------------


def test_the_header_is_the_schemas_field_names_in_its_order():
    descriptor = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert list(egalim.BILAN_COLUMNS) == [field["name"] for field in descriptor["fields"]]


@pytest.mark.django_db
def test_the_command_writes_a_file_valid_against_the_national_schema(tmp_path):
    school, nursing_home = BuyerProfileFactory(), BuyerProfileFactory()
    _purchase(school, "1234.56", ["BIO", "COMMERCE_EQUITABLE"], family="FRUITS_ET_LEGUMES")
    _purchase(school, "99.99", ["LABEL_ROUGE"], family="VIANDES_VOLAILLES", origin="FRANCE")
    _purchase(school, "10.05", ["PECHE_DURABLE"], family="PRODUITS_DE_LA_MER")
    _purchase(nursing_home, "0.01", [], family="AUTRES", origin="EUROPE")
    output = tmp_path / "bilans.csv"

    call_command("export_bilan_macantine", "--annee", str(YEAR), "--output", str(output))

    _assert_valid_against_the_schema(output)
    rows = list(csv.DictReader(output.open(encoding="utf-8", newline="")))
    assert sorted(row["siret"] for row in rows) == sorted([school.siret, nursing_home.siret])


@pytest.mark.django_db
def test_the_file_is_comma_separated_utf8_without_bom_with_point_decimals(tmp_path):
    buyer = BuyerProfileFactory()
    _purchase(buyer, "1234.5", ["BIO"], family="VIANDES_VOLAILLES")
    stream = io.StringIO()

    services.write_macantine_bilans(stream, [selectors.macantine_bilan(buyer=buyer, year=YEAR)])

    header, row, end = stream.getvalue().split("\n")
    assert header.startswith("siret,année_bilan,valeur_totale,valeur_bio,")
    assert row.split(",")[:4] == [buyer.siret, "2025", "1234.50", "1234.50"]
    assert row.split(",")[4] == "0.00"  # bio dont commerce équitable: a number, never empty
    assert end == ""


@pytest.mark.django_db
def test_every_amount_is_written_to_the_cent():
    buyer = BuyerProfileFactory()
    for price in ("0.10", "0.20", "33.33", "33.33", "33.34"):
        _purchase(buyer, price)
    stream = io.StringIO()

    services.write_macantine_bilans(stream, [selectors.macantine_bilan(buyer=buyer, year=YEAR)])

    row = stream.getvalue().splitlines()[1].split(",")
    assert row[2] == "100.30"
    assert all(len(cell.split(".")[1]) == 2 for cell in row[2:])


# --- Which totals a purchase counts in (ma-cantine's rule) -------------------------------

RULES = [
    # Bio and fair trade: bio, and bio « dont commerce équitable ».
    (
        "FRUITS_ET_LEGUMES",
        ["BIO", "COMMERCE_EQUITABLE"],
        "",
        {"valeur_bio", "valeur_bio_dont_commerce_equitable"},
    ),
    # Bio outranks Label Rouge: not counted as SIQO (« hors bio »).
    (
        "VIANDES_VOLAILLES",
        ["LABEL_ROUGE", "BIO"],
        "",
        {"valeur_bio", "valeur_viandes_volailles", "valeur_viandes_volailles_egalim"},
    ),
    # SIQO with fair trade: SIQO only, in neither « dont commerce équitable ».
    (
        "PRODUITS_LAITIERS",
        ["AOCAOP", "COMMERCE_EQUITABLE"],
        "",
        {"valeur_siqo"},
    ),
    # Other EGalim labels with fair trade, for fish.
    (
        "PRODUITS_DE_LA_MER",
        ["PECHE_DURABLE", "COMMERCE_EQUITABLE"],
        "",
        {
            "valeur_egalim_autres",
            "valeur_egalim_autres_dont_commerce_equitable",
            "valeur_produits_de_la_mer",
            "valeur_produits_de_la_mer_egalim",
        },
    ),
    # « Fermier » outranks environmental performance.
    ("BOULANGERIE", ["PERFORMANCE", "FERMIER"], "", {"valeur_egalim_autres"}),
    ("BOISSONS", ["EXTERNALITES"], "", {"valeur_externalites_performance"}),
    # Externalities still make meat « EGalim ».
    (
        "VIANDES_VOLAILLES",
        ["EXTERNALITES"],
        "FRANCE",
        {
            "valeur_externalites_performance",
            "valeur_viandes_volailles",
            "valeur_viandes_volailles_egalim",
            "valeur_viandes_volailles_france",
        },
    ),
    # No label, from France: its family's France total only.
    ("CHARCUTERIE", [], "FRANCE", {"valeur_charcuterie_france"}),
    ("AUTRES", [], "FRANCE", {"valeur_autres_france"}),
    # Charcuterie is not « viandes et volailles fraîches ou surgelées ».
    ("CHARCUTERIE", ["BIO"], "", {"valeur_bio"}),
    # From Europe: no France total.
    ("VIANDES_VOLAILLES", [], "EUROPE", {"valeur_viandes_volailles"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("family", "codes", "origin", "expected"), RULES)
def test_a_purchase_counts_in_the_totals_of_ma_cantines_rule(family, codes, origin, expected):
    buyer = BuyerProfileFactory()
    _purchase(buyer, "12.34", codes, family=family, origin=origin)

    assert _nonzero(_bilan(buyer)) == dict.fromkeys({"valeur_totale", *expected}, Decimal("12.34"))


@pytest.mark.django_db
def test_ma_cantines_own_summary_case_gives_its_figures():
    """betagouv/ma-cantine, api/tests/test_purchases.py::test_purchase_total_summary (2020), its
    « bio en conversion » label (no longer offered, counted as bio) read as BIO."""
    buyer = BuyerProfileFactory()
    on = datetime.date(2020, 1, 1)
    for price, codes in [
        ("50", ["BIO", "LABEL_ROUGE"]),
        ("150", ["BIO", "IGP"]),
        ("20", ["BIO", "COMMERCE_EQUITABLE"]),
        ("2", ["HVE"]),
        ("8", ["HVE"]),
        ("12", ["LABEL_ROUGE"]),
        ("8", ["LABEL_ROUGE"]),
        ("22", ["AOCAOP", "IGP"]),
        ("4", ["IGP"]),
        ("4", ["IGP", "HVE"]),
        ("30", ["EXTERNALITES", "PERFORMANCE"]),
        ("15", ["PERFORMANCE"]),
        ("240", ["PECHE_DURABLE"]),
        ("10", ["COMMERCE_EQUITABLE"]),
        ("500", []),
    ]:
        _purchase(buyer, price, codes, on=on)
    _purchase(buyer, "666", ["BIO"], on=datetime.date(2019, 1, 1))

    amounts = _bilan(buyer, 2020)

    assert {column: int(amount) for column, amount in _nonzero(amounts).items()} == {
        "valeur_totale": 1075,
        "valeur_bio": 220,
        "valeur_bio_dont_commerce_equitable": 20,
        "valeur_siqo": 50,
        "valeur_egalim_autres": 260,
        "valeur_egalim_autres_dont_commerce_equitable": 10,
        "valeur_externalites_performance": 45,
    }


@pytest.mark.django_db
def test_in_2025_a_short_chain_or_local_purchase_counts_as_france_except_meat():
    buyer = BuyerProfileFactory()
    on = datetime.date(2025, 3, 1)
    _purchase(buyer, "10", family="BOULANGERIE", is_short_chain=True, on=on)
    _purchase(buyer, "20", family="PRODUITS_DE_LA_MER", is_local=True, origin="EUROPE", on=on)
    _purchase(buyer, "40", family="VIANDES_VOLAILLES", is_local=True, on=on)

    amounts = _bilan(buyer, 2025)

    assert amounts["valeur_boulangerie_france"] == Decimal("10")
    assert amounts["valeur_produits_de_la_mer_france"] == Decimal("20")
    assert amounts["valeur_viandes_volailles_france"] == Decimal("0")


@pytest.mark.django_db
@pytest.mark.parametrize("year", [2024, 2026])
def test_outside_2025_only_the_origin_france_counts_as_france(year):
    buyer = BuyerProfileFactory()
    on = datetime.date(year, 3, 1)
    _purchase(buyer, "10", family="BOULANGERIE", is_short_chain=True, is_local=True, on=on)
    _purchase(buyer, "5", family="BOULANGERIE", origin="FRANCE", on=on)

    assert _bilan(buyer, year)["valeur_boulangerie_france"] == Decimal("5")


@pytest.mark.django_db
def test_the_bilan_agrees_with_the_egalim_dashboard():
    buyer = BuyerProfileFactory()
    for index, codes in enumerate(
        [["BIO"], ["IGP"], ["HVE"], ["EXTERNALITES"], [], ["STG", "BIO"], ["RUP"]]
    ):
        _purchase(buyer, f"{index + 1}1.11", codes, family=Family.values[index])

    amounts = _bilan(buyer)
    totals = selectors.egalim_dashboard(buyer_ids=[buyer.pk], year=YEAR)["totals"]

    assert amounts["valeur_totale"] == totals["total"]
    assert amounts["valeur_bio"] == totals["bio"]
    assert amounts["valeur_siqo"] == totals["siqo"]
    assert amounts["valeur_egalim_autres"] == totals["other"]
    assert amounts["valeur_externalites_performance"] == totals["externalities"]


# --- Amounts and years -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_last_cent_is_kept():
    buyer = BuyerProfileFactory()
    for _ in range(3):
        _purchase(buyer, "0.10", ["BIO"])
    _purchase(buyer, "9999999999.99", family="VIANDES_VOLAILLES")
    _purchase(buyer, "0.01", family="VIANDES_VOLAILLES")

    amounts = _bilan(buyer)

    assert amounts["valeur_bio"] == Decimal("0.30")
    assert amounts["valeur_viandes_volailles"] == Decimal("10000000000.00")
    assert amounts["valeur_totale"] == Decimal("10000000000.30")


@pytest.mark.django_db
def test_a_purchase_counts_in_the_calendar_year_of_its_date():
    buyer = BuyerProfileFactory()
    _purchase(buyer, "1", on=datetime.date(2024, 12, 31))
    _purchase(buyer, "10", on=datetime.date(2025, 1, 1))
    _purchase(buyer, "100", on=datetime.date(2025, 12, 31))
    _purchase(buyer, "1000", on=datetime.date(2026, 1, 1))

    assert _bilan(buyer, 2025)["valeur_totale"] == Decimal("110")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("paris_time", "year"),
    [
        (datetime.datetime(2025, 12, 31, 23, 30, tzinfo=PARIS), 2025),
        # 00:30 on 1 January in Paris is still 31 December in UTC: the day is Paris's.
        (datetime.datetime(2026, 1, 1, 0, 30, tzinfo=PARIS), 2026),
    ],
)
def test_a_delivery_confirmed_around_midnight_counts_in_the_year_of_paris(
    world, monkeypatch, paris_time, year
):
    offer = awarded_offer(world)
    monkeypatch.setattr(timezone, "now", lambda: paris_time.astimezone(datetime.UTC))

    services.confirm_delivery(
        actor=world.users["organisation_admin"],
        consultation=offer.consultation,
        delivered_on=timezone.localdate(),
    )

    buyer = offer.consultation.buyer
    assert selectors.macantine_bilan(buyer=buyer, year=year).purchase_count == 1
    assert selectors.macantine_bilan(buyer=buyer, year=2025 + 2026 - year) is None


@pytest.mark.django_db
def test_a_canteen_without_purchases_that_year_has_no_bilan(tmp_path):
    buyer = BuyerProfileFactory()
    _purchase(buyer, on=datetime.date(2024, 5, 1))
    output = tmp_path / "bilans.csv"

    said = io.StringIO()

    call_command("export_bilan_macantine", "--annee", "2025", "--output", str(output), stderr=said)

    assert selectors.macantine_bilan(buyer=buyer, year=2025) is None
    assert output.read_text(encoding="utf-8").splitlines() == [",".join(egalim.BILAN_COLUMNS)]
    assert "0 bilan 2025 écrit dans" in said.getvalue()
    assert "1 cantine sans achat en 2025, sans bilan" in said.getvalue()


# --- SIRET: one row per canteen -----------------------------------------------------------


@pytest.mark.django_db
def test_two_canteens_cannot_share_a_siret():
    first = BuyerProfileFactory()
    with pytest.raises(IntegrityError):
        BuyerProfileFactory(organisation=OrganisationFactory(), siret=first.siret)


@pytest.mark.django_db
def test_each_canteen_has_its_own_row_with_its_own_purchases():
    organisation = OrganisationFactory()
    school = BuyerProfileFactory(organisation=organisation)
    other = BuyerProfileFactory()
    _purchase(school, "10", ["BIO"])
    _purchase(other, "20")

    bilans = {bilan.siret: bilan for bilan in selectors.macantine_bilans(year=YEAR)}

    assert bilans[school.siret].amounts["valeur_bio"] == Decimal("10")
    assert bilans[other.siret].amounts["valeur_totale"] == Decimal("20")
    assert len(bilans) == 2


# --- What ma-cantine checks at import (data/validators/diagnostic.py) ---------------------

_purchases = st.lists(
    st.tuples(
        st.sampled_from(Family.values),
        st.lists(st.sampled_from(EGALIM_CHARACTERISTICS), max_size=4, unique=True),
        st.sampled_from(["", "FRANCE", "EUROPE"]),
        st.booleans(),
        st.booleans(),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(purchases=_purchases, year=st.sampled_from([2024, 2025, 2026]))
def test_the_amounts_always_pass_ma_cantines_import_checks(purchases, year):
    rows = [
        (
            family,
            egalim.egalim_group(codes),
            egalim.FAIR_TRADE in codes,
            origin,
            short,
            local,
            price,
        )
        for family, codes, origin, short, local, price in purchases
    ]
    a = egalim.bilan_amounts(rows, year=year)
    egalim_sum = sum(
        a[column]
        for column in (
            "valeur_bio",
            "valeur_siqo",
            "valeur_externalites_performance",
            "valeur_egalim_autres",
        )
    )
    assert a["valeur_totale"] > 0
    assert all(a[column] <= a["valeur_totale"] for column in egalim.BILAN_AMOUNTS)
    assert egalim_sum <= a["valeur_totale"]
    assert a["valeur_bio_dont_commerce_equitable"] <= a["valeur_bio"]
    assert a["valeur_egalim_autres_dont_commerce_equitable"] <= a["valeur_egalim_autres"]
    for family in ("viandes_volailles", "produits_de_la_mer"):
        assert a[f"valeur_{family}_egalim"] <= a[f"valeur_{family}"]
        assert a[f"valeur_{family}_france"] <= a[f"valeur_{family}"]
    assert (
        a["valeur_viandes_volailles_egalim"] + a["valeur_produits_de_la_mer_egalim"] <= egalim_sum
    )


# --- The download -------------------------------------------------------------------------


def _url(buyer, year=YEAR) -> str:
    return f"{reverse('foodlink:macantine_bilan', kwargs={'pk': buyer.pk})}?annee={year}"


@pytest.mark.django_db
def test_a_manager_downloads_the_canteens_bilan(client, world, tmp_path):
    buyer = make_buyer(world.structure)
    _purchase(buyer, "250.00", ["BIO"], family="VIANDES_VOLAILLES", origin="FRANCE")
    client.force_login(world.users["organisation_member"])

    response = client.get(_url(buyer))

    assert response["Content-Disposition"] == (
        f'attachment; filename="bilan-simple-2025-{buyer.siret}.csv"'
    )
    path = tmp_path / "bilan.csv"
    path.write_bytes(response.content)
    _assert_valid_against_the_schema(path)
    row = next(csv.DictReader(io.StringIO(response.content.decode())))
    assert (row["siret"], row["année_bilan"], row["valeur_viandes_volailles_france"]) == (
        buyer.siret,
        "2025",
        "250.00",
    )


@pytest.mark.django_db
def test_the_agency_downloads_any_canteens_bilan(client, world):
    buyer = BuyerProfileFactory()
    _purchase(buyer)
    client.force_login(world.users["agency_staff"])
    assert client.get(_url(buyer)).status_code == 200


@pytest.mark.django_db
def test_the_manager_of_another_canteen_is_refused(client, world):
    make_buyer(world.structure)
    other = BuyerProfileFactory(organisation=world.other_structure)
    _purchase(other)
    client.force_login(world.users["organisation_admin"])
    assert client.get(_url(other)).status_code == 403


@pytest.mark.django_db
def test_an_unknown_canteen_is_not_found(client, world):
    client.force_login(world.users["agency_staff"])
    assert client.get(reverse("foodlink:macantine_bilan", kwargs={"pk": 999999})).status_code == 404


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    buyer = BuyerProfileFactory()
    _purchase(buyer)
    response = client.get(_url(buyer))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_a_year_without_purchases_gives_no_file_and_says_why(client, world):
    buyer = make_buyer(world.structure)
    client.force_login(world.users["organisation_member"])

    response = client.get(_url(buyer), follow=True)

    assert response.redirect_chain[-1][0].endswith(f"/egalim/?annee={YEAR}")
    assert "ma-cantine refuse un bilan dont la valeur totale est nulle" in response.content.decode()


@pytest.mark.django_db
def test_the_download_takes_constant_queries(client, world):
    buyer = make_buyer(world.structure)
    client.force_login(world.users["organisation_member"])
    counts = []
    for size in (2, 40):
        for index in range(size):
            _purchase(
                buyer, "3.21", [EGALIM_CHARACTERISTICS[index % 12]], family=Family.values[index % 8]
            )
        counts.append(queries_of(client, _url(buyer)))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_the_canteens_page_offers_the_bilan_of_the_year_shown(client, world):
    buyer = make_buyer(world.structure)
    _purchase(buyer)
    client.force_login(world.users["organisation_member"])

    page = client.get(f"/circuits-courts/cantines/{buyer.pk}/egalim/?annee={YEAR}").content.decode()

    assert f'href="{_url(buyer)}"' in page
    assert "Télécharger le bilan 2025 pour ma-cantine (CSV)" in page


@pytest.mark.django_db
def test_the_canteens_page_offers_no_bilan_for_a_year_without_purchases(client, world):
    buyer = make_buyer(world.structure)
    client.force_login(world.users["organisation_member"])

    page = client.get(f"/circuits-courts/cantines/{buyer.pk}/egalim/?annee={YEAR}").content.decode()

    assert reverse("foodlink:macantine_bilan", kwargs={"pk": buyer.pk}) not in page
    assert "pas de bilan à transmettre à ma-cantine" in page
