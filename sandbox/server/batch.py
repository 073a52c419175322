"""`batch`: up to 50 sub-calls in one request, with `$result[...]` references (reference §4).

Follows `CRestProvider::methodsBatch`: commands run in order; each is `method?query` parsed with
PHP `parse_str`; `$result|$next|$total|$time|$error[key][path...]` references in any key or
value are substituted from earlier answers (a whole-value reference takes the raw value, which
may be an array; a reference inside text is replaced as text; a path that does not resolve
gives an empty string); errors go to `result_error` and, with `halt`, stop the loop. The
response is 200 whatever the sub-calls did; empty maps are serialised as `[]`, as PHP does.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from sandbox.server.envelope import ApiError, MethodResult
from sandbox.server.params import get_param, lists_from_maps, parse_php_query

MAX_COMMANDS = 50
_REFERENCE = re.compile(r"\$(result|next|total|time|error)([^\s]*)", re.IGNORECASE)
_PATH = re.compile(r"\[([^\]]+)\]")

SubCall = Callable[[str, dict[str, Any]], tuple[MethodResult, dict[str, Any]]]


def php_array(mapping: dict[str, Any]) -> Any:
    """PHP's json_encode: an empty array is `[]`, keys 0..n-1 in order make a list."""
    if not mapping:
        return []
    keys = list(mapping)
    if all(key.isdigit() for key in keys) and [int(key) for key in keys] == list(range(len(keys))):
        return [mapping[key] for key in keys]
    return mapping


def _is_truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "y", "yes")


def _commands(raw: Any) -> list[tuple[str, str]]:
    if isinstance(raw, dict):
        return [(str(key), str(value)) for key, value in raw.items()]
    if isinstance(raw, list):
        return [(str(index), str(value)) for index, value in enumerate(raw)]
    return []


class _Answers:
    """The answers so far, addressable the way `$result[...]` references walk them."""

    def __init__(self) -> None:
        self.sections: dict[str, dict[str, Any]] = {"result": {}, "next": {}, "total": {}, "time": {}, "error": {}}

    def resolve(self, section: str, path: str) -> tuple[bool, Any]:
        """Walks `[a][b][0]`; like PHP, a missing key stops the walk at the last node reached."""
        segments = _PATH.findall(path)
        if not segments:
            return False, None
        node: Any = self.sections[section.lower()]
        for segment in segments:
            if isinstance(node, dict) and segment in node and node[segment] is not None:
                node = node[segment]
            elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node) and node[int(segment)] is not None:
                node = node[int(segment)]
            else:
                break
        return True, node

    def substitute(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {self.substitute(key): self.substitute(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.substitute(item) for item in value]
        if not isinstance(value, str) or "$" not in value:
            return value
        text = value
        for match in list(_REFERENCE.finditer(value)):
            found, resolved = self.resolve(match.group(1), match.group(2))
            if not found:
                continue
            if match.group(0) == text:
                return resolved  # the whole value: the raw node, even an array
            if isinstance(resolved, str):  # CRestUtil::processBatchElement skips non-strings
                text = text.replace(match.group(0), resolved)
        return text


def run_batch(params: dict[str, Any], call: SubCall) -> MethodResult:
    halt = _is_truthy(get_param(params, "halt", False))
    answers = _Answers()
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    totals: dict[str, Any] = {}
    nexts: dict[str, Any] = {}
    times: dict[str, Any] = {}
    for index, (key, command) in enumerate(_commands(get_param(params, "cmd"))):
        if index >= MAX_COMMANDS:
            errors[key] = {"error": "ERROR_BATCH_LENGTH_EXCEEDED", "error_description": "Max batch length exceeded"}
            if halt:
                break
            continue
        method, _, query = command.partition("?")
        method = method.strip().lower()
        if method.endswith(".json"):
            method = method[: -len(".json")]
        if method == "batch":
            errors[key] = {
                "error": "ERROR_BATCH_METHOD_NOT_ALLOWED",
                "error_description": "Method is not allowed for batch usage",
            }
            if halt:
                break
            continue
        # Lists first, then references: a substituted answer (a whole page of rows, say) is
        # already JSON-shaped and must not be walked again.
        sub_params = answers.substitute(lists_from_maps(parse_php_query(query)))
        try:
            outcome, time_info = call(method, sub_params)
        except ApiError as failure:
            errors[key] = {"error": failure.code, "error_description": failure.description}
            answers.sections["error"][key] = errors[key]
            if halt:
                break
            continue
        results[key] = outcome.result
        answers.sections["result"][key] = outcome.result
        if outcome.total is not None:
            totals[key] = outcome.total
            answers.sections["total"][key] = outcome.total
        if outcome.next is not None:
            nexts[key] = outcome.next
            answers.sections["next"][key] = outcome.next
        times[key] = time_info
        answers.sections["time"][key] = time_info
    body = {
        "result": php_array(results),
        "result_error": php_array(errors),
        "result_total": php_array(totals),
        "result_next": php_array(nexts),
        "result_time": php_array(times),
    }
    return MethodResult(result=body)
