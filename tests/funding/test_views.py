"""The pages: the applicant's journey, bad input kept and explained, instruction and decisions,
who sees what, and lists with a constant number of queries."""

import html
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from essor.accounts.models import Role
from essor.funding.models import Application, Envelope, ShareStatus
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.funding import helpers
from tests.funding.factories import (
    ApplicationFactory,
    EnvelopeFactory,
    FunderProfileFactory,
    ProgrammeFactory,
    ShareFactory,
    share_in_instruction,
)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def applicant(client, world):
    client.force_login(world.users["organisation_admin"])
    return client


@pytest.fixture
def instructor(client, world):
    client.force_login(world.users["funder_instructor"])
    return client


def _budget_post(**amounts):
    return {f"compte_{code.replace('-', '_')}": value for code, value in amounts.items()}


def test_applicant_fills_and_submits_the_dossier_unique(applicant, world):
    programme = helpers.programme(world)
    response = applicant.post(
        reverse("funding:application_create"),
        {"title": "Épicerie solidaire", "year": 2026, "siret": world_siret(world)},
    )
    application = Application.objects.get(title="Épicerie solidaire")
    assert response.url == reverse("funding:application_budget", args=[application.pk])
    applicant.post(
        reverse("funding:application_budget", args=[application.pk]),
        _budget_post(**{"60": "10000", "64": "20000", "70": "10000", "74-epci": "20000"}),
    )
    applicant.post(
        reverse("funding:application_request_add", args=[application.pk]),
        {"programme": programme.pk, "amount": "20000"},
    )
    for kind in ("statuts", "rib"):
        applicant.post(
            reverse("funding:application_attachments", args=[application.pk]),
            {
                "form": "add",
                "kind": kind,
                "file": SimpleUploadedFile(f"{kind}.pdf", b"%PDF-1.4\n", "application/pdf"),
            },
        )
    response = applicant.post(
        reverse("funding:application_submit", args=[application.pk]),
        {"declarant_name": "Jeanne Martin, présidente", "certify": "on", "obligations": "on"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.shares.get().status == ShareStatus.SUBMITTED


def world_siret(world):
    from tests.factories import siret_for

    return siret_for(world.structure.siren, 1)


def test_unbalanced_budget_is_saved_with_a_warning(applicant, world):
    application = helpers.draft_application(world)
    response = applicant.post(
        reverse("funding:application_budget", args=[application.pk]),
        _budget_post(**{"60": "1000", "70": "500"}),
        follow=True,
    )
    assert "pas encore équilibré" in text(response)


def test_bad_budget_line_is_named_and_nothing_is_lost(applicant, world):
    application = helpers.draft_application(world)
    response = applicant.post(
        reverse("funding:application_budget", args=[application.pk]),
        _budget_post(**{"60": "1000", "61": "-20", "64": "12,5"}),
    )
    page = text(response)
    assert "Le montant ne peut pas être négatif." in page
    assert "Indiquez un montant en euros entiers" in page
    assert 'value="1000"' in page  # what was typed is still there
    assert application.budget_lines.get(code="60").amount == Decimal("20000")  # unchanged


def test_a_budget_line_s_label_is_not_repeated_in_its_error(applicant, world):
    application = helpers.draft_application(world)
    response = applicant.post(
        reverse("funding:application_budget", args=[application.pk]),
        _budget_post(**{"61": "-20"}),
    )
    page = text(response)
    # Once in the grid's label, once in the error summary's link: never inside the message.
    assert page.count("61 — Services extérieurs") == 2
    assert "Services extérieurs : 61" not in page


def test_the_budget_step_says_nothing_is_saved_before_any_budget_was_typed(applicant, world):
    application = ApplicationFactory(organisation=world.structure)
    page = text(applicant.get(reverse("funding:application_budget", args=[application.pk])))
    assert "Aucun budget n'est encore enregistré" in page
    assert "Budget enregistré" not in page and "équilibré" not in page


def test_the_saved_budget_is_not_described_beside_a_refused_entry(applicant, world):
    application = helpers.draft_application(world)
    response = applicant.post(
        reverse("funding:application_budget", args=[application.pk]),
        _budget_post(**{"61": "-20"}),
    )
    page = text(response)
    assert "rien n'a été enregistré" in page
    assert "Budget enregistré" not in page


def test_the_saved_budget_is_described_with_its_totals(applicant, world):
    application = helpers.draft_application(world)
    page = text(applicant.get(reverse("funding:application_budget", args=[application.pk])))
    assert "Budget enregistré : charges" in page and "— équilibré." in page


def test_an_empty_budget_is_not_called_balanced(applicant, world):
    application = ApplicationFactory(organisation=world.structure)
    response = applicant.post(
        reverse("funding:application_budget", args=[application.pk]),
        _budget_post(**{"60": "", "70": ""}),
        follow=True,
    )
    page = text(response)
    assert "Aucun montant saisi : le budget est vide." in page
    assert "équilibré" not in page


def test_invalid_siret_is_refused_with_a_french_message(applicant, world):
    response = applicant.post(
        reverse("funding:application_create"),
        {"title": "Projet", "year": 2026, "siret": "12345678901234"},
    )
    assert response.status_code == 200
    assert "SIRET" in text(response)
    assert not Application.objects.exists()


def test_request_above_the_ceiling_is_refused_on_the_form(applicant, world):
    application = helpers.draft_application(world)
    other = ProgrammeFactory(ceiling=Decimal("1000"))
    response = applicant.post(
        reverse("funding:application_request_add", args=[application.pk]),
        {"programme": other.pk, "amount": "5000"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert any("dépasse le plafond du dispositif" in error for error in form.non_field_errors())
    assert response.context["refused_forms"] == []
    assert application.shares.count() == 1


def test_each_form_of_the_requests_page_posts_to_its_own_endpoint(applicant, world):
    application = helpers.draft_application(world)
    share = application.shares.get()
    page = text(applicant.get(reverse("funding:application_requests", args=[application.pk])))
    for name, args in (
        ("funding:application_request_add", [application.pk]),
        ("funding:application_request_amount", [application.pk, share.pk]),
        ("funding:application_request_remove", [application.pk, share.pk]),
    ):
        assert f'action="{reverse(name, args=args)}"' in page
    assert 'name="form"' not in page


def test_the_requests_page_only_shows_itself(applicant, world):
    application = helpers.draft_application(world)
    response = applicant.post(
        reverse("funding:application_requests", args=[application.pk]),
        {"form": "add", "programme": helpers.programme(world).pk, "amount": "100"},
    )
    assert response.status_code == 405


def test_applicant_adds_a_programme(applicant, world):
    application = helpers.draft_application(world)
    other = ProgrammeFactory(name="Fonds régional")
    response = applicant.post(
        reverse("funding:application_request_add", args=[application.pk]),
        {"programme": other.pk, "amount": "3000"},
    )
    assert response.url == reverse("funding:application_requests", args=[application.pk])
    assert application.shares.get(programme=other).amount_requested == Decimal("3000")


def test_applicant_changes_the_amount_asked(applicant, world):
    application = helpers.draft_application(world)
    share = application.shares.get()
    response = applicant.post(
        reverse("funding:application_request_amount", args=[application.pk, share.pk]),
        {"amount": "18000"},
    )
    assert response.url == reverse("funding:application_requests", args=[application.pk])
    share.refresh_from_db()
    assert share.amount_requested == Decimal("18000")


def test_a_refused_amount_is_shown_on_its_line_and_nothing_changes(applicant, world):
    application = helpers.draft_application(world)
    share = application.shares.get()
    other = ShareFactory(
        application=application, programme=ProgrammeFactory(), amount_requested=Decimal("700")
    )
    response = applicant.post(
        reverse("funding:application_request_amount", args=[application.pk, share.pk]),
        {"amount": "90000"},
    )
    assert response.status_code == 200
    rows = {row["share"].pk: row for row in response.context["rows"]}
    refused = rows[share.pk]["amount_form"]
    assert refused.is_bound
    assert any("dépasse le plafond du dispositif" in e for e in refused.non_field_errors())
    assert not rows[other.pk]["amount_form"].is_bound
    page = text(response)
    field_id = refused["amount"].id_for_label
    assert f'aria-describedby="{field_id}-erreur"' in page
    assert 'value="90000"' in page  # what was typed is still there
    assert page.count("dépasse le plafond du dispositif") == 2  # above the page and on the line
    share.refresh_from_db()
    assert share.amount_requested == Decimal("20000")


def test_a_missing_amount_is_refused_on_its_line(applicant, world):
    application = helpers.draft_application(world)
    share = application.shares.get()
    response = applicant.post(
        reverse("funding:application_request_amount", args=[application.pk, share.pk]),
        {"amount": ""},
    )
    assert response.status_code == 200
    assert response.context["rows"][0]["amount_form"].errors["amount"]


def test_applicant_removes_a_draft_request(applicant, world):
    application = helpers.draft_application(world)
    share = application.shares.get()
    response = applicant.post(
        reverse("funding:application_request_remove", args=[application.pk, share.pk])
    )
    assert response.url == reverse("funding:application_requests", args=[application.pk])
    assert not application.shares.exists()


def test_a_refused_removal_is_shown_on_its_line(applicant, world):
    # Sent back for correction by one funder: the application is editable, the other funder's
    # deposited request stays.
    application = ShareFactory(
        application__organisation=world.structure, status=ShareStatus.CORRECTION
    ).application
    share = ShareFactory(
        application=application, programme=ProgrammeFactory(), status=ShareStatus.SUBMITTED
    )
    response = applicant.post(
        reverse("funding:application_request_remove", args=[application.pk, share.pk])
    )
    assert response.status_code == 200
    row = next(row for row in response.context["rows"] if row["share"] == share)
    assert row["remove_form"].non_field_errors() == [
        "Seule une demande en brouillon peut être retirée du dossier."
    ]
    assert response.context["refused_forms"] == [row["remove_form"]]
    assert application.shares.filter(pk=share.pk).exists()


def test_a_share_of_another_application_cannot_be_changed(applicant, world):
    application = helpers.draft_application(world)
    foreign = ShareFactory(programme=ProgrammeFactory())
    for name in ("funding:application_request_amount", "funding:application_request_remove"):
        response = applicant.post(
            reverse(name, args=[application.pk, foreign.pk]), {"amount": "10"}
        )
        assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.amount_requested != Decimal("10")


def test_oversize_attachment_is_refused_on_the_form(applicant, world, settings):
    settings.ESSOR_FUNDING_ATTACHMENT_MAX_MB = 1
    application = helpers.draft_application(world)
    response = applicant.post(
        reverse("funding:application_attachments", args=[application.pk]),
        {
            "form": "add",
            "kind": "rib",
            "file": SimpleUploadedFile("rib.pdf", b"%PDF-" + b"0" * 2_000_000, "application/pdf"),
        },
    )
    assert "pèse 1,9\u202fMo : la taille maximale est de 1,0\u202fMo" in text(response)


def test_instructor_decides_and_sees_the_remaining_envelope(instructor, world):
    share = helpers.share_in_instruction(world)
    url = reverse("funding:share_detail", args=[share.pk])
    assert "solde 100" in text(instructor.get(url))
    instructor.post(
        url,
        {"form": "decision", "action": "accept", "amount": "12000", "motivation": "Conforme."},
    )
    share.refresh_from_db()
    assert share.status == ShareStatus.ACCEPTED
    assert Envelope.objects.get(programme=share.programme).granted == Decimal("12000")


def test_decision_above_the_envelope_is_refused_on_the_form(instructor, world):
    share = helpers.share_in_instruction(world)
    Envelope.objects.filter(programme=share.programme).update(amount=Decimal("5000"))
    response = instructor.post(
        reverse("funding:share_detail", args=[share.pk]),
        {"form": "decision", "action": "accept", "amount": "12000", "motivation": "Conforme."},
    )
    assert "dépasse le solde de l'enveloppe" in text(response)
    share.refresh_from_db()
    assert share.status == ShareStatus.INSTRUCTION


def test_agency_reads_but_does_not_decide_without_delegation(client, world):
    share = helpers.share_in_instruction(world)
    client.force_login(world.users["agency_staff"])
    url = reverse("funding:share_detail", args=[share.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"form": "decision", "action": "refuse", "motivation": "Non."})
    assert response.status_code == 403


def test_agency_decides_as_front_office_when_delegated(client, world):
    helpers.funder_profile(world, agency_front_office=True)
    share = helpers.share_in_instruction(world)
    client.force_login(world.users["agency_staff"])
    client.post(
        reverse("funding:share_detail", args=[share.pk]),
        {"form": "decision", "action": "refuse", "motivation": "Hors critères."},
    )
    share.refresh_from_db()
    assert share.status == ShareStatus.REFUSED


def test_instructor_of_another_funder_does_not_see_the_application(client, world):
    share = helpers.share_in_instruction(world)
    other = FunderProfileFactory()
    user = MembershipFactory(
        user=UserFactory(), organisation=other.organisation, role=Role.FUNDER_INSTRUCTOR
    ).user
    client.force_login(user)
    assert client.get(reverse("funding:share_detail", args=[share.pk])).status_code == 403
    assert (
        client.get(reverse("funding:application_detail", args=[share.application_id])).status_code
        == 403
    )
    assert share.application.reference not in text(client.get(reverse("funding:instruction_list")))


def test_other_structure_does_not_see_the_application(client, world):
    share = helpers.share_in_instruction(world)
    user = MembershipFactory(organisation=world.other_structure, role=Role.ORGANISATION_ADMIN).user
    client.force_login(user)
    response = client.get(reverse("funding:application_detail", args=[share.application_id]))
    assert response.status_code == 403


def test_private_notes_stay_with_their_funder(client, instructor, world):
    share = helpers.share_in_instruction(world)
    instructor.post(
        reverse("funding:share_detail", args=[share.pk]),
        {"form": "note", "body": "Trésorerie fragile."},
    )
    client.force_login(world.users["organisation_admin"])
    page = client.get(reverse("funding:application_detail", args=[share.application_id]))
    assert "Trésorerie fragile." not in text(page)


def test_messages_between_applicant_and_funder(client, instructor, world):
    share = helpers.share_in_instruction(world)
    url = reverse("funding:application_detail", args=[share.application_id])
    instructor.post(url, {"body": "Pouvez-vous préciser le public ?"})
    client.force_login(world.users["organisation_member"])
    assert "Pouvez-vous préciser le public ?" in text(client.get(url))


def test_agreement_pdf_is_a_pdf(applicant, world):
    share = helpers.accepted_share(world)
    response = applicant.get(reverse("funding:agreement_pdf", args=[share.agreement.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_attachment_is_downloaded_by_the_funder(instructor, world):
    attachment = helpers.attachment(world)
    helpers.share_in_instruction(world)
    response = instructor.get(reverse("funding:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_session_records_the_agenda_and_gives_minutes(instructor, world):
    session = helpers.session(world)
    item = session.items.get()
    instructor.post(
        reverse("funding:session_detail", args=[session.pk]),
        {
            "form": "decisions",
            f"decision-{item.pk}": "accepted",
            f"amount-{item.pk}": "10000",
            f"motivation-{item.pk}": "Avis favorable du comité.",
        },
    )
    item.share.refresh_from_db()
    assert item.share.status == ShareStatus.ACCEPTED
    minutes = instructor.get(reverse("funding:session_minutes", args=[session.pk]))
    assert minutes.content.startswith(b"%PDF")


def test_catalogue_filters_by_text(client, world):
    helpers.programme(world)
    ProgrammeFactory(name="Mobilité solidaire")
    page = text(client.get(reverse("funding:catalogue"), {"q": "mobilité"}))
    assert "Mobilité solidaire" in page and "Fonds ESS de la CUD" not in page


def test_dashboard_xlsx_export(instructor, world):
    helpers.accepted_share(world)
    response = instructor.get(reverse("funding:dashboard_xlsx"))
    assert response.content[:2] == b"PK"


def _many_shares(programme, count):
    from essor.funding import services

    instructor = programme.instructors.first()
    for _ in range(count):
        share = share_in_instruction(programme=programme, organisation=OrganisationFactory())
        services.decide(
            share=share,
            actor=instructor,
            outcome=ShareStatus.ACCEPTED,
            amount="100",
            motivation="Oui",
        )
        ProgrammeFactory(funder=programme.funder)


@pytest.mark.parametrize(
    "url_name",
    [
        "funding:instruction_list",
        "funding:dashboard",
        "funding:report_list",
        "funding:programme_list",
        "funding:session_list",
    ],
)
def test_back_office_lists_run_a_constant_number_of_queries(
    instructor, world, django_assert_num_queries, url_name
):
    programme = helpers.programme(world)
    _many_shares(programme, 2)
    url = reverse(url_name)
    instructor.get(url)  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        instructor.get(url)
    _many_shares(programme, 8)
    with django_assert_num_queries(len(small)):
        instructor.get(url)


def test_my_applications_runs_a_constant_number_of_queries(applicant, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    helpers.accepted_share(world)
    url = reverse("funding:my_applications")
    with CaptureQueriesContext(connection) as small:
        applicant.get(url)
    for _ in range(4):
        helpers.accepted_share(world, amount="1000")
        helpers.draft_application(world)
    with CaptureQueriesContext(connection) as large:
        applicant.get(url)
    assert len(large) == len(small)


def test_envelope_is_set_from_the_programme_page(instructor, world):
    programme = helpers.programme(world)
    instructor.post(
        reverse("funding:programme_edit", args=[programme.pk]),
        {"form": "envelope", "year": 2027, "amount": "75000"},
    )
    assert Envelope.objects.get(programme=programme, year=2027).amount == Decimal("75000")


def test_instruction_list_exports_csv(instructor, world):
    share = helpers.share_in_instruction(world)
    response = instructor.get(reverse("funding:instruction_export"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert share.application.reference in body


def test_agency_declares_a_funder_and_an_invalid_siret_is_refused(client, world):
    client.force_login(world.users["agency_admin"])
    commune = OrganisationFactory(name="Ville de Grande-Synthe", is_ess=False, ess_family="")
    url = reverse("funding:funder_list")
    response = client.post(url, {"organisation": commune.pk, "siret": "12345678901234"})
    assert "SIRET" in text(response)
    from tests.factories import siret_for

    client.post(url, {"organisation": commune.pk, "siret": siret_for(commune.siren, 1)})
    assert commune.funder_profile.siret == siret_for(commune.siren, 1)


def test_instruction_list_finds_by_structure_name(instructor, world):
    share = helpers.share_in_instruction(world)
    other = share_in_instruction(programme=share.programme, organisation=OrganisationFactory())
    page = text(instructor.get(reverse("funding:instruction_list"), {"q": "jardins du litt"}))
    assert share.application.reference in page
    assert other.application.reference not in page


def test_instruction_list_finds_a_title_whatever_the_accents_and_case(instructor, world):
    share = helpers.share_in_instruction(world)
    share.application.title = "Épicerie solidaire du Méridien"
    share.application.save()
    other = share_in_instruction(programme=share.programme, organisation=OrganisationFactory())
    page = text(instructor.get(reverse("funding:instruction_list"), {"q": "EPICERIE solidaire"}))
    assert share.application.reference in page
    assert other.application.reference not in page


def test_instruction_list_finds_a_reference(instructor, world):
    share = helpers.share_in_instruction(world)
    page = text(
        instructor.get(reverse("funding:instruction_list"), {"q": share.application.reference})
    )
    assert share.application.title in page


def test_envelope_balance_fragment_shows_the_live_balance(instructor, world):
    share = helpers.accepted_share(world, amount="12000")
    response = instructor.get(reverse("funding:envelope_balance", args=[share.envelope_id]))
    assert "solde 88 000,00" in text(response).replace("\u202f", " ").replace("\xa0", " ")


def test_envelope_balance_of_another_funder_is_refused(client, world):
    envelope = EnvelopeFactory()
    client.force_login(world.users["funder_instructor"])
    assert client.get(reverse("funding:envelope_balance", args=[envelope.pk])).status_code == 403


def test_instruction_csv_neutralises_text_and_keeps_amounts_as_numbers(instructor, world):
    import csv
    import io

    share = helpers.share_in_instruction(world)
    Application.objects.filter(pk=share.application_id).update(title="=1+2")
    response = instructor.get(reverse("funding:instruction_export"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(body), delimiter=";"))
    assert row["Projet"] == "'=1+2"
    assert row["Montant demandé (€)"] == "20000.00"


def test_dashboard_xlsx_neutralises_a_programme_name(instructor, world):
    import io

    from openpyxl import load_workbook

    share = helpers.accepted_share(world)
    share.programme.name = "@Fonds"
    share.programme.save(update_fields=["name"])
    response = instructor.get(reverse("funding:dashboard_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    label, requested, granted = (cell.value for cell in sheet[2][:3])
    assert label == "'@Fonds"
    assert (requested, granted) == (20000, 15000)


def test_attachment_sizes_read_in_french_units(applicant, world):
    from essor.funding.models import Attachment

    attachment = helpers.attachment(world)
    Attachment.objects.filter(pk=attachment.pk).update(size=11 * 1024 * 1024)
    response = applicant.get(
        reverse("funding:application_attachments", args=[attachment.application_id])
    )
    assert "11,0\u202fMo" in text(response)


def test_the_programme_page_writes_the_advance_share_as_a_percentage(client, world):
    from essor.funding.models import PaymentMode

    programme = ProgrammeFactory(payment_mode=PaymentMode.ADVANCE, advance_percent=70)
    response = client.get(reverse("funding:programme_detail", args=[programme.pk]))
    assert "(avance de 70\u00a0%)" in text(response)


def test_an_advance_share_outside_one_to_ninety_nine_gets_the_french_message(world):
    from django.forms.models import model_to_dict

    from essor.accounts.models import User
    from essor.funding.forms import ProgrammeForm
    from essor.funding.models import FunderProfile

    programme = helpers.programme(world)
    data = {key: value for key, value in model_to_dict(programme).items() if value is not None}
    data |= {
        "sectors": [sector.pk for sector in programme.sectors.all()],
        "communes": [],
        "instructors": [user.pk for user in programme.instructors.all()],
        "advance_percent": "0",
    }
    form = ProgrammeForm(
        data,
        instance=programme,
        funders=FunderProfile.objects.all(),
        instructors=User.objects.all(),
    )

    assert not form.is_valid()
    assert form.non_field_errors() == ["La part de l'avance doit être comprise entre 1 et 99 %."]


def test_an_application_without_budget_shows_no_empty_tables(applicant, world):
    application = ApplicationFactory(organisation=world.structure)
    page = text(applicant.get(reverse("funding:application_detail", args=[application.pk])))
    assert "Aucun budget n'est encore saisi." in page
    assert "Total des charges" not in page
