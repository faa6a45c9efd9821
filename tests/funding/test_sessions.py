"""Committee sessions enforce the share page's rights: a funder's agenda and decisions are for the
instructors of the programmes concerned (or the agency acting as front office), and a session's
pages for its funder's instructors only."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from essor.funding import services
from essor.funding.models import AgendaItem, Envelope, ShareStatus
from tests.funding.factories import (
    EnvelopeFactory,
    FunderProfileFactory,
    ProgrammeFactory,
    instructor_of,
    share_in_instruction,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_funders():
    """Funder A with a programme listing one instructor (`listed`) and another instructor of A
    who is not listed on it (`unlisted`); funder B with its own programme and instructor."""
    a = ProgrammeFactory(name="Fonds ESS de A")
    b = ProgrammeFactory(name="Fonds de B")
    for programme in (a, b):
        EnvelopeFactory(programme=programme, amount=Decimal("100000"))
    listed = instructor_of(a.funder, programme=a)
    unlisted = instructor_of(a.funder)
    b_instructor = instructor_of(b.funder)
    session = services.create_session(
        funder=a.funder, actor=listed, title="Comité de A", date=timezone.localdate()
    )
    return {
        "a": a,
        "b": b,
        "listed": listed,
        "unlisted": unlisted,
        "b_instructor": b_instructor,
        "session": session,
    }


def _decide_all(session, actor, items, outcome="accepted"):
    return services.record_session_decisions(
        session=session,
        actor=actor,
        decisions={item.pk: (outcome, "5000", "Avis du comité.") for item in items},
    )


def test_a_share_of_another_funder_cannot_be_put_on_the_agenda(two_funders):
    share = share_in_instruction(programme=two_funders["b"])

    with pytest.raises(ValidationError, match="ne relève pas de ce financeur"):
        services.add_to_agenda(
            session=two_funders["session"], share=share, actor=two_funders["listed"]
        )

    assert not AgendaItem.objects.exists()


def test_an_instructor_not_listed_on_a_programme_cannot_put_its_share_on_the_agenda(two_funders):
    share = share_in_instruction(programme=two_funders["a"])

    with pytest.raises(PermissionDenied):
        services.add_to_agenda(
            session=two_funders["session"], share=share, actor=two_funders["unlisted"]
        )

    assert not AgendaItem.objects.exists()


def test_a_share_of_another_funder_on_the_agenda_cannot_be_decided_through_the_session(
    two_funders,
):
    # However it got there (an item written before the checks existed), funder B's share is
    # decided by B's instructors only.
    share = share_in_instruction(programme=two_funders["b"], amount=Decimal("5000"))
    item = AgendaItem.objects.create(session=two_funders["session"], share=share, position=1)

    with pytest.raises(PermissionDenied):
        _decide_all(two_funders["session"], two_funders["listed"], [item])

    share.refresh_from_db()
    assert share.status == ShareStatus.INSTRUCTION
    assert Envelope.objects.get(programme=two_funders["b"]).granted == 0


def test_an_instructor_not_listed_on_a_programme_cannot_decide_its_share_through_a_session(
    two_funders,
):
    share = share_in_instruction(programme=two_funders["a"], amount=Decimal("5000"))
    item = services.add_to_agenda(
        session=two_funders["session"], share=share, actor=two_funders["listed"]
    )

    with pytest.raises(PermissionDenied):
        _decide_all(two_funders["session"], two_funders["unlisted"], [item])

    share.refresh_from_db()
    assert share.status == ShareStatus.INSTRUCTION


def test_a_listed_instructor_decides_the_agenda(two_funders):
    share = share_in_instruction(programme=two_funders["a"], amount=Decimal("5000"))
    item = services.add_to_agenda(
        session=two_funders["session"], share=share, actor=two_funders["listed"]
    )

    assert _decide_all(two_funders["session"], two_funders["listed"], [item]) == 1

    share.refresh_from_db()
    assert share.status == ShareStatus.ACCEPTED


def test_the_session_page_offers_only_the_shares_its_reader_may_instruct(client, two_funders):
    mine = share_in_instruction(programme=two_funders["a"])
    client.force_login(two_funders["unlisted"])

    response = client.get(reverse("funding:session_detail", args=[two_funders["session"].pk]))

    assert response.status_code == 200
    offered = list(response.context["agenda_form"].fields["share"].queryset)
    assert mine not in offered


def test_the_session_page_offers_its_listed_instructor_the_programmes_shares(client, two_funders):
    mine = share_in_instruction(programme=two_funders["a"])
    client.force_login(two_funders["listed"])

    response = client.get(reverse("funding:session_detail", args=[two_funders["session"].pk]))

    assert list(response.context["agenda_form"].fields["share"].queryset) == [mine]


def test_another_funders_instructor_cannot_open_a_session(client, two_funders):
    client.force_login(two_funders["b_instructor"])
    session = two_funders["session"]

    assert client.get(reverse("funding:session_detail", args=[session.pk])).status_code == 403
    assert client.get(reverse("funding:session_minutes", args=[session.pk])).status_code == 403
    listed = client.get(reverse("funding:session_list"))
    assert session.title not in listed.content.decode()


def test_the_agency_opens_a_session_only_where_the_funder_delegated_its_front_office(client, world):
    delegated = FunderProfileFactory(agency_front_office=True)
    kept = FunderProfileFactory()
    sessions = {
        funder: services.create_session(
            funder=funder, actor=None, title="Comité", date=timezone.localdate()
        )
        for funder in (delegated, kept)
    }
    client.force_login(world.users["agency_staff"])

    url = "funding:session_detail"
    assert client.get(reverse(url, args=[sessions[delegated].pk])).status_code == 200
    assert client.get(reverse(url, args=[sessions[kept].pk])).status_code == 403


@pytest.mark.parametrize(
    "amount", ["1e999", "1e30", "NaN", "Infinity", "-1", "9" * 29, "é" * 3000, "2026-13"]
)
def test_a_crafted_amount_among_the_session_decisions_is_refused_in_french(
    client, two_funders, amount
):
    share = share_in_instruction(programme=two_funders["a"], amount=Decimal("5000"))
    item = services.add_to_agenda(
        session=two_funders["session"], share=share, actor=two_funders["listed"]
    )
    client.force_login(two_funders["listed"])

    response = client.post(
        reverse("funding:session_detail", args=[two_funders["session"].pk]),
        {
            "form": "decisions",
            f"decision-{item.pk}": ShareStatus.ACCEPTED,
            f"amount-{item.pk}": amount,
            f"motivation-{item.pk}": "Avis du comité.",
        },
    )

    assert response.status_code == 200
    assert response.context["errors"][0].startswith(f"Dossier {share.application.reference} : ")
    share.refresh_from_db()
    assert share.status == ShareStatus.INSTRUCTION
