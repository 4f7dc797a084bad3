"""The line marks and tokens made once for every build (``emit.marks``, ``transforms.Tokens``):
asked in any order, they are the text a formatted number would be."""
from srcdiff.emit.marks import MARK, mark_of, unmarked
from srcdiff.ir import Var
from srcdiff.transforms.records import Tokens


def test_a_mark_is_mark_and_its_number_whatever_was_asked_before():
    assert mark_of(2500) == f"{MARK}2500"
    assert mark_of(7) == f"{MARK}7"
    assert mark_of(2501) == f"{MARK}2501"


def test_unmarked_gives_each_line_the_origin_of_its_mark_and_the_default_elsewhere():
    origins = [f"loc{n}" for n in range(1200)]
    lines = ["def f(x):", "    y = x" + mark_of(1100), "    if y:" + mark_of(3) + "\n        z = y" + mark_of(3),
             "    return z"]
    text = unmarked(lines, origins, "def")
    assert str(text) == "def f(x):\n    y = x\n    if y:\n        z = y\n    return z\n"
    assert text.origins == ("def", "loc1100", "loc3", "loc3", "def")


def test_tokens_count_from_zero_in_each_sweep_past_the_ones_made_before():
    first, second = Tokens(), Tokens()
    made = [first.value(Var("s")) for _ in range(1500)]
    assert made[0] == "_v0_" and made[1499] == "_v1499_"
    assert second.value(Var("s")) == "_v0_" and second.adjoint(Var("s")) == "_g0_"
    assert first.by_token["_v1499_"][0] == "value"
