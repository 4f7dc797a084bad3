"""Items a call's argument may not have: the function reads them only on some paths.

A part of a parameter is read once, at the start of the function (``lower.trees``); an item
read only inside a branch or a loop (``if len(xs) > 1: d = xs[1] - xs[0]``) may not exist on
a call that does not take that path.  ``item_or_absent`` reads it as ``ABSENT`` there; its
gradient is then a zero that ``tree_grad`` leaves out.
"""


class _Absent:
    """The item of a parameter a call's argument does not have (``item_or_absent``): no number,
    no container (no attributes), so that its zero gradient is 0.0 (``tree_zeros``)."""

    __slots__ = ()

    def __repr__(self):
        return "ABSENT"


ABSENT = _Absent()


def item_or_absent(t, key):
    """``t[key]``, or ``ABSENT`` where ``t`` has no such item: a part the function reads only
    on paths that check it is there (``if len(xs) > 1: xs[1]``), read at the start like every part."""
    try:
        return t[key]
    except (IndexError, KeyError, TypeError):  # (TypeError: t itself absent)
        return ABSENT
