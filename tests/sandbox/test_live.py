"""Live mode: deterministic changes between reads, consistent with how a portal records them."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import requests

from sandbox.live import ChangePlan, LiveConfig, LivePortal
from sandbox.store.portal import PortalStore
from tests.conftest import TOKEN
from tests.sandbox.api_client import result


def _snapshot(portal: Path, out: Path, seed: int, steps: int) -> dict[str, list[dict]]:
    store = PortalStore(portal)
    try:
        LivePortal(store, LiveConfig(seed=seed)).advance(steps)
        store.dump(out)
    finally:
        store.close()
    return {path.name: json.loads(path.read_text()) for path in sorted(out.glob("*.json"))}


def test_same_seed_same_changes(mini_portal, tmp_path):
    first = _snapshot(mini_portal, tmp_path / "a", seed=5, steps=3)
    again = _snapshot(mini_portal, tmp_path / "b", seed=5, steps=3)
    other = _snapshot(mini_portal, tmp_path / "c", seed=6, steps=3)
    assert first == again
    assert first != other


def test_changes_follow_portal_rules(mini_portal, tmp_path):
    state = _snapshot(mini_portal, tmp_path / "s", seed=1, steps=4)
    deals = {int(deal["ID"]): deal for deal in state["crm.deal.list.json"]}
    history = state["crm.stagehistory.list.deal.json"]
    original = json.loads((mini_portal / "crm.deal.list.json").read_text())
    assert len(deals) != len(original) or deals != {int(d["ID"]): d for d in original}
    # history IDs keep growing with time, and every deal's last row is its current stage
    assert [row["ID"] for row in history] == sorted(row["ID"] for row in history)
    last_row = {}
    for row in history:
        last_row[row["OWNER_ID"]] = row
    for deal_id, deal in deals.items():
        assert last_row[deal_id]["STAGE_ID"] == deal["STAGE_ID"], deal_id
        assert last_row[deal_id]["CREATED_TIME"] <= deal["DATE_MODIFY"]
    # deleted deals take their history with them
    assert set(last_row) <= set(deals)
    # the clock moved 4 steps of an hour; nothing is modified after it
    meta = json.loads((tmp_path / "s" / "portal.json").read_text())
    assert meta["now"] == "2025-03-01T16:00:00+03:00"
    assert max(deal["DATE_MODIFY"] for deal in deals.values()) <= meta["now"]


def test_some_edits_share_one_second(mini_portal):
    store = PortalStore(mini_portal)
    try:
        LivePortal(store, LiveConfig(seed=2, plan=ChangePlan(edits=8))).advance(1)
        stamps = Counter(
            json.loads(doc)["DATE_MODIFY"] for doc in store.table("crm.deal.list").all_docs()
            + store.table("crm.contact.list").all_docs()
        )
    finally:
        store.close()
    assert max(stamps.values()) >= 2


def test_live_every_n_requests_over_http(serve, mini_portal):
    sandbox = serve(mini_portal, live=LiveConfig(seed=3, every_requests=2))
    before = result(sandbox, "crm.deal.list", {"select": ["ID"]})["total"]
    result(sandbox, "crm.deal.list", {"select": ["ID"]})  # second request: the portal changes after it
    after = result(sandbox, "crm.deal.list", {"select": ["ID"]})["total"]
    assert sandbox.live.step == 1
    assert after == before + 3 - 1  # 3 deals created, 1 deleted


def test_control_endpoint_advances_and_reports(serve, mini_portal):
    sandbox = serve(mini_portal, live=LiveConfig(seed=4))
    base = sandbox.webhook_url.split("/rest/")[0]
    refused = requests.post(f"{base}/sandbox/live/advance?steps=2&token=nope", timeout=10)
    assert refused.status_code == 403
    advanced = requests.post(f"{base}/sandbox/live/advance?steps=2&token={TOKEN}", timeout=10).json()
    assert advanced["step"] == 2
    assert advanced["changes"]["deals_created"] == 6  # 3 per step
    status = requests.get(f"{base}/sandbox/status?token={TOKEN}", timeout=10).json()
    assert status["live_step"] == 2 and status["clock"] == "2025-03-01T14:00:00+03:00"
