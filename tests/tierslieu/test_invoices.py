"""Invoices: numbered per year without gaps, with the legal mentions, never changed (a credit note
corrects them), chained by fingerprints, exported as Factur-X and for the accountant."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from facturx import get_xml_from_pdf, xml_check_xsd
from lxml import etree

from essor.tierslieu import einvoice, selectors, services
from essor.tierslieu.models import Booking, Invoice, InvoiceKind, VatRegime
from tests.tierslieu.factories import make_place, monthly_plan

pytestmark = pytest.mark.django_db


def _invoice(tl, *, amount="20.00", quantity="1", issued_on=None):
    return services.issue_invoice(
        place=tl.place,
        actor=tl.manager,
        drafts=[services.LineDraft("Salle du Phare, 2 heures", Decimal(quantity), Decimal(amount))],
        buyer_name="Association Les Amis du Port",
        buyer_address="3 rue Clemenceau, 59140 Dunkerque",
        issued_on=issued_on,
    )


def test_an_invoice_carries_the_mentions_the_law_requires(tl):
    invoice = _invoice(tl, amount="33.33", quantity="3")

    assert invoice.number == f"F-{invoice.issued_on.year}-00001"
    assert invoice.seller_siret == tl.place.seller_siret
    assert invoice.buyer_name == "Association Les Amis du Port"
    assert invoice.due_on == invoice.issued_on + datetime.timedelta(days=30)
    assert (invoice.total_excl_vat, invoice.total_vat, invoice.total_incl_vat) == (
        Decimal("99.99"),
        Decimal("20.00"),  # 19.998 rounded to the cent
        Decimal("119.99"),
    )
    assert "indemnité forfaitaire pour frais de recouvrement de 40 €" in invoice.penalties_mention


def test_a_place_under_the_vat_franchise_prints_the_293_b_mention(db):
    tl = make_place(vat_regime=VatRegime.FRANCHISE)

    invoice = _invoice(tl)

    assert invoice.vat_mention == "TVA non applicable, art. 293 B du CGI"
    assert invoice.total_vat == Decimal("0.00")
    assert invoice.lines.get().vat_rate == Decimal("0.00")


def test_numbers_restart_each_year_without_gaps(tl):
    numbers = [
        _invoice(tl, issued_on=datetime.date(2026, 12, 31)).number,
        _invoice(tl, issued_on=datetime.date(2026, 12, 31)).number,
        _invoice(tl, issued_on=datetime.date(2027, 1, 1)).number,
    ]

    assert numbers == ["F-2026-00001", "F-2026-00002", "F-2027-00001"]


def test_a_refused_invoice_uses_no_number(tl):
    with pytest.raises(ValidationError):
        services.issue_invoice(
            place=tl.place,
            actor=tl.manager,
            drafts=[services.LineDraft("Rien", Decimal(0), Decimal("10"))],
            buyer_name="Client",
            buyer_address="Adresse",
        )

    assert _invoice(tl).sequence == 1


def test_an_issued_invoice_cannot_be_changed_even_bypassing_the_model(tl):
    invoice = _invoice(tl)

    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(total_excl_vat=Decimal("1.00"))
    with pytest.raises(ValueError):
        invoice.save()
    with pytest.raises(ValueError):
        invoice.delete()
    invoice.refresh_from_db()
    assert invoice.total_excl_vat == Decimal("20.00")


def test_an_invoice_line_cannot_be_changed_either(tl):
    invoice = _invoice(tl)

    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        invoice.lines.update(unit_price=Decimal("1.00"))


def test_a_credit_note_cancels_the_whole_invoice_once(tl):
    invoice = _invoice(tl)

    credit_note = services.issue_credit_note(invoice=invoice, actor=tl.manager, reason="Erreur")

    assert credit_note.kind == InvoiceKind.CREDIT_NOTE
    assert credit_note.corrects == invoice
    assert credit_note.total_incl_vat == -invoice.total_incl_vat
    assert credit_note.sequence == 2
    with pytest.raises(ValidationError) as error:
        services.issue_credit_note(invoice=invoice, actor=tl.manager, reason="Encore")
    assert "a déjà son avoir" in " ".join(error.value.messages)


def test_a_member_cannot_issue_an_invoice(tl):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.issue_invoice(
            place=tl.place,
            actor=tl.alice.user,
            drafts=[services.LineDraft("Salle", Decimal(1), Decimal(10))],
            buyer_name="Moi",
            buyer_address="Chez moi",
        )


def test_the_chain_of_fingerprints_shows_no_problem_when_untouched(tl):
    for _ in range(3):
        _invoice(tl)

    assert selectors.chain_problems(tl.place) == []


def test_an_invoice_altered_behind_the_application_breaks_the_chain(tl):
    first = _invoice(tl)
    _invoice(tl)
    from django.db import connection

    with connection.cursor() as cursor:  # what someone with database access could do
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks before ALTER
            cursor.execute("ALTER TABLE tierslieu_invoice DISABLE TRIGGER tierslieu_invoice_frozen")
            cursor.execute(
                "UPDATE tierslieu_invoice SET buyer_name = 'Autre client' WHERE id = %s", [first.pk]
            )
            cursor.execute("ALTER TABLE tierslieu_invoice ENABLE TRIGGER tierslieu_invoice_frozen")
        else:
            cursor.execute("DROP TRIGGER tierslieu_invoice_frozen")
            cursor.execute(
                "UPDATE tierslieu_invoice SET buyer_name = 'Autre client' WHERE id = %s", [first.pk]
            )

    problems = selectors.chain_problems(tl.place)

    assert problems == [f"{first.number} : son contenu ne correspond plus à son empreinte."]


def test_the_month_invoice_gathers_plans_bookings_and_late_fees_once(tl):
    booked = services.book(
        space=tl.room_b, starts_at=tl.at(2, 10), ends_at=tl.at(2, 12),
        actor=tl.alice.user, member=tl.alice,
    )  # fmt: skip
    late = services.book(
        space=tl.room_b, starts_at=tl.at(2, 14), ends_at=tl.at(2, 15),
        actor=tl.alice.user, member=tl.alice,
    )  # fmt: skip
    tl.place.cancellation_hours = 100
    tl.place.save()
    services.cancel_booking(booking=late, actor=tl.alice.user)
    day = timezone.localtime(booked.starts_at).date()
    services.subscribe(
        member=tl.alice, plan=monthly_plan(tl.place, minutes=0), actor=tl.manager, starts_on=day
    )

    invoice = services.invoice_member_month(
        member=tl.alice, actor=tl.manager, year=day.year, month=day.month
    )

    labels = [line.label for line in invoice.lines.all()]
    assert len(labels) == 3
    assert labels[0].startswith("Poste nomade au mois")
    assert labels[2].startswith("Frais d'annulation tardive")
    assert invoice.total_excl_vat == Decimal("250.00") + Decimal("40.00") + Decimal("10.00")
    assert Booking.objects.get(pk=booked.pk).invoice_line is not None
    with pytest.raises(ValidationError) as error:
        services.invoice_member_month(
            member=tl.alice, actor=tl.manager, year=day.year, month=day.month
        )
    assert "Rien à facturer" in " ".join(error.value.messages)


def test_the_cii_xml_is_valid_en_16931(tl):
    invoice = _invoice(tl)

    assert xml_check_xsd(einvoice.cii_xml(invoice), flavor="factur-x", level="en16931")


def test_a_credit_note_xml_is_type_381_and_refers_to_the_invoice(tl):
    invoice = _invoice(tl)
    credit_note = services.issue_credit_note(invoice=invoice, actor=tl.manager, reason="Erreur")

    xml = einvoice.cii_xml(credit_note)

    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    tree = etree.fromstring(xml)
    namespaces = einvoice.NAMESPACES
    assert tree.findtext(".//rsm:ExchangedDocument/ram:TypeCode", namespaces=namespaces) == "381"
    assert (
        tree.findtext(
            ".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID", namespaces=namespaces
        )
        == invoice.number
    )
    assert tree.findtext(".//ram:GrandTotalAmount", namespaces=namespaces) == "24.00"


def test_the_franchise_is_an_exempt_category_with_its_reason(db):
    tl = make_place(vat_regime=VatRegime.FRANCHISE)
    tree = etree.fromstring(einvoice.cii_xml(_invoice(tl)))
    namespaces = einvoice.NAMESPACES

    tax = tree.find(".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", namespaces)
    assert tax.findtext("ram:CategoryCode", namespaces=namespaces) == "E"
    assert tax.findtext("ram:ExemptionReasonCode", namespaces=namespaces) == "VATEX-FR-FRANCHISE"
    assert tax.findtext("ram:ExemptionReason", namespaces=namespaces) == (
        "TVA non applicable, art. 293 B du CGI"
    )


def test_the_pdf_embeds_the_factur_x_xml(tl):
    invoice = _invoice(tl)

    pdf = einvoice.facturx_pdf(invoice)

    filename, xml = get_xml_from_pdf(pdf, check_xsd=True)
    assert filename == "factur-x.xml"
    assert invoice.number.encode() in xml


def test_the_accountant_export_lists_invoices_and_credit_notes_of_the_year(tl):
    year = timezone.localdate().year
    _invoice(tl, issued_on=datetime.date(year - 1, 12, 31))
    invoice = _invoice(tl)
    services.issue_credit_note(invoice=invoice, actor=tl.manager, reason="Erreur")

    rows = list(selectors.accounting_rows(tl.place, year))

    assert [(row[1], row[2], row[3]) for row in rows] == [
        (f"F-{year}-00001", "Facture", ""),
        (f"F-{year}-00002", "Avoir", f"F-{year}-00001"),
    ]
    assert (rows[0][9], rows[1][9]) == (Decimal("24.00"), Decimal("-24.00"))
