"""The checks of a lowered function as a whole, after its last statement is lowered.

Each refuses, at the user's line, what lowering statement by statement cannot see:

| check | refuses |
| --- | --- |
| ``writes.check_writes`` | an item write or in-place update that a copy would get wrong (aliases, views, the caller's arrays) |
| ``trees.check_tree_uses`` | a part of a parameter read in a way its gradient cannot be put back |
| ``list_values.check_list_arithmetic`` | ``*``, ``+`` and comparisons on a list (Python repeats and joins it) |
| ``texts.check_texts`` | a string taken as a setting where it meets a number |
"""
from .list_values import check_list_arithmetic
from .texts import check_texts
from .trees import check_tree_uses
from .writes import check_writes


def checked(function, shared, error_at):
    """``function`` (lowered with the ``function._Shared`` state ``shared``) after every check
    above, each refusing with ``error_at(loc, message, hint)``; ``check_writes`` may add run-time
    checks of updates whose values start as numbers."""
    function = check_writes(function, shared.in_place, lambda stmt, message, hint: error_at(stmt.loc, message, hint),
                            frozenset(shared.rests))
    check_tree_uses(function, shared.trees, error_at)
    check_list_arithmetic(function, shared.rests, error_at)
    check_texts(function, shared.texts, error_at)
    return function
