"""The invoice as Factur-X: a PDF/A-3 with its Cross Industry Invoice XML (profile EN 16931)
embedded, ahead of the French e-invoicing reform.

The XML follows UN/CEFACT CII D16B in the order its schema requires; the `factur-x` package checks
it against the EN 16931 schema and embeds it (with its XMP metadata) in the PDF WeasyPrint draws.
A credit note is type 381 with positive amounts (the type carries the sign), referring to the
invoice it corrects.
"""

from decimal import Decimal

from lxml import etree

from essor.core.exports import render_pdf
from essor.tierslieu.models import Invoice, InvoiceKind

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NAMESPACES = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
EN16931 = "urn:cen.eu:en16931:2017"
INVOICE_TYPE = {InvoiceKind.INVOICE: "380", InvoiceKind.CREDIT_NOTE: "381"}
# The VAT exemption codes of the VATEX list for the French mentions Essor prints.
EXEMPTION_CODES = {
    "franchise": "VATEX-FR-FRANCHISE",
    "exempt_261": "VATEX-EU-132",
}
SIRET_SCHEME = "0009"


def _element(parent, tag: str, text=None, **attributes):
    prefix, name = tag.split(":")
    node = etree.SubElement(parent, f"{{{NAMESPACES[prefix]}}}{name}", **attributes)
    if text is not None:
        node.text = str(text)
    return node


def _amount(value: Decimal) -> str:
    return f"{abs(value):.2f}"


def _date(parent, tag: str, day, *, kind: str = "udt") -> None:
    holder = _element(parent, tag)
    _element(holder, f"{kind}:DateTimeString", day.strftime("%Y%m%d"), format="102")


def _party(parent, tag: str, *, name: str, siret: str, address: str, vat_number: str = ""):
    party = _element(parent, tag)
    _element(party, "ram:Name", name)
    if siret:
        _element(
            _element(party, "ram:SpecifiedLegalOrganization"),
            "ram:ID",
            siret,
            schemeID=SIRET_SCHEME,
        )
    postal = _element(party, "ram:PostalTradeAddress")
    _element(postal, "ram:LineOne", address)
    _element(postal, "ram:CountryID", "FR")
    if vat_number:
        _element(
            _element(party, "ram:SpecifiedTaxRegistration"), "ram:ID", vat_number, schemeID="VA"
        )


def _tax(parent, *, invoice: Invoice, rate: Decimal, calculated=None, basis=None) -> None:
    tax = _element(parent, "ram:ApplicableTradeTax")
    if calculated is not None:
        _element(tax, "ram:CalculatedAmount", _amount(calculated))
    _element(tax, "ram:TypeCode", "VAT")
    exempt = invoice.place.vat_regime in EXEMPTION_CODES
    if exempt and calculated is not None:
        _element(tax, "ram:ExemptionReason", invoice.vat_mention)
    if basis is not None:
        _element(tax, "ram:BasisAmount", _amount(basis))
    _element(tax, "ram:CategoryCode", "E" if exempt else "S")
    if exempt and calculated is not None:
        _element(tax, "ram:ExemptionReasonCode", EXEMPTION_CODES[invoice.place.vat_regime])
    _element(tax, "ram:RateApplicablePercent", f"{rate:.2f}")


def cii_xml(invoice: Invoice) -> bytes:
    """The invoice's Cross Industry Invoice XML, profile EN 16931."""
    lines = list(invoice.lines.all())
    rate = lines[0].vat_rate if lines else Decimal(0)
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NAMESPACES)
    context = _element(root, "rsm:ExchangedDocumentContext")
    _element(_element(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", EN16931)
    document = _element(root, "rsm:ExchangedDocument")
    _element(document, "ram:ID", invoice.number)
    _element(document, "ram:TypeCode", INVOICE_TYPE[invoice.kind])
    _date(document, "ram:IssueDateTime", invoice.issued_on)
    for note in (invoice.vat_mention, invoice.penalties_mention):
        if note:
            _element(_element(document, "ram:IncludedNote"), "ram:Content", note)

    transaction = _element(root, "rsm:SupplyChainTradeTransaction")
    for line in lines:
        item = _element(transaction, "ram:IncludedSupplyChainTradeLineItem")
        _element(_element(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", line.position)
        _element(_element(item, "ram:SpecifiedTradeProduct"), "ram:Name", line.label)
        agreement = _element(item, "ram:SpecifiedLineTradeAgreement")
        _element(
            _element(agreement, "ram:NetPriceProductTradePrice"),
            "ram:ChargeAmount",
            _amount(line.unit_price),
        )
        delivery = _element(item, "ram:SpecifiedLineTradeDelivery")
        _element(delivery, "ram:BilledQuantity", f"{line.quantity:.2f}", unitCode="C62")
        settlement = _element(item, "ram:SpecifiedLineTradeSettlement")
        _tax(settlement, invoice=invoice, rate=line.vat_rate)
        _element(
            _element(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation"),
            "ram:LineTotalAmount",
            _amount(line.total_excl_vat),
        )

    agreement = _element(transaction, "ram:ApplicableHeaderTradeAgreement")
    _party(
        agreement,
        "ram:SellerTradeParty",
        name=invoice.seller_name,
        siret=invoice.seller_siret,
        address=invoice.seller_address,
        vat_number=invoice.seller_vat_number,
    )
    _party(
        agreement,
        "ram:BuyerTradeParty",
        name=invoice.buyer_name,
        siret=invoice.buyer_siret,
        address=invoice.buyer_address,
    )
    _element(transaction, "ram:ApplicableHeaderTradeDelivery")
    settlement = _element(transaction, "ram:ApplicableHeaderTradeSettlement")
    _element(settlement, "ram:InvoiceCurrencyCode", "EUR")
    _tax(
        settlement,
        invoice=invoice,
        rate=rate,
        calculated=invoice.total_vat,
        basis=invoice.total_excl_vat,
    )
    terms = _element(settlement, "ram:SpecifiedTradePaymentTerms")
    _date(terms, "ram:DueDateDateTime", invoice.due_on)
    summation = _element(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _element(summation, "ram:LineTotalAmount", _amount(invoice.total_excl_vat))
    _element(summation, "ram:TaxBasisTotalAmount", _amount(invoice.total_excl_vat))
    _element(summation, "ram:TaxTotalAmount", _amount(invoice.total_vat), currencyID="EUR")
    _element(summation, "ram:GrandTotalAmount", _amount(invoice.total_incl_vat))
    _element(summation, "ram:DuePayableAmount", _amount(invoice.total_incl_vat))
    if invoice.corrects_id:
        referenced = _element(settlement, "ram:InvoiceReferencedDocument")
        _element(referenced, "ram:IssuerAssignedID", invoice.corrects.number)
        _date(referenced, "ram:FormattedIssueDateTime", invoice.corrects.issued_on, kind="qdt")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def facturx_pdf(invoice: Invoice) -> bytes:
    """The invoice's PDF/A-3 with its EN 16931 XML embedded and checked against the schema."""
    from facturx import generate_from_binary

    pdf = render_pdf(
        "tierslieu/pdf/invoice.html",
        {"invoice": invoice, "lines": list(invoice.lines.all())},
        variant="pdf/a-3b",
    )
    return generate_from_binary(
        pdf,
        cii_xml(invoice),
        flavor="factur-x",
        level="en16931",
        check_xsd=True,
        lang="fr-FR",
    )
