"""The store's key-range fast path gives exactly what the general SQL path gives."""

from __future__ import annotations

import random

import orjson
import pytest

from sandbox.store.filters import parse_conditions
from sandbox.store.key_index import KeyIndex
from sandbox.store.portal import PortalStore
from tests.conftest import write_array

QUERIES = [
    ({}, [], 0),
    ({">ID": 40}, [("ID", "ASC")], 0),
    ({">=ID": 40, "<ID": 45}, [], 0),
    ({">ID": 10}, [("ID", "DESC")], 5),
    ({"=ID": 77}, [], 0),
    ({">ID": ""}, [("ID", "ASC")], 100),
    ({"<=ID": 3}, [("ID", "DESC")], 0),
]


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    ids = [i for i in range(1, 200) if i % 7]  # gaps, like a portal after deletions
    rows = [{"ID": str(i), "TITLE": f"Deal {i}"} for i in ids]
    sorted_dir, shuffled_dir = tmp_path_factory.mktemp("sorted"), tmp_path_factory.mktemp("shuffled")
    write_array(sorted_dir / "crm.deal.list.json", rows)
    shuffled = rows[:]
    random.Random(1).shuffle(shuffled)
    write_array(shuffled_dir / "crm.deal.list.json", shuffled)
    fast, general = PortalStore(sorted_dir), PortalStore(shuffled_dir)
    yield fast.table("crm.deal.list"), general.table("crm.deal.list")
    fast.close()
    general.close()


@pytest.mark.parametrize(("filter_", "order", "offset"), QUERIES)
def test_fast_path_equals_sql_path(stores, filter_, order, offset):
    fast, general = stores
    got = fast.page(parse_conditions(filter_), order, offset, 50, count=True)
    expected = general.page(parse_conditions(filter_), order, offset, 50, count=True)
    assert fast._index() is not None and general._index() is None
    assert [orjson.loads(doc) for doc in got.docs] == [orjson.loads(doc) for doc in expected.docs]
    assert got.total == expected.total


def test_key_index_refuses_unsorted_keys():
    assert KeyIndex.from_arrays([1.0, 3.0, 2.0], [1, 2, 3]) is None
    index = KeyIndex.from_arrays([1.0, 5.0, 9.0], [1, 2, 4])
    assert index.bounds([(">", 1.0), ("<=", 9.0)]) == (1, 3)
    assert index.bounds([("=", 4.0)]) == (1, 1)
