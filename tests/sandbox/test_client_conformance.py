"""Conformance against real Bitrix24 clients no one here wrote: the official `b24pysdk` (over
HTTPS, trusting the sandbox's local CA through REQUESTS_CA_BUNDLE) and `fast-bitrix24`.

Each client pages through every list method of a generated `small` portal, plainly and through
`batch`, and must get exactly the fixture's records.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest

from sandbox import fixture

# (method, entityTypeId, wrapper, key) for every list method of the fixture format.
LIST_METHODS = [
    ("crm.lead.list", None, None, "ID"),
    ("crm.deal.list", None, None, "ID"),
    ("crm.contact.list", None, None, "ID"),
    ("crm.company.list", None, None, "ID"),
    ("crm.activity.list", None, None, "ID"),
    ("crm.stagehistory.list", 1, "items", "ID"),
    ("crm.stagehistory.list", 2, "items", "ID"),
    ("crm.item.list", 31, "items", "id"),
    ("user.get", None, None, "ID"),
    ("department.get", None, None, "ID"),
    ("voximplant.statistic.get", None, None, "ID"),
]
LEGACY_CRM = {"crm.lead.list", "crm.deal.list", "crm.contact.list", "crm.company.list", "crm.activity.list"}


@pytest.fixture(scope="session")
def small_portal(tmp_path_factory) -> Path:
    from sandbox.generator import generate_portal

    portal = tmp_path_factory.mktemp("small-portal")
    generate_portal(portal, seed=7, scale="small")
    return portal


def fixture_records(portal: Path, method: str, entity_type_id: int | None) -> list[dict[str, Any]]:
    path = fixture.fixture_path(portal, method, entity_type_id)
    return json.loads(path.read_text()) if path.exists() else []


def full_select(records: list[dict[str, Any]]) -> list[str]:
    """`*` + `UF_*` plus every list-valued field (multi-fields must be named to be returned)."""
    named = sorted({key for record in records for key, value in record.items() if isinstance(value, list)})
    return ["*", "UF_*", *named]


def params_for(method: str, entity_type_id: int | None, records: list[dict[str, Any]]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if entity_type_id is not None:
        params["entityTypeId"] = entity_type_id
    if method in LEGACY_CRM:
        params["select"] = full_select(records)
    return params


def by_key(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: int(row[key]))


# -- b24pysdk ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def https_sandbox(serve_module, small_portal, tmp_path_factory):
    return serve_module(small_portal, tls_dir=tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def b24_client(https_sandbox):
    import os

    from b24pysdk import BitrixWebhook, Client

    previous = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = str(https_sandbox.ca_path)
    webhook = BitrixWebhook(domain=https_sandbox.domain,
                            webhook_token=f"{https_sandbox.options.user_id}/{https_sandbox.options.token}")
    yield Client(webhook)
    if previous is None:
        os.environ.pop("REQUESTS_CA_BUNDLE", None)
    else:
        os.environ["REQUESTS_CA_BUNDLE"] = previous


def b24_request(client, method: str, params: dict[str, Any], fast: bool = False):
    """The SDK's typed helper for each method (what an integrator would call); the fast
    (keyset) mode manages the order itself, so it is only given for plain paging."""
    entity_type_id = params.get("entityTypeId")
    select = params.get("select")
    order = {} if fast else {"order": {"ID": "ASC"}}
    sort = {} if fast else {"sort": "ID", "order": "ASC"}
    if method in LEGACY_CRM:
        entity = method.split(".")[1]
        return getattr(client.crm, entity).list(select=select, **order)
    if method == "crm.stagehistory.list":
        return client.crm.stagehistory.list(entity_type_id, **order)
    if method == "crm.item.list":
        return client.crm.item.list(entity_type_id, **({} if fast else {"order": {"id": "ASC"}}))
    if method == "user.get":
        return client.user.get(**sort)
    if method == "department.get":
        return client.department.get(**sort)
    if method == "voximplant.statistic.get":
        return client.voximplant.statistic.get(**sort)
    raise AssertionError(method)


@pytest.mark.parametrize(("method", "entity_type_id", "wrapper", "key"), LIST_METHODS,
                         ids=[f"{m}{'-' + str(e) if e else ''}" for m, e, _, _ in LIST_METHODS])
def test_b24pysdk_pages_every_list_method(b24_client, small_portal, method, entity_type_id, wrapper, key):
    expected = fixture_records(small_portal, method, entity_type_id)
    if method not in ("user.get", "department.get"):  # 25 users, 9 departments: one page
        assert len(expected) > 50, f"{method}: the portal should need several pages"
    params = params_for(method, entity_type_id, expected)
    plain = list(b24_request(b24_client, method, params).as_list().result)
    assert by_key(plain, key) == by_key(expected, key)
    fast = list(b24_request(b24_client, method, params, fast=True).as_list_fast().result)
    assert by_key(fast, key) == by_key(expected, key)


def test_b24pysdk_dictionaries_and_batch(b24_client, small_portal):
    statuses = b24_client.crm.status.list().result
    assert len(statuses) == len(fixture_records(small_portal, "crm.status.list", None))
    categories = b24_client.crm.category.list(2).result
    assert categories == {"categories": fixture_records(small_portal, "crm.category.list", 2)} or \
        categories == fixture_records(small_portal, "crm.category.list", 2)
    currencies = b24_client.crm.currency.list().result
    assert currencies == fixture_records(small_portal, "crm.currency.list", None)
    fields = b24_client.crm.deal.fields().result
    assert fields == json.loads((small_portal / "crm.deal.fields.json").read_text())

    rows = fixture_records(small_portal, "crm.deal.productrows.get", None)
    deal_ids = sorted({int(row["OWNER_ID"]) for row in rows})[:20]
    answers = b24_client.call_batch(
        {str(deal_id): b24_client.crm.deal.productrows.get(deal_id) for deal_id in deal_ids}
    ).result.result
    for deal_id in deal_ids:
        assert answers[str(deal_id)] == [row for row in rows if int(row["OWNER_ID"]) == deal_id]


# -- fast-bitrix24 ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fast_client(serve_module, small_portal):
    from fast_bitrix24 import Bitrix

    sandbox = serve_module(small_portal)
    return Bitrix(sandbox.webhook_url, verbose=False)


@pytest.mark.parametrize(("method", "entity_type_id", "wrapper", "key"), LIST_METHODS,
                         ids=[f"{m}{'-' + str(e) if e else ''}" for m, e, _, _ in LIST_METHODS])
def test_fast_bitrix24_get_all_every_list_method(fast_client, small_portal, method, entity_type_id, wrapper, key):
    expected = fixture_records(small_portal, method, entity_type_id)
    params = params_for(method, entity_type_id, expected)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # fast-bitrix24: got fewer rows than `total`
        rows = fast_client.get_all(method, params=params)
    assert by_key(rows, key) == by_key(expected, key)


def test_fast_bitrix24_batch_calls(fast_client, small_portal):
    rows = fixture_records(small_portal, "crm.deal.productrows.get", None)
    deal_ids = sorted({int(row["OWNER_ID"]) for row in rows})[:60]
    answers = fast_client.get_by_ID("crm.deal.productrows.get", deal_ids)
    for deal_id in deal_ids:
        assert answers[str(deal_id)] == [row for row in rows if int(row["OWNER_ID"]) == deal_id]
    deals = fixture_records(small_portal, "crm.deal.list", None)
    got = fast_client.call("crm.deal.get", [{"id": deal["ID"]} for deal in deals[:5]])
    assert [row["ID"] for row in got] == [deal["ID"] for deal in deals[:5]]


# -- crm.item.productrow.list: product rows of many deals in one filter ------------------------------

def product_row_expectation(portal: Path, deal_count: int | None = None) -> tuple[list[int], list[dict[str, Any]]]:
    rows = fixture_records(portal, "crm.deal.productrows.get", None)
    deals = sorted({int(row["OWNER_ID"]) for row in rows})
    if deal_count is not None:
        deals = deals[:deal_count]
    return deals, [row for row in rows if int(row["OWNER_ID"]) in set(deals)]


def assert_same_product_rows(got: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    """The bulk method's typed camelCase rows are the fixture's rows, value for value."""
    assert sorted(row["id"] for row in got) == sorted(int(row["ID"]) for row in expected)
    source = {int(row["ID"]): row for row in expected}
    for row in got:
        legacy = source[row["id"]]
        assert row["ownerId"] == int(legacy["OWNER_ID"]) and row["ownerType"] == "D"
        assert row["productId"] == legacy["PRODUCT_ID"] and row["productName"] == legacy["PRODUCT_NAME"]
        assert row["price"] == pytest.approx(float(legacy["PRICE"]))
        assert row["priceAccount"] == pytest.approx(float(legacy["PRICE_ACCOUNT"]))
        assert row["quantity"] == pytest.approx(float(legacy["QUANTITY"]))


def test_b24pysdk_lists_product_rows_of_many_deals(b24_client, small_portal):
    deals, expected = product_row_expectation(small_portal)
    assert len(expected) > 100
    flt = {"=ownerType": "D", "=ownerId": deals}
    plain = list(b24_client.crm.item.productrow.list(filter=flt, order={"id": "asc"}).as_list().result)
    assert_same_product_rows(plain, expected)
    fast = list(b24_client.crm.item.productrow.list(filter=flt).as_list_fast().result)
    assert_same_product_rows(fast, expected)
    one = b24_client.crm.item.productrow.list(filter={"=ownerType": "D", "=ownerId": deals[0]}).result
    assert_same_product_rows(one["productRows"], [row for row in expected if int(row["OWNER_ID"]) == deals[0]])


def test_fast_bitrix24_reads_product_rows(fast_client, small_portal):
    deals, expected = product_row_expectation(small_portal, 60)
    # One command per deal, 50 commands a batch (its `call` with a list of parameter sets).
    rows = fast_client.call("crm.item.productrow.list", [{"filter": {"=ownerType": "D", "=ownerId": deal}}
                                                         for deal in deals])
    assert_same_product_rows(rows, expected)
    one = fast_client.get_all("crm.item.productrow.list", params={"filter": {"=ownerType": "D", "=ownerId": deals[0]}})
    assert_same_product_rows(one, [row for row in expected if int(row["OWNER_ID"]) == deals[0]])


def test_fast_bitrix24_get_all_cannot_page_an_owner_id_array(fast_client, small_portal):
    """Its batch pages encode `filter[=ownerId][0]=5` without escaping the `=` of the key, and PHP's
    parse_str splits the pair at that `=`: the portal sees no `=ownerId` (as the sandbox does)."""
    from fast_bitrix24.server_response import ErrorInServerResponseException
    from fast_bitrix24.utils import http_build_query

    from sandbox.server.params import parse_php_query

    deals, expected = product_row_expectation(small_portal)
    assert len(expected) > 50  # more than one page: get_all pages in batches
    query = http_build_query({"filter": {"=ownerType": "D", "=ownerId": deals[:2]}})
    assert query.startswith("filter[%3DownerType]=D&filter[=ownerId][0]=")
    assert "=ownerId" not in parse_php_query(query)["filter"]
    with pytest.raises(ErrorInServerResponseException, match="Argument '=ownerId' is required"):
        fast_client.get_all("crm.item.productrow.list", params={"filter": {"=ownerType": "D", "=ownerId": deals}})
