"""The corpus of ordinary scientific functions (benchmarks/corpus/): each is right or refused.

``python benchmarks/corpus_run.py`` prints how many differentiate correctly; here every
function must end as a right gradient or a clear refusal, never a wrong number or a crash.
"""
import pathlib
import sys

import pytest

BENCHMARKS = pathlib.Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import corpus_run  # noqa: E402


@pytest.mark.parametrize("name,fn,args,wrt", corpus_run.CASES, ids=[c[0] for c in corpus_run.CASES])
def test_corpus_function_is_right_or_refused(name, fn, args, wrt):
    status, detail = corpus_run.check(fn, args, wrt)
    assert status in ("pass", "refused"), f"{name}: {status}: {detail}"
