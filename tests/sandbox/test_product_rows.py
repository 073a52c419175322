"""`crm.item.productrow.list` in the sandbox: required owner keys, `=` with an array, the other
prefixes, order, start / start=-1, typed camelCase rows in `result.productRows`, inside `batch`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.sandbox.api_client import call, result

METHOD = "crm.item.productrow.list"


@pytest.fixture(scope="module")
def rows(tiny_portal) -> list[dict]:
    return json.loads((tiny_portal / "crm.deal.productrows.get.json").read_text())


@pytest.fixture(scope="module")
def sandbox(serve_module, tiny_portal):
    return serve_module(tiny_portal)


@pytest.fixture(scope="module")
def mini(serve_module, mini_portal):
    return serve_module(mini_portal)


def listed(body: dict) -> list[dict]:
    return body["result"]["productRows"]


def owners_with_rows(rows: list[dict]) -> list[int]:
    return sorted({int(row["OWNER_ID"]) for row in rows})


def test_one_deal_rows_are_typed_camel_case(mini):
    body = result(mini, METHOD, {"filter": {"=ownerType": "D", "=ownerId": 2}})
    assert body["total"] == 2 and "next" not in body
    first = listed(body)[0]
    assert first == {
        "id": 1, "ownerId": 2, "ownerType": "D", "productId": 450, "productName": "Kitchen set",
        "price": 200000, "priceAccount": 200000, "priceExclusive": None, "priceNetto": None,
        "priceBrutto": None, "quantity": 1, "discountTypeId": 2, "discountRate": 0, "discountSum": 0,
        "taxRate": None, "taxIncluded": "Y", "customized": None, "measureCode": 796, "measureName": "pcs",
        "sort": 10, "xmlId": None, "type": None, "storeId": None,
    }


@pytest.mark.parametrize(("flt", "missing"), [
    ({"=ownerId": 2}, "=ownerType"),
    ({"=ownerType": "D"}, "=ownerId"),
    ({"=ownerType": "D", "=ownerId": 0}, "=ownerId"),
    ({"=ownerType": "D", "ownerId": 2}, "=ownerId"),  # without the `=` prefix the key is not there
    ({}, "=ownerType"),
])
def test_missing_owner_keys_are_required_arg_missing(mini, flt, missing):
    response = call(mini, METHOD, {"filter": flt})
    assert response.status_code == 400
    assert response.json() == {"error": "REQUIRED_ARG_MISSING", "error_description": f"Argument '{missing}' is required"}


def test_unknown_single_deal_is_access_denied_and_other_owner_types_are_empty(mini):
    response = call(mini, METHOD, {"filter": {"=ownerType": "D", "=ownerId": 999}})
    assert response.status_code == 400 and response.json()["error"] == "ACCESS_DENIED"
    assert listed(result(mini, METHOD, {"filter": {"=ownerType": "L", "=ownerId": 1}})) == []


def test_owner_id_array_lists_rows_of_many_deals(sandbox, rows):
    deals = owners_with_rows(rows)[:40] + [99999]  # an unknown id in an array is simply absent
    expected = sorted(int(row["ID"]) for row in rows if int(row["OWNER_ID"]) in deals)
    assert len(expected) > 50
    body = result(sandbox, METHOD, {"filter": {"=ownerType": "D", "=ownerId": deals}, "order": {"id": "ASC"}})
    assert body["total"] == len(expected) and body["next"] == 50
    following = result(sandbox, METHOD, {"filter": {"=ownerType": "D", "=ownerId": deals}, "order": {"id": "ASC"},
                                         "start": 50})
    got = [row["id"] for row in listed(body) + listed(following)]
    assert got == expected[:100]
    assert following["total"] == len(expected)


def test_rows_carry_the_fixture_values(sandbox, rows):
    deal = owners_with_rows(rows)[3]
    mine = {int(row["ID"]): row for row in rows if int(row["OWNER_ID"]) == deal}
    for got in listed(result(sandbox, METHOD, {"filter": {"=ownerType": "D", "=ownerId": deal}})):
        source = mine.pop(got["id"])
        assert got["ownerId"] == deal and got["productId"] == source["PRODUCT_ID"]
        assert got["productName"] == source["PRODUCT_NAME"] and got["xmlId"] == source["XML_ID"]
        for legacy, camel in (("PRICE", "price"), ("PRICE_ACCOUNT", "priceAccount"), ("QUANTITY", "quantity"),
                              ("PRICE_EXCLUSIVE", "priceExclusive"), ("DISCOUNT_SUM", "discountSum")):
            assert got[camel] == pytest.approx(float(source[legacy]))
            assert isinstance(got[camel], (int, float))
    assert mine == {}


def test_keyset_page_start_minus_one_does_not_count(sandbox, rows):
    deals = owners_with_rows(rows)
    expected = sorted(int(row["ID"]) for row in rows)
    body = result(sandbox, METHOD, {"filter": {"=ownerType": "D", "=ownerId": deals, ">id": expected[9]},
                                    "order": {"id": "ASC"}, "start": -1})
    assert [row["id"] for row in listed(body)] == expected[10:60]
    assert body["total"] == 0 and "next" not in body


def test_other_prefixes_and_order(sandbox, rows):
    deals = owners_with_rows(rows)[:16]  # under 50 rows: one page holds every answer
    mine = [row for row in rows if int(row["OWNER_ID"]) in deals]
    assert 20 < len(mine) <= 50
    base = {"=ownerType": "D", "=ownerId": deals}

    def ids(extra: dict, order: dict | None = None) -> list[int]:
        body = result(sandbox, METHOD, {"filter": {**base, **extra}, "order": order or {"id": "ASC"}})
        return [row["id"] for row in listed(body)]

    all_ids = sorted(int(row["ID"]) for row in mine)
    assert ids({"<=id": all_ids[4]}) == all_ids[:5]
    product = mine[0]["PRODUCT_ID"]
    assert ids({"!=productId": product}) == sorted(int(r["ID"]) for r in mine if r["PRODUCT_ID"] != product)
    assert ids({"=productId": product}) == sorted(int(r["ID"]) for r in mine if r["PRODUCT_ID"] == product)
    word = mine[0]["PRODUCT_NAME"].split()[0]
    assert ids({"%productName": word.lower()}) == sorted(int(r["ID"]) for r in mine if word.lower() in r["PRODUCT_NAME"].lower())
    assert ids({}, {"id": "DESC"}) == sorted(all_ids, reverse=True)
    # Without `order`: by `sort`, ties by id.
    body = result(sandbox, METHOD, {"filter": base})
    expected = [int(r["ID"]) for r in sorted(mine, key=lambda r: (int(r["SORT"]), int(r["ID"])))]
    assert [row["id"] for row in listed(body)] == expected


def test_comparison_with_an_array_is_invalid_arg_value(sandbox):
    response = call(sandbox, METHOD, {"filter": {"=ownerType": "D", "=ownerId": [2, 3], ">id": [1, 2]}})
    assert response.status_code == 400
    assert response.json() == {"error": "INVALID_ARG_VALUE",
                               "error_description": "Value for filter key '>ID' should be either string or number"}


def test_chained_keyset_pages_inside_batch(sandbox, rows):
    from pipelines.bitrix24.php_query import command

    deals = owners_with_rows(rows)[:100]
    expected = sorted(int(row["ID"]) for row in rows if int(row["OWNER_ID"]) in deals)
    assert 150 < len(expected) < 400
    cmd = {}
    for index in range(8):
        after = 0 if index == 0 else f"$result[p{index - 1}][productRows][49][id]"
        cmd[f"p{index}"] = command(METHOD, {"filter": {"=ownerType": "D", "=ownerId": deals, ">id": after},
                                            "order": {"id": "ASC"}, "start": -1})
    body = result(sandbox, "batch", {"halt": 1, "cmd": cmd})["result"]
    got: list[int] = []
    for index in range(8):
        page = body["result"][f"p{index}"]["productRows"]
        got.extend(row["id"] for row in page)
        if len(page) < 50:
            break
    assert got == expected
    # After the short page the reference `[49][id]` stops at the page itself (an array), which
    # `>id` refuses; `halt` ends the batch there, as on a portal.
    short = f"p{index + 1}"
    assert list(body["result_error"]) == [short]
    assert body["result_error"][short]["error"] == "INVALID_ARG_VALUE"
    assert list(body["result"]) == [f"p{i}" for i in range(index + 1)]
    # A missing owner key inside batch is that command's error, the batch itself is 200.
    body = result(sandbox, "batch", {"cmd": {"bad": command(METHOD, {"filter": {"=ownerType": "D"}})}})["result"]
    assert body["result_error"]["bad"] == {"error": "REQUIRED_ARG_MISSING",
                                           "error_description": "Argument '=ownerId' is required"}


def test_counting_costs_and_owner_lookup_does_not(sandbox, rows):
    deals = owners_with_rows(rows)
    counted = result(sandbox, METHOD, {"filter": {"=ownerType": "D", "=ownerId": deals}})
    keyset = result(sandbox, METHOD, {"filter": {"=ownerType": "D", "=ownerId": deals}, "start": -1})
    assert keyset["time"]["processing"] == pytest.approx(0.05)
    assert counted["time"]["processing"] == pytest.approx(0.05 + len(rows) * 50.0 / 2_400_000)


@pytest.mark.parametrize("query", [
    {"filter": {">id": 40}, "order": {"id": "ASC"}, "start": -1},
    {"filter": {"<=id": 200, ">id": 0}, "order": {"id": "DESC"}, "start": 0},
    {"filter": {}, "order": {"ID": "asc"}, "start": 50},
])
def test_owner_index_answers_as_the_sql_path(sandbox, rows, query):
    """The indexed owner lookup (the keyset shape) and the general SQL path give the same page; a
    condition matching every row (`!=xmlId`) sends the same query through SQL."""
    deals = owners_with_rows(rows)[::2] + [99999]
    base = {"=ownerType": "D", "=ownerId": deals}
    indexed = result(sandbox, METHOD, {**query, "filter": {**base, **query["filter"]}})
    through_sql = result(sandbox, METHOD, {**query, "filter": {**base, **query["filter"], "!=xmlId": "none"}})
    assert listed(indexed) and listed(indexed) == listed(through_sql)
    assert (indexed.get("total"), indexed.get("next")) == (through_sql.get("total"), through_sql.get("next"))


def test_owner_index_follows_live_changes(serve, tiny_portal, rows):
    from sandbox.live import ChangePlan, LiveConfig

    live = serve(tiny_portal, live=LiveConfig(seed=3, plan=ChangePlan(product_row_changes=30)))

    def everything() -> list[int]:
        got, after = [], 0
        while True:
            page = listed(result(live, METHOD, {"filter": {"=ownerType": "D", "=ownerId": list(range(1, 400)),
                                                           ">id": after}, "order": {"id": "ASC"}, "start": -1}))
            got.extend(row["id"] for row in page)
            if len(page) < 50:
                return got
            after = page[-1]["id"]

    assert everything() == sorted(int(row["ID"]) for row in rows)
    live.live.advance(2)
    truth = sorted(json.loads(doc)["ID"] for doc in live.store.table("crm.deal.productrows.get").all_docs())
    assert everything() == sorted(int(key) for key in truth) != sorted(int(row["ID"]) for row in rows)
