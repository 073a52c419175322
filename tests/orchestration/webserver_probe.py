"""Starts dagster-webserver on 127.0.0.1, reads the asset graph, schedules and sensors through its
GraphQL API, prints them as JSON and stops the server. test_webserver.py runs it inside a network
namespace with no route out (`unshare -n`), so the UI is shown to work with no internet."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

QUERY = """{
  assetNodes { assetKey { path } groupName dependencyKeys { path } }
  repositoriesOrError { ... on RepositoryConnection { nodes { name location { name }
    schedules { name cronSchedule executionTimezone } sensors { name } } } }
}"""


def main(port: int, repo: Path) -> None:
    server = subprocess.Popen([str(Path(sys.executable).parent / "dagster-webserver"), "-h", "127.0.0.1",
                               "-p", str(port)], cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("webserver did not start: " + server.stderr.read().decode()[-2000:])
                time.sleep(1)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": QUERY}).encode(),
                                         headers={"Content-Type": "application/json"})
        for _ in range(60):  # the code location loads in the background
            with urllib.request.urlopen(request, timeout=60) as answer:
                body = json.loads(answer.read())
            if body.get("data", {}).get("assetNodes"):
                break
            time.sleep(2)
        print(json.dumps(body))
    finally:
        server.terminate()
        server.wait(timeout=60)


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
