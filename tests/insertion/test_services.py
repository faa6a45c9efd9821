"""The rules of the IAE: annexes, contracts, exits and hours, with clear French refusals."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from essor.core.models import AuditLogEntry
from essor.insertion import services
from essor.insertion.models import (
    Contract,
    FinancialAnnex,
    MonthlyHours,
    Participant,
    month_capacity,
)
from tests.concurrency import OK, run_together
from tests.insertion.factories import (
    AnnexFactory,
    ContractFactory,
    ParticipantFactory,
    make_siae,
    pathway,
)

pytestmark = pytest.mark.django_db

ANNEX = {
    "number": "ACI059260013A0M0",
    "amends": None,
    "start": datetime.date(2026, 1, 1),
    "end": datetime.date(2026, 12, 31),
    "conventioned_fte": Decimal("12.5"),
    "amount_state": Decimal("262500"),
    "amount_departement": Decimal("30000"),
    "amount_cud": Decimal("0"),
    "amount_other": Decimal("0"),
}


def test_an_annex_is_saved_and_logged(world):
    siae = make_siae(world)
    annex = services.save_annex(actor=world.users["agency_staff"], siae=siae, data=ANNEX)
    assert annex.yearly_fte == Decimal("12.50")
    assert AuditLogEntry.objects.filter(action="insertion.annex.create").exists()


def test_the_yearly_fte_of_a_partial_annex_follows_the_months_covered(world):
    annex = AnnexFactory(
        siae=make_siae(world),
        start=datetime.date(2026, 7, 1),
        conventioned_fte=Decimal("10"),
    )
    assert annex.yearly_fte == Decimal("5.00")


def test_the_yearly_fte_rounds_half_up(world):
    # 1.5 FTE over one month is 0.125 FTE a year: half to even would say 0.12.
    annex = AnnexFactory(
        siae=make_siae(world),
        start=datetime.date(2026, 12, 1),
        end=datetime.date(2026, 12, 31),
        conventioned_fte=Decimal("1.5"),
    )
    assert annex.yearly_fte == Decimal("0.13")


@pytest.mark.parametrize("number", ["ACI59170013A0M1", "ACI059170013", "aci059170013A0M1", "X"])
def test_a_malformed_annex_number_is_refused(world, number):
    with pytest.raises(ValidationError) as error:
        services.save_annex(actor=None, siae=make_siae(world), data={**ANNEX, "number": number})
    assert "ACI059170013A0M1" in error.value.message_dict["number"][0]


def test_an_annex_number_of_another_kind_is_refused(world):
    siae = make_siae(world, kind="EI")
    with pytest.raises(ValidationError) as error:
        services.save_annex(actor=None, siae=siae, data={**ANNEX, "number": "EITI059260001A0M0"})
    assert "commence par EI" in error.value.message_dict["number"][0]


def test_an_annex_ending_before_it_starts_is_refused(world):
    data = {**ANNEX, "end": datetime.date(2025, 12, 31)}
    with pytest.raises(ValidationError, match="La fin de l'annexe doit suivre son début"):
        services.save_annex(actor=None, siae=make_siae(world), data=data)


def test_the_database_refuses_negative_amounts(world):
    siae = make_siae(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        FinancialAnnex.objects.create(siae=siae, **{**ANNEX, "amount_state": Decimal("-1")})


def _participant(world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    return ParticipantFactory(siae=siae)


def test_participants_get_the_next_pseudonym(world):
    siae = make_siae(world)
    data = {
        "first_name": "A",
        "last_name": "B",
        "sex": "M",
        "birth_year": 1980,
        "education_level": "4",
    }
    first = services.create_participant(actor=None, siae=siae, data=data)
    second = services.create_participant(actor=None, siae=siae, data=data)
    assert (first.code, second.code) == ("SAL-0001", "SAL-0002")
    assert str(first) == "SAL-0001"


def test_a_contract_is_attached_to_the_annex_covering_its_start(world):
    person = _participant(world)
    contract = services.add_contract(
        actor=None,
        participant=person,
        start=datetime.date(2026, 3, 2),
        end=datetime.date(2026, 8, 31),
        weekly_hours=Decimal("26"),
    )
    assert contract.annex.siae_id == person.siae_id


def test_a_contract_outside_any_annex_is_refused(world):
    person = _participant(world)
    with pytest.raises(ValidationError) as error:
        services.add_contract(
            actor=None,
            participant=person,
            start=datetime.date(2027, 1, 4),
            end=None,
            weekly_hours=Decimal("26"),
        )
    assert "Aucune annexe financière de la SIAE ne couvre le 4 janvier 2027" in str(error.value)


def test_overlapping_contracts_of_one_person_are_refused(world):
    person = _participant(world)
    ContractFactory(
        participant=person, start=datetime.date(2026, 2, 1), end=datetime.date(2026, 6, 30)
    )
    with pytest.raises(ValidationError) as error:
        services.add_contract(
            actor=None,
            participant=person,
            start=datetime.date(2026, 6, 1),
            end=None,
            weekly_hours=Decimal("20"),
        )
    assert "chevauche celui du 1er février 2026 au 30 juin 2026" in str(error.value)


def test_a_contract_following_the_previous_one_is_accepted(world):
    person = _participant(world)
    ContractFactory(
        participant=person, start=datetime.date(2026, 2, 1), end=datetime.date(2026, 6, 30)
    )
    services.add_contract(
        actor=None,
        participant=person,
        start=datetime.date(2026, 7, 1),
        end=None,
        weekly_hours=Decimal("20"),
    )
    assert person.contracts.count() == 2


def test_the_database_refuses_a_contract_ending_before_it_starts(world):
    person = _participant(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.create(
            participant=person,
            annex=FinancialAnnex.objects.get(siae=person.siae),
            start=datetime.date(2026, 5, 1),
            end=datetime.date(2026, 4, 1),
            weekly_hours=Decimal("20"),
        )


def test_an_exit_before_the_contract_starts_is_refused(world):
    person = pathway(make_siae(world), start=datetime.date(2026, 3, 1))
    with pytest.raises(ValidationError) as error:
        services.record_exit(
            actor=None, participant=person, date=datetime.date(2026, 2, 15), category="durable"
        )
    assert "ne peut précéder le début du premier contrat (1er mars 2026)" in str(error.value)


def test_an_unknown_exit_category_is_refused(world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    person = pathway(siae)
    with pytest.raises(ValidationError) as error:
        services.record_exit(
            actor=None, participant=person, date=datetime.date(2026, 6, 1), category="vacances"
        )
    assert "Catégorie de sortie inconnue : « vacances »" in str(error.value)


def test_an_exit_closes_the_ongoing_contract(world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    person = pathway(siae)
    services.record_exit(
        actor=None, participant=person, date=datetime.date(2026, 6, 30), category="transition"
    )
    assert person.contracts.get().end == datetime.date(2026, 6, 30)
    assert AuditLogEntry.objects.filter(action="insertion.exit.create").exists()


def test_an_exit_detail_with_a_nir_is_refused(world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    person = pathway(siae)
    with pytest.raises(ValidationError, match="sécurité sociale"):
        services.record_exit(
            actor=None,
            participant=person,
            date=datetime.date(2026, 6, 30),
            category="durable",
            detail="CDI, NIR 1 84 12 76 451 089 54",
        )
    assert not hasattr(Participant.objects.get(pk=person.pk), "exit")


def test_a_month_holds_at_most_48_hours_a_week():
    assert month_capacity(datetime.date(2026, 2, 1)) == Decimal("192.00")
    assert month_capacity(datetime.date(2026, 3, 1)) == Decimal("212.57")


def test_hours_above_what_a_month_can_hold_are_refused(world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    person = pathway(siae)
    with pytest.raises(ValidationError) as error:
        services.save_month_hours(
            actor=None,
            siae=siae,
            month=datetime.date(2026, 2, 1),
            hours={person.pk: Decimal("200")},
        )
    assert "en février 2026 : 28 jours couverts, soit 192,00 heures au plus" in str(error.value)
    assert not MonthlyHours.objects.exists()


def test_the_database_refuses_hours_no_month_can_hold(world):
    person = pathway(make_siae(world))
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyHours.objects.create(
            participant=person,
            siae=person.siae,
            month=datetime.date(2026, 3, 1),
            hours=Decimal("300"),
        )


def test_month_hours_are_replaced_not_duplicated(world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    person = pathway(siae)
    for hours in ("100", "120.5"):
        services.save_month_hours(
            actor=None,
            siae=siae,
            month=datetime.date(2026, 3, 15),
            hours={person.pk: Decimal(hours)},
        )
    row = MonthlyHours.objects.get()
    assert (row.month, row.hours) == (datetime.date(2026, 3, 1), Decimal("120.50"))


def test_hours_of_another_siaes_participant_are_refused(world):
    siae = make_siae(world)
    other = make_siae(world, organisation=world.other_structure)
    AnnexFactory(siae=other, number="ACI059260099A0M0")
    stranger = pathway(other)
    with pytest.raises(ValidationError, match="n'appartient pas à la SIAE"):
        services.save_month_hours(
            actor=None,
            siae=siae,
            month=datetime.date(2026, 3, 1),
            hours={stranger.pk: Decimal("10")},
        )


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_overlapping_contracts_cannot_both_be_saved(world):
    person = _participant(world)

    def add(start):
        return lambda: services.add_contract(
            actor=None, participant=person, start=start, end=None, weekly_hours=Decimal("26")
        )

    outcomes = run_together(
        add(datetime.date(2026, 3, 2)), add(datetime.date(2026, 3, 3)), expected=(ValidationError,)
    )
    outcomes = ["ok" if outcome == OK else "refused" for outcome in outcomes]
    assert sorted(outcomes) == ["ok", "refused"]
    assert Contract.objects.filter(participant=person).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_creations_get_distinct_pseudonyms(world):
    siae = make_siae(world)
    data = {
        "first_name": "A",
        "last_name": "B",
        "sex": "M",
        "birth_year": 1980,
        "education_level": "4",
    }

    def create():
        services.create_participant(actor=None, siae=siae, data=data)

    outcomes = run_together(create, create)
    errors = [outcome for outcome in outcomes if outcome != OK]
    assert errors == []
    codes = list(Participant.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) >= 1


def test_an_annex_overlapping_another_must_be_its_amendment(world):
    siae = make_siae(world)
    initial = services.save_annex(actor=None, siae=siae, data=ANNEX)
    second = {**ANNEX, "number": "ACI059260013A0M1", "start": datetime.date(2026, 7, 1)}
    with pytest.raises(ValidationError) as error:
        services.save_annex(actor=None, siae=siae, data=second)
    assert "chevauche l'annexe ACI059260013A0M0" in str(error.value)
    amendment = services.save_annex(actor=None, siae=siae, data={**second, "amends": initial})
    assert amendment.amends == initial


def test_a_running_contract_is_ended_then_renewed(world):
    person = _participant(world)
    contract = ContractFactory(participant=person, start=datetime.date(2026, 2, 1))
    services.update_contract(
        actor=None,
        contract=contract,
        start=contract.start,
        end=datetime.date(2026, 5, 31),
        weekly_hours=Decimal("26"),
    )
    services.add_contract(
        actor=None,
        participant=person,
        start=datetime.date(2026, 6, 1),
        end=None,
        weekly_hours=Decimal("30"),
    )
    person.refresh_from_db()
    assert (person.entry_date, person.last_day) == (datetime.date(2026, 2, 1), None)
    assert AuditLogEntry.objects.filter(action="insertion.contract.update").exists()


def test_a_contract_correction_cannot_overlap_another(world):
    person = _participant(world)
    first = ContractFactory(
        participant=person, start=datetime.date(2026, 2, 1), end=datetime.date(2026, 5, 31)
    )
    ContractFactory(participant=person, start=datetime.date(2026, 6, 1))
    with pytest.raises(ValidationError, match="chevauche celui du 1er juin 2026"):
        services.update_contract(
            actor=None,
            contract=first,
            start=first.start,
            end=datetime.date(2026, 7, 31),
            weekly_hours=Decimal("26"),
        )
