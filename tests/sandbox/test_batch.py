"""`batch`: references between commands, halt, per-command errors, the 50-command limit."""

from __future__ import annotations

import pytest

from tests.sandbox.api_client import result


@pytest.fixture(scope="module")
def mini(serve_module, mini_portal):
    return serve_module(mini_portal)


def batch(sandbox, cmd, halt=False):
    return result(sandbox, "batch", {"cmd": cmd, "halt": halt})["result"]


def test_batch_answers_each_command_under_its_key(mini):
    body = batch(mini, {
        "deals": "crm.deal.list?filter[STAGE_SEMANTIC_ID]=S&select[]=ID",
        "stages": "crm.status.list?filter[ENTITY_ID]=DEAL_STAGE_1",
    })
    assert body["result"]["deals"] == [{"ID": "2"}]
    assert len(body["result"]["stages"]) == 4
    assert body["result_total"] == {"deals": 1, "stages": 4}
    assert body["result_error"] == [] and body["result_next"] == []
    assert set(body["result_time"]) == {"deals", "stages"}


def test_result_reference_chains_commands(mini):
    body = batch(mini, {
        "deal": "crm.deal.get?id=3",
        "contact": "crm.contact.get?id=$result[deal][CONTACT_ID]",
        "history": "crm.stagehistory.list?entityTypeId=2&filter[OWNER_ID]=$result[deal][ID]&select[]=STAGE_ID",
    })
    assert body["result"]["contact"]["LAST_NAME"] == "Smirnova"
    assert [row["STAGE_ID"] for row in body["result"]["history"]["items"]] == ["C1:NEW", "C1:UC_BOOKING"]


def test_keyset_chain_like_b24pysdk_fast_list(paged_portal, serve):
    sandbox = serve(paged_portal)
    cmd = {"1": "crm.lead.list?select[0]=ID&order[ID]=ASC&filter[%3EID]=0&start=-1"}
    for index in range(2, 4):
        cmd[str(index)] = (
            f"crm.lead.list?select[0]=ID&order[ID]=ASC&filter[%3EID]=%24result%5B{index - 1}%5D%5B49%5D%5BID%5D&start=-1"
        )
    body = batch(sandbox, cmd, halt=True)
    got = [int(row["ID"]) for key in ("1", "2", "3") for row in body["result"][key]]
    assert got == list(range(1, 121))


def test_reference_inside_text_and_to_totals(mini):
    body = batch(mini, {
        "count": "crm.deal.list?filter[CATEGORY_ID]=0&select[]=ID",
        "title": "crm.deal.list?filter[%TITLE]=Apartment%20$total[count]&select[]=TITLE",
    })
    # $total is an int: inside longer text PHP substitutes strings only, so the text stays as sent.
    assert body["result"]["title"] == []
    assert body["result_total"]["count"] == 5


def test_errors_are_per_command_and_halt_stops(mini):
    body = batch(mini, {"a": "crm.deal.get?id=999", "b": "crm.deal.get?id=1"})
    assert body["result_error"] == {"a": {"error": "", "error_description": "Not found"}}
    assert body["result"]["b"]["ID"] == "1"
    halted = batch(mini, {"a": "crm.deal.get?id=999", "b": "crm.deal.get?id=1"}, halt=True)
    assert list(halted["result_error"]) == ["a"] and halted["result"] == []


def test_more_than_50_commands_and_nested_batch(mini):
    cmd = {f"c{index:02d}": "crm.currency.list" for index in range(52)}
    cmd["nested"] = "batch?cmd[x]=crm.deal.list"
    body = batch(mini, cmd)
    assert len(body["result"]) == 50
    assert body["result_error"]["c50"]["error"] == "ERROR_BATCH_LENGTH_EXCEEDED"
    assert body["result_error"]["c51"]["error_description"] == "Max batch length exceeded"
    assert body["result_error"]["nested"]["error"] == "ERROR_BATCH_LENGTH_EXCEEDED"


def test_nested_batch_is_not_allowed(mini):
    body = batch(mini, {"nested": "batch?cmd[x]=crm.deal.list"})
    assert body["result_error"]["nested"] == {
        "error": "ERROR_BATCH_METHOD_NOT_ALLOWED", "error_description": "Method is not allowed for batch usage"
    }


def test_numeric_keys_give_a_list(mini):
    body = result(mini, "batch", {"cmd": ["crm.deal.get?id=1", "crm.deal.get?id=2"]})["result"]
    assert [row["ID"] for row in body["result"]] == ["1", "2"]


def test_status_counts_the_records_list_calls_return(serve, mini_portal):
    sandbox = serve(mini_portal)
    result(sandbox, "crm.deal.list", {"select": ["ID"]})  # the mini portal's 6 deals
    batch(sandbox, {
        "won": "crm.deal.list?filter[STAGE_SEMANTIC_ID]=S&select[]=ID",  # 1 deal
        "history": "crm.stagehistory.list?entityTypeId=2&filter[OWNER_ID]=3",  # 2 rows
        "deal": "crm.deal.get?id=3",  # not a list: not counted
    })
    status = sandbox.api.status()
    assert (status["requests"], status["calls"], status["rows"]) == (2, 4, 6 + 1 + 2)
