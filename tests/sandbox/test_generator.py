"""Tests of the sandbox portal generator (sandbox/generator).

They generate the `tiny` and `small` portals into temporary directories and check the fixture
contract (DESIGN.md §4): file layout, API field types, referential integrity, stage-history rules
(reference §5.5) and the business content the warehouse tests rely on (every kind of stage
transition, deliberate dirty data).
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import pytest

from sandbox.fixture import PortalMeta
from sandbox.generator import SCALES, generate_portal
from sandbox.generator import scales as scales_module

LIST_FILES = [
    "crm.lead.list.json", "crm.deal.list.json", "crm.contact.list.json",
    "crm.company.list.json", "crm.activity.list.json", "crm.stagehistory.list.deal.json",
    "crm.stagehistory.list.lead.json", "crm.status.list.json", "crm.category.list.deal.json",
    "crm.category.list.smart_invoice.json", "crm.deal.productrows.get.json",
    "catalog.product.list.json", "crm.item.list.smart_invoice.json", "crm.currency.list.json",
    "user.get.json", "department.get.json", "voximplant.statistic.get.json",
]
OBJECT_FILES = ["portal.json", "crm.deal.fields.json", "crm.lead.fields.json",
                "crm.contact.fields.json", "crm.company.fields.json"]
DEAL_STANDARD_FIELDS = [
    "ID", "TITLE", "TYPE_ID", "CATEGORY_ID", "STAGE_ID", "STAGE_SEMANTIC_ID", "IS_NEW",
    "IS_RECURRING", "IS_RETURN_CUSTOMER", "IS_REPEATED_APPROACH", "PROBABILITY", "CURRENCY_ID",
    "OPPORTUNITY", "IS_MANUAL_OPPORTUNITY", "TAX_VALUE", "COMPANY_ID", "CONTACT_ID", "QUOTE_ID",
    "BEGINDATE", "CLOSEDATE", "OPENED", "CLOSED", "COMMENTS", "ASSIGNED_BY_ID", "CREATED_BY_ID",
    "MODIFY_BY_ID", "MOVED_BY_ID", "DATE_CREATE", "DATE_MODIFY", "MOVED_TIME", "SOURCE_ID",
    "SOURCE_DESCRIPTION", "LEAD_ID", "ADDITIONAL_INFO", "LOCATION_ID", "ORIGINATOR_ID",
    "ORIGIN_ID", "UTM_SOURCE", "UTM_MEDIUM", "UTM_CAMPAIGN", "UTM_CONTENT", "UTM_TERM",
    "LAST_ACTIVITY_TIME", "LAST_ACTIVITY_BY",
]
NOW = datetime.fromisoformat("2026-11-20T18:00:00+03:00")


class Portal:
    """A generated portal loaded into memory, with the lookups the checks need."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = {name: json.loads((path / name).read_text(encoding="utf-8"))
                     for name in LIST_FILES + OBJECT_FILES}

    def __getitem__(self, name: str):
        return self.data[name]

    def by_id(self, name: str, key: str = "ID") -> dict:
        return {str(r[key]): r for r in self.data[name]}

    def history(self, entity: str) -> dict[int, list[dict]]:
        out: dict[int, list[dict]] = defaultdict(list)
        for row in self.data[f"crm.stagehistory.list.{entity}.json"]:
            out[row["OWNER_ID"]].append(row)
        return out

    def stages(self) -> dict[tuple[str, str], dict]:
        return {(s["ENTITY_ID"], s["STATUS_ID"]): s for s in self.data["crm.status.list.json"]}

    def dirty_ids(self, key: str) -> set[str]:
        return {str(i) for i in self.data["portal.json"]["dirty"]["ids"].get(key, [])}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Portal:
    path = tmp_path_factory.mktemp("tiny")
    generate_portal(path, seed=42, scale="tiny")
    return Portal(path)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Portal:
    path = tmp_path_factory.mktemp("small")
    generate_portal(path, seed=42, scale="small")
    return Portal(path)


@pytest.fixture(params=["tiny", "small"])
def portal(request) -> Portal:
    return request.getfixturevalue(request.param)


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


# ------------------------------------------------------------------------------ scales, counts
def test_scale_definitions_fix_primary_counts():
    large = SCALES["large"]
    assert (large.deals, large.leads, large.contacts, large.companies, large.users) == (
        1_000_000, 500_000, 600_000, 100_000, 600)
    assert (SCALES["medium"].deals, SCALES["medium"].leads) == (50_000, 25_000)
    assert (SCALES["small"].deals, SCALES["small"].leads, SCALES["small"].contacts,
            SCALES["small"].companies, SCALES["small"].users) == (2_000, 1_500, 1_200, 300, 25)
    assert (SCALES["tiny"].deals, SCALES["tiny"].leads, SCALES["tiny"].users) == (150, 100, 12)


@pytest.mark.parametrize("name", ["tiny", "small"])
def test_primary_counts_are_exact(name, request):
    portal = request.getfixturevalue(name)
    scale = SCALES[name]
    assert len(portal["crm.deal.list.json"]) == scale.deals
    assert len(portal["crm.lead.list.json"]) == scale.leads
    assert len(portal["crm.contact.list.json"]) == scale.contacts
    assert len(portal["crm.company.list.json"]) == scale.companies
    assert len(portal["user.get.json"]) == scale.users
    counts = portal["portal.json"]["counts"]
    for name_ in LIST_FILES:
        assert counts[name_] == len(portal[name_]), name_


# Regression snapshot for seed 42: a change here means the generated business changed.
EXPECTED_TINY_COUNTS = {
    "crm.activity.list.json": 283, "voximplant.statistic.get.json": 138,
    "crm.deal.productrows.get.json": 320, "crm.item.list.smart_invoice.json": 231,
    "crm.stagehistory.list.deal.json": 770, "crm.stagehistory.list.lead.json": 360,
    "crm.status.list.json": 68, "department.get.json": 9, "catalog.product.list.json": 64,
}


def test_tiny_child_counts_are_pinned(tiny):
    counts = tiny["portal.json"]["counts"]
    assert {k: counts[k] for k in EXPECTED_TINY_COUNTS} == EXPECTED_TINY_COUNTS


def test_progress_is_reported_per_file(tmp_path):
    calls: list[tuple[str, int]] = []
    report = generate_portal(tmp_path / "p", seed=1, scale="tiny",
                             progress=lambda name, rows: calls.append((name, rows)))
    last: dict[str, int] = {}
    for name, rows in calls:
        assert rows >= last.get(name, 0)
        last[name] = rows
    assert last["crm.deal.list.json"] == 150
    assert last["crm.stagehistory.list.deal.json"] == report.counts[
        "crm.stagehistory.list.deal.json"]
    assert report.elapsed_seconds > 0


def test_portal_meta(tiny):
    meta = tiny["portal.json"]
    assert meta["timezone_offset"] == "+03:00"
    assert meta["now"] == "2026-11-20T18:00:00+03:00"
    assert (meta["seed"], meta["scale"], meta["generator"]) == (42, "tiny",
                                                                "crm-warehouse sandbox 1")
    parsed = PortalMeta.read(tiny.path)
    assert parsed.now == meta["now"] and parsed.seed == 42 and parsed.scale == "tiny"


# ------------------------------------------------------------------------------ determinism
def _file_bytes(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file()}


def test_same_seed_gives_identical_bytes_and_other_seed_differs(tiny, tmp_path):
    generate_portal(tmp_path / "again", seed=42, scale="tiny")
    assert _file_bytes(tmp_path / "again") == _file_bytes(tiny.path)
    generate_portal(tmp_path / "other", seed=43, scale="tiny")
    other = _file_bytes(tmp_path / "other")
    assert other.keys() == _file_bytes(tiny.path).keys()
    differing = [n for n, b in other.items() if b != _file_bytes(tiny.path)[n]]
    assert "crm.deal.list.json" in differing and "crm.stagehistory.list.deal.json" in differing


def test_output_does_not_depend_on_worker_count(tmp_path, monkeypatch):
    chunked = dataclasses.replace(SCALES["small"], name="chunked", chunk=400)
    monkeypatch.setitem(scales_module.SCALES, "chunked", chunked)
    one = generate_portal(tmp_path / "one", seed=7, scale="chunked", workers=1)
    two = generate_portal(tmp_path / "two", seed=7, scale="chunked", workers=2)
    assert two.workers == 2
    assert one.counts == two.counts
    assert _file_bytes(tmp_path / "one") == _file_bytes(tmp_path / "two")
    # several tasks per file: ids stay unique and sorted across task blocks
    portal = Portal(tmp_path / "one")
    for name, key in (("crm.activity.list.json", "ID"), ("crm.deal.productrows.get.json", "ID"),
                      ("crm.item.list.smart_invoice.json", "id"),
                      ("voximplant.statistic.get.json", "ID")):
        ids = [int(r[key]) for r in portal[name]]
        assert ids == sorted(set(ids)), name


# ------------------------------------------------------------------------------ file format
def test_files_are_json_arrays_with_one_record_per_line(portal):
    for name in LIST_FILES:
        text = (portal.path / name).read_text(encoding="utf-8")
        lines = text.split("\n")
        assert lines[0] == "[" and lines[-1] == "" and lines[-2] == "]", name
        body = lines[1:-2]
        assert len(body) == len(portal[name]), name
        for line in body[:-1]:
            assert line.endswith("},"), name
        if body:
            assert body[-1].endswith("}")
    for name in OBJECT_FILES:
        assert isinstance(portal[name], dict)
    assert not (portal.path / ".parts").exists()


@pytest.mark.parametrize("name,key", [
    ("crm.lead.list.json", "ID"), ("crm.deal.list.json", "ID"), ("crm.contact.list.json", "ID"),
    ("crm.company.list.json", "ID"), ("crm.activity.list.json", "ID"),
    ("crm.stagehistory.list.deal.json", "ID"), ("crm.stagehistory.list.lead.json", "ID"),
    ("crm.status.list.json", "ID"), ("crm.deal.productrows.get.json", "ID"),
    ("catalog.product.list.json", "id"), ("crm.item.list.smart_invoice.json", "id"),
    ("user.get.json", "ID"), ("department.get.json", "ID"),
    ("voximplant.statistic.get.json", "ID"), ("crm.category.list.deal.json", "id"),
])
def test_records_sorted_by_unique_id(small, name, key):
    ids = [int(r[key]) for r in small[name]]
    assert ids == sorted(ids)
    assert len(ids) == len(set(ids))


def test_multifield_ids_unique_across_portal(small):
    seen = []
    for name in ("crm.lead.list.json", "crm.contact.list.json", "crm.company.list.json"):
        for r in small[name]:
            for fm in r.get("PHONE", []) + r.get("EMAIL", []):
                assert isinstance(fm["ID"], str)
                assert fm["VALUE_TYPE"] in ("WORK", "MOBILE", "HOME")
                assert fm["TYPE_ID"] in ("PHONE", "EMAIL")
                seen.append(fm["ID"])
    assert len(seen) == len(set(seen)) > 1000


# ------------------------------------------------------------------------------ API types
def _is_int_string(value) -> bool:
    return isinstance(value, str) and value.isdigit()


def _is_iso(value) -> bool:
    return isinstance(value, str) and len(value) == 25 and value.endswith("+03:00") and bool(
        ts(value))


def test_deal_record_types(small):
    for d in small["crm.deal.list.json"]:
        assert list(d)[:len(DEAL_STANDARD_FIELDS)] == DEAL_STANDARD_FIELDS
        assert all(k.startswith("UF_CRM_") for k in list(d)[len(DEAL_STANDARD_FIELDS):])
        for key in ("ID", "CATEGORY_ID", "PROBABILITY", "ASSIGNED_BY_ID", "CREATED_BY_ID",
                    "MODIFY_BY_ID", "MOVED_BY_ID", "COMPANY_ID", "LAST_ACTIVITY_BY"):
            assert _is_int_string(d[key]), (key, d[key])
        for key in ("CONTACT_ID", "LEAD_ID"):
            assert d[key] is None or _is_int_string(d[key])
        for key in ("OPPORTUNITY", "TAX_VALUE"):
            whole, _, cents = d[key].partition(".")
            assert whole.isdigit() and len(cents) == 2
        for key in ("IS_NEW", "IS_RECURRING", "IS_RETURN_CUSTOMER", "IS_REPEATED_APPROACH",
                    "IS_MANUAL_OPPORTUNITY", "OPENED", "CLOSED"):
            assert d[key] in ("Y", "N")
        for key in ("DATE_CREATE", "DATE_MODIFY", "MOVED_TIME", "LAST_ACTIVITY_TIME"):
            assert _is_iso(d[key])
        for key in ("BEGINDATE", "CLOSEDATE"):
            assert _is_iso(d[key]) and d[key][10:19] == "T00:00:00"
        assert d["UF_CRM_1715003317"] in (True, False)
        area = d["UF_CRM_1709632512"]
        assert area is None or float(area) > 0


def test_lead_contact_company_types(small):
    for r in small["crm.lead.list.json"]:
        assert _is_int_string(r["ID"]) and _is_int_string(r["COMPANY_ID"])
        assert r["BIRTHDATE"] == ""
        assert r["STATUS_SEMANTIC_ID"] in ("P", "S", "F")
        assert r["HAS_PHONE"] == ("Y" if r.get("PHONE") else "N")
        assert r["HAS_EMAIL"] == ("Y" if r.get("EMAIL") else "N")
        assert isinstance(r["UF_CRM_1708952993785"], bool)
    for name in ("crm.contact.list.json", "crm.company.list.json"):
        for r in small[name]:
            assert _is_int_string(r["ID"]) and _is_iso(r["DATE_CREATE"])
            assert r["HAS_PHONE"] == ("Y" if r.get("PHONE") else "N")
            assert r["HAS_EMAIL"] == ("Y" if r.get("EMAIL") else "N")


def test_history_rows_are_typed_ints(small):
    for row in small["crm.stagehistory.list.deal.json"]:
        assert list(row) == ["ID", "TYPE_ID", "OWNER_ID", "CREATED_TIME", "CATEGORY_ID",
                             "STAGE_SEMANTIC_ID", "STAGE_ID"]
        assert all(isinstance(row[k], int) for k in ("ID", "TYPE_ID", "OWNER_ID", "CATEGORY_ID"))
        assert _is_iso(row["CREATED_TIME"])
    for row in small["crm.stagehistory.list.lead.json"]:
        assert list(row) == ["ID", "TYPE_ID", "OWNER_ID", "CREATED_TIME", "STATUS_SEMANTIC_ID",
                             "STATUS_ID"]
        assert all(isinstance(row[k], int) for k in ("ID", "TYPE_ID", "OWNER_ID"))


def test_product_rows_use_mixed_types(small):
    row = small["crm.deal.productrows.get.json"][0]
    assert _is_int_string(row["ID"]) and _is_int_string(row["OWNER_ID"])
    assert row["OWNER_TYPE"] == "D"
    for r in small["crm.deal.productrows.get.json"]:
        assert isinstance(r["PRODUCT_ID"], int)
        assert isinstance(r["PRICE"], (int, float)) and isinstance(r["QUANTITY"], (int, float))
        assert isinstance(r["PRICE_ACCOUNT"], str) and r["DISCOUNT_TYPE_ID"] in (1, 2)
        assert r["MEASURE_NAME"] in ("pcs", "m", "m²")


def test_other_files_types(small):
    for r in small["crm.activity.list.json"]:
        for key in ("ID", "OWNER_ID", "OWNER_TYPE_ID", "TYPE_ID", "RESPONSIBLE_ID", "STATUS",
                    "PRIORITY", "DIRECTION"):
            assert _is_int_string(r[key]), key
        assert r["COMPLETED"] in ("Y", "N")
        for key in ("CREATED", "LAST_UPDATED", "START_TIME", "END_TIME", "DEADLINE"):
            assert _is_iso(r[key])
    for r in small["voximplant.statistic.get.json"]:
        for key in ("ID", "PORTAL_USER_ID", "CALL_DURATION", "CRM_ACTIVITY_ID", "CALL_TYPE"):
            assert _is_int_string(r[key])
        assert r["RECORD_FILE_ID"] is None or isinstance(r["RECORD_FILE_ID"], int)
        assert r["CALL_TYPE"] in ("1", "2", "3", "4")
    for r in small["crm.item.list.smart_invoice.json"]:
        assert isinstance(r["id"], int) and isinstance(r["parentId2"], int)
        assert isinstance(r["opportunity"], (int, float)) and r["entityTypeId"] == 31
        assert r["categoryId"] == 2
    for r in small["user.get.json"]:
        assert _is_int_string(r["ID"]) and isinstance(r["ACTIVE"], bool)
        assert all(isinstance(x, int) for x in r["UF_DEPARTMENT"])
        assert r["IS_ONLINE"] in ("Y", "N") and r["USER_TYPE"] == "employee"
    for r in small["department.get.json"]:
        assert _is_int_string(r["ID"]) and isinstance(r["SORT"], int)
        assert "PARENT" not in r or _is_int_string(r["PARENT"])
    for r in small["crm.status.list.json"]:
        assert _is_int_string(r["ID"]) and _is_int_string(r["SORT"])
    for r in small["crm.currency.list.json"]:
        assert all(isinstance(v, str) for v in r.values())
    assert [c["CURRENCY"] for c in small["crm.currency.list.json"] if c["BASE"] == "Y"] == ["RUB"]
    product = small["catalog.product.list.json"][0]
    assert isinstance(product["id"], int) and isinstance(product["purchasingPrice"], float)
    assert product["iblockId"] == 14


def test_categories_files(tiny):
    deal = tiny["crm.category.list.deal.json"]
    assert [(c["id"], c["name"], c["isDefault"]) for c in deal] == [
        (0, "Furniture store", "Y"), (1, "Real estate", "N")]
    assert all(c["entityTypeId"] == 2 for c in deal)
    invoices = tiny["crm.category.list.smart_invoice.json"]
    assert [(c["id"], c["entityTypeId"], c["isDefault"]) for c in invoices] == [(2, 31, "Y")]


def test_fields_metadata_covers_every_record_field(small):
    for entity in ("deal", "lead", "contact", "company"):
        fields = small[f"crm.{entity}.fields.json"]
        for meta in fields.values():
            assert {"type", "isRequired", "isReadOnly", "isImmutable", "isMultiple",
                    "isDynamic", "title"} <= meta.keys()
        present = set().union(*(r.keys() for r in small[f"crm.{entity}.list.json"]))
        assert present <= fields.keys(), present - fields.keys()
        for name, meta in fields.items():
            if name.startswith("UF_CRM_"):
                assert meta["isDynamic"] is True and meta["listLabel"]
    assert small["crm.deal.fields.json"]["STAGE_ID"]["statusType"] == "DEAL_STAGE"
    assert small["crm.lead.fields.json"]["STATUS_ID"]["statusType"] == "STATUS"


# ------------------------------------------------------------------------------ integrity
def test_foreign_keys_resolve(portal):
    users = portal.by_id("user.get.json")
    deps = portal.by_id("department.get.json")
    leads = portal.by_id("crm.lead.list.json")
    deals = portal.by_id("crm.deal.list.json")
    contacts = portal.by_id("crm.contact.list.json")
    companies = portal.by_id("crm.company.list.json")
    products = portal.by_id("catalog.product.list.json", "id")
    activities = portal.by_id("crm.activity.list.json")
    for u in users.values():
        assert all(str(d) in deps for d in u["UF_DEPARTMENT"])
    for d in deps.values():
        assert d.get("PARENT") is None or d["PARENT"] in deps
        assert d.get("UF_HEAD") is None or d["UF_HEAD"] in users
    for name, records in (("lead", leads), ("deal", deals), ("contact", contacts),
                          ("company", companies)):
        for r in records.values():
            for key in ("ASSIGNED_BY_ID", "CREATED_BY_ID", "MODIFY_BY_ID"):
                assert r[key] in users, (name, key)
            if r.get("CONTACT_ID") and name != "company":
                assert r["CONTACT_ID"] in contacts
            if r.get("COMPANY_ID") not in (None, "0"):
                assert r["COMPANY_ID"] in companies
    for d in deals.values():
        assert d["LEAD_ID"] is None or d["LEAD_ID"] in leads
    for row in portal["crm.deal.productrows.get.json"]:
        assert row["OWNER_ID"] in deals and str(row["PRODUCT_ID"]) in products
    for inv in portal["crm.item.list.smart_invoice.json"]:
        assert str(inv["parentId2"]) in deals and str(inv["assignedById"]) in users
        assert inv["companyId"] == 0 or str(inv["companyId"]) in companies
        assert inv["contactId"] is None or str(inv["contactId"]) in contacts
        assert str(inv["mycompanyId"]) in companies
    owners = {"1": leads, "2": deals, "3": contacts, "4": companies}
    for a in activities.values():
        assert a["OWNER_ID"] in owners[a["OWNER_TYPE_ID"]]
        assert a["RESPONSIBLE_ID"] in users
    for call in portal["voximplant.statistic.get.json"]:
        assert call["CRM_ACTIVITY_ID"] in activities and call["PORTAL_USER_ID"] in users
        entity = {"LEAD": leads, "CONTACT": contacts, "COMPANY": companies}
        if call["CRM_ENTITY_TYPE"]:
            assert call["CRM_ENTITY_ID"] in entity[call["CRM_ENTITY_TYPE"]]
    for entity, records in (("deal", deals), ("lead", leads)):
        for row in portal[f"crm.stagehistory.list.{entity}.json"]:
            assert str(row["OWNER_ID"]) in records


def test_dictionary_values_exist(portal):
    stages = portal.stages()
    for d in portal["crm.deal.list.json"]:
        entity = "DEAL_STAGE" if d["CATEGORY_ID"] == "0" else f"DEAL_STAGE_{d['CATEGORY_ID']}"
        stage = stages[(entity, d["STAGE_ID"])]
        assert (stage["SEMANTICS"] or "P") == d["STAGE_SEMANTIC_ID"]
        assert d["SOURCE_ID"] is None or ("SOURCE", d["SOURCE_ID"]) in stages
        assert ("DEAL_TYPE", d["TYPE_ID"]) in stages
    for r in portal["crm.lead.list.json"]:
        assert (stages[("STATUS", r["STATUS_ID"])]["SEMANTICS"] or "P") == r[
            "STATUS_SEMANTIC_ID"]
        assert r["SOURCE_ID"] is None or ("SOURCE", r["SOURCE_ID"]) in stages
    for r in portal["crm.contact.list.json"]:
        assert ("CONTACT_TYPE", r["TYPE_ID"]) in stages
    for r in portal["crm.company.list.json"]:
        assert ("COMPANY_TYPE", r["COMPANY_TYPE"]) in stages
        assert ("INDUSTRY", r["INDUSTRY"]) in stages
    for inv in portal["crm.item.list.smart_invoice.json"]:
        assert ("SMART_INVOICE_STAGE_2", inv["stageId"]) in stages
    for row in portal["crm.stagehistory.list.deal.json"]:
        entity = "DEAL_STAGE" if row["CATEGORY_ID"] == 0 else f"DEAL_STAGE_{row['CATEGORY_ID']}"
        assert (stages[(entity, row["STAGE_ID"])]["SEMANTICS"] or "P") == row[
            "STAGE_SEMANTIC_ID"]
    for row in portal["crm.stagehistory.list.lead.json"]:
        assert ("STATUS", row["STATUS_ID"]) in stages
    currencies = {c["CURRENCY"] for c in portal["crm.currency.list.json"]}
    for d in portal["crm.deal.list.json"]:
        assert d["CURRENCY_ID"] is None or d["CURRENCY_ID"] in currencies


def test_enumeration_values_exist_in_field_metadata(portal):
    for entity in ("deal", "lead"):
        fields = portal[f"crm.{entity}.fields.json"]
        enums = {name: {i["ID"] for i in meta["items"]} for name, meta in fields.items()
                 if meta["type"] == "enumeration"}
        assert enums
        used = Counter()
        for r in portal[f"crm.{entity}.list.json"]:
            for name, items in enums.items():
                if r[name] is not None:
                    assert r[name] in items, (name, r[name])
                    used[name] += 1
        assert set(used) == set(enums)


def test_dates_are_consistent(portal):
    for name in ("crm.lead.list.json", "crm.deal.list.json", "crm.contact.list.json",
                 "crm.company.list.json"):
        for r in portal[name]:
            assert ts(r["DATE_MODIFY"]) >= ts(r["DATE_CREATE"]), (name, r["ID"])
            assert ts(r["DATE_CREATE"]) <= NOW
    for a in portal["crm.activity.list.json"]:
        assert ts(a["LAST_UPDATED"]) >= ts(a["CREATED"])
    for inv in portal["crm.item.list.smart_invoice.json"]:
        assert ts(inv["createdTime"]) <= ts(inv["movedTime"]) <= NOW


def test_ids_follow_creation_time(portal):
    for name in ("crm.lead.list.json", "crm.deal.list.json", "crm.contact.list.json",
                 "crm.company.list.json"):
        created = [ts(r["DATE_CREATE"]) for r in portal[name]]
        assert created == sorted(created), name


# ------------------------------------------------------------------------------ stage history
@pytest.mark.parametrize("entity", ["deal", "lead"])
def test_history_ids_are_chronological(portal, entity):
    rows = portal[f"crm.stagehistory.list.{entity}.json"]
    assert [r["ID"] for r in rows] == list(range(1, len(rows) + 1))
    times = [ts(r["CREATED_TIME"]) for r in rows]
    assert times == sorted(times)


def _deal_stage_meta(portal: Portal) -> dict[str, dict]:
    return {s["STATUS_ID"]: s for s in portal["crm.status.list.json"]
            if s["ENTITY_ID"].startswith("DEAL_STAGE")}


def test_deal_history_agrees_with_deal(portal):
    history = portal.history("deal")
    mismatched = portal.dirty_ids("deal_history_mismatch")
    assert mismatched
    first_stage = {"0": "NEW", "1": "C1:NEW"}
    probability = {s.status_id: s.probability for s in __import__(
        "sandbox.generator.business", fromlist=["DEAL_STAGES"]).DEAL_STAGES}
    for d in portal["crm.deal.list.json"]:
        rows = history[int(d["ID"])]
        assert rows, d["ID"]
        assert rows[0]["CREATED_TIME"] == d["DATE_CREATE"]
        assert d["IS_NEW"] == ("Y" if d["STAGE_ID"] == first_stage[d["CATEGORY_ID"]] else "N")
        assert d["CLOSED"] == ("N" if d["STAGE_SEMANTIC_ID"] == "P" else "Y")
        assert d["PROBABILITY"] == str(probability[d["STAGE_ID"]])
        if d["ID"] in mismatched:
            assert rows[-1]["STAGE_ID"] != d["STAGE_ID"]
            continue
        last = rows[-1]
        assert (last["STAGE_ID"], str(last["CATEGORY_ID"]), last["STAGE_SEMANTIC_ID"]) == (
            d["STAGE_ID"], d["CATEGORY_ID"], d["STAGE_SEMANTIC_ID"])
        assert last["CREATED_TIME"] == d["MOVED_TIME"]
        if d["CLOSED"] == "Y":
            assert d["CLOSEDATE"][:10] == d["MOVED_TIME"][:10]


def test_lead_history_agrees_with_lead(portal):
    history = portal.history("lead")
    without = portal.dirty_ids("lead_without_history")
    assert without
    for r in portal["crm.lead.list.json"]:
        rows = history.get(int(r["ID"]), [])
        if r["ID"] in without:
            assert rows == []
            continue
        assert rows[0]["CREATED_TIME"] == r["DATE_CREATE"]
        assert (rows[-1]["STATUS_ID"], rows[-1]["STATUS_SEMANTIC_ID"]) == (
            r["STATUS_ID"], r["STATUS_SEMANTIC_ID"])
        assert rows[-1]["CREATED_TIME"] == r["MOVED_TIME"]
        assert (r["DATE_CLOSED"] is None) == (r["STATUS_SEMANTIC_ID"] == "P")


@pytest.mark.parametrize("entity", ["deal", "lead"])
def test_history_type_ids_follow_new_implementation_rules(portal, entity):
    stage_key = "STAGE_ID" if entity == "deal" else "STATUS_ID"
    sem_key = "STAGE_SEMANTIC_ID" if entity == "deal" else "STATUS_SEMANTIC_ID"
    for rows in portal.history(entity).values():
        first = rows[0]
        assert first["TYPE_ID"] == (1 if first[sem_key] == "P" else 3)
        for prev, row in zip(rows, rows[1:]):
            assert (prev[stage_key], prev.get("CATEGORY_ID")) != (row[stage_key],
                                                                   row.get("CATEGORY_ID"))
            if row.get("CATEGORY_ID") != prev.get("CATEGORY_ID"):
                assert row["TYPE_ID"] == 5
            elif row[sem_key] != "P":
                assert row["TYPE_ID"] == 3
            else:
                assert row["TYPE_ID"] == 2 and row[sem_key] == "P"


def _transitions(portal: Portal, entity: str) -> Counter:
    """Kinds of transitions found in the history of `entity`."""
    stage_key = "STAGE_ID" if entity == "deal" else "STATUS_ID"
    sem_key = "STAGE_SEMANTIC_ID" if entity == "deal" else "STATUS_SEMANTIC_ID"
    if entity == "deal":
        meta = _deal_stage_meta(portal)
        sort = {k: int(v["SORT"]) for k, v in meta.items()}
        first = {"NEW", "C1:NEW"}
    else:
        sort = {s["STATUS_ID"]: int(s["SORT"]) for s in portal["crm.status.list.json"]
                if s["ENTITY_ID"] == "STATUS"}
        first = {"NEW"}
    found: Counter = Counter()
    for rows in portal.history(entity).values():
        head = rows[0]
        if head[sem_key] != "P":
            found["created_final"] += 1
        elif head[stage_key] not in first:
            found["created_later"] += 1
        for prev, row in zip(rows, rows[1:]):
            a, b = prev[sem_key], row[sem_key]
            if row["TYPE_ID"] == 5:
                found["pipeline_change"] += 1
                continue
            if a == "P" and b == "P":
                gap = sort[row[stage_key]] - sort[prev[stage_key]]
                if gap < 0:
                    found["backward"] += 1
                elif gap > 10:
                    found["skip"] += 1
            elif a == "P" and b == "S":
                if prev[stage_key] in first:
                    found["first_to_won"] += 1
                found["P->S"] += 1
            elif a == "P" and b == "F":
                found[f"lost_at:{prev[stage_key]}"] += 1
            elif a == "F" and b == "P":
                found["reopen_F->P"] += 1
            elif a == "S" and b == "P":
                found["reopen_S->P"] += 1
            elif a == "S" and b == "F":
                found["won_to_lost"] += 1
            elif a == "F" and b == "S":
                found["lost_to_won"] += 1
    return found


KINDS = ["created_final", "created_later", "backward", "skip", "first_to_won", "reopen_F->P",
         "reopen_S->P", "won_to_lost", "lost_to_won"]


@pytest.mark.parametrize("entity", ["deal", "lead"])
def test_every_transition_kind_occurs_even_in_tiny(tiny, entity):
    found = _transitions(tiny, entity)
    for kind in KINDS + (["pipeline_change"] if entity == "deal" else []):
        assert found[kind] >= 2, (kind, found)
    if entity == "deal":
        process = ["NEW", "PREPARATION", "PREPAYMENT_INVOICE", "EXECUTING", "C1:NEW",
                   "C1:UC_SHOWING", "C1:UC_BOOKING", "C1:UC_CONTRACT", "C1:UC_PAYMENT"]
    else:
        process = ["NEW", "UC_ASSIGNED", "IN_PROCESS"]
    for stage in process:
        assert found[f"lost_at:{stage}"] >= 1, stage


def test_pipeline_change_switches_stage_prefix(tiny):
    for rows in tiny.history("deal").values():
        for prev, row in zip(rows, rows[1:]):
            if row["TYPE_ID"] == 5:
                assert prev["CATEGORY_ID"] != row["CATEGORY_ID"]
                assert row["STAGE_ID"].startswith("C1:") == (row["CATEGORY_ID"] == 1)
                assert prev["STAGE_ID"].startswith("C1:") == (prev["CATEGORY_ID"] == 1)


def test_transition_proportions_are_realistic(small):
    found = _transitions(small, "deal")
    moves = sum(len(rows) - 1 for rows in small.history("deal").values())
    assert found["pipeline_change"] < 0.03 * moves
    assert found["won_to_lost"] < found["P->S"] * 0.1
    assert 3.5 <= len(small["crm.stagehistory.list.deal.json"]) / len(
        small["crm.deal.list.json"]) <= 6.5


# ------------------------------------------------------------------------------ business rules
def test_opportunity_equals_sum_of_product_rows(portal):
    totals: dict[str, float] = defaultdict(float)
    for row in portal["crm.deal.productrows.get.json"]:
        totals[row["OWNER_ID"]] += round(row["PRICE"] * row["QUANTITY"], 2)
    manual = 0
    for d in portal["crm.deal.list.json"]:
        if d["IS_MANUAL_OPPORTUNITY"] == "N":
            assert abs(float(d["OPPORTUNITY"]) - totals[d["ID"]]) < 0.011, d["ID"]
        else:
            manual += 1
            assert d["ID"] not in totals
    assert 0 < manual < len(portal["crm.deal.list.json"]) * 0.25


def test_real_estate_is_bigger_and_has_area(small):
    amounts = defaultdict(list)
    for d in small["crm.deal.list.json"]:
        if d["CURRENCY_ID"] == "RUB" and float(d["OPPORTUNITY"]) > 0:
            amounts[d["CATEGORY_ID"]].append(float(d["OPPORTUNITY"]))
    median = {k: sorted(v)[len(v) // 2] for k, v in amounts.items()}
    assert median["1"] > 1_000_000 > 300_000 > median["0"] > 10_000
    share_re = sum(d["CATEGORY_ID"] == "1" for d in small["crm.deal.list.json"]) / 2000
    assert 0.28 < share_re < 0.42
    areas = [d["UF_CRM_1709632512"] for d in small["crm.deal.list.json"] if d["CATEGORY_ID"] == "1"]
    assert all(a is not None for a in areas)


def test_converted_leads_produce_deals(portal):
    leads = portal.by_id("crm.lead.list.json")
    linked = 0
    for d in portal["crm.deal.list.json"]:
        if d["LEAD_ID"] is None:
            continue
        linked += 1
        lead = leads[d["LEAD_ID"]]
        assert lead["STATUS_ID"] == "CONVERTED"
        assert lead["MOVED_TIME"] == d["DATE_CREATE"]
        assert lead["CONTACT_ID"] == d["CONTACT_ID"]
        assert lead["COMPANY_ID"] == d["COMPANY_ID"]
        assert ts(lead["DATE_CREATE"]) < ts(d["DATE_CREATE"])
    assert 0 < linked < len(portal["crm.deal.list.json"])
    deals_per_lead = Counter(d["LEAD_ID"] for d in portal["crm.deal.list.json"] if d["LEAD_ID"])
    assert max(deals_per_lead.values()) == 1


def test_repeat_flags_follow_client_history(portal):
    won_at: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    seen: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for d in portal["crm.deal.list.json"]:
        keys = []
        if d["CONTACT_ID"]:
            keys.append(("contact", d["CONTACT_ID"]))
        if d["COMPANY_ID"] != "0":
            keys.append(("company", d["COMPANY_ID"]))
        d["_keys"] = keys
        for key in keys:
            seen[key].append(ts(d["DATE_CREATE"]))
            if d["STAGE_SEMANTIC_ID"] == "S":
                won_at[key].append(ts(d["MOVED_TIME"]))
    returning = 0
    for d in portal["crm.deal.list.json"]:
        created = ts(d["DATE_CREATE"])
        expected = any(t < created for key in d["_keys"] for t in won_at[key])
        assert d["IS_RETURN_CUSTOMER"] == ("Y" if expected else "N"), d["ID"]
        returning += expected
        if d["IS_REPEATED_APPROACH"] == "Y":
            assert any(t < created for key in d["_keys"] for t in seen[key])
    assert returning > 0
    for r in portal["crm.lead.list.json"]:
        if r["IS_RETURN_CUSTOMER"] == "Y":
            assert r["CONTACT_ID"] or r["COMPANY_ID"] != "0"


def test_calls_match_call_activities(portal):
    activities = portal.by_id("crm.activity.list.json")
    calls = portal["voximplant.statistic.get.json"]
    call_activities = [a for a in activities.values() if a["TYPE_ID"] == "2"]
    assert len(calls) == len(call_activities) > 0
    for call in calls:
        a = activities[call["CRM_ACTIVITY_ID"]]
        assert a["TYPE_ID"] == "2" and a["PROVIDER_ID"] == "VOXIMPLANT_CALL"
        assert a["ORIGIN_ID"] == "VI_" + call["CALL_ID"]
        assert a["START_TIME"] == call["CALL_START_DATE"]
        assert a["RESPONSIBLE_ID"] == call["PORTAL_USER_ID"]
        if call["CALL_FAILED_CODE"] != "200":
            assert call["CALL_DURATION"] == "0"
        if call["CALL_FAILED_CODE"] == "304" and call["CALL_TYPE"] in ("2", "3"):
            assert a["SETTINGS"] == {"MISSED_CALL": True}
        assert a["DIRECTION"] == ("2" if call["CALL_TYPE"] in ("1", "4") else "1")
    assert len({c["CALL_ID"] for c in calls}) == len(calls)


def test_activities_mix_types_and_include_overdue(small):
    activities = small["crm.activity.list.json"]
    types = Counter(a["TYPE_ID"] for a in activities)
    assert set(types) == {"1", "2", "3", "4", "6"}
    assert types["2"] == max(types.values())
    overdue = [a for a in activities if a["COMPLETED"] == "N" and ts(a["DEADLINE"]) < NOW]
    assert 0 < len(overdue) < 0.2 * len(activities)
    showings = [a for a in activities if a["SUBJECT"].startswith("Showing:")]
    assert showings and all(a["TYPE_ID"] == "1" for a in showings)
    hours = Counter(ts(a["START_TIME"]).hour for a in activities if a["TYPE_ID"] == "2")
    working = sum(n for h, n in hours.items() if 9 <= h < 20)
    assert 0.8 < working / sum(hours.values()) < 0.99


def test_invoices_follow_payments(small):
    deals = small.by_id("crm.deal.list.json")
    per_deal: dict[str, list[dict]] = defaultdict(list)
    for inv in small["crm.item.list.smart_invoice.json"]:
        per_deal[str(inv["parentId2"])].append(inv)
    assert {inv["stageId"] for invs in per_deal.values() for inv in invs} == {
        "DT31_2:N", "DT31_2:S", "DT31_2:P", "DT31_2:D"}
    checked = 0
    for deal_id, invoices in per_deal.items():
        d = deals[deal_id]
        total = sum(i["opportunity"] for i in invoices)
        assert total <= float(d["OPPORTUNITY"]) + 0.05
        if d["CATEGORY_ID"] == "0" and d["STAGE_SEMANTIC_ID"] == "S":
            assert abs(total - float(d["OPPORTUNITY"])) < 0.05
            assert all(i["stageId"] == "DT31_2:P" for i in invoices)
            checked += 1
    assert checked > 50


def test_deactivated_users_keep_records_created_before_leaving(small):
    users = small.by_id("user.get.json")
    inactive = {uid for uid, u in users.items() if not u["ACTIVE"]}
    assert inactive
    owned = [d for d in small["crm.deal.list.json"] if d["ASSIGNED_BY_ID"] in inactive]
    assert owned
    for d in owned:
        assert ts(d["DATE_CREATE"]) < ts(users[d["ASSIGNED_BY_ID"]]["LAST_LOGIN"])


def test_departments_are_nested_three_levels(tiny):
    deps = tiny.by_id("department.get.json")

    def depth(dep_id: str) -> int:
        parent = deps[dep_id].get("PARENT")
        return 1 if parent is None else 1 + depth(parent)

    assert max(depth(i) for i in deps) >= 3
    names = {d["NAME"] for d in deps.values()}
    assert {"Furniture sales", "Real-estate sales", "Call center", "Marketing",
            "Management", "Online sales"} <= names


def test_dirty_data_is_present_and_counted(small):
    dirty = small["portal.json"]["dirty"]["counts"]
    deals = small["crm.deal.list.json"]
    no_client = [d for d in deals if d["CONTACT_ID"] is None and d["COMPANY_ID"] == "0"]
    assert len(no_client) == dirty["deals_without_client"] > 0
    assert sum(d["SOURCE_ID"] is None for d in deals) == dirty["deals_without_source"] > 0
    no_currency = [d["ID"] for d in deals if d["CURRENCY_ID"] is None]
    assert set(no_currency) == small.dirty_ids("deal_amount_without_currency")
    assert all(float(d["OPPORTUNITY"]) > 0 for d in deals if d["CURRENCY_ID"] is None)
    contacts = small["crm.contact.list.json"]
    phones = Counter(p["VALUE"] for c in contacts for p in c.get("PHONE", []))
    assert sum(n - 1 for n in phones.values() if n > 1) >= dirty["contacts_duplicate_phone"] > 0
    assert sum("PHONE" not in c for c in contacts) == dirty["contacts_without_phone"] > 0
    assert sum("EMAIL" not in c for c in contacts) == dirty["contacts_without_email"] > 0
    assert dirty["deal_history_mismatch"] == len(small.dirty_ids("deal_history_mismatch")) >= 2
    assert dirty["lead_without_history"] >= 2
    recurring = [d["ID"] for d in deals if d["IS_RECURRING"] == "Y"]
    assert set(recurring) == small.dirty_ids("recurring_templates") and len(recurring) >= 2


def test_nothing_is_created_or_modified_after_the_portal_clock(tiny):
    """Planned activities lie ahead, but were entered in the past (incremental cursors rely on it)."""
    now = tiny["portal.json"]["now"]
    for name, field in (("crm.activity.list.json", "CREATED"), ("crm.activity.list.json", "LAST_UPDATED"),
                        ("crm.deal.list.json", "DATE_MODIFY"), ("crm.lead.list.json", "DATE_MODIFY"),
                        ("crm.contact.list.json", "DATE_MODIFY"), ("crm.company.list.json", "DATE_MODIFY")):
        assert max(record[field] for record in tiny[name]) <= now, (name, field)
