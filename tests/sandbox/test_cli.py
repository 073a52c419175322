"""The sandbox subcommands of `crm-warehouse`, run as a user runs them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import requests
from click.testing import CliRunner

from orchestration.cli import main

CLI = str(Path(sys.executable).parent / "crm-warehouse")


def test_serve_prints_the_webhook_url_first_and_serves_a_hand_written_portal(mini_portal):
    process = subprocess.Popen(
        [CLI, "sandbox", "serve", "--portal", str(mini_portal), "--port", "0", "--token", "cli-token",
         "--index", "memory"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        first_lines = [process.stdout.readline() for _ in range(2)]
        assert first_lines[0].startswith("Bitrix24 sandbox portal:")
        url = re.match(r"Webhook URL: (http://127\.0\.0\.1:\d+/rest/1/cli-token/)$", first_lines[1].strip()).group(1)
        body = requests.post(url + "crm.deal.list", json={"select": ["ID"]}, timeout=10).json()
        assert body["total"] == 6
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def test_generate_then_snapshot_with_live_steps(tmp_path):
    runner = CliRunner()
    generated = runner.invoke(main, ["sandbox", "generate", "--out", str(tmp_path / "p"), "--scale", "tiny", "--seed", "3"])
    assert generated.exit_code == 0, generated.output
    assert "crm.deal.list.json" in generated.output
    snap = runner.invoke(main, ["sandbox", "snapshot", "--portal", str(tmp_path / "p"), "--out", str(tmp_path / "s"),
                                "--live-steps", "2", "--live-seed", "1"])
    assert snap.exit_code == 0, snap.output
    before = json.loads((tmp_path / "p" / "crm.deal.list.json").read_text())
    after = json.loads((tmp_path / "s" / "crm.deal.list.json").read_text())
    assert len(after) == len(before) + 2 * (3 - 1)  # per step: 3 deals created, 1 deleted


def test_bad_fault_spec_names_the_setting(mini_portal):
    result = CliRunner().invoke(main, ["sandbox", "serve", "--portal", str(mini_portal), "--faults", "boom=1"])
    assert result.exit_code == 2
    assert "--faults" in result.output and "unknown fault 'boom'" in result.output
