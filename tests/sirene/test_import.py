import datetime
import random

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pyproj import Transformer

from essor.core.models import AuditLogEntry
from essor.directory.models import Establishment, Organisation
from essor.directory.sirene.columns import (
    GEOLOCALISATION_COLUMNS,
    STOCK_ETABLISSEMENT_COLUMNS,
    STOCK_UNITE_LEGALE_COLUMNS,
)
from essor.directory.sirene.services import SireneFileError, import_sirene
from tests.factories import siret_for
from tests.sirene import stock

CUD = "245900428"
STOCK_DATE = datetime.date(2025, 12, 1)


@pytest.fixture
def files(tmp_path):
    """Writes the stock files and runs the import: files(establishments, units, …) -> report."""

    def run(establishments, units, *, geolocation=None, columns=None, date=STOCK_DATE, zip_=False):
        folder = tmp_path / f"run{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        establishment_path = stock.write(
            folder / "StockEtablissement_utf8.csv",
            establishments,
            columns or STOCK_ETABLISSEMENT_COLUMNS,
        )
        unit_path = stock.write(
            folder / "StockUniteLegale_utf8.csv", units, STOCK_UNITE_LEGALE_COLUMNS
        )
        if zip_:
            establishment_path, unit_path = (
                stock.zipped(establishment_path),
                stock.zipped(unit_path),
            )
        geolocation_path = None
        if geolocation is not None:
            geolocation_path = stock.write(
                folder / "Geolocalisation.csv", geolocation, GEOLOCALISATION_COLUMNS, delimiter=";"
            )
        return import_sirene(
            establishments_path=establishment_path,
            legal_units_path=unit_path,
            geolocation_path=geolocation_path,
            territory_siren=CUD,
            stock_date=date,
        )

    return run


def test_keeps_ess_establishments_of_the_territory_and_counts_the_rejected(db, files):
    ess, company, far, bad = stock.sirens(4)
    bad_row = stock.establishment(bad)
    bad_row["siret"] = bad_row["siret"][:-1] + str((int(bad_row["siret"][-1]) + 1) % 10)
    report = files(
        [
            stock.establishment(ess),
            stock.establishment(company),
            stock.establishment(far, codeCommuneEtablissement="75056"),
            bad_row,
        ],
        [
            stock.legal_unit(ess),
            stock.legal_unit(
                company,
                categorieJuridiqueUniteLegale="5710",
                economieSocialeSolidaireUniteLegale="N",
            ),
            stock.legal_unit(far),
            stock.legal_unit(bad),
        ],
    )
    counts = report.establishments
    assert (counts.read, counts.kept, counts.created) == (4, 1, 1)
    assert dict(counts.rejected) == {"out_of_territory": 1, "not_ess": 1, "invalid_siret": 1}
    assert list(Establishment.objects.values_list("siret", flat=True)) == [siret_for(ess)]
    organisation = Organisation.objects.get()
    assert (organisation.siren, organisation.ess_family, organisation.is_ess) == (
        ess,
        "association",
        True,
    )


def test_sirene_ess_flag_alone_makes_a_company_ess(db, files):
    (siren,) = stock.sirens(1)
    files(
        [stock.establishment(siren)],
        [stock.legal_unit(siren, categorieJuridiqueUniteLegale="5710")],
    )
    assert Organisation.objects.get().ess_family == "company"


def test_unknown_legal_unit_is_rejected(db, files):
    siren, other = stock.sirens(2)
    report = files([stock.establishment(siren)], [stock.legal_unit(other)])
    assert report.establishments.rejected["unknown_legal_unit"] == 1
    assert not Establishment.objects.exists()


def test_former_commune_code_maps_to_the_current_commune(db, files):
    (siren,) = stock.sirens(1)
    files(
        [stock.establishment(siren, codeCommuneEtablissement="59540")],  # Saint-Pol-sur-Mer
        [stock.legal_unit(siren)],
    )
    assert Establishment.objects.get().commune.insee_code == "59183"


def test_columns_are_read_by_name_in_any_order(db, files):
    (siren,) = stock.sirens(1)
    columns = list(STOCK_ETABLISSEMENT_COLUMNS)
    random.Random(7).shuffle(columns)
    report = files([stock.establishment(siren)], [stock.legal_unit(siren)], columns=columns)
    assert report.establishments.kept == 1
    assert Establishment.objects.get().address == "12 rue DE LA REPUBLIQUE"


def test_partially_diffusible_establishment_keeps_only_its_commune(db, files):
    (siren,) = stock.sirens(1)
    files(
        [
            stock.establishment(
                siren,
                statutDiffusionEtablissement="P",
                enseigne1Etablissement="CHEZ JEAN DUPONT",
            )
        ],
        [stock.legal_unit(siren)],
    )
    establishment = Establishment.objects.get()
    assert (establishment.address, establishment.name, establishment.postal_code) == ("", "", "")
    assert establishment.latitude is None
    assert establishment.commune.insee_code == "59183"
    assert establishment.diffusion_status == "P"


def test_masked_values_are_empty(db, files):
    (siren,) = stock.sirens(1)
    files(
        [
            stock.establishment(
                siren,
                libelleVoieEtablissement="[ND]",
                numeroVoieEtablissement="[ND]",
                typeVoieEtablissement="[ND]",
                coordonneeLambertAbscisseEtablissement="[ND]",
            )
        ],
        [stock.legal_unit(siren, sigleUniteLegale="[ND]")],
    )
    establishment = Establishment.objects.get()
    assert (establishment.address, establishment.latitude) == ("", None)
    assert establishment.organisation.acronym == ""


def test_lambert93_coordinates_become_wgs84(db, files):
    (siren,) = stock.sirens(1)
    files([stock.establishment(siren)], [stock.legal_unit(siren)])
    longitude, latitude = Transformer.from_crs(2154, 4326, always_xy=True).transform(
        654000, 7106000
    )
    establishment = Establishment.objects.get()
    assert establishment.latitude == pytest.approx(latitude, abs=1e-6)
    assert establishment.longitude == pytest.approx(longitude, abs=1e-6)
    assert establishment.latitude == pytest.approx(51.03, abs=0.05)
    assert establishment.longitude == pytest.approx(2.37, abs=0.05)


def test_geolocation_file_wins_and_random_placement_is_not_mapped(db, files):
    placed, random_ = stock.sirens(2)
    files(
        [stock.establishment(placed), stock.establishment(random_)],
        [stock.legal_unit(placed), stock.legal_unit(random_)],
        geolocation=[
            stock.geolocation(siret_for(placed), x_longitude="2.3456", y_latitude="51.0123"),
            stock.geolocation(siret_for(random_), qualite_xy="33"),
        ],
    )
    located = Establishment.objects.get(siret=siret_for(placed))
    assert (located.latitude, located.longitude) == (51.0123, 2.3456)
    unmapped = Establishment.objects.get(siret=siret_for(random_))
    assert (unmapped.latitude, unmapped.longitude) == (None, None)


def test_reimport_updates_closes_and_never_deletes(db, files):
    staying, leaving = stock.sirens(2)
    units = [stock.legal_unit(staying), stock.legal_unit(leaving)]
    files([stock.establishment(staying), stock.establishment(leaving)], units)
    report = files(
        [stock.establishment(staying, etatAdministratifEtablissement="F")],
        [stock.legal_unit(staying, etatAdministratifUniteLegale="C", dateDebut="2025-06-30")],
        date=datetime.date(2026, 1, 1),
    )
    assert (report.establishments.created, report.establishments.updated) == (0, 1)
    assert report.establishments.closed == 1
    assert report.organisations.closed == 1
    closed = Establishment.objects.get(siret=siret_for(staying))
    assert closed.is_open is False
    assert closed.organisation.is_active is False
    assert closed.organisation.closed_on == datetime.date(2025, 6, 30)
    assert closed.last_sirene_date == datetime.date(2026, 1, 1)
    assert closed.field_sources["is_open"] == {"source": "sirene", "date": "2026-01-01"}
    assert Establishment.objects.filter(siret=siret_for(leaving), is_open=True).exists()


def test_same_file_twice_updates_nothing(db, files):
    (siren,) = stock.sirens(1)
    rows, units = [stock.establishment(siren)], [stock.legal_unit(siren)]
    files(rows, units)
    report = files(rows, units)
    assert (report.establishments.created, report.establishments.updated) == (0, 0)
    assert Establishment.objects.count() == 1


def test_declared_facts_are_not_overwritten(db, files):
    (siren,) = stock.sirens(1)
    files([stock.establishment(siren)], [stock.legal_unit(siren)])
    organisation = Organisation.objects.get()
    organisation.name = "Les Jardins du Littoral (nom déclaré)"
    organisation.field_sources["name"] = {"source": "declared", "date": "2025-12-15"}
    organisation.save()
    files(
        [stock.establishment(siren)],
        [stock.legal_unit(siren, denominationUniteLegale="NOUVEAU NOM", sigleUniteLegale="NN")],
    )
    organisation.refresh_from_db()
    assert organisation.name == "Les Jardins du Littoral (nom déclaré)"
    assert organisation.field_sources["name"]["source"] == "declared"
    assert organisation.acronym == "NN"


def test_zip_files_as_published(db, files):
    (siren,) = stock.sirens(1)
    report = files([stock.establishment(siren)], [stock.legal_unit(siren)], zip_=True)
    assert report.establishments.created == 1


def test_missing_column_is_a_french_error_and_nothing_is_written(db, files):
    (siren,) = stock.sirens(1)
    columns = [c for c in STOCK_ETABLISSEMENT_COLUMNS if c != "codeCommuneEtablissement"]
    row = {k: v for k, v in stock.establishment(siren).items() if k in columns}
    with pytest.raises(SireneFileError, match=r"des établissements.*codeCommuneEtablissement"):
        files([row], [stock.legal_unit(siren)], columns=columns)
    assert not Organisation.objects.filter(siren=siren).exists()
    assert not AuditLogEntry.objects.exists()


def test_corrupt_zip_is_refused(db, tmp_path):
    broken = tmp_path / "StockEtablissement_utf8.zip"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    units = stock.write(tmp_path / "u.csv", [], STOCK_UNITE_LEGALE_COLUMNS)
    with pytest.raises(SireneFileError):
        import_sirene(establishments_path=broken, legal_units_path=units, territory_siren=CUD)


def test_unknown_territory_is_refused(db, tmp_path):
    empty = stock.write(tmp_path / "e.csv", [], STOCK_ETABLISSEMENT_COLUMNS)
    with pytest.raises(SireneFileError, match="Aucun territoire"):
        import_sirene(establishments_path=empty, legal_units_path=empty, territory_siren="123")


def test_command_prints_the_counts(db, tmp_path, capsys):
    (siren,) = stock.sirens(1)
    establishments = stock.write(
        tmp_path / "e.csv", [stock.establishment(siren)], STOCK_ETABLISSEMENT_COLUMNS
    )
    units = stock.write(tmp_path / "u.csv", [stock.legal_unit(siren)], STOCK_UNITE_LEGALE_COLUMNS)
    call_command(
        "import_sirene",
        "--etablissements", str(establishments),
        "--unites-legales", str(units),
        "--territoire", CUD,
        "--date", "2025-12-01",
        verbosity=0,
    )  # fmt: skip
    assert "Créés : 1" in capsys.readouterr().out


def test_command_reports_a_bad_file_in_french(db, tmp_path):
    not_csv = tmp_path / "e.csv"
    not_csv.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(CommandError, match="Rien n'a été importé"):
        call_command(
            "import_sirene",
            "--etablissements", str(not_csv),
            "--unites-legales", str(not_csv),
            "--territoire", CUD,
            verbosity=0,
        )  # fmt: skip


def test_a_quoted_field_spanning_lines_does_not_shift_the_records(db, files):
    outside, kept = stock.sirens(2)
    report = files(
        [
            stock.establishment(
                outside,
                codeCommuneEtablissement="75056",
                complementAdresseEtablissement="BATIMENT A\nESCALIER 2",
            ),
            stock.establishment(kept, libelleVoieEtablissement="DU PORT"),
        ],
        [stock.legal_unit(outside), stock.legal_unit(kept)],
    )
    assert report.establishments.kept == 1
    establishment = Establishment.objects.get()
    assert establishment.siret.startswith(kept)
    assert "PORT" in establishment.address.upper()


def test_blocks_cut_inside_a_quoted_field_are_joined(db, files, monkeypatch):
    from essor.directory.sirene import reader

    monkeypatch.setattr(reader, "BLOCK_SIZE", 97)  # many cuts, some inside the quoted field
    sirens = stock.sirens(4)
    report = files(
        [
            stock.establishment(
                sirens[0], complementAdresseEtablissement="BATIMENT A\nESCALIER 2\nPORTE 3"
            ),
            *[stock.establishment(siren) for siren in sirens[1:]],
        ],
        [stock.legal_unit(siren) for siren in sirens],
    )
    assert report.establishments.read == 4
    assert report.establishments.kept == 4


def test_an_unterminated_quote_is_a_french_error(db, tmp_path):
    (siren,) = stock.sirens(1)
    establishments = stock.write(
        tmp_path / "e.csv", [stock.establishment(siren)], STOCK_ETABLISSEMENT_COLUMNS
    )
    with establishments.open("a", encoding="utf-8") as handle:
        handle.write(f'{siren},00001,"UNTERMINATED\n')
    units = stock.write(tmp_path / "u.csv", [stock.legal_unit(siren)], STOCK_UNITE_LEGALE_COLUMNS)
    with pytest.raises(SireneFileError, match="guillemet ouvert"):
        import_sirene(
            establishments_path=establishments, legal_units_path=units, territory_siren=CUD
        )
    assert not Establishment.objects.exists()


def test_reimport_with_nothing_changed_only_dates_the_facts_again(db, files):
    (siren,) = stock.sirens(1)
    rows, units = [stock.establishment(siren)], [stock.legal_unit(siren)]
    files(rows, units)
    before = Establishment.objects.get()
    report = files(rows, units, date=datetime.date(2026, 1, 1))
    assert (report.establishments.updated, report.organisations.updated) == (0, 0)
    after = Establishment.objects.get()
    assert after.last_sirene_date == datetime.date(2026, 1, 1)
    assert after.field_sources["address"] == {"source": "sirene", "date": "2026-01-01"}
    assert after.organisation.field_sources["name"]["date"] == "2026-01-01"
    assert (after.updated_at, after.organisation.updated_at) == (
        before.updated_at,
        before.organisation.updated_at,
    )


def test_the_head_office_moves_to_another_establishment(db, files):
    (siren,) = stock.sirens(1)
    units = [stock.legal_unit(siren)]
    files([stock.establishment(siren, 1), stock.establishment(siren, 2)], units)
    report = files(
        [
            stock.establishment(siren, 1, etablissementSiege="false"),
            stock.establishment(siren, 2, etablissementSiege="true"),
        ],
        units,
    )
    assert report.establishments.updated == 2
    head_offices = Establishment.objects.filter(is_head_office=True)
    assert list(head_offices.values_list("siret", flat=True)) == [siret_for(siren, 2)]


def test_the_rna_number_is_kept_unless_another_organisation_holds_it(db, files):
    holder, free, taken = stock.sirens(3)
    files(
        [stock.establishment(holder), stock.establishment(free), stock.establishment(taken)],
        [
            stock.legal_unit(holder, identifiantAssociationUniteLegale="W595000001"),
            stock.legal_unit(free, identifiantAssociationUniteLegale="W595000002"),
            stock.legal_unit(taken, identifiantAssociationUniteLegale="W595000001"),
        ],
    )
    rna = dict(Organisation.objects.values_list("siren", "rna"))
    assert rna == {holder: "W595000001", free: "W595000002", taken: None}


def test_a_declared_cooperative_status_keeps_the_family_on_reimport(db, files):
    (siren,) = stock.sirens(1)
    rows = [stock.establishment(siren)]
    files(rows, [stock.legal_unit(siren, categorieJuridiqueUniteLegale="5710")])
    Organisation.objects.update(cooperative_status="scic", ess_family="cooperative")
    files(
        rows,
        [
            stock.legal_unit(
                siren,
                categorieJuridiqueUniteLegale="5710",
                economieSocialeSolidaireUniteLegale="N",
            )
        ],
    )
    organisation = Organisation.objects.get()
    assert (organisation.ess_family, organisation.is_ess) == ("cooperative", True)
    assert organisation.sirene_ess_flag == "N"


def test_a_fact_set_by_the_agency_on_an_establishment_is_kept(db, files):
    (siren,) = stock.sirens(1)
    rows, units = [stock.establishment(siren)], [stock.legal_unit(siren)]
    files(rows, units)
    establishment = Establishment.objects.get()
    establishment.is_open = False
    establishment.field_sources["is_open"] = {"source": "agency", "date": "2025-12-20"}
    establishment.save()
    report = files(rows, units, date=datetime.date(2026, 1, 1))
    establishment.refresh_from_db()
    assert establishment.is_open is False
    assert establishment.field_sources["is_open"]["source"] == "agency"
    assert establishment.last_sirene_date == datetime.date(2026, 1, 1)
    assert report.establishments.updated == 0


def test_a_siret_repeated_in_the_file_takes_its_last_row(db, files):
    (siren,) = stock.sirens(1)
    report = files(
        [
            stock.establishment(siren, enseigne1Etablissement="PREMIERE"),
            stock.establishment(siren, enseigne1Etablissement="DERNIERE"),
        ],
        [stock.legal_unit(siren)],
    )
    assert (report.establishments.read, report.establishments.kept) == (2, 1)
    assert Establishment.objects.get().name == "DERNIERE"


def test_a_declared_fact_protects_its_organisation_only(db, files):
    declared, plain = stock.sirens(2)
    rows = [stock.establishment(declared), stock.establishment(plain)]
    files(rows, [stock.legal_unit(declared), stock.legal_unit(plain)])
    organisation = Organisation.objects.get(siren=declared)
    organisation.name = "Nom déclaré"
    organisation.field_sources["name"] = {"source": "declared", "date": "2025-12-15"}
    organisation.save()
    files(
        rows,
        [
            stock.legal_unit(declared, denominationUniteLegale="NOUVEAU NOM"),
            stock.legal_unit(plain, denominationUniteLegale="NOUVEAU NOM"),
        ],
        date=datetime.date(2026, 1, 1),
    )
    names = dict(Organisation.objects.values_list("siren", "name"))
    assert names == {declared: "Nom déclaré", plain: "NOUVEAU NOM"}


def test_imported_organisations_show_on_the_public_search_at_once(db, files, client, settings):
    # Written in bulk (no signal): the import renders the cached public pages again.
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    (siren,) = stock.sirens(1)
    client.get(reverse("directory:search"))

    files([stock.establishment(siren)], [stock.legal_unit(siren)])

    name = Organisation.objects.get().name
    assert name in client.get(reverse("directory:search")).text
