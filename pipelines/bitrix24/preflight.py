"""The first contact with a portal: one `batch` call that checks the webhook before a run starts.

The extractor's transport retries dropped connections for minutes, which is right once a portal
has answered and wrong before: a mistyped host or token must fail in seconds with one line saying
which. One request carries a cheap call per scope the extraction needs, so a webhook missing a
scope is named before hours of extraction stop at the first telephony call. Answers that say the
portal is busy or failing (429, 5xx) are retried a few times by urllib3, as a live portal deserves.
"""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from pipelines.bitrix24.php_query import command
from pipelines.bitrix24.webhook import Webhook

# One cheap call per scope the extraction uses (none reads a record: ID 0 does not exist).
SCOPE_PROBES: dict[str, tuple[str, dict[str, Any]]] = {
    "crm": ("crm.deal.list", {"select": ["ID"], "filter": {"ID": 0}, "start": -1}),
    "user": ("user.get", {"FILTER": {"ID": 0}}),
    "department": ("department.get", {"ID": 0}),
    "telephony": ("voximplant.statistic.get", {"FILTER": {"ID": 0}, "start": -1}),
    "catalog": ("catalog.product.list", {"select": ["id"], "filter": {"id": 0}, "start": -1}),
}
_CREDENTIAL_ERRORS = {"INVALID_CREDENTIALS", "NO_AUTH_FOUND", "expired_token", "invalid_token", "user_access_error"}
_SCOPE_ERRORS = {"insufficient_scope", "ACCESS_DENIED"}


class PreflightError(RuntimeError):
    """The webhook cannot be used; `kind` says whether waiting could help ("unavailable") or a
    person must fix something ("unreachable", "credentials", "scope", "not_bitrix24")."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind

    @property
    def transient(self) -> bool:
        return self.kind == "unavailable"


def _session(attempts: int) -> requests.Session:
    retry = Retry(total=attempts - 1, connect=0, read=0, other=0, status=attempts - 1,
                  status_forcelist=(429, 500, 502, 503, 504), allowed_methods=None,
                  backoff_factor=0.5, respect_retry_after_header=True, raise_on_status=False)
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.headers.update({"User-Agent": "crm-warehouse/0.1 (pre-flight)", "Accept": "application/json"})
    return session


def check_webhook(webhook: Webhook, timeout: float = 10.0, attempts: int = 4) -> None:
    """Returns when the portal answers the webhook with every scope; raises PreflightError (one
    line, never the token) otherwise."""
    where = f"portal {webhook.host}"
    cmd = {scope: command(method, params) for scope, (method, params) in SCOPE_PROBES.items()}
    try:
        with _session(attempts) as session:
            response = session.post(webhook.base_url + "batch", json={"halt": 0, "cmd": cmd}, timeout=timeout)
    except requests.exceptions.SSLError as error:
        raise PreflightError("unreachable", f"{where}: TLS handshake failed ({_reason(webhook, error)})") from None
    except requests.exceptions.ConnectTimeout:
        raise PreflightError("unreachable", f"{where} is unreachable: no connection within {timeout:.0f} s") from None
    except requests.exceptions.ReadTimeout:
        raise PreflightError("unavailable", f"{where} did not answer within {timeout:.0f} s") from None
    except requests.exceptions.ConnectionError as error:
        raise PreflightError("unreachable", f"{where} is unreachable: {_reason(webhook, error)}; "
                                            "check the host and port of the webhook URL") from None
    try:
        body = response.json()
    except ValueError:
        raise PreflightError("unavailable" if response.status_code >= 500 else "not_bitrix24",
                             f"{where}: HTTP {response.status_code} with an answer that is not JSON; "
                             "is this a Bitrix24 webhook URL?") from None
    error = body.get("error") if isinstance(body, dict) else None
    if error in _CREDENTIAL_ERRORS:
        raise PreflightError("credentials", f"{where} refused the webhook ({error}, HTTP {response.status_code}): "
                                            "the user id or token of the webhook URL is wrong or revoked")
    if error == "ERROR_METHOD_NOT_FOUND" or response.status_code == 404:
        raise PreflightError("not_bitrix24", f"{where}: no REST method at this URL (HTTP {response.status_code}); "
                                             "a webhook URL looks like https://<portal>/rest/<user_id>/<token>/")
    if response.status_code in (429, 500, 502, 503, 504):
        raise PreflightError("unavailable", f"{where} is busy or failing: HTTP {response.status_code} "
                                            f"{error or ''} after {attempts} attempts".rstrip())
    if error or response.status_code != 200 or not isinstance(body.get("result"), dict):
        description = webhook.scrub(str(body.get("error_description", ""))) if isinstance(body, dict) else ""
        raise PreflightError("not_bitrix24", f"{where}: unexpected answer to batch (HTTP {response.status_code}"
                                             f"{', ' + str(error) if error else ''}{': ' + description if description else ''})")
    errors = body["result"].get("result_error") or {}
    missing = [f"{scope} ({SCOPE_PROBES[scope][0]}: {errors[scope].get('error')})"
               for scope in SCOPE_PROBES if isinstance(errors.get(scope), dict)
               and errors[scope].get("error") in _SCOPE_ERRORS | _CREDENTIAL_ERRORS]
    if missing:
        raise PreflightError("scope", f"{where}: the webhook lacks access to {', '.join(missing)}; "
                                      "add the scope(s) in the webhook's settings in Bitrix24")


def _reason(webhook: Webhook, error: BaseException) -> str:
    """The innermost cause in a few words (urllib3 wraps it twice), never with the token."""
    text = str(error)
    for marker in ("Connection refused", "Name or service not known", "Temporary failure in name resolution",
                   "No route to host", "Network is unreachable", "certificate verify failed", "timed out"):
        if marker in text:
            return marker.lower()
    return webhook.scrub(type(error).__name__)
