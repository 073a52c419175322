"""The business behind the portal: pipelines, stages, dictionaries, currencies, custom fields.

One furniture retailer that also sells new-build apartments. Everything here is static reference
data; the generator modules read it to pick stages, sources and enumeration values, and the static
fixture files (`crm.status.list`, `crm.category.list.*`, `crm.currency.list`) are rendered from it.
"""

from __future__ import annotations

from dataclasses import dataclass

COMPANY_NAME = "Uyut Home Group"

FURNITURE, REAL_ESTATE = 0, 1  # deal category ids (pipelines)
CATEGORY_NAMES = {FURNITURE: "Furniture store", REAL_ESTATE: "Real estate"}
INVOICE_CATEGORY_ID = 2


@dataclass(frozen=True)
class Stage:
    """A deal stage or lead status; `code` is its index in the global stage table."""

    code: int
    status_id: str
    name: str
    semantics: str  # "P", "S" or "F"
    sort: int
    category: int | None  # None for lead statuses
    probability: int
    color: str
    extra: str  # EXTRA.SEMANTICS: process / success / failure / apology


def _deal_stages() -> list[Stage]:
    rows = [
        (FURNITURE, "NEW", "New deal", "P", 10, 10, "#39A8EF", "process"),
        (FURNITURE, "PREPARATION", "Order discussion", "P", 20, 30, "#2FC6F6", "process"),
        (FURNITURE, "PREPAYMENT_INVOICE", "Prepayment invoice", "P", 30, 60, "#55D0E0", "process"),
        (FURNITURE, "EXECUTING", "Delivery", "P", 40, 90, "#47E4C2", "process"),
        (FURNITURE, "WON", "Deal won", "S", 50, 100, "#7BD500", "success"),
        (FURNITURE, "LOSE", "Deal lost", "F", 60, 0, "#FF5752", "failure"),
        (FURNITURE, "APOLOGY", "Failure analysis", "F", 70, 0, "#FF5752", "apology"),
        (REAL_ESTATE, "C1:NEW", "New", "P", 10, 10, "#39A8EF", "process"),
        (REAL_ESTATE, "C1:UC_SHOWING", "Meeting / showing", "P", 20, 25, "#2FC6F6", "process"),
        (REAL_ESTATE, "C1:UC_BOOKING", "Booking", "P", 30, 50, "#55D0E0", "process"),
        (REAL_ESTATE, "C1:UC_CONTRACT", "Contract", "P", 40, 75, "#47E4C2", "process"),
        (REAL_ESTATE, "C1:UC_PAYMENT", "Payment", "P", 50, 90, "#FFA900", "process"),
        (REAL_ESTATE, "C1:WON", "Deal won", "S", 60, 100, "#7BD500", "success"),
        (REAL_ESTATE, "C1:LOSE", "Deal lost", "F", 70, 0, "#FF5752", "failure"),
    ]
    return [Stage(i, sid, name, sem, sort, cat, prob, color, extra)
            for i, (cat, sid, name, sem, sort, prob, color, extra) in enumerate(rows)]


DEAL_STAGES: list[Stage] = _deal_stages()
DEAL_STAGE_BY_ID = {s.status_id: s for s in DEAL_STAGES}


@dataclass(frozen=True)
class Pipeline:
    """Stage codes of one deal category, split the way path generation needs them."""

    category: int
    process: tuple[int, ...]
    won: int
    lost: tuple[int, ...]  # first one is the ordinary "lost" stage


PIPELINES = {
    FURNITURE: Pipeline(FURNITURE, (0, 1, 2, 3), 4, (5, 6)),
    REAL_ESTATE: Pipeline(REAL_ESTATE, (7, 8, 9, 10, 11), 12, (13,)),
}

LEAD_STATUSES: list[Stage] = [
    Stage(0, "NEW", "New", "P", 10, None, 0, "#2FC6F6", "process"),
    Stage(1, "UC_ASSIGNED", "Assigned", "P", 20, None, 0, "#55D0E0", "process"),
    Stage(2, "IN_PROCESS", "In progress", "P", 30, None, 0, "#FFA900", "process"),
    Stage(3, "CONVERTED", "Converted", "S", 40, None, 0, "#7BD500", "success"),
    Stage(4, "JUNK", "Not potential", "F", 50, None, 0, "#FF5752", "failure"),
    Stage(5, "UC_STOPPED", "Stopped", "F", 60, None, 0, "#FF5752", "failure"),
    Stage(6, "UC_DUPLICATE", "Duplicate", "F", 70, None, 0, "#FF5752", "failure"),
]
LEAD_PROCESS = (0, 1, 2)
LEAD_CONVERTED = 3
LEAD_LOST = (4, 5, 6)

# SOURCE dictionary: (STATUS_ID, NAME, weight for leads, weight for deals without a lead)
SOURCES = [
    ("CALL", "Call", 18, 22),
    ("EMAIL", "E-mail", 5, 4),
    ("WEB", "Website", 16, 10),
    ("ADVERTISING", "Advertising", 12, 6),
    ("PARTNER", "Partner", 4, 6),
    ("RECOMMENDATION", "Recommendation", 7, 14),
    ("TRADE_SHOW", "Trade show", 2, 3),
    ("WEBFORM", "CRM form", 14, 5),
    ("CALLBACK", "Callback", 8, 3),
    ("RC_GENERATOR", "Sales boost", 1, 1),
    ("STORE", "Online store", 6, 4),
    ("UC_Z3K8QF", "Avito", 5, 8),
    ("UC_7TN2WD", "CIAN", 4, 7),
    ("OTHER", "Other", 2, 7),
]

DEAL_TYPES = [("SALE", "Sales"), ("COMPLEX", "Complex sale"), ("GOODS", "Sale of goods"),
              ("SERVICES", "Sale of services"), ("SERVICE", "After-sales service")]
CONTACT_TYPES = [("CLIENT", "Clients"), ("SUPPLIER", "Suppliers"), ("PARTNER", "Partners"),
                 ("OTHER", "Other")]
COMPANY_TYPES = [("CUSTOMER", "Client"), ("SUPPLIER", "Supplier"), ("COMPETITOR", "Competitor"),
                 ("PARTNER", "Partner"), ("OTHER", "Other")]
INDUSTRIES = [("IT", "Information Technology"), ("TELECOM", "Telecommunication"),
              ("MANUFACTURING", "Manufacturing"), ("BANKING", "Banking Services"),
              ("CONSULTING", "Consulting"), ("FINANCE", "Finance"), ("GOVERNMENT", "Government"),
              ("DELIVERY", "Delivery"), ("ENTERTAINMENT", "Entertainment"),
              ("NOTPROFIT", "Not-for-profit"), ("OTHER", "Other")]

# Smart-invoice stages (SMART_INVOICE_STAGE_2): new, sent, paid (S), declined (F).
INVOICE_NEW, INVOICE_SENT, INVOICE_PAID, INVOICE_DECLINED = (
    "DT31_2:N", "DT31_2:S", "DT31_2:P", "DT31_2:D")
INVOICE_STAGES = [
    (INVOICE_NEW, "New", None, 10, "#22B9FF", "process"),
    (INVOICE_SENT, "Sent to client", None, 20, "#FFA900", "process"),
    (INVOICE_PAID, "Paid", "S", 30, "#7BD500", "success"),
    (INVOICE_DECLINED, "Declined", "F", 40, "#FF5752", "failure"),
]

# Currencies: code, full name, rate to RUB (AMOUNT per AMOUNT_CNT units), sort, format string.
CURRENCIES = [
    ("RUB", "Russian Ruble", 1, "1.0000", 100, "# ₽"),
    ("USD", "US Dollar", 1, "92.4500", 200, "$#"),
    ("EUR", "Euro", 1, "100.1800", 300, "€#"),
    ("KZT", "Tenge", 100, "18.9400", 400, "# ₸"),
]
RATE_TO_RUB = {code: float(amount) / cnt for code, _, cnt, amount, _, _ in CURRENCIES}


# ---------------------------------------------------------------- custom (UF) fields
@dataclass(frozen=True)
class CustomField:
    """A user field: realistic numeric-suffixed name, type, label and enumeration items."""

    name: str
    type: str  # enumeration / double / boolean / string
    label: str
    items: tuple[tuple[str, str], ...] = ()  # (item id, value)

    def item_id(self, value: str) -> str:
        for item_id, item_value in self.items:
            if item_value == value:
                return item_id
        raise KeyError(value)


UF_DEAL_PAYMENT_FORM = CustomField(
    "UF_CRM_1709632145", "enumeration", "Payment form",
    (("45", "Mortgage"), ("46", "Instalment"), ("47", "Cash")))
UF_DEAL_SALES_CHANNEL = CustomField(
    "UF_CRM_1709632367", "enumeration", "Sales channel", (("49", "Direct"), ("50", "Agency")))
UF_DEAL_AREA = CustomField("UF_CRM_1709632512", "double", "Area, m²")
UF_DEAL_LOST_REASON = CustomField(
    "UF_CRM_1711024896", "enumeration", "Lost reason",
    (("53", "Price too high"), ("54", "Chose a competitor"), ("55", "No budget"),
     ("56", "No response"), ("57", "Not relevant"), ("58", "Bought elsewhere")))
UF_DEAL_PRIORITY = CustomField(
    "UF_CRM_1712145530", "enumeration", "Priority", (("61", "High"), ("62", "Medium"),
                                                      ("63", "Low")))
UF_DEAL_ASSEMBLY = CustomField("UF_CRM_1715003317", "boolean", "Assembly service")
UF_DEAL_OBJECT = CustomField("UF_CRM_1715003422", "string", "Property object code")

DEAL_CUSTOM_FIELDS = (UF_DEAL_PAYMENT_FORM, UF_DEAL_SALES_CHANNEL, UF_DEAL_AREA,
                      UF_DEAL_LOST_REASON, UF_DEAL_PRIORITY, UF_DEAL_ASSEMBLY, UF_DEAL_OBJECT)

UF_LEAD_PRIORITY = CustomField(
    "UF_CRM_1704817278", "enumeration", "Lead priority", (("71", "High"), ("72", "Medium"),
                                                          ("73", "Low")))
UF_LEAD_INTEREST = CustomField(
    "UF_CRM_1706782596092", "enumeration", "Interest", (("75", "Furniture"),
                                                         ("76", "Real estate")))
UF_LEAD_CONSENT = CustomField("UF_CRM_1708952993785", "boolean", "Consent to marketing")
LEAD_CUSTOM_FIELDS = (UF_LEAD_PRIORITY, UF_LEAD_INTEREST, UF_LEAD_CONSENT)

UF_CONTACT_CARD = CustomField("UF_CRM_1716210044", "string", "Loyalty card number")
CONTACT_CUSTOM_FIELDS = (UF_CONTACT_CARD,)
UF_COMPANY_INN = CustomField("UF_CRM_1716210391", "string", "Tax ID (INN)")
COMPANY_CUSTOM_FIELDS = (UF_COMPANY_INN,)

LOST_REASON_WEIGHTS = (26, 22, 16, 18, 10, 8)  # same order as UF_DEAL_LOST_REASON.items
