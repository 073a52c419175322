"""Business input files (pipelines/inputs): sales plans, working calendar and business rules are
parsed into exact values, every error names the file, the line and the value at fault, all the
problems of all the files are reported together, and nothing is loaded unless every file is valid.

File-level tests check against a hand-built `WarehouseReference` (portal p1, managers 2 and 4,
department 3, pipelines 0 and 1); the load tests extract the hand-written plan/fact portal
(tests/fixtures/portals/planfact, portal 127.0.0.1) into DuckDB and load its inputs with dlt.
"""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from pipelines.inputs.business_rules import ActivityRule, read_business_rules
from pipelines.inputs.errors import InputError, InputErrors
from pipelines.inputs.load import TEMPLATES_DIR, InputFiles, load_inputs, read_inputs
from pipelines.inputs.reference import WarehouseReference
from pipelines.inputs.sales_plans import PlanRow, read_sales_plans
from pipelines.inputs.working_calendar import CalendarDay, read_working_calendar
from tests.conftest import FIXTURES
from tests.pipelines.conftest import extract_portal

REFERENCE = WarehouseReference(
    portals=frozenset({"p1"}),
    users=frozenset({("p1", "2"), ("p1", "4")}),
    departments=frozenset({("p1", "3")}),
    pipelines=frozenset({("p1", "0"), ("p1", "1")}),
    deal_stages=frozenset({"C1:UC_BOOKING", "C1:UC_CONTRACT", "C1:UC_PAYMENT", "PREPAYMENT_INVOICE", "NEW"}),
    custom_fields={"deal": frozenset({"UF_CRM_1709632145", "UF_CRM_1709632367", "UF_CRM_1709632512"})},
)
PLANS_HEADER = "portal_id,month,scope,scope_id,metric,plan\n"
CALENDAR_HEADER = "date,day_type,name\n"
PLANFACT_PORTAL = FIXTURES / "portals" / "planfact"


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(reader, path: Path, *args) -> InputError:
    with pytest.raises(InputError) as raised:
        reader(path, *args)
    return raised.value


# --- sales plans -------------------------------------------------------------------------------

def test_valid_sales_plans_parse_into_exact_rows(tmp_path):
    path = write(tmp_path, "sales_plans.csv",
                 "# plans of March\n"
                 + PLANS_HEADER
                 + "p1,2025-03,manager,2,deal_value,400000.50\n"
                 + "\n"
                 + "# the department and the pipeline\n"
                 + " p1 , 2025-12 , department , 3 , units , 3 \n"
                 + "p1,2025-03,pipeline,0,area_m2,0\n"
                 + "p1,2025-03,company,,payments,2000000\n")
    assert read_sales_plans(path, REFERENCE) == [
        PlanRow("p1", date(2025, 3, 1), "manager", "2", "deal_value", D("400000.50"), 3),
        PlanRow("p1", date(2025, 12, 1), "department", "3", "units", D("3"), 6),
        PlanRow("p1", date(2025, 3, 1), "pipeline", "0", "area_m2", D("0"), 7),
        PlanRow("p1", date(2025, 3, 1), "company", None, "payments", D("2000000"), 8),
    ]


def test_the_sales_plans_template_has_no_rows():
    assert read_sales_plans(TEMPLATES_DIR / "sales_plans.csv", REFERENCE) == []


@pytest.mark.parametrize("row, message", [
    ("p1,2025-03,manager,9,units,4", "manager '9' is not a user of portal p1"),
    ("p1,2025-03,department,7,units,4", "department '7' is not a department of portal p1"),
    ("p1,2025-03,pipeline,5,units,4", "pipeline '5' is not a pipeline of portal p1"),
    ("p9,2025-03,manager,2,units,4", "portal_id 'p9' is not a portal in the warehouse (known: p1)"),
    (",2025-03,manager,2,units,4", "portal_id is empty"),
    ("p1,2025-03,manager,2,units,-5", "plan '-5' is negative"),
    ("p1,2025-03,manager,2,units,ten", "plan 'ten' is not a number"),
    ('p1,2025-03,manager,2,units,"1,000"', "plan '1,000' is not a number"),
    ("p1,2025-03,manager,2,units,NaN", "plan 'NaN' is not a number"),
    ("p1,2025-13,manager,2,units,4", "month '2025-13' is not YYYY-MM"),
    ("p1,2025/03,manager,2,units,4", "month '2025/03' is not YYYY-MM"),
    ("p1,2025-00,manager,2,units,4", "month '2025-00' is not YYYY-MM"),
    ("p1,2025-03,team,2,units,4", "scope 'team' is not one of manager, department, pipeline, company"),
    ("p1,2025-03,manager,2,revenue,4",
     "metric 'revenue' is not one of leads, calls, meetings, showings, bookings, contracts, payment_deals, "
     "units, deal_value, area_m2, payments"),
    ("p1,2025-03,company,2,units,4", "scope_id '2' must be empty for the company scope"),
    ("p1,2025-03,manager,,units,4", "scope_id is empty: a manager plan names the manager's ID"),
    ("p1,2025-03,pipeline,,units,4", "scope_id is empty: a pipeline plan names the pipeline's ID"),
], ids=["unknown-manager", "unknown-department", "unknown-pipeline", "unknown-portal", "empty-portal",
        "negative-plan", "non-numeric-plan", "thousands-separator", "nan-plan", "month-13", "month-slash",
        "month-00", "unknown-scope", "unknown-metric", "company-with-scope-id", "manager-without-scope-id",
        "pipeline-without-scope-id"])
def test_a_bad_plan_row_names_file_line_and_value(tmp_path, row, message):
    path = write(tmp_path, "sales_plans.csv", PLANS_HEADER + "p1,2025-03,manager,4,units,1\n" + row + "\n")
    error = error_of(read_sales_plans, path, REFERENCE)
    assert type(error) is InputError
    assert str(error) == f"{path} line 3: {message}"
    assert (error.path, error.line, error.message) == (path, 3, message)


def test_a_duplicated_plan_names_both_lines(tmp_path):
    path = write(tmp_path, "sales_plans.csv", PLANS_HEADER
                 + "p1,2025-03,manager,2,units,4\n"
                 + "p1,2025-03,manager,4,units,4\n"
                 + "p1,2025-03,manager,2,units,5\n"
                 + "p1,2025-03,company,,units,9\n"
                 + "p1,2025-03,company,,units,9\n")
    error = error_of(read_sales_plans, path, REFERENCE)
    assert str(error) == (f"{path} line 4: duplicate plan: manager 2 units 2025-03 is already planned on line 2\n"
                          f"{path} line 6: duplicate plan: company units 2025-03 is already planned on line 5")


def test_a_missing_column_is_reported_on_the_header_line(tmp_path):
    path = write(tmp_path, "sales_plans.csv", "# comment\nportal_id,month,scope,metric,plan\np1,2025-03,company,units,4\n")
    assert str(error_of(read_sales_plans, path, REFERENCE)) == (
        f"{path} line 2: missing column(s) scope_id; expected portal_id, month, scope, scope_id, metric, plan")


def test_an_unknown_column_is_reported_on_the_header_line(tmp_path):
    path = write(tmp_path, "sales_plans.csv", "portal_id,month,scope,scope_id,metric,plan,comment\n")
    assert str(error_of(read_sales_plans, path, REFERENCE)) == (
        f"{path} line 1: unknown column(s) comment; expected portal_id, month, scope, scope_id, metric, plan")


def test_an_empty_file_misses_every_column(tmp_path):
    path = write(tmp_path, "sales_plans.csv", "")
    assert str(error_of(read_sales_plans, path, REFERENCE)) == (
        f"{path} line 1: missing column(s) portal_id, month, scope, scope_id, metric, plan; "
        f"expected portal_id, month, scope, scope_id, metric, plan")


def test_a_row_with_the_wrong_number_of_values(tmp_path):
    path = write(tmp_path, "sales_plans.csv", PLANS_HEADER + "p1,2025-03,manager,2,units\n")
    assert str(error_of(read_sales_plans, path, REFERENCE)) == (
        f"{path} line 2: 5 values for 6 columns: 'p1,2025-03,manager,2,units'")


def test_every_error_of_a_plans_file_is_reported(tmp_path):
    path = write(tmp_path, "sales_plans.csv", PLANS_HEADER
                 + "p1,2025-03,manager,99,units,4\n"
                 + "p1,2025-03,manager,2,units,4\n"
                 + "p1,2025-13,manager,2,units,4\n"
                 + "p1,2025-03,manager,4,calls,-1\n")
    error = error_of(read_sales_plans, path, REFERENCE)
    assert isinstance(error, InputErrors)
    assert [(e.line, e.message) for e in error.errors] == [
        (2, "manager '99' is not a user of portal p1"),
        (4, "month '2025-13' is not YYYY-MM"),
        (5, "plan '-1' is negative"),
    ]
    assert str(error).splitlines() == [
        f"{path} line 2: manager '99' is not a user of portal p1",
        f"{path} line 4: month '2025-13' is not YYYY-MM",
        f"{path} line 5: plan '-1' is negative",
    ]


def test_a_wrong_length_row_does_not_hide_the_other_errors(tmp_path):
    path = write(tmp_path, "sales_plans.csv", PLANS_HEADER
                 + "p1,2025-03,manager,99,units,4\n"
                 + "p1,2025-03,manager,2,units\n"
                 + "p1,2025-03,manager,4,units,xx\n")
    assert str(error_of(read_sales_plans, path, REFERENCE)).splitlines() == [
        f"{path} line 2: manager '99' is not a user of portal p1",
        f"{path} line 3: 5 values for 6 columns: 'p1,2025-03,manager,2,units'",
        f"{path} line 4: plan 'xx' is not a number",
    ]


# --- working calendar --------------------------------------------------------------------------

def test_calendar_dates_must_be_written_yyyy_mm_dd(tmp_path):
    path = write(tmp_path, "working_calendar.csv", CALENDAR_HEADER + "20250310,holiday,Compact\n")
    assert str(error_of(read_working_calendar, path)) == f"{path} line 2: date '20250310' is not YYYY-MM-DD"


def test_valid_working_calendar(tmp_path):
    path = write(tmp_path, "working_calendar.csv", "# holidays\n" + CALENDAR_HEADER
                 + "2025-03-10,holiday,Women's Day (transferred)\n\n"
                 + "2025-11-01,working_day,Transferred working day\n")
    assert read_working_calendar(path) == [
        CalendarDay(date(2025, 3, 10), False, "Women's Day (transferred)", 3),
        CalendarDay(date(2025, 11, 1), True, "Transferred working day", 5),
    ]


def test_the_calendar_template_is_valid():
    days = read_working_calendar(TEMPLATES_DIR / "working_calendar.csv")
    assert (len(days), days[0], days[-1]) == (
        50, CalendarDay(date(2024, 1, 1), False, "New Year holidays", 7),
        CalendarDay(date(2026, 12, 31), False, "New Year's Eve", 56))


@pytest.mark.parametrize("row, message", [
    ("2025-02-30,holiday,x", "date '2025-02-30' is not YYYY-MM-DD"),
    ("10.03.2025,holiday,x", "date '10.03.2025' is not YYYY-MM-DD"),
    ("2025-03-10,weekend,x", "day_type 'weekend' is not one of holiday, working_day"),
], ids=["impossible-date", "dotted-date", "bad-day-type"])
def test_a_bad_calendar_row(tmp_path, row, message):
    path = write(tmp_path, "working_calendar.csv", CALENDAR_HEADER + "2025-01-01,holiday,New Year\n" + row + "\n")
    assert str(error_of(read_working_calendar, path)) == f"{path} line 3: {message}"


def test_a_duplicated_calendar_date_names_both_lines(tmp_path):
    path = write(tmp_path, "working_calendar.csv", CALENDAR_HEADER
                 + "2025-03-10,holiday,a\n2025-03-11,holiday,b\n2025-03-10,working_day,c\n")
    assert str(error_of(read_working_calendar, path)) == f"{path} line 4: date 2025-03-10 is already listed on line 2"


# --- business rules ----------------------------------------------------------------------------

def test_the_rules_template_parses_into_exact_rules():
    rules = read_business_rules(TEMPLATES_DIR / "business_rules.yml", REFERENCE)
    assert rules.event_stages == [("booking", "C1:UC_BOOKING"), ("contract", "C1:UC_CONTRACT"),
                                  ("payment", "C1:UC_PAYMENT"), ("payment", "PREPAYMENT_INVOICE")]
    assert rules.activity_rules == [ActivityRule(1, "showing", "meeting", "Showing:"),
                                    ActivityRule(2, "meeting", "meeting", None),
                                    ActivityRule(3, "call", "call", None)]
    assert rules.deal_fields == [(None, "payment_form", "UF_CRM_1709632145"),
                                 (None, "sales_channel", "UF_CRM_1709632367"),
                                 (None, "area_m2", "UF_CRM_1709632512")]
    assert rules.activity_rates == {"call": D("0"), "meeting": D("2500"), "email": D("50"), "task": D("300"),
                                    "calendar_event": D("300"), "provider_activity": D("50")}
    assert rules.call_minute_rate == D("20")


@pytest.mark.parametrize("text, line, message", [
    ("stages:\n  booking: [C1:UC_BOOKING]\n  payment:\n    - C1:UC_PAYMENT\n    - C1:UC_PAID\n", 5,
     "stages.payment: stage 'C1:UC_PAID' does not exist in any portal "
     "(deal stages: C1:UC_BOOKING, C1:UC_CONTRACT, C1:UC_PAYMENT, NEW, PREPAYMENT_INVOICE)"),
    ("stages:\n  signed: [C1:UC_CONTRACT]\n", 2,
     "stages: unknown key 'signed'; expected one of booking, contract, payment"),
    ("stages:\n  booking: C1:UC_BOOKING\n", 2, "stages.booking must be a list"),
    ("activities:\n  - kind: call\n    type: call\n  - kind: call\n    type: phone\n", 5,
     "activities[].type 'phone' is not one of meeting, call, task, email, calendar_event, provider_activity"),
    ("activities:\n  - kind: visit\n    type: meeting\n", 2,
     "activities[].kind 'visit' is not one of call, meeting, showing"),
    ("activities:\n  - type: meeting\n", 2, "activities[].kind is missing"),
    ("stages: {}\nbudgets:\n  march: 1\n", 2,
     "the file: unknown key 'budgets'; expected one of stages, activities, deal_fields, cost_rates"),
    ("deal_fields:\n  payment_form: UF_CRM_1709632145\n  area_m2: UF_CRM_999\n", 3,
     "deal_fields.area_m2: 'UF_CRM_999' is not a deal custom field "
     "(known: UF_CRM_1709632145, UF_CRM_1709632367, UF_CRM_1709632512)"),
    ("deal_fields:\n  payment_form:\n    p9: UF_CRM_1709632145\n", 3,
     "deal_fields.payment_form: portal 'p9' is not in the warehouse"),
    ("cost_rates:\n  activity:\n    meeting: -5\n", 3, "cost_rates.activity.meeting '-5' is not a non-negative number"),
    ("cost_rates:\n  call_minute: -1\n", 2, "cost_rates.call_minute '-1' is not a non-negative number"),
    ("cost_rates:\n  activity:\n    call: free\n", 3, "cost_rates.activity.call 'free' is not a number"),
    ("cost_rates:\n  activity:\n    fax: 1\n", 3,
     "cost_rates.activity: unknown key 'fax'; expected one of meeting, call, task, email, calendar_event, "
     "provider_activity"),
], ids=["unknown-stage", "unknown-event", "stages-not-a-list", "unknown-activity-type", "unknown-activity-kind",
        "missing-kind", "unknown-top-level-key", "unknown-custom-field", "unknown-portal-in-deal-fields",
        "negative-activity-rate", "negative-call-minute-rate", "non-numeric-rate", "unknown-rate-type"])
def test_a_bad_rule_names_file_line_and_value(tmp_path, text, line, message):
    path = write(tmp_path, "business_rules.yml", text)
    error = error_of(read_business_rules, path, REFERENCE)
    assert type(error) is InputError
    assert str(error) == f"{path} line {line}: {message}"


def test_invalid_yaml_is_reported_with_its_line(tmp_path):
    path = write(tmp_path, "business_rules.yml", "stages:\n  booking: [C1:UC_BOOKING]\n  contract: [C1:UC_CONTRACT\n"
                                                 "activities: []\n")
    error = error_of(read_business_rules, path, REFERENCE)
    assert str(error).startswith(f"{path} line 4: not valid YAML: ")
    assert error.line == 4


def test_a_key_given_twice_is_an_error(tmp_path):
    path = write(tmp_path, "business_rules.yml", "stages:\n  booking: [C1:UC_BOOKING]\nstages:\n  contract: [NEW]\n")
    assert str(error_of(read_business_rules, path, REFERENCE)) == f"{path} line 3: the file: key 'stages' is given twice"


def test_per_portal_deal_fields(tmp_path):
    path = write(tmp_path, "business_rules.yml",
                 "deal_fields:\n  payment_form: {p1: UF_CRM_1709632145}\n  area_m2:\n    p1: UF_CRM_1709632512\n")
    rules = read_business_rules(path, REFERENCE)
    assert rules.deal_fields == [("p1", "payment_form", "UF_CRM_1709632145"), ("p1", "area_m2", "UF_CRM_1709632512")]
    assert (rules.event_stages, rules.activity_rules, rules.activity_rates, rules.call_minute_rate) == ([], [], {}, D(0))


def test_every_error_of_a_rules_file_is_reported(tmp_path):
    path = write(tmp_path, "business_rules.yml",
                 "stages:\n  booking: [GHOST]\nactivities:\n  - kind: call\n    type: phone\n"
                 "cost_rates:\n  call_minute: -1\n")
    error = error_of(read_business_rules, path, REFERENCE)
    assert isinstance(error, InputErrors) and len(error.errors) == 3
    assert [line.split(": ", 1)[0] for line in str(error).splitlines()] == [
        f"{path} line 2", f"{path} line 5", f"{path} line 7"]


# --- all files together ------------------------------------------------------------------------

def test_read_inputs_reports_the_errors_of_every_file_together(tmp_path):
    plans = write(tmp_path, "sales_plans.csv", PLANS_HEADER + "p1,2025-03,manager,9,units,4\np1,2025-03,nobody,,units,4\n")
    calendar = write(tmp_path, "working_calendar.csv", CALENDAR_HEADER + "2025-03-32,holiday,x\n")
    rules = write(tmp_path, "business_rules.yml", "stages:\n  booking: [GHOST]\n")
    with pytest.raises(InputErrors) as raised:
        read_inputs(InputFiles(plans, calendar, rules), REFERENCE)
    assert str(raised.value).splitlines() == [
        f"{plans} line 2: manager '9' is not a user of portal p1",
        f"{plans} line 3: scope 'nobody' is not one of manager, department, pipeline, company",
        f"{calendar} line 2: date '2025-03-32' is not YYYY-MM-DD",
        f"{rules} line 2: stages.booking: stage 'GHOST' does not exist in any portal "
        f"(deal stages: C1:UC_BOOKING, C1:UC_CONTRACT, C1:UC_PAYMENT, NEW, PREPAYMENT_INVOICE)",
    ]
    assert len(raised.value.errors) == 4


def test_read_inputs_reports_a_missing_file(tmp_path):
    missing = tmp_path / "working_calendar.csv"
    with pytest.raises(InputError) as raised:
        read_inputs(InputFiles(None, missing, TEMPLATES_DIR / "business_rules.yml"), REFERENCE)
    assert str(raised.value) == f"{missing}: file not found"


def test_read_inputs_without_plans(tmp_path):
    plans, calendar, rules = read_inputs(InputFiles.from_directory(tmp_path), REFERENCE)
    assert (plans, len(calendar), len(rules.event_stages)) == ([], 50, 4)


def test_input_files_fall_back_to_templates_except_for_plans(tmp_path):
    assert InputFiles.from_directory(tmp_path) == InputFiles(
        None, TEMPLATES_DIR / "working_calendar.csv", TEMPLATES_DIR / "business_rules.yml")
    for name in ("sales_plans.csv", "working_calendar.csv", "business_rules.yml"):
        write(tmp_path, name, "")
    assert InputFiles.from_directory(tmp_path) == InputFiles(
        tmp_path / "sales_plans.csv", tmp_path / "working_calendar.csv", tmp_path / "business_rules.yml")


# --- loading into a real warehouse -------------------------------------------------------------

INPUT_TABLES = ("sales_plans", "calendar_days", "business_event_stages", "business_activity_rules",
                "business_deal_fields", "cost_rates")
PLANFACT_COUNTS = {"sales_plans": 13, "calendar_days": 1, "business_event_stages": 4,
                   "business_activity_rules": 3, "business_deal_fields": 3, "cost_rates": 7}


@pytest.fixture(scope="module")
def planfact_warehouse(tmp_path_factory):
    """The plan/fact portal served and extracted into DuckDB (no inputs, no dbt)."""
    return extract_portal(PLANFACT_PORTAL, tmp_path_factory.mktemp("inputs-warehouse"))


def counts(warehouse) -> dict[str, int]:
    con = duckdb.connect(str(warehouse.duckdb_path), read_only=True)
    try:
        return {table: con.execute(f"select count(*) from inputs.{table}").fetchone()[0] for table in INPUT_TABLES}
    finally:
        con.close()


def bad_plans_dir(tmp_path: Path) -> Path:
    """The fixture's inputs with manager 2 on line 3 of sales_plans.csv turned into 99."""
    directory = tmp_path / "bad-inputs"
    shutil.copytree(PLANFACT_PORTAL / "inputs", directory)
    plans = directory / "sales_plans.csv"
    lines = plans.read_text().splitlines(keepends=True)
    assert lines[2] == "127.0.0.1,2025-03,manager,2,deal_value,400000\n"
    lines[2] = "127.0.0.1,2025-03,manager,99,deal_value,400000\n"
    plans.write_text("".join(lines))
    return directory


def load_fixture_inputs(warehouse):
    loaded = load_inputs(warehouse, InputFiles.from_directory(PLANFACT_PORTAL / "inputs"))
    assert (loaded.plans, loaded.calendar_days) == (13, 1)
    return loaded


def test_load_inputs_fills_the_inputs_schema(planfact_warehouse):
    loaded = load_fixture_inputs(planfact_warehouse)
    assert loaded.files.business_rules == TEMPLATES_DIR / "business_rules.yml"
    assert counts(planfact_warehouse) == PLANFACT_COUNTS
    con = duckdb.connect(str(planfact_warehouse.duckdb_path), read_only=True)
    try:
        assert con.execute("select portal_id, month_start, scope, scope_id, metric, plan, source_line "
                           "from inputs.sales_plans where source_line in (3, 15) order by source_line").fetchall() == [
            ("127.0.0.1", date(2025, 3, 1), "manager", "2", "deal_value", D("400000"), 3),
            ("127.0.0.1", date(2025, 3, 1), "department", "3", "units", D("3"), 15)]
        assert con.execute("select day, is_working_day, name from inputs.calendar_days").fetchall() == [
            (date(2025, 3, 10), False, "Women's Day (transferred)")]
    finally:
        con.close()


def test_invalid_inputs_change_nothing(planfact_warehouse, tmp_path):
    load_fixture_inputs(planfact_warehouse)
    bad = bad_plans_dir(tmp_path)
    with pytest.raises(InputError) as raised:
        load_inputs(planfact_warehouse, InputFiles.from_directory(bad))
    assert str(raised.value) == f"{bad / 'sales_plans.csv'} line 3: manager '99' is not a user of portal 127.0.0.1"
    assert counts(planfact_warehouse) == PLANFACT_COUNTS


def test_loading_without_a_plans_file_empties_the_plans(planfact_warehouse, tmp_path):
    load_fixture_inputs(planfact_warehouse)
    directory = tmp_path / "no-plans"
    directory.mkdir()
    shutil.copy(PLANFACT_PORTAL / "inputs" / "working_calendar.csv", directory)
    loaded = load_inputs(planfact_warehouse, InputFiles.from_directory(directory))
    assert (loaded.plans, loaded.files.sales_plans) == (0, None)
    assert counts(planfact_warehouse) == {**PLANFACT_COUNTS, "sales_plans": 0}


def test_cli_reports_bad_inputs_and_loads_nothing(planfact_warehouse, tmp_path, monkeypatch):
    from orchestration.cli.main import main

    load_fixture_inputs(planfact_warehouse)
    bad = bad_plans_dir(tmp_path)
    monkeypatch.chdir(tmp_path)  # the CLI keeps dlt's pipeline state under ./data/.dlt
    result = CliRunner().invoke(main, ["inputs", "load", "--warehouse", str(planfact_warehouse.duckdb_path),
                                       "--dir", str(bad)])
    assert result.exit_code == 1, result.output
    assert "inputs not loaded, nothing changed" in result.output
    assert f"{bad / 'sales_plans.csv'} line 3: manager '99' is not a user of portal 127.0.0.1" in result.output
    assert counts(planfact_warehouse) == PLANFACT_COUNTS
