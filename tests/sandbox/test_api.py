"""The REST contract of the sandbox: envelopes, errors, paging, select, filters, every method."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import TOKEN
from tests.sandbox.api_client import call, ids, result


@pytest.fixture(scope="module")
def mini(serve_module, mini_portal):
    return serve_module(mini_portal)


@pytest.fixture(scope="module")
def paged(serve_module, paged_portal):
    return serve_module(paged_portal)


# -- envelope and errors ---------------------------------------------------------------------------

def test_success_envelope_has_result_total_and_time(mini):
    body = result(mini, "crm.deal.list", {"select": ["ID"]})
    assert [row["ID"] for row in body["result"]] == ["1", "2", "3", "4", "5", "10"]
    assert body["total"] == 6
    assert "next" not in body
    assert set(body["time"]) >= {"start", "finish", "duration", "processing", "date_start", "date_finish"}
    assert body["time"]["date_start"].endswith("+03:00")


def test_wrong_token_is_refused_with_403_invalid_credentials(mini):
    url = mini.webhook_url.replace(TOKEN, "wrong") + "crm.deal.list.json"
    response = requests.post(url, json={}, timeout=10)
    assert response.status_code == 403
    assert response.json() == {"error": "INVALID_CREDENTIALS", "error_description": "Invalid request credentials"}


def test_wrong_user_id_is_refused(mini):
    url = mini.webhook_url.replace("/rest/1/", "/rest/7/") + "crm.deal.list"
    assert requests.get(url, timeout=10).status_code == 403


def test_call_without_auth_is_401_no_auth_found(mini):
    base = mini.webhook_url.split("/rest/")[0]
    response = requests.post(f"{base}/rest/crm.deal.list.json", json={}, timeout=10)
    assert response.status_code == 401
    assert response.json() == {"error": "NO_AUTH_FOUND", "error_description": "Wrong authorization data"}


def test_unknown_method_is_404(mini):
    response = call(mini, "crm.deal.nosuch")
    assert response.status_code == 404
    assert response.json() == {"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"}


def test_xml_transport_is_refused(mini):
    response = requests.get(mini.webhook_url + "crm.deal.list.xml", timeout=10)
    assert response.status_code == 500
    assert response.json()["error"] == "INTERNAL_WRONG_TRANSPORT"


@pytest.mark.parametrize("parameter", ["filter", "order"])
def test_legacy_bad_parameter_is_400_with_empty_code(mini, parameter):
    response = call(mini, "crm.deal.list", {parameter: "ID"})
    assert response.status_code == 400
    assert response.json() == {"error": "", "error_description": f"Parameter '{parameter}' must be array."}


def test_new_style_unknown_filter_field_is_invalid_arg_value(mini):
    response = call(mini, "crm.item.list", {"entityTypeId": 31, "filter": {"noSuchField": 1}})
    assert response.status_code == 400
    assert response.json() == {
        "error": "INVALID_ARG_VALUE",
        "error_description": "Invalid filter: field 'noSuchField' is not allowed in filter",
    }


def test_stage_history_of_unsupported_entity(mini):
    response = call(mini, "crm.stagehistory.list", {"entityTypeId": 3})
    assert response.status_code == 400
    assert response.json()["error"] == "ENTITY_TYPE_NOT_SUPPORTED"


def test_get_of_missing_record_and_bad_id(mini):
    missing = call(mini, "crm.deal.get", {"id": 999})
    assert (missing.status_code, missing.json()) == (400, {"error": "", "error_description": "Not found"})
    bad = call(mini, "crm.deal.get", {"id": "x"})
    assert bad.json()["error_description"] == "ID is not defined or invalid."


# -- request forms --------------------------------------------------------------------------------

def test_method_names_are_case_insensitive_and_json_suffix_optional(mini):
    upper = requests.post(mini.webhook_url + "CRM.Deal.List", json={"select": ["ID"]}, timeout=10)
    assert upper.status_code == 200 and upper.json()["total"] == 6


def test_get_with_php_bracket_query(mini):
    url = mini.webhook_url + "crm.deal.list.json?filter[>OPPORTUNITY]=100000&select[]=ID&order[ID]=DESC"
    assert ids(requests.get(url, timeout=10).json()) == [3, 2]


def test_form_body(mini):
    response = requests.post(
        mini.webhook_url + "crm.deal.list", data={"filter[CATEGORY_ID]": "1", "select[]": "TITLE"}, timeout=10
    )
    assert response.json()["result"] == [{"ID": "3", "TITLE": "Apartment 12"}]


def test_upper_case_parameter_names(mini):
    body = result(mini, "crm.deal.list", {"FILTER": {"STAGE_SEMANTIC_ID": "S"}, "SELECT": ["ID"]})
    assert ids(body) == [2]


def test_malformed_json_body_is_400(mini):
    response = requests.post(mini.webhook_url + "crm.deal.list", data=b"{not json",
                             headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 400
    assert response.json()["error"] == "ERROR_ARGUMENT"


# -- paging ---------------------------------------------------------------------------------------

def test_legacy_paging_50_rows_next_and_total(paged):
    first = result(paged, "crm.lead.list", {"select": ["ID"]})
    assert (len(first["result"]), first["next"], first["total"]) == (50, 50, 120)
    last = result(paged, "crm.lead.list", {"select": ["ID"], "start": 100})
    assert ids(last) == list(range(101, 121))
    assert "next" not in last and last["total"] == 120


def test_legacy_start_is_floored_to_a_page(paged):
    body = result(paged, "crm.lead.list", {"select": ["ID"], "start": 75})
    assert ids(body)[0] == 51 and body["next"] == 100


def test_orm_start_is_an_exact_offset(paged):
    body = result(paged, "crm.stagehistory.list", {"entityTypeId": 1, "start": 75})
    assert [row["ID"] for row in body["result"]["items"]][:2] == [76, 77]
    assert body["next"] == 125 and body["total"] == 130


def test_start_minus_one_returns_a_page_without_counting(paged):
    body = result(paged, "crm.lead.list", {"select": ["ID"], "start": -1, "filter": {">ID": 60},
                                            "order": {"ID": "ASC"}})
    assert ids(body) == list(range(61, 111))
    assert body["total"] == 0 and "next" not in body


def test_keyset_paging_reads_every_record_once(paged):
    seen, last = [], 0
    while True:
        page = ids(result(paged, "crm.lead.list", {"select": ["ID"], "start": -1, "filter": {">ID": last},
                                                    "order": {"ID": "ASC"}}))
        seen += page
        if len(page) < 50:
            break
        last = page[-1]
    assert seen == list(range(1, 121))


def test_order_desc_by_numeric_string_field(paged):
    body = result(paged, "crm.lead.list", {"select": ["ID"], "order": {"OPPORTUNITY": "DESC"}})
    assert ids(body)[:3] == [120, 119, 118]  # numeric, not "9900.00" > "12000.00"


# -- select ---------------------------------------------------------------------------------------

def test_default_select_hides_multi_fields_and_keeps_custom_fields(mini):
    row = result(mini, "crm.contact.list", {"filter": {"ID": 1}})["result"][0]
    assert "PHONE" not in row and "EMAIL" not in row
    assert row["UF_CRM_1700000101"] is True


def test_multi_fields_when_named(mini):
    row = result(mini, "crm.contact.list", {"filter": {"ID": 1}, "select": ["ID", "PHONE"]})["result"][0]
    assert row == {"ID": "1", "PHONE": [{"ID": "11", "VALUE_TYPE": "WORK", "VALUE": "+79001112233", "TYPE_ID": "PHONE"}]}


def test_star_without_uf_star_drops_custom_fields(mini):
    row = result(mini, "crm.deal.list", {"filter": {"ID": 2}, "select": ["*"]})["result"][0]
    assert "TITLE" in row and not any(key.startswith("UF_") for key in row)
    row = result(mini, "crm.deal.list", {"filter": {"ID": 2}, "select": ["UF_*"]})["result"][0]
    assert row == {"ID": "2", "UF_CRM_1700000001": "46", "UF_CRM_1700000003": "64.5"}


def test_records_come_back_exactly_as_the_fixture_wrote_them(mini, mini_portal):
    import json

    fixture = json.loads((mini_portal / "crm.deal.list.json").read_text())
    body = result(mini, "crm.deal.list", {"select": ["*", "UF_*"]})
    assert body["result"] == fixture


# -- filters --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ({"ID": 3}, [3]),
        ({"=STAGE_ID": "WON"}, [2]),
        ({"!STAGE_ID": "NEW"}, [2, 3, 4, 10]),
        ({"!=STAGE_ID": "NEW"}, [2, 3, 4, 10]),
        ({">OPPORTUNITY": 90000}, [2, 3]),
        ({">=OPPORTUNITY": 90000}, [1, 2, 3]),
        ({"<OPPORTUNITY": 1200}, [10]),
        ({"<=OPPORTUNITY": 1200}, [4, 10]),
        ({"@ID": [1, 3, 10]}, [1, 3, 10]),
        ({"!@ID": [1, 3, 10]}, [2, 4, 5]),
        ({"ID": [2, 4]}, [2, 4]),
        ({"%TITLE": "kitchen"}, [2]),
        ({"!%TITLE": "a"}, []),
        ({"=%TITLE": "Sofa%"}, [1]),
        ({"%=TITLE": "%(lost)"}, [4]),
        ({"><OPPORTUNITY": [1000, 100000]}, [1, 4, 5]),
        ({"!><OPPORTUNITY": [1000, 100000]}, [2, 3, 10]),
        ({">DATE_CREATE": "2025-01-15"}, [3, 4, 5, 10]),
        ({">=DATE_MODIFY": "2025-02-01T12:00:00+03:00"}, [3, 4, 10]),
        ({"<DATE_MODIFY": "2025-01-20T13:30:01Z"}, [1, 2]),
        ({"<DATE_MODIFY": "2025-01-20T13:30:00Z"}, [1]),
        ({"CONTACT_ID": ""}, [4]),
        ({"!CONTACT_ID": ""}, [1, 2, 3, 5, 10]),
        ({"SOURCE_ID": "CALL", "IS_RECURRING": "N"}, [1]),
        ({"NO_SUCH_FIELD": 1}, [1, 2, 3, 4, 5, 10]),
    ],
)
def test_filter_operators(mini, filter_, expected):
    assert ids(result(mini, "crm.deal.list", {"filter": filter_, "select": ["ID"]})) == expected


def test_filter_on_multi_field_value(mini):
    body = result(mini, "crm.contact.list", {"filter": {"PHONE": "+79004445566"}, "select": ["ID"]})
    assert ids(body) == [2]


def test_user_filter_on_boolean_and_department(mini):
    assert ids(result(mini, "user.get", {"FILTER": {"ACTIVE": True}})) == [1, 2, 3]
    assert ids(result(mini, "user.get", {"filter": {"ACTIVE": "N"}})) == [4]
    assert ids(result(mini, "user.get", {"FILTER": {"UF_DEPARTMENT": 3}})) == [3, 4]
    assert ids(result(mini, "user.get", {"ID": "2"})) == [2]  # top-level field = filter


# -- the other methods ----------------------------------------------------------------------------

def test_stage_history_is_wrapped_in_items_and_typed(mini):
    body = result(mini, "crm.stagehistory.list", {"entityTypeId": 2, "filter": {"OWNER_ID": 4}})
    assert body["result"]["items"] == [
        {"ID": 5, "TYPE_ID": 1, "OWNER_ID": 4, "CREATED_TIME": "2025-01-20T14:00:00+03:00", "CATEGORY_ID": 0,
         "STAGE_SEMANTIC_ID": "P", "STAGE_ID": "NEW"},
        {"ID": 6, "TYPE_ID": 3, "OWNER_ID": 4, "CREATED_TIME": "2025-02-01T12:00:00+03:00", "CATEGORY_ID": 0,
         "STAGE_SEMANTIC_ID": "F", "STAGE_ID": "LOSE"},
    ]
    assert body["total"] == 2


def test_empty_fixture_is_an_empty_list(mini):
    body = result(mini, "crm.stagehistory.list", {"entityTypeId": 1})
    assert body["result"] == {"items": []} and body["total"] == 0
    assert result(mini, "crm.lead.list")["result"] == []


def test_smart_invoices_with_camel_case_filter(mini):
    body = result(mini, "crm.item.list", {"entityTypeId": 31, "filter": {"stageId": "DT31_2:P"}, "select": ["id", "parentId2"]})
    assert body["result"] == {"items": [{"id": 1, "parentId2": 2}]}


def test_categories_wrapped(mini):
    body = result(mini, "crm.category.list", {"entityTypeId": 2})
    assert [row["name"] for row in body["result"]["categories"]] == ["Furniture store", "Real estate"]


def test_status_list_with_filter_in_sort_order(mini):
    body = result(mini, "crm.status.list", {"filter": {"ENTITY_ID": "DEAL_STAGE_1"}})
    assert [row["STATUS_ID"] for row in body["result"]] == ["C1:NEW", "C1:UC_BOOKING", "C1:WON", "C1:LOSE"]
    assert body["total"] == 4


def test_status_entity_items(mini):
    body = result(mini, "crm.status.entity.items", {"entityId": "STATUS"})
    assert body["result"] == [
        {"NAME": "New", "SORT": 10, "STATUS_ID": "NEW"},
        {"NAME": "Converted", "SORT": 60, "STATUS_ID": "CONVERTED"},
        {"NAME": "Not potential", "SORT": 70, "STATUS_ID": "JUNK"},
    ]


def test_product_rows_of_one_deal(mini):
    body = result(mini, "crm.deal.productrows.get", {"id": 2})
    assert [(row["ID"], row["PRODUCT_NAME"]) for row in body["result"]] == [("1", "Kitchen set"), ("2", "Installation")]
    assert "total" not in body


def test_currencies_and_fields(mini):
    assert [row["CURRENCY"] for row in result(mini, "crm.currency.list")["result"]] == ["RUB", "USD", "EUR"]
    fields = result(mini, "crm.deal.fields")["result"]
    assert fields["UF_CRM_1700000001"]["items"][0] == {"ID": "45", "VALUE": "Mortgage"}
    assert result(mini, "crm.lead.fields")["result"] == {}


def test_departments_and_calls(mini):
    assert ids(result(mini, "department.get", {"PARENT": "1"})) == [2, 3]
    calls = result(mini, "voximplant.statistic.get", {"FILTER": {"CALL_FAILED_CODE": "304"}})
    assert ids(calls) == [2]
    ordered = result(mini, "voximplant.statistic.get", {"SORT": "CALL_DURATION", "ORDER": "DESC"})
    assert ids(ordered) == [1, 2]


def test_activities_default_order_is_start_time(mini):
    assert ids(result(mini, "crm.activity.list")) == [1, 2]
    body = result(mini, "crm.activity.list", {"select": ["ID", "COMMUNICATIONS"], "filter": {"ID": 1}})
    assert body["result"][0]["COMMUNICATIONS"] == [{"TYPE": "PHONE", "VALUE": "+79001112233"}]
