"""Writers of small SIRENE stock files in the exact INSEE format, for the tests."""

import csv
import zipfile
from pathlib import Path

from essor.directory.sirene.columns import (
    GEOLOCALISATION_COLUMNS,
    STOCK_ETABLISSEMENT_COLUMNS,
    STOCK_UNITE_LEGALE_COLUMNS,
)
from tests.factories import siren_sequence, siret_for


def establishment(siren: str, nic: int = 1, **values) -> dict:
    row = dict.fromkeys(STOCK_ETABLISSEMENT_COLUMNS, "")
    siret = siret_for(siren, nic)
    row.update(
        siren=siren,
        nic=siret[9:],
        siret=siret,
        statutDiffusionEtablissement="O",
        dateCreationEtablissement="2012-03-01",
        trancheEffectifsEtablissement="02",
        etablissementSiege="true" if nic == 1 else "false",
        numeroVoieEtablissement="12",
        typeVoieEtablissement="RUE",
        libelleVoieEtablissement="DE LA REPUBLIQUE",
        codePostalEtablissement="59140",
        libelleCommuneEtablissement="DUNKERQUE",
        codeCommuneEtablissement="59183",
        coordonneeLambertAbscisseEtablissement="654000",
        coordonneeLambertOrdonneeEtablissement="7106000",
        etatAdministratifEtablissement="A",
        activitePrincipaleEtablissement="88.99B",
        nomenclatureActivitePrincipaleEtablissement="NAFRev2",
        caractereEmployeurEtablissement="O",
        activitePrincipaleNAF25Etablissement="88.99Y",
    )
    row.update(values)
    return row


def legal_unit(siren: str, **values) -> dict:
    row = dict.fromkeys(STOCK_UNITE_LEGALE_COLUMNS, "")
    row.update(
        siren=siren,
        statutDiffusionUniteLegale="O",
        dateCreationUniteLegale="2010-01-15",
        trancheEffectifsUniteLegale="11",
        etatAdministratifUniteLegale="A",
        denominationUniteLegale="LES JARDINS DU LITTORAL",
        categorieJuridiqueUniteLegale="9220",
        activitePrincipaleUniteLegale="88.99B",
        economieSocialeSolidaireUniteLegale="O",
        caractereEmployeurUniteLegale="O",
    )
    row.update(values)
    return row


def geolocation(siret: str, **values) -> dict:
    row = dict.fromkeys(GEOLOCALISATION_COLUMNS, "")
    row.update(siret=siret, x_longitude="2.3", y_latitude="51.02", qualite_xy="11", epsg="2154")
    row.update(values)
    return row


def write(path: Path, rows: list[dict], columns, *, delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def zipped(path: Path) -> Path:
    archive = path.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as handle:
        handle.write(path, arcname=path.name)
    return archive


def sirens(count: int, start: int = 5000) -> list[str]:
    return [siren_sequence(start + n) for n in range(count)]
