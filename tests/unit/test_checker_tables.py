"""Every check against its table of right and wrong answers (tests/unit/checker_tables.py)."""
from __future__ import annotations

import types

import pytest

from dockerlab.exercises import Verdict, nb04, nb05, nb06, nb07, nb08, nb09, nb10, nb11, nb12, nb13, nb15

from . import checker_tables as T

X = types.SimpleNamespace(nb04=nb04, nb05=nb05, nb06=nb06, nb07=nb07, nb08=nb08, nb09=nb09, nb10=nb10,
                          nb11=nb11, nb12=nb12, nb13=nb13, nb15=nb15)
ROWS = [(check, i, row, right) for check, (_, rows) in T.TABLES.items() for i, (row, right) in enumerate(rows)]


@pytest.fixture(autouse=True)
def _own_progress_file(progress_file):
    return progress_file


@pytest.mark.parametrize("check,i,row,right", ROWS, ids=[f"{c}-{i}-{'right' if r else 'wrong'}" for c, i, _, r in ROWS])
def test_the_check_judges_the_row(check, i, row, right):
    call, _ = T.TABLES[check]
    got = call(X, row)
    if isinstance(got, Verdict):
        assert got.ok is right, repr(got)
        text = repr(got)
        assert text.startswith("✓" if right else "✗") and (right or (got.reason and (got.hint or not got.tried))), text
    else:
        assert got is right


@pytest.mark.parametrize("check", sorted(T.TABLES))
def test_every_table_has_fifteen_right_and_fifteen_wrong(check):
    rows = T.TABLES[check][1]
    right = sum(1 for _, r in rows if r)
    wrong = len(rows) - right
    assert wrong >= 15, (check, wrong)
    assert right >= 15, (check, right)
