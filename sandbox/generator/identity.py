"""Who a client is: names, phones and e-mails as pure functions of the record id.

Calls, leads and deals mention a contact's name and dial its phone, but are rendered in other
tasks than the contact itself; deriving identity from (seed, id) with a stateless hash lets every
task agree without sharing state. Dirty data lives here too: missing phones and e-mails, badly
formatted phones, and duplicate contacts that reuse an earlier contact's phone or e-mail.
"""

from __future__ import annotations

from .names import (COMPANY_FORMS, COMPANY_WORDS, EMAIL_DOMAINS, FEMALE_FIRST, FEMALE_PATRONYMIC,
                    LAST, MALE_FIRST, MALE_PATRONYMIC)
from .rng import derive_seed, mix

# Dirty-data rates (per mille), documented in docs/sandbox-portal-model.md.
CONTACT_NO_PHONE = 70
CONTACT_NO_EMAIL = 300
CONTACT_DUP_PHONE = 14  # same person entered twice: same name and phone
CONTACT_DUP_EMAIL = 6  # family members sharing an e-mail
LEAD_NO_PHONE = 100
LEAD_NO_EMAIL = 450
COMPANY_NO_PHONE = 100
COMPANY_NO_EMAIL = 300
BAD_PHONE_FORMAT = 50


def _translit(text: str) -> str:
    return text.lower().replace(" ", "").replace("-", "")


class Identity:
    """Identity functions for one portal seed."""

    def __init__(self, seed: int, n_leads: int, n_contacts: int) -> None:
        self.salt_person = derive_seed(seed, "person") & 0xFFFFFFFF
        self.salt_dup = derive_seed(seed, "duplicates") & 0xFFFFFFFF
        self.salt_phone = derive_seed(seed, "phone") & 0xFFFFFFFF
        self.salt_mail = derive_seed(seed, "mail") & 0xFFFFFFFF
        self.salt_company = derive_seed(seed, "company") & 0xFFFFFFFF
        self.n_leads = n_leads
        self.n_contacts = n_contacts

    # ---------------------------------------------------------------- people
    def person(self, kind: int, pid: int) -> tuple[str, str, str, str]:
        """(gender, first name, last name, patronymic) of person `pid` of `kind`."""
        h = mix(pid * 4 + kind, self.salt_person)
        female = h & 1
        first = (FEMALE_FIRST if female else MALE_FIRST)[(h >> 1) % 40]
        last = LAST[(h >> 8) % len(LAST)][female]
        patronymic = (FEMALE_PATRONYMIC if female else MALE_PATRONYMIC)[(h >> 16) % 10]
        return ("F" if female else "M"), first, last, patronymic

    def duplicate_of(self, contact: int) -> tuple[int, int]:
        """(earlier contact, kind) this contact duplicates: kind 1 = phone, 2 = e-mail."""
        if contact <= 5:
            return 0, 0
        h = mix(contact, self.salt_dup)
        x = h % 1000
        if x >= CONTACT_DUP_PHONE + CONTACT_DUP_EMAIL:
            return 0, 0
        source = contact - 1 - (h >> 20) % min(40, contact - 1)
        return source, (1 if x < CONTACT_DUP_PHONE else 2)

    def contact_person(self, contact: int) -> tuple[str, str, str, str]:
        source, kind = self.duplicate_of(contact)
        return self.person(1, source if kind == 1 else contact)

    def _phone(self, key: int, missing: int) -> str | None:
        h = mix(key, self.salt_phone)
        if h % 1000 < missing:
            return None
        digits = f"9{(h >> 12) % 1_000_000_000:09d}"
        if (h >> 44) % 1000 < BAD_PHONE_FORMAT:
            return f"8 ({digits[:3]}) {digits[3:6]}-{digits[6:8]}-{digits[8:]}"
        return "+7" + digits

    def _email(self, key: int, first: str, last: str, missing: int) -> str | None:
        h = mix(key, self.salt_mail)
        if h % 1000 < missing:
            return None
        domain = EMAIL_DOMAINS[(h >> 10) % len(EMAIL_DOMAINS)]
        style = (h >> 20) % 3
        if style == 0:
            local = f"{_translit(first)}.{_translit(last)}"
        elif style == 1:
            local = f"{_translit(first)[0]}{_translit(last)}{(h >> 24) % 100}"
        else:
            local = f"{_translit(last)}{1960 + (h >> 24) % 45}"
        return f"{local}@{domain}"

    def contact_phone(self, contact: int) -> str | None:
        source, kind = self.duplicate_of(contact)
        return self._phone(1_000_000_000 + (source if kind == 1 else contact), CONTACT_NO_PHONE)

    def contact_email(self, contact: int) -> str | None:
        source, kind = self.duplicate_of(contact)
        key = source if kind else contact
        _, first, last, _ = self.person(1, key)
        return self._email(1_000_000_000 + key, first, last, CONTACT_NO_EMAIL)

    def lead_phone(self, lead: int) -> str | None:
        return self._phone(lead, LEAD_NO_PHONE)

    def lead_email(self, lead: int, first: str, last: str) -> str | None:
        return self._email(lead, first, last, LEAD_NO_EMAIL)

    # ---------------------------------------------------------------- companies
    def company_title(self, company: int) -> str:
        if company == 1:
            return "Uyut Home Group LLC"
        h = mix(company, self.salt_company)
        n = len(COMPANY_WORDS)
        a, b = COMPANY_WORDS[h % n], COMPANY_WORDS[(h >> 8) % n]
        form = COMPANY_FORMS[(h >> 16) % len(COMPANY_FORMS)]
        if a == b:
            b = "Plus"
        if form == "IE":
            _, first, last, _ = self.person(3, company)
            return f"IE {last} {first[0]}."
        return f"{a}{b.lower()} {form}"

    def company_phone(self, company: int) -> str | None:
        return self._phone(2_000_000_000 + company, COMPANY_NO_PHONE)

    def company_email(self, company: int) -> str | None:
        h = mix(company, self.salt_mail)
        if h % 1000 < COMPANY_NO_EMAIL:
            return None
        title = _translit(self.company_title(company).split(" ")[0])
        return f"{('info', 'office', 'sales', 'zakaz')[(h >> 8) % 4]}@{title}.ru"

    # ---------------------------------------------------------------- multi-field ids
    def fm_id(self, owner_kind: int, owner_id: int, slot: int) -> str:
        """Multi-field value ids, unique across the portal: 3 slots per lead/contact/company."""
        if owner_kind == 1:
            base = 0
        elif owner_kind == 3:
            base = 3 * self.n_leads
        else:
            base = 3 * (self.n_leads + self.n_contacts)
        return str(base + 3 * (owner_id - 1) + slot + 1)


def multifields(identity: Identity, owner_kind: int, owner_id: int, phone: str | None,
                email: str | None, phone_type: str = "MOBILE",
                email_type: str = "HOME") -> tuple[list | None, list | None]:
    """PHONE and EMAIL multi-field arrays (None when the record has no such value)."""
    phones = None
    if phone:
        phones = [{"ID": identity.fm_id(owner_kind, owner_id, 0), "VALUE_TYPE": phone_type,
                   "VALUE": phone, "TYPE_ID": "PHONE"}]
    emails = None
    if email:
        emails = [{"ID": identity.fm_id(owner_kind, owner_id, 2), "VALUE_TYPE": email_type,
                   "VALUE": email, "TYPE_ID": "EMAIL"}]
    return phones, emails
