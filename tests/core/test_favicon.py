"""Every page names Essor's icon; /favicon.ico leads to it."""


def test_every_page_names_its_icon(client, db):
    page = client.get("/").content.decode()

    assert 'rel="icon"' in page
    assert client.get("/favicon.ico")["Location"].endswith("img/favicon.svg")
