import pytest
from django.http import Http404

from essor.core import params
from tests.factories import OrganisationFactory


@pytest.mark.parametrize(
    "value",
    ["", " ", "abc", "-1", "1.5", "1e3", "٣", "²", "１２", "99999999999999999999", None, ["1"]],
)
def test_what_is_not_a_plain_number_in_range_is_no_identifier(value):
    assert params.identifier(value) is None


def test_an_identifier_is_a_positive_whole_number_up_to_the_largest_primary_key():
    assert params.identifier(" 42 ") == 42
    assert params.identifier(str(params.MAX_ID)) == params.MAX_ID
    assert params.identifier(str(params.MAX_ID + 1)) is None
    assert params.identifier("0") is None


def test_a_year_out_of_the_calendar_a_record_could_hold_is_no_year():
    assert params.year("2026") == 2026
    assert params.year("0") is None
    assert params.year("99999") is None


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["99999999999999999999", "abc", "", None])
def test_an_object_named_by_a_value_that_cannot_be_its_key_is_not_found(value):
    OrganisationFactory()
    from essor.directory.models import Organisation

    with pytest.raises(Http404):
        params.object_or_404(Organisation, value)


@pytest.mark.django_db
def test_an_object_named_by_its_key_is_found_within_the_filters():
    from essor.directory.models import Organisation

    organisation = OrganisationFactory(name="Les Jardins du Littoral")
    assert params.object_or_404(Organisation, str(organisation.pk)) == organisation
    with pytest.raises(Http404):
        params.object_or_404(Organisation, str(organisation.pk), name="Autre")
