"""A correction asked by one funder never changes another funder's share: the facts copied on the
shares (year, sector, commune) and the amounts asked stay what the other funders examined."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from essor.funding import services
from essor.funding.models import Application, ShareStatus
from essor.territory.models import Commune
from tests.factories import sector
from tests.funding.factories import (
    ApplicationFactory,
    EnvelopeFactory,
    FunderProfileFactory,
    ProgrammeFactory,
    ShareFactory,
    balanced_budget,
    instructor_of,
    member_of,
)

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def _funder(name):
    funder = FunderProfileFactory(organisation__name=name)
    programme = ProgrammeFactory(funder=funder, name=f"Dispositif de {name}")
    EnvelopeFactory(programme=programme, amount=Decimal("100000"))
    return programme, instructor_of(funder)


@pytest.fixture
def sent_back_by_a():
    """An application asking funders A and B; A sent it back for correction. B's share is put in
    the state the test asks for."""

    def build(b_state):
        a, a_instructor = _funder("Communauté urbaine")
        b, b_instructor = _funder("Région Hauts-de-France")
        application = ApplicationFactory(
            status=Application.Status.SUBMITTED,
            submitted_at=timezone.now(),
            year=YEAR,
            sector=sector("alimentation-circuits-courts"),
            commune=Commune.objects.get(insee_code="59183"),
        )
        balanced_budget(application, subsidy=Decimal("40000"))
        a_share, b_share = (
            ShareFactory(
                application=application,
                programme=programme,
                amount_requested=Decimal("20000"),
                status=ShareStatus.SUBMITTED,
            )
            for programme in (a, b)
        )
        services.request_corrections(
            share=a_share, actor=a_instructor, motivation="Précisez le public."
        )
        if b_state != ShareStatus.SUBMITTED:
            services.start_instruction(share=b_share, actor=b_instructor)
        if b_state == ShareStatus.ACCEPTED:
            services.decide(
                share=b_share,
                actor=b_instructor,
                outcome=ShareStatus.ACCEPTED,
                amount="15000",
                motivation="Conforme.",
            )
        application.refresh_from_db()
        a_share.refresh_from_db()
        b_share.refresh_from_db()
        return application, a_share, b_share, member_of(application.organisation)

    return build


def _edit(application, actor, **changes):
    data = {name: getattr(application, name) for name in services.EDITABLE_FIELDS}
    data.update(changes)
    return services.update_application(application=application, actor=actor, data=data)


@pytest.mark.parametrize("b_state", [ShareStatus.ACCEPTED, ShareStatus.INSTRUCTION])
def test_changing_the_year_is_refused_while_another_funder_examined_its_share(
    sent_back_by_a, b_state
):
    application, a_share, b_share, applicant = sent_back_by_a(b_state)

    with pytest.raises(ValidationError) as error:
        _edit(application, applicant, year=YEAR + 1)

    assert "year" in error.value.message_dict
    assert "Région Hauts-de-France" in " ".join(error.value.message_dict["year"])
    b_share.refresh_from_db()
    a_share.refresh_from_db()
    assert (b_share.year, a_share.year) == (YEAR, YEAR)
    assert Application.objects.get(pk=application.pk).year == YEAR


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sector", lambda: sector("culture")),
        ("commune", lambda: Commune.objects.get(insee_code="59273")),
    ],
)
def test_changing_the_sector_or_commune_is_refused_once_another_funder_decided(
    sent_back_by_a, field, value
):
    application, _, b_share, applicant = sent_back_by_a(ShareStatus.ACCEPTED)
    before = getattr(b_share, f"{field}_id")

    with pytest.raises(ValidationError) as error:
        _edit(application, applicant, **{field: value()})

    assert "Région Hauts-de-France" in " ".join(error.value.message_dict[field])
    b_share.refresh_from_db()
    assert getattr(b_share, f"{field}_id") == before


def test_a_change_that_no_share_copies_is_accepted(sent_back_by_a):
    application, _, _, applicant = sent_back_by_a(ShareStatus.ACCEPTED)

    _edit(application, applicant, title="Épicerie solidaire, public précisé")

    assert Application.objects.get(pk=application.pk).title == "Épicerie solidaire, public précisé"


def test_the_year_changes_on_every_share_no_other_funder_examined_yet(sent_back_by_a):
    application, a_share, b_share, applicant = sent_back_by_a(ShareStatus.SUBMITTED)

    _edit(application, applicant, year=YEAR + 1)

    a_share.refresh_from_db()
    b_share.refresh_from_db()
    assert (a_share.year, b_share.year) == (YEAR + 1, YEAR + 1)


def test_the_amount_asked_of_a_deciding_funder_cannot_change(sent_back_by_a):
    application, _, b_share, applicant = sent_back_by_a(ShareStatus.ACCEPTED)

    with pytest.raises(ValidationError, match="Région Hauts-de-France"):
        services.set_share(
            application=application, programme=b_share.programme, actor=applicant, amount="30000"
        )

    b_share.refresh_from_db()
    assert b_share.amount_requested == Decimal("20000")


def test_the_amount_asked_of_the_funder_that_sent_back_changes(sent_back_by_a):
    application, a_share, _, applicant = sent_back_by_a(ShareStatus.ACCEPTED)

    services.set_share(
        application=application, programme=a_share.programme, actor=applicant, amount="18000"
    )

    a_share.refresh_from_db()
    assert a_share.amount_requested == Decimal("18000")
