import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/financements/?q=a%00b", "/financements/?a%00=1", "/annuaire/%00/"]
)
def test_a_nul_character_in_the_url_is_a_bad_request(client, url):
    response = client.get(url)

    assert response.status_code == 400
    assert "Requête incorrecte" in response.content.decode()


@pytest.mark.django_db
def test_a_nul_character_in_a_posted_field_is_a_bad_request(client):
    response = client.post("/compte/connexion/", {"username": "a\x00b", "password": "x"})

    assert response.status_code == 400
