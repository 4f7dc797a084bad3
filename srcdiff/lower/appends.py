"""Lists built by ``append``: each growth a new value of the list, as a comprehension's is.

``out.append(v)`` rebinds ``out`` to ``rt.appended(out, v)`` (a new list; gradient ``g[:-1]``,
``g[-1]``), the step ``sequences`` already lowers a list comprehension to: loops carry the list,
branches merge it, and every later read (``out[i]``, ``len``, ``sum``, ``np.stack``, ``for``) is a
read of a list value.  A rebinding equals Python's in-place ``append`` only while nothing else
holds the list, so ``AppendLowering.grown_lists`` first checks each list the function grows
(``grown``), and refuses at the line any use it cannot model:

| source | lowered to, or refused |
| --- | --- |
| ``out.append(v)`` (a statement) | ``out = rt.appended(out, v)`` |
| ``out.extend(ys)``, ``out += ys`` | one ``rt.appended`` per item: unrolled for a display, else a loop over ``ys`` |
| ``out`` bound by ``[]``, ``[a, b]``, ``[... for ...]``, ``list(xs)`` | a list value (a display: ``list`` of its items) |
| ``out`` read by index, ``len``, a NumPy or builtin call, ``for``, a comparison, ``return`` | read as it is then |
| ``out`` a parameter, free, or bound otherwise (``out = xs``, ``a = b = []``, a loop target) | refused: the caller's list, or one held twice |
| ``out`` stored in a container, or read in a nested ``def`` or lambda | refused: something else holds it |
| ``out`` given to a function of the user's, bound to another name, where an append may follow | refused (an append before is fine) |
| ``out`` appended inside a loop that walks ``out`` | refused |
| ``out.pop()``, ``insert``, ``remove``, ``sort``, ``reverse``, ``clear``, ``del out[i]``, ``out.append`` as a value | refused by name |
"""
import ast

from ..errors import UnsupportedSyntaxError
from ..ir import Const
from . import grown
from .consumers import COMPREHENSIONS, single


class AppendLowering:
    """``append`` and ``extend`` as rebindings; relies on ``expr``, ``emit``, ``env``, ``error``, ``fold``."""

    @property
    def grown_lists(self):
        """The names of the lists this function grows, checked once (see the module doc)."""
        if getattr(self, "_grown_lists", None) is None:
            self._grown_lists = grown.check(self)
        return self._grown_lists

    @property
    def written_lists(self):
        """The names of the lists this function writes items of (``grown.written``), found once."""
        if getattr(self, "_written_lists", None) is None:
            self._written_lists = grown.written(self)
        return self._written_lists

    def list_binding(self, name, value, node):
        """The value ``name`` is bound to: a display of a list the function grows, or writes items of,
        becomes a list value, appended item by item (as a comprehension's: generated code read back
        keeps it a list)."""
        grown = name in self.grown_lists  # checked at the first binding: a refusal names its line
        if isinstance(value, tuple) and (grown or name in self.written_lists):
            return self._appended_items(Const(()), value, node, name)
        return value

    def grow_statement(self, stmt):
        """Lower ``out.append(v)`` or ``out.extend(ys)``; False for any other statement."""
        name = grown.grown_name(stmt)
        if name is None or name not in self.grown_lists:
            return False
        call = stmt.value
        if call.func.attr == "append":
            value = self.expr(call.args[0])
            if isinstance(value, tuple):
                raise self.error(UnsupportedSyntaxError, call.args[0], "appending a list or tuple to a list is not "
                                 "supported", "append numbers or arrays (np.array((a, b)))")
            self.env[name] = self.emit("rt.appended", (self.name(call.func.value), value), stmt, hint=name)
        else:
            self.env[name] = self._extended(self.name(call.func.value), call.args[0], name)
        return True

    def grow_augmented(self, stmt):
        """Lower ``out += ys`` of a list the function grows; False for any other augmented assignment."""
        target = stmt.target
        if not (isinstance(target, ast.Name) and isinstance(stmt.op, ast.Add) and target.id in self.grown_lists):
            return False
        self.env[target.id] = self._extended(self.name(target), stmt.value, target.id)
        return True

    def _extended(self, current, node, name):
        """``current`` with the items of ``node`` appended, one ``rt.appended`` each."""
        if isinstance(node, COMPREHENSIONS):
            return self.fold(node, "list", current, name)
        items = self.expr(node)
        if not isinstance(items, tuple):
            return self.fold_items(items, node, current, name)
        return self._appended_items(current, items, node, name)

    def _appended_items(self, current, items, node, name):
        for item in items:
            current = self.emit("rt.appended", (current, single(self, item, node)), node, hint=name)
        return current

