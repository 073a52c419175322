"""The business rules (`business_rules.yml`): which CRM facts are the events the plans count, which
custom fields hold payment form, sales channel and area, and what serving a customer costs.

    stages:          {booking: [stage ids], contract: [...], payment: [...]}
    activities:      [{kind, type, subject_starts_with?}, ...]   first match names the kind
    deal_fields:     {payment_form: UF_CRM_..., ...}   or per portal: {payment_form: {portal: UF_CRM_...}}
    cost_rates:      {activity: {<activity type>: rate}, call_minute: rate}   account currency

Every stage id and field must exist in the warehouse's portals; errors name the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from pipelines.inputs.errors import InputError, raise_all
from pipelines.inputs.reference import WarehouseReference

STAGE_EVENTS = ("booking", "contract", "payment")
ACTIVITY_KINDS = ("call", "meeting", "showing")
# stg_bitrix24__activities.activity_type (the API's TYPE_ID)
ACTIVITY_TYPES = ("meeting", "call", "task", "email", "calendar_event", "provider_activity")
DEAL_FIELD_ROLES = ("payment_form", "sales_channel", "area_m2")
SECTIONS = ("stages", "activities", "deal_fields", "cost_rates")


@dataclass(frozen=True)
class ActivityRule:
    priority: int
    kind: str
    activity_type: str
    subject_starts_with: str | None


@dataclass
class BusinessRules:
    event_stages: list[tuple[str, str]] = field(default_factory=list)  # (event, stage id)
    activity_rules: list[ActivityRule] = field(default_factory=list)
    deal_fields: list[tuple[str | None, str, str]] = field(default_factory=list)  # (portal or None, role, UF code)
    activity_rates: dict[str, Decimal] = field(default_factory=dict)  # activity type -> cost per completed one
    call_minute_rate: Decimal = Decimal(0)


def read_business_rules(path: Path, reference: WarehouseReference) -> BusinessRules:
    reader = _Reader(path)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        line = getattr(getattr(error, "problem_mark", None), "line", None)
        raise InputError(path, line + 1 if line is not None else None, f"not valid YAML: {error}") from None
    rules = BusinessRules()
    sections = reader.mapping(root, "the file", SECTIONS) if root is not None else {}
    if "stages" in sections:
        for event, stages in reader.mapping(sections["stages"], "stages", STAGE_EVENTS).items():
            for stage in reader.sequence(stages, f"stages.{event}"):
                stage_id = reader.text(stage, f"stages.{event}")
                if stage_id is not None and reference.deal_stages and stage_id not in reference.deal_stages:
                    reader.fail(stage, f"stages.{event}: stage {stage_id!r} does not exist in any portal "
                                       f"(deal stages: {', '.join(sorted(reference.deal_stages))})")
                elif stage_id is not None:
                    rules.event_stages.append((event, stage_id))
    if "activities" in sections:
        for priority, item in enumerate(reader.sequence(sections["activities"], "activities"), start=1):
            rule = reader.mapping(item, "activities[]", ("kind", "type", "subject_starts_with"))
            kind = reader.choice(rule.get("kind"), "activities[].kind", ACTIVITY_KINDS, item)
            kind_type = reader.choice(rule.get("type"), "activities[].type", ACTIVITY_TYPES, item)
            prefix = reader.text(rule["subject_starts_with"], "subject_starts_with") if "subject_starts_with" in rule else None
            if kind and kind_type:
                rules.activity_rules.append(ActivityRule(priority, kind, kind_type, prefix))
    if "deal_fields" in sections:
        known = reference.custom_fields.get("deal", frozenset())
        for role, value in reader.mapping(sections["deal_fields"], "deal_fields", DEAL_FIELD_ROLES).items():
            per_portal = (reader.mapping(value, f"deal_fields.{role}", None).items()
                          if isinstance(value, yaml.MappingNode) else [(None, value)])
            for portal, code_node in per_portal:
                code = reader.text(code_node, f"deal_fields.{role}")
                if code is None:
                    continue
                if known and code not in known:
                    reader.fail(code_node, f"deal_fields.{role}: {code!r} is not a deal custom field "
                                           f"(known: {', '.join(sorted(known))})")
                elif portal is not None and portal not in reference.portals:
                    reader.fail(code_node, f"deal_fields.{role}: portal {portal!r} is not in the warehouse")
                else:
                    rules.deal_fields.append((portal, role, code))
    if "cost_rates" in sections:
        rates = reader.mapping(sections["cost_rates"], "cost_rates", ("activity", "call_minute"))
        if "activity" in rates:
            for activity_type, rate in reader.mapping(rates["activity"], "cost_rates.activity", ACTIVITY_TYPES).items():
                value = reader.amount(rate, f"cost_rates.activity.{activity_type}")
                if value is not None:
                    rules.activity_rates[activity_type] = value
        if "call_minute" in rates:
            rules.call_minute_rate = reader.amount(rates["call_minute"], "cost_rates.call_minute") or Decimal(0)
    raise_all(reader.errors)
    return rules


class _Reader:
    """Walks the YAML node tree, collecting errors with the node's line."""

    def __init__(self, path: Path):
        self.path, self.errors = path, []

    def fail(self, node, message: str) -> None:
        self.errors.append(InputError(self.path, node.start_mark.line + 1, message))

    def mapping(self, node, what: str, allowed: tuple[str, ...] | None) -> dict:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping")
            return {}
        result = {}
        for key, value in node.value:
            if key.value in result:
                self.fail(key, f"{what}: key {key.value!r} is given twice")
            elif allowed is not None and key.value not in allowed:
                self.fail(key, f"{what}: unknown key {key.value!r}; expected one of {', '.join(allowed)}")
            else:
                result[key.value] = value
        return result

    def sequence(self, node, what: str) -> list:
        if isinstance(node, yaml.SequenceNode):
            return node.value
        self.fail(node, f"{what} must be a list")
        return []

    def text(self, node, what: str) -> str | None:
        if isinstance(node, yaml.ScalarNode) and str(node.value).strip():
            return str(node.value).strip()
        self.fail(node, f"{what} must be a non-empty value")
        return None

    def choice(self, node, what: str, allowed: tuple[str, ...], parent) -> str | None:
        if node is None:
            self.fail(parent, f"{what} is missing")
            return None
        value = self.text(node, what)
        if value is not None and value not in allowed:
            self.fail(node, f"{what} {value!r} is not one of {', '.join(allowed)}")
            return None
        return value

    def amount(self, node, what: str) -> Decimal | None:
        value = self.text(node, what)
        if value is None:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            self.fail(node, f"{what} {value!r} is not a number")
            return None
        if not number.is_finite() or number < 0:
            self.fail(node, f"{what} {value!r} is not a non-negative number")
            return None
        return number
