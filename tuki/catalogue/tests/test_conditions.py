import json
from pathlib import Path

import pytest

from tuki.catalogue import conditions
from tuki.lib.errors import ServiceError

CASES = json.loads((Path(__file__).parent / "condition_cases.json").read_text())


@pytest.mark.parametrize("case", CASES["holds"], ids=lambda c: c["name"])
def test_the_python_evaluator_gives_each_shared_case_its_answer(case):
    assert conditions.holds(case["condition"], case["values"]) is case["holds"]


@pytest.mark.parametrize("case", CASES["resolve"], ids=lambda c: c["name"])
def test_the_python_resolver_gives_each_shared_form_its_states(case):
    states = conditions.resolve([tuple(f) for f in case["fields"]], case["values"])
    got = {k: {"shown": s.shown, "required": s.required} for k, s in states.items()}
    assert got == case["states"]


def test_a_condition_is_cleaned_to_known_fields_and_operators():
    data = {"effect": "show", "all": [{"field": "dock", "op": "in", "value": "a, b"}]}
    assert conditions.clean_condition(data, ["dock", "monitors"], "monitors") == {
        "effect": "show",
        "all": [{"field": "dock", "op": "in", "value": ["a", "b"]}],
    }
    assert conditions.clean_condition({}, ["dock"]) == {}


@pytest.mark.parametrize(
    "data",
    [
        {"effect": "explode", "all": [{"field": "dock", "op": "eq", "value": 1}]},
        {"all": [{"field": "nope", "op": "eq", "value": 1}]},
        {"all": [{"field": "monitors", "op": "eq", "value": 1}]},  # itself
        {"all": [{"field": "dock", "op": "between", "value": 1}]},
        {"all": []},
        "text",
    ],
)
def test_a_bad_condition_is_a_field_error(data):
    with pytest.raises(ServiceError) as caught:
        conditions.clean_condition(data, ["dock", "monitors"], "monitors")
    assert caught.value.field == "condition"
