"""The readable observatory: an overview of key figures per axis with their trend said in words,
one page per axis, one page per indicator (chart, table, method note, downloads)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from essor.observatory import selectors
from tests.observatory.helpers import fake, table

AXIS = "Accompagnement"  # the fake indicators' axis (helpers.fake)


def _by_year(figures, *, label="Culture", columns=("Secteur", "Porteurs")):
    """An indicator whose single row is worth figures[year] (absent year: no row)."""

    def compute(year):
        return table([[label, figures[year]]] if year in figures else [], columns=columns)

    return compute


def _figure(figures, year=2024):
    indicator = fake("zz.trend", _by_year(figures))
    memo = selectors.TableMemo(use_cache=False)
    return selectors.key_figure(memo.get(indicator, year), memo.get(indicator, year - 1))


def test_a_rise_is_said_in_words(registry, db):
    figure = _figure({2023: 10, 2024: 12})

    assert figure.trend_text == "En hausse de 2 par rapport à 2023 (10), soit +20,0\u00a0%."


def test_a_fall_is_said_in_words(registry, db):
    figure = _figure({2023: 40, 2024: 30})

    assert figure.trend_text == "En baisse de 10 par rapport à 2023 (40), soit −25,0\u00a0%."


def test_an_unchanged_figure_is_stable(registry, db):
    assert _figure({2023: 7, 2024: 7}).trend_text == "Stable par rapport à 2023 (7)."


def test_a_hidden_previous_year_gives_no_trend(registry, db):
    figure = _figure({2023: None, 2024: 12})

    assert figure.trend == ""
    assert "la valeur de 2023 est masquée" in figure.trend_text


def test_a_row_missing_the_year_before_gives_no_trend(registry, db):
    assert _figure({2024: 12}).trend_text == "Pas de valeur en 2023 pour comparer."


def test_the_key_figure_is_the_total_row_when_there_is_one(registry, db):
    indicator = fake(
        "zz.total",
        lambda year: table([["Culture", 3], ["Sport", 4], ["Total", 7]], keys=["c", "s", "total"]),
    )
    memo = selectors.TableMemo(use_cache=False)

    figure = selectors.key_figure(memo.get(indicator, 2024), memo.get(indicator, 2023))

    assert (figure.label, figure.value) == ("Total", 7)


def test_decimal_figures_keep_their_places_in_the_trend(registry, db):
    figure = _figure({2023: Decimal("61.50"), 2024: Decimal("63.00")})

    assert figure.trend_text.startswith("En hausse de 1,50 par rapport à 2023 (61,50)")


def test_the_overview_says_the_trend_in_words_beside_its_arrow(client, registry, db):
    fake("zz.trend", _by_year({2023: 10, 2024: 12}), label="Porteurs accueillis")

    content = client.get(reverse("observatory:public"), {"annee": "2024"}).content.decode()

    assert '<span aria-hidden="true">▲ </span>En hausse de 2 par rapport à 2023' in content


def test_the_overview_shows_the_first_indicators_of_an_axis_and_links_to_the_rest(
    client, registry, db
):
    for order in range(1, 6):
        fake(f"zz.figure{order}", lambda year: table([["Culture", 3]]), order=order)

    response = client.get(reverse("observatory:public"))

    (section,) = [item for item in response.context["sections"] if item.axis == AXIS]
    assert len(section.figures) == selectors.KEY_FIGURES_PER_AXIS
    assert "Les 5 indicateurs</a>" not in response.content.decode()  # the axis is in the link
    assert f'Les 5 indicateurs de l\'axe<span class="visually-hidden"> « {AXIS} »' in (
        response.content.decode()
    )


def test_the_axis_page_lists_every_indicator_of_its_axis(client, registry, db):
    for order in range(1, 6):
        fake(f"zz.figure{order}", lambda year: table([["Culture", 3]]), order=order)
    fake("zz.elsewhere", lambda year: table([["Culture", 3]]), axis="Autre axe")

    response = client.get(reverse("observatory:axis", args=[selectors.axis_slug(AXIS)]))

    keys = [figure.item.indicator.key for figure in response.context["section"].figures]
    assert keys == [f"zz.figure{order}" for order in range(1, 6)]


def test_the_public_does_not_see_an_axis_of_non_public_indicators(client, registry, db):
    fake("zz.private", lambda year: table([["Culture", 3]]), axis="Axe réservé", public=False)

    response = client.get(reverse("observatory:axis", args=["axe-reserve"]))

    assert response.status_code == 404


def test_funders_see_an_axis_of_non_public_indicators(client, world, registry):
    fake("zz.private", lambda year: table([["Culture", 3]]), axis="Axe réservé", public=False)
    client.force_login(world.users["funder_instructor"])

    response = client.get(reverse("observatory:axis", args=["axe-reserve"]))

    assert response.status_code == 200
    assert "non public" in response.content.decode()


def test_the_public_axis_page_leaves_out_non_public_indicators(client, registry, db):
    fake("zz.open", lambda year: table([["Culture", 3]]), label="Chiffres publics")
    fake("zz.closed", lambda year: table([["Culture", 3]]), label="Chiffres réservés", public=False)

    content = client.get(reverse("observatory:axis", args=[selectors.axis_slug(AXIS)])).content

    assert "Chiffres réservés" not in content.decode()


def test_the_indicator_page_has_its_chart_table_method_and_downloads(client, registry, db):
    fake(
        "zz.full",
        lambda year: table([["Culture", 12], ["Sport", 8]], note="Comptés au 31 décembre."),
        label="Porteurs par secteur",
    )

    content = client.get(
        reverse("observatory:indicator", args=["zz.full"]), {"annee": "2024"}
    ).content.decode()

    assert 'class="chart" role="img" aria-label="Porteurs par secteur, 2024' in content
    assert "<caption>Porteurs par secteur — 2024</caption>" in content
    assert "<h2>Méthode</h2>\n<p>Comptés au 31 décembre.</p>" in content
    assert reverse("observatory:open_data_csv", args=["zz.full", 2024]) in content
    assert reverse("observatory:open_data_json", args=["zz.full", 2024]) in content


def test_the_indicator_page_leads_back_to_its_axis(client, registry, db):
    fake("zz.full", lambda year: table([["Culture", 12]]))

    content = client.get(reverse("observatory:indicator", args=["zz.full"])).content.decode()

    assert reverse("observatory:axis", args=[selectors.axis_slug(AXIS)]) in content


def test_pages_say_when_their_figures_were_computed(client, registry, db):
    fake("zz.dated", lambda year: table([["Culture", 12]]))

    content = client.get(reverse("observatory:public")).content.decode()

    assert "Chiffres calculés le " in content


@pytest.mark.parametrize(
    "url",
    [
        lambda: reverse("observatory:public"),
        lambda: reverse("observatory:dashboard"),
        lambda: reverse("observatory:axis", args=["poids-de-less"]),
        lambda: reverse("observatory:indicator", args=["observatory.organisations_by_family"]),
    ],
    ids=["overview", "dashboard", "axis", "indicator"],
)
def test_each_page_has_one_h1(url, client, world):
    client.force_login(world.users["agency_staff"])

    assert client.get(url()).content.decode().count("<h1") == 1


def _grow_the_data():
    from tests.factories import EstablishmentFactory, OrganisationFactory

    for _ in range(15):
        EstablishmentFactory(
            organisation=OrganisationFactory(is_employer=True, headcount_band="11")
        )


@pytest.mark.parametrize(
    "url",
    [
        lambda: reverse("observatory:public"),
        lambda: reverse("observatory:axis", args=["poids-de-less"]),
        lambda: reverse("observatory:indicator", args=["observatory.organisations_by_sector"]),
    ],
    ids=["overview", "axis", "indicator"],
)
def test_the_new_pages_run_a_constant_number_of_queries(url, client, world):
    client.force_login(world.users["agency_staff"])
    client.get(url())  # computes the tables of an empty install, and the per-process caches
    with CaptureQueriesContext(connection) as small:
        client.get(url())
    _grow_the_data()
    with CaptureQueriesContext(connection) as large:
        client.get(url())

    assert len(small.captured_queries) == len(large.captured_queries)


def test_the_overview_reads_every_stored_table_in_one_query(client, world):
    client.get(reverse("observatory:public"))  # an empty install: the first visit computes
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("observatory:public"))

    reads = [q for q in queries.captured_queries if "observatory_computedtable" in q["sql"]]
    assert len(reads) == 1


def test_a_month_is_compared_with_the_same_month_a_year_before(registry, db):
    indicator = fake(
        "zz.monthly",
        lambda year: table(
            [[f"janvier {year}", year - 2000], [f"février {year}", 1]],
            columns=("Mois", "ETP conventionnés"),
            keys=[f"{year}-01", f"{year}-02"],
        ),
    )
    memo = selectors.TableMemo(use_cache=False)

    figure = selectors.key_figure(memo.get(indicator, 2024), memo.get(indicator, 2023))

    assert (figure.previous, figure.column_text) == (23, "ETP conventionnés")
