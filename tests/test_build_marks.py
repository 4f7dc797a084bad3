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


def test_marks_past_the_kept_ones_are_written_afresh_and_still_give_their_origins():
    import srcdiff.emit.marks as marks
    far = marks.KEPT_MARKS + 7
    assert mark_of(far) == f"{MARK}{far}"
    assert len(marks.MARKS) <= marks.KEPT_MARKS  # a huge function leaves no more marks kept
    origins = [f"loc{n}" for n in range(far + 1)]
    text = unmarked(["y = x" + mark_of(far), "z = y" + mark_of(0)], origins, "def")
    assert text.origins == (f"loc{far}", "loc0")


def test_tokens_past_the_kept_ones_are_written_afresh():
    from srcdiff.transforms import records
    tokens = Tokens()
    made = [tokens.adjoint(Var("s")) for _ in range(records._KEPT_TOKENS + 3)]
    assert made[-1] == f"_g{records._KEPT_TOKENS + 2}_"
    assert len(records._ADJOINT_TOKENS) <= records._KEPT_TOKENS
