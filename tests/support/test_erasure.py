"""Erasing a project holder's personal data erases it everywhere: the holder, the records merged
into it, its actions, and what the audit log and the transition log copied."""

import datetime

import pytest
from django.urls import reverse
from django_fsm_log.models import StateLog

from essor.core import workflow
from essor.core.models import AuditLogEntry
from essor.support import services
from essor.support.models import ConsentScope, HolderKind, Stage
from essor.territory.models import Commune
from tests.factories import sector
from tests.personal_data import traces_of

pytestmark = pytest.mark.django_db

D = datetime.date

NAME = "Ysolde Quénéhen"
OTHER_SPELLING = "QUENEHEN Ysolde"
EMAILS = ["ysolde.quenehen@example.org", "y.quenehen@example.net"]
PHONE = "06 71 42 93 18"
# What the agency typed about her: her idea, notes, a next step, a stage note, the abandon's
# reason, the merge's reason.
FREE_TEXTS = [
    "Atelier de reliure adapté aux malvoyants",
    "Reliure d'art à domicile",
    "Diabète instable, rendez-vous décalé",
    "Rappeler après l'hospitalisation",
    "Suivi psychologique en cours",
    "Son conjoint Jérôme la soutient",
    "Raisons de santé : chimiothérapie",
    "Même personne, Ysolde a changé de numéro",
]


def _holder(staff, *, name, email, idea, phone=""):
    return services.create_holder(
        actor=staff,
        data={
            "kind": HolderKind.PERSON,
            "name": name,
            "idea": idea,
            "sectors": [sector("culture")],
            "commune": Commune.objects.get(insee_code="59183"),
            "in_qpv": False,
            "heard_via": "evenement",
            "advisor": None,
            "first_contact_on": D(2025, 2, 3),
            "email": email,
            "phone": phone,
            "consent_on": D(2025, 2, 3),
            "consent_scope": ConsentScope.PARTNERS,
        },
    )


@pytest.fixture
def followed(world):
    """Ysolde's holder, with a duplicate merged into it, actions, stages and an abandon."""
    staff = world.users["agency_staff"]
    holder = _holder(staff, name=NAME, email=EMAILS[0], phone=PHONE, idea=FREE_TEXTS[0])
    duplicate = _holder(staff, name=OTHER_SPELLING, email=EMAILS[1], idea=FREE_TEXTS[1])
    services.add_action(
        holder=duplicate,
        actor=staff,
        data={"date": D(2025, 2, 10), "kind": "rendez-vous", "notes": FREE_TEXTS[4]},
    )
    services.merge_holders(keep=holder, duplicate=duplicate, actor=staff, reason=FREE_TEXTS[7])
    services.add_action(
        holder=holder,
        actor=staff,
        data={
            "date": D(2025, 3, 1),
            "kind": "rendez-vous",
            "notes": FREE_TEXTS[2],
            "next_step": FREE_TEXTS[3],
            "reminder_on": D(2025, 4, 1),
        },
    )
    services.add_action(
        holder=holder,
        actor=staff,
        data={
            "date": D(2025, 3, 2),
            "kind": "orientation",
            "partner_kind": "cigales",
            "shared_fields": ["name", "email", "phone"],
        },
    )
    services.advance_stage(
        holder=holder, actor=staff, to=Stage.EMERGENCE, on=D(2025, 3, 5), note=FREE_TEXTS[5]
    )
    services.abandon(holder=holder, actor=staff, on=D(2025, 6, 1), reason=FREE_TEXTS[6])
    services.log_personal_read(actor=staff, holder=holder, what="Consultation de la fiche")
    return holder, duplicate


def _erase(world, holder):
    services.erase_personal_data(
        holder=holder,
        actor=world.users["agency_admin"],
        reason="Demande écrite de la personne, reçue le 2 mars.",
    )


def test_the_setup_leaves_her_details_in_many_places(followed):
    assert len(traces_of(NAME, *EMAILS, PHONE, *FREE_TEXTS)) > 10


def test_after_the_erasure_no_column_of_any_table_holds_her_details(world, followed):
    holder, _ = followed

    _erase(world, holder)

    left = traces_of(NAME, OTHER_SPELLING, "ysolde", *EMAILS, PHONE, "0671429318", *FREE_TEXTS)
    assert left == [], "\n".join(left)


def test_the_records_merged_into_hers_are_erased_too(world, followed):
    holder, duplicate = followed

    _erase(world, holder)

    duplicate.refresh_from_db()
    assert duplicate.erased_on is not None
    assert (duplicate.name, duplicate.email) == (services.ERASED_NAME, "")


def test_the_erasure_keeps_who_did_what_and_when(world, followed):
    holder, _ = followed

    _erase(world, holder)

    assert [row.label for row in workflow.history(holder, "stage")] == [
        "Projet passé à l'étape « Émergence »",
        "Abandon du projet",
    ]
    assert set(StateLog.objects.for_(holder).values_list("description", flat=True)) == {""}
    entries = AuditLogEntry.objects.filter(
        target_type="support.projectholder", target_id=str(holder.pk)
    )
    assert {"support.holder.emerge", "support.holder.abandon"} <= set(
        entries.values_list("action", flat=True)
    )
    erase = entries.get(action="support.holder.erase")
    assert erase.message == "Demande écrite de la personne, reçue le 2 mars."


def test_the_journal_of_an_export_does_not_keep_the_name_searched(agency_client, followed):
    agency_client.get(reverse("support:holder_export_csv"), {"q": NAME})

    entry = AuditLogEntry.objects.get(action="support.holder.export")
    assert entry.changes["filtres"]["query"] == services.MASKED
