import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from essor.core.models import Job
from essor.foodlink import services, tasks
from essor.foodlink.models import months_to_mask
from tests.foodlink.factories import (
    CertificationFactory,
    ProducerProfileFactory,
    ProductFactory,
    commune,
)
from tests.foodlink.queries import queries_of

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    return [producer.organisation.name for producer in response.context["page"].object_list]


def test_guide_lists_only_published_producers(client):
    ProductFactory(producer=ProducerProfileFactory(organisation__name="Ferme publiée"))
    ProducerProfileFactory(organisation__name="Ferme cachée", is_published=False)
    assert _names(client.get("/circuits-courts/")) == ["Ferme publiée"]


def test_guide_finds_producers_by_product(client):
    ProductFactory(producer=ProducerProfileFactory(organisation__name="A"), name="Endives")
    ProductFactory(producer=ProducerProfileFactory(organisation__name="B"), name="Lait cru")
    assert _names(client.get("/circuits-courts/?q=endive")) == ["A"]


def test_guide_filters_by_family_and_season(client):
    ProductFactory(
        producer=ProducerProfileFactory(organisation__name="Fraises"),
        months_mask=months_to_mask([5, 6]),
    )
    ProductFactory(
        producer=ProducerProfileFactory(organisation__name="Lait"), family="PRODUITS_LAITIERS"
    )
    assert _names(client.get("/circuits-courts/?family=FRUITS_ET_LEGUMES&month=6")) == ["Fraises"]
    assert _names(client.get("/circuits-courts/?family=FRUITS_ET_LEGUMES&month=12")) == []


def test_guide_filters_by_commune(client):
    ProductFactory(producer=ProducerProfileFactory(organisation__name="Dunkerque"))
    other = commune("59271")  # Grande-Synthe
    ProductFactory(producer=ProducerProfileFactory(organisation__name="Synthe", commune=other))
    assert _names(client.get("/circuits-courts/?commune=59271")) == ["Synthe"]


def test_guide_filters_by_valid_certification(client):
    valid = ProducerProfileFactory(organisation__name="Bio")
    CertificationFactory(producer=valid, code="BIO")
    expired = ProducerProfileFactory(organisation__name="Ex-bio")
    CertificationFactory(
        producer=expired, code="BIO", expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert _names(client.get("/circuits-courts/?certification=BIO")) == ["Bio"]


def test_guide_filters_keep_the_chosen_values(client):
    ProductFactory(producer=ProducerProfileFactory(commune=commune("59183")))
    body = client.get("/circuits-courts/?q=lait&commune=59183&month=3").content.decode()
    assert '<input type="text" name="q" value="lait"' in body
    assert '<option value="59183" selected>Dunkerque</option>' in body
    assert '<option value="3" selected>mars</option>' in body
    assert '<option value="" selected>Toutes</option>' in body  # the family left open


def test_guide_names_a_filter_it_does_not_know(client):
    body = client.get("/circuits-courts/?family=fruits").content.decode()
    assert 'aria-describedby="id_family_error"' in body
    assert "Sélectionnez un choix valide. fruits n’en fait pas partie." in body


def test_guide_takes_constant_queries(client):
    counts = []
    for size in (2, 12):
        for _ in range(size):
            producer = ProducerProfileFactory()
            ProductFactory(producer=producer)
            CertificationFactory(producer=producer)
        counts.append(queries_of(client, "/circuits-courts/"))
    assert counts[0] == counts[1]


def test_map_data_is_geojson_of_the_filtered_producers(client):
    producer = ProducerProfileFactory(organisation__name="Ferme")
    ProductFactory(producer=producer)
    data = client.get("/circuits-courts/carte.json?family=FRUITS_ET_LEGUMES").json()
    assert data["features"][0]["properties"] == {
        "producer": producer.pk,
        "name": "Ferme",
        "city": "Dunkerque",
    }


def test_public_page_shows_validated_data_not_pending_edits(client, world):
    producer = ProducerProfileFactory(organisation=world.structure, presentation="Texte validé")
    services.propose_producer_changes(
        actor=world.users["organisation_admin"],
        producer=producer,
        data={
            "profile": {"presentation": "Texte en attente"},
            "products": [],
            "certifications": [],
        },
    )
    body = client.get(f"/circuits-courts/producteurs/{producer.pk}/").content.decode()
    assert "Texte validé" in body and "Texte en attente" not in body


def test_unpublished_producer_page_is_hidden_from_the_public(client):
    producer = ProducerProfileFactory(is_published=False)
    assert client.get(f"/circuits-courts/producteurs/{producer.pk}/").status_code == 404


def test_expired_certification_is_not_shown(client):
    producer = ProducerProfileFactory()
    CertificationFactory(
        producer=producer, code="HVE", expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    body = client.get(f"/circuits-courts/producteurs/{producer.pk}/").content.decode()
    assert "Haute valeur environnementale" not in body


BUILD = "/circuits-courts/agence/livret/construire/"


def test_booklet_is_built_as_a_background_job_and_downloaded(client, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    for name in ("Ferme du Houtland", "Chèvrerie des Moëres"):
        ProductFactory(producer=ProducerProfileFactory(organisation__name=name))
    client.force_login(world.users["agency_staff"])
    response = client.post(BUILD)
    job = Job.objects.get(kind=tasks.JOB_KIND)
    assert response["Location"] == f"/taches/{job.pk}/"
    assert job.status == Job.Status.SUCCEEDED and job.result["producers"] == 2
    assert (Path(tmp_path) / job.result["path"]).read_bytes().startswith(b"%PDF")
    download = client.get("/circuits-courts/livret/telecharger/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_new_booklet_replaces_the_older_files(client, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    ProductFactory(producer=ProducerProfileFactory())
    client.force_login(world.users["agency_staff"])
    client.post(BUILD)
    client.post(BUILD)
    latest = Job.objects.filter(kind=tasks.JOB_KIND).latest("pk")
    stored = sorted(path.relative_to(tmp_path) for path in Path(tmp_path).rglob("*.pdf"))
    assert stored == [Path(latest.result["path"])]
    download = client.get("/circuits-courts/livret/telecharger/")
    assert b"".join(download.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("role", ["organisation_admin", "funder_instructor", "authenticated"])
def test_only_the_agency_builds_the_booklet(client, world, role):
    client.force_login(world.users[role])
    assert client.post(BUILD).status_code == 403
    assert not Job.objects.exists()


def test_a_new_booklet_shows_on_the_cached_public_page(client, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    ProductFactory(producer=ProducerProfileFactory())
    assert "pas encore été construit" in client.get("/circuits-courts/livret/").text

    tasks.enqueue_booklet(user=world.users["agency_staff"])

    assert "Télécharger le guide en PDF" in client.get("/circuits-courts/livret/").text


def test_an_anonymous_visitor_cannot_build_the_booklet(client, world):
    assert client.post(BUILD)["Location"].startswith("/compte/connexion/")
    assert not Job.objects.exists()


def test_the_public_booklet_page_builds_nothing(client, world):
    client.force_login(world.users["agency_staff"])
    assert client.post("/circuits-courts/livret/").status_code == 405
    assert not Job.objects.exists()


def test_a_build_under_way_is_followed_rather_than_started_twice(client, world):
    running = Job.objects.create(kind=tasks.JOB_KIND, label="Livret", status=Job.Status.RUNNING)
    client.force_login(world.users["agency_staff"])
    response = client.post(BUILD)
    assert response["Location"] == f"/taches/{running.pk}/"
    assert Job.objects.count() == 1


def test_the_agency_page_offers_to_build_the_booklet(client, world):
    client.force_login(world.users["agency_staff"])
    page = client.get("/circuits-courts/agence/").content.decode()
    assert f'action="{BUILD}"' in page and "Construire le livret" in page
    assert "Le livret n'a pas encore été construit" in page


def test_the_booklet_page_offers_the_build_to_the_agency_only(client, world):
    assert "Construire le livret" not in client.get("/circuits-courts/livret/").content.decode()
    client.force_login(world.users["agency_admin"])
    assert "Construire le livret" in client.get("/circuits-courts/livret/").content.decode()


def _built_booklet(size=1_258_291, producers=42):
    finished = timezone.make_aware(datetime.datetime(2026, 12, 6, 10, 0))
    return Job.objects.create(
        kind=tasks.JOB_KIND,
        label="Livret",
        status=Job.Status.SUCCEEDED,
        finished_at=finished,
        result={"path": "foodlink/guide/livret.pdf", "producers": producers, "size": size},
    )


def test_the_guide_links_the_latest_booklet_with_its_size_and_date(client):
    _built_booklet()
    page = client.get("/circuits-courts/").content.decode()
    assert 'href="/circuits-courts/livret/telecharger/"' in page
    assert (
        "Télécharger le guide en PDF (1,2\u202fMo, 42 producteurs, mis à jour le 6 décembre 2026)"
        in page
    )


def test_the_guide_offers_no_booklet_before_one_was_built(client):
    page = client.get("/circuits-courts/").content.decode()
    assert "/circuits-courts/livret/telecharger/" not in page


def test_booklet_has_a_qr_code_per_producer_and_an_index(tmp_path, monkeypatch, settings):
    captured = {}

    def fake_render(template, context):
        captured.update(context)
        return b"%PDF-fake"

    monkeypatch.setattr(tasks, "render_pdf", fake_render)
    settings.MEDIA_ROOT = tmp_path
    producer = ProducerProfileFactory(organisation__name="Ferme")
    ProductFactory(producer=producer)
    ProductFactory(producer=producer, family="PRODUITS_LAITIERS", name="Beurre")
    tasks.build_booklet()
    (section,) = captured["sections"]
    assert [family["label"] for family in section["families"]] == [
        "Fruits et légumes",
        "Produits laitiers",
    ]
    entries = [entry for family in section["families"] for entry in family["entries"]]
    assert [entry["anchor"] for entry in entries] == [True, False]
    assert entries[0]["producer"].qr.startswith("data:image/png;base64,")
    assert entries[0]["producer"].page_url.endswith(f"/circuits-courts/producteurs/{producer.pk}/")
    assert captured["index"] == [producer]
