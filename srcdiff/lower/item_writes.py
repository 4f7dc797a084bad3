"""Writes into a list or dict the function builds: ``sums[0] += x``, ``d = {}; d["a"] = x * 2``.

``ItemWriteLowering`` is mixed into ``function._Lowerer``.  ``writable`` refuses a write into
anything but a name bound to a value (a list the function writes into is one: ``appends``,
``grown.written``; its writes are copies, ``arrays.store_item``, checked by ``writes``).  A
dict display's entries are known when compiling (``displays.dict_display``: a
``KeywordValues`` of operands by key), so a write
at a constant key rebinds the name to the dict with that entry set (a key it has keeps its
place, a new one goes last, as Python's).  That equals Python's write into the dict itself
while nothing else holds the dict, which the function's text decides (``_check``):

| the dict ``d`` written | rule |
| --- | --- |
| every binding of ``d`` a dict display or ``dict(...)`` of keywords (or ``d`` a helper's ``**d``) | else refused: another's dict would change (a parameter: the caller's) |
| each write outside loops, ``with`` and ``try`` (in a branch: the dict merged entry by entry where both paths have the same keys, else unusable after it) | else refused at the write |
| each key a constant string (or a name bound to one) | else refused: a key known only at run time |
| ``d`` read as ``d[k]``, ``len(d)``, ``k in d``, ``d.keys()``, ``d.values()``, ``d.items()``, ``for k in d``, ``**d``, ``return d`` | fine: nothing keeps the dict |
| ``d`` read otherwise (``e = d``, ``f(d)``, ``[d]``, inside a nested ``def`` or lambda) | refused: something else may hold it |
"""
import ast

from ..errors import UnsupportedSyntaxError
from .binding import KeywordValues
from .calls import all_params
from .scopes import FUNCTIONS, free_names, own_nodes, parents_of

_VIEWS = frozenset({"keys", "values", "items"})
_BLOCKS = (ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try)
_HINT = "build the dict in one display, {'a': a, 'b': b}, or give each version its own name"


class ItemWriteLowering:
    """Which writes ``x[i] = v`` lowering takes, and ``d[k] = v``, ``d[k] op= v`` of a dict built
    here; relies on ``env``, ``emit``, ``entry``, ``entry_key``, ``error``."""

    def writable(self, target):
        """Refuse a write ``x[i] = v`` into anything but a local name bound to a value: a
        display's items known when compiling are a tuple's, or a list's also bound otherwise."""
        if not isinstance(target.value, ast.Name) or target.value.id not in self.env:
            raise self.error(UnsupportedSyntaxError, target, f"cannot write into '{ast.unparse(target.value)}'",
                             "write into a local array variable, e.g. 'out = x.copy(); out[i] = v'")
        name = target.value.id
        if isinstance(self.env[name], tuple):
            raise self.error(UnsupportedSyntaxError, target, f"cannot write into '{name}': srcdiff writes into the "
                             "lists this function makes, and it is a tuple or also bound to something else",
                             f"make it a list here ({name} = [a, b], or list(...)) and bind the name to nothing else")

    def entry_written(self, target, value):
        """Lower ``d[k] = value`` of a dict built here; False where ``target`` writes into anything else."""
        if not self._writes_a_dict(target):
            return False
        key = self._key(target)
        if isinstance(value, tuple):
            raise self.error(UnsupportedSyntaxError, target, "storing a tuple or list in a dict is not supported",
                             "store numbers or arrays")
        name = target.value.id
        self.env[name] = KeywordValues({**self.env[name], key: value})
        return True

    def entry_updated(self, stmt, symbol):
        """Lower ``d[k] op= v`` of a dict built here; False where it updates anything else."""
        if not self._writes_a_dict(stmt.target):
            return False
        self._key(stmt.target)  # a key known only at run time: refused as a write's
        current = self.entry(self.env[stmt.target.value.id], stmt.target)  # there, or refused (Python's KeyError)
        return self.entry_written(stmt.target, self.emit(symbol, (current, self.expr(stmt.value)), stmt))

    def _writes_a_dict(self, target):
        """Whether ``target`` writes into a dict built here, checked once per dict (module doc)."""
        if not (isinstance(target.value, ast.Name) and isinstance(self.env.get(target.value.id), KeywordValues)):
            return False
        name = target.value.id
        checked = self.__dict__.setdefault("_dicts_written", set())
        if name not in checked:
            _check(self, name, target)
            checked.add(name)
        return True

    def _key(self, target):
        key = self.entry_key(target)
        if type(key) is not str:
            raise self.error(UnsupportedSyntaxError, target, f"'{ast.unparse(target)}' writes into the dict "
                             f"'{target.value.id}' at a key known only at run time", "write at constant string keys, d['a']")
        return key


def _check(lw, name, write):
    """Refuse what a rebinding of the dict ``name`` (written by ``write``) would get wrong (module doc)."""
    node = lw.source.node
    if name in {a.arg for a in all_params(node.args)}:  # not **kwargs: a dict of its own
        raise lw.error(UnsupportedSyntaxError, write, f"'{name}' is a parameter: writing into it would change the "
                       "caller's dict", f"build a new dict here: {name}_new = {{**{name}, 'key': value}}")
    own = own_nodes(node)
    parents = parents_of(own)
    for n in own:
        if isinstance(n, ast.Name) and n.id == name:
            parent = parents.get(n)
            if isinstance(n.ctx, ast.Store):
                _check_binding(lw, name, n, parent)
            elif isinstance(n.ctx, ast.Load) and not _reads_only(n, parent, parents):
                raise lw.error(UnsupportedSyntaxError, parent, f"the dict '{name}' is written into, and here it is "
                               "passed on: srcdiff cannot tell whether something else holds it", _HINT)
        elif isinstance(n, FUNCTIONS) and name in free_names(n):
            raise lw.error(UnsupportedSyntaxError, n, f"the dict '{name}' is written into, and read inside a nested "
                           "function or lambda", "pass the dict to it as an argument, after the last write")
        elif isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store) and getattr(n.value, "id", None) == name:
            _check_write_place(lw, name, n, parents)


def _check_binding(lw, name, target, stmt):
    value = stmt.value if isinstance(stmt, ast.Assign) and stmt.targets == [target] else None
    new = isinstance(value, ast.Dict) or isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
        and value.func.id == "dict" and not value.args
    if not new:
        raise lw.error(UnsupportedSyntaxError, target, f"the dict '{name}' is written into, so it must be bound only "
                       "to a new dict ({...} or dict(...)); here it is bound otherwise", _HINT)


def _check_write_place(lw, name, write, parents):
    node = parents.get(write)
    while node is not None and node is not lw.source.node:
        if isinstance(node, _BLOCKS):
            raise lw.error(UnsupportedSyntaxError, write, f"a write into the dict '{name}' inside a loop, 'with' or "
                           "'try' is not supported", "compute the values first, then write them (or build the dict) "
                           "after the block")
        node = parents.get(node)


def _reads_only(use, parent, parents):
    """Whether the read ``use`` of the dict keeps nothing of it (module doc)."""
    if isinstance(parent, ast.Subscript) and parent.value is use:
        return True
    if isinstance(parent, ast.Attribute) and parent.attr in _VIEWS:
        call = parents.get(parent)
        return isinstance(call, ast.Call) and call.func is parent
    if isinstance(parent, ast.Call):
        return isinstance(parent.func, ast.Name) and parent.func.id == "len" and parent.args == [use]
    if isinstance(parent, ast.keyword):
        return parent.arg is None  # **d: the callee gets a dict of its own
    if isinstance(parent, ast.Compare):
        return use in parent.comparators and all(isinstance(op, (ast.In, ast.NotIn)) for op in parent.ops)
    if isinstance(parent, (ast.For, ast.comprehension)):
        return parent.iter is use
    return isinstance(parent, ast.Return)
