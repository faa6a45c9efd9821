"""The year pages read the registry: public indicators for everyone, all of them for the agency."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.observatory.helpers import fake, holders_by_sector, table


def _public_and_private(registry):
    fake("zz.public_figures", lambda year: table([["Culture", 12]]), label="Chiffres publics")
    fake(
        "zz.private_figures",
        lambda year: table([["Culture", 34]]),
        label="Chiffres réservés",
        public=False,
    )


def test_public_page_shows_public_indicators_only(client, registry, db):
    _public_and_private(registry)

    content = client.get(reverse("observatory:public")).content.decode()

    assert "Chiffres publics" in content
    assert "Chiffres réservés" not in content


def test_dashboard_shows_non_public_indicators_to_the_funders(client, world, registry):
    _public_and_private(registry)
    client.force_login(world.users["funder_instructor"])

    content = client.get(reverse("observatory:dashboard")).content.decode()

    assert "Chiffres réservés" in content


def test_a_non_public_indicator_page_is_not_found_for_the_public(client, registry, db):
    _public_and_private(registry)

    response = client.get(reverse("observatory:indicator", args=["zz.private_figures"]))

    assert response.status_code == 404


def test_a_hidden_key_figure_reads_s(client, registry, db):
    fake("zz.small", lambda year: table([["Sport", None]]), label="Petits effectifs")

    content = client.get(reverse("observatory:public")).content.decode()

    assert '<abbr title="secret statistique">s</abbr>' in content


def test_each_indicator_is_computed_once_per_request(client, registry, db):
    calls = []
    fake("zz.counted", lambda year: calls.append(year) or table([["Culture", 7]]))

    client.get(reverse("observatory:public"), {"annee": "2024"})

    assert sorted(calls) == [2023, 2024]  # the year and the year before (its trend)


def test_a_failing_indicator_is_shown_as_unavailable(client, registry, db):
    def broken(year):
        raise RuntimeError("bug d'un module")

    fake("zz.broken", broken, label="Indicateur cassé")

    response = client.get(reverse("observatory:public"))

    assert response.status_code == 200
    assert "n&#x27;a pas pu être calculé" in response.content.decode()


def test_an_invalid_year_is_explained_in_french(client, db):
    response = client.get(reverse("observatory:public"), {"annee": "1850"})

    assert "L&#x27;année 1850 n&#x27;est pas disponible" in response.content.decode()


def test_a_chart_comes_with_its_data_table(client, registry, db):
    fake("zz.chart", lambda year: table([["Culture", 12], ["Sport", 8]]), label="Avec graphique")

    content = client.get(reverse("observatory:indicator", args=["zz.chart"])).content.decode()

    assert 'aria-label="Avec graphique' in content
    assert "<caption>Avec graphique" in content


@pytest.mark.parametrize(
    "url_name", ["observatory:public", "observatory:dashboard", "observatory:targets"]
)
def test_pages_run_a_constant_number_of_queries(url_name, client, world):
    from tests.factories import EstablishmentFactory, OrganisationFactory

    client.force_login(world.users["agency_staff"])
    client.get(reverse(url_name))  # warm the per-process caches (sessions, content types)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse(url_name))
    for _ in range(15):
        EstablishmentFactory(
            organisation=OrganisationFactory(is_employer=True, headcount_band="11")
        )
    with CaptureQueriesContext(connection) as large:
        client.get(reverse(url_name))
    assert len(small.captured_queries) == len(large.captured_queries)


def test_the_indicator_page_ranks_sectors_year_by_year(client, registry, db):
    fake(
        "support.new_holders_by_sector",
        holders_by_sector(
            {
                2023: {"culture": 40, "sport": 30, "mobilite": 10},
                2024: {"culture": 38, "sport": 25, "mobilite": 31},
            }
        ),
        label="Nouveaux porteurs par secteur",
        tags=("ranked",),
    )

    response = client.get(
        reverse("observatory:indicator", args=["support.new_holders_by_sector"]), {"annee": "2024"}
    )

    ranking = response.context["cross"].ranking
    years = response.context["cross"].years
    first = dict(zip(years, ranking[0][1], strict=True))
    second = dict(zip(years, ranking[1][1], strict=True))
    assert (first[2023], second[2023]) == ("Culture", "Sport")
    assert (first[2024], second[2024]) == ("Culture", "Mobilité")


def test_computed_tables_are_stored_between_requests(client, registry, db):
    calls = []
    fake("zz.cached", lambda year: calls.append(year) or table([["Culture", 7]]))

    client.get(reverse("observatory:public"), {"annee": "2024"})
    client.get(reverse("observatory:public"), {"annee": "2024"})

    assert sorted(calls) == [2023, 2024]


def test_the_stored_tables_can_be_switched_off(client, registry, settings, db):
    settings.OBSERVATORY_CACHE_SECONDS = 0
    calls = []
    fake("zz.uncached", lambda year: calls.append(year) or table([["Culture", 7]]))

    client.get(reverse("observatory:public"), {"annee": "2024"})
    client.get(reverse("observatory:public"), {"annee": "2024"})

    assert sorted(calls) == [2023, 2023, 2024, 2024]


def test_the_ess_weight_comes_first(client, registry, db):
    fake("zz.alpha", lambda year: table([["Culture", 12]]), axis="Alimentation")

    sections = client.get(reverse("observatory:public")).context["sections"]

    assert sections[0].axis == "Poids de l'ESS"


def test_a_column_of_zeros_has_no_chart(registry, db):
    from essor.observatory import selectors

    indicator = fake("zz.zeros", lambda year: table([["Culture", 0], ["Sport", 0]]))

    assert not selectors.TableMemo().get(indicator, 2024).has_chart


def test_funders_open_a_non_public_indicator(client, world, registry):
    _public_and_private(registry)
    client.force_login(world.users["funder_instructor"])

    response = client.get(reverse("observatory:indicator", args=["zz.private_figures"]))

    assert response.status_code == 200


def test_structures_do_not_open_a_non_public_indicator(client, world, registry):
    _public_and_private(registry)
    client.force_login(world.users["organisation_admin"])

    response = client.get(reverse("observatory:indicator_xlsx", args=["zz.private_figures"]))

    assert response.status_code == 404
