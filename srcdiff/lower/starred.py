"""Starred unpacking: ``a, *rest = xs`` and ``first, *mid, last = xs``.

``StarredLowering`` is mixed into ``function._Lowerer``; it adds no statement form.

| value unpacked | lowered to |
| --- | --- |
| a tuple or list display, or a tuple a helper returns (its length known when compiling) | each name bound to its item; the starred name to a display of the items between (an empty one: ``()``) |
| any other value (a parameter, an array) | ``s = rt.unpacked_at_least(xs, 2)`` (Python's ValueError, or TypeError for a number, unless ``xs`` holds at least 2 items), then ``a = s[0]``, ``rest = s[1:-1]``, ``last = s[-1]`` |

The starred name of a value known only at run time is its slice: a list's is a list, a
tuple's a tuple and an array's an array (Python makes a list of the items; srcdiff reads
``list(x)`` of an array as ``x[:]`` as well, noted with them); ``list_values`` refuses, after
lowering, what a list would do otherwise than that slice: arithmetic (``rest * 2`` repeats a
list), comparisons and methods on it or on any name it flows to.  A starred name in a ``for``
target, or a starred item of a display used as a value, is refused where it stands.
"""
import ast

from ..errors import UnsupportedSyntaxError
from ..ir import Const, Slice
from .calls import TupleValue

def starred_position(target):
    """The position of the starred name in the tuple or list target ``target``, else None."""
    found = [i for i, element in enumerate(target.elts) if isinstance(element, ast.Starred)]
    return found[0] if found else None


class StarredLowering:
    """``a, *rest, b = value``; relies on ``bind``, ``emit``, ``error``."""

    def unpack_starred(self, target, value, star):
        """Bind the names of ``target`` (whose item ``star`` is starred) to the parts of ``value``."""
        before, after = star, len(target.elts) - star - 1
        if isinstance(value, TupleValue):
            if len(value) < before + after:
                raise self.error(UnsupportedSyntaxError, target, f"cannot unpack {len(value)} values into "
                                 f"{before + after} names and a starred one", "use at most as many names as values")
            rest = value[before:len(value) - after]
            items = list(value[:before]) + [TupleValue(rest) if rest else Const(())] + list(value[len(value) - after:])
        else:
            checked = self.emit("rt.unpacked_at_least", (value, Const(before + after)), target)
            items = [self.emit("[]", (checked, Const(i)), target.elts[i], _hint(target.elts[i]))
                     for i in range(before)]
            rest = Slice(before or None, -after or None)
            items.append(self.emit("[]", (checked, Const(rest)), target.elts[star], _hint(target.elts[star].value)))
            self.shared.rests.append(items[-1])
            items += [self.emit("[]", (checked, Const(i - after)), target.elts[before + 1 + i],
                                _hint(target.elts[before + 1 + i])) for i in range(after)]
        for i, (element, item) in enumerate(zip(target.elts, items)):
            self.bind(element.value if i == star else element, item)


def _hint(node):
    return node.id if isinstance(node, ast.Name) else None
