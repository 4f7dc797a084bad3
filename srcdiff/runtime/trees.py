"""Containers of parameters (pytrees): the gradient of a dict, list, tuple, namedtuple,
dataclass or object of numbers and arrays, in the container's own structure.

Generated code reads a container parameter's parts at constant paths at its start
(``W1 = params['W1']``, ``W = self.W``, ``layers_0 = params['layers'][0]``), differentiates
with respect to those parts as ordinary values, and returns
``rt.tree_grad(params, ('W1',), grad_W1, ('b1',), grad_b1)``: a value of ``params``'s own
structure holding each part's gradient at its path (added where paths overlap: a part read
whole and through its items), and zeros, in each part's own type, shape and dtype, where
nothing was read.

| container | its gradient |
| --- | --- |
| ``dict`` | a dict with the same keys (in the same order) |
| ``list``, ``tuple``, namedtuple | the same type, item by item |
| dataclass, any other object | a shallow copy of the same class whose numeric attributes hold gradients |
| ndarray | an array (``p[0]`` of an array: zeros with that row set) |
| a number | a float (a NumPy float keeps its type) |

Numbers (not bools) and real arrays are differentiated; anything else a container holds
(strings, None, bools, functions) is kept as it is.  A path element is a key of a dict,
a position of a sequence or an array (an attribute name of a namedtuple counts too),
or an attribute name of any other object.  ``instances.check_class`` refuses a ``self``
that would run other code than a method's gradient inlined.
"""
import copy
import dataclasses
import functools
import types

import numpy as np

from .arguments import ArrayGradientError
from .arrays import like
from .lazy import is_lazy


def tree_grad(x, *pairs):
    """The gradient of container ``x``: ``pairs`` are ``path, gradient, path, gradient...``,
    each the gradient of the part of ``x`` at that path (a tuple of keys, positions and
    attribute names; ``()`` is ``x`` itself)."""
    found = [(tuple(path), g) for path, g in zip(pairs[0::2], pairs[1::2])]
    return _build(x, found, set())


def tree_part(t, path):
    """The part of ``t`` at ``path`` (a key, position or attribute name each step)."""
    for key in path:
        t = getattr(t, key) if isinstance(key, str) and not isinstance(t, dict) else t[key]
    return t


def tree_zeros(x):
    """The zero gradient of ``x``: its structure, zeros at every number and real array; 0.0
    for a part that is not a number (``self.b`` is None: ``tree_grad`` keeps the None)."""
    if not (_is_number(x) or isinstance(x, np.ndarray) or is_container(x)):
        return 0.0
    return _build(x, [], set())


def is_container(x):
    """Whether ``x`` is a container ``tree_grad`` rebuilds (not a number or an array)."""
    return not isinstance(x, (int, float, np.ndarray, np.generic, str, bytes, type(None))) and not is_lazy(x) and (
        isinstance(x, (dict, list, tuple)) or _is_object(x))


def leaves(x, prefix=()):
    """``(path, value)`` of every number and real array inside ``x``, depth first."""
    if _is_number(x):
        return [(prefix, x)]
    if not is_container(x):
        return []
    return [leaf for key, child in _children(x) for leaf in leaves(child, prefix + (key,))]


def replace_leaves(x, values):
    """``x`` with the part at each path of the dict ``values`` replaced, the rest kept
    (``srcdiff.testing`` moves a container argument along a direction with it)."""
    if () in values:
        return values[()]
    if not values:
        return x
    groups = _grouped([((_normal_key(x, path[0]),) + path[1:], v) for path, v in values.items()])
    if isinstance(x, np.ndarray):
        out = np.array(x, copy=True)
        for key, parts in groups.items():
            out[key] = replace_leaves(x[key], dict(parts))
        return out
    return _rebuilt(x, {key: replace_leaves(child, dict(groups.get(key, []))) for key, child in _children(x)})


# ---------------------------------------------------------------- building

def _build(x, found, busy):
    """The gradient of ``x`` given the gradients ``found`` of its parts (paths relative to ``x``)."""
    if isinstance(x, dict):
        found = _keyed_parts(found)
    whole = [g for path, g in found if not path]
    deeper = [(path, g) for path, g in found if path]
    if not deeper:
        return _whole(_sum(whole), x) if whole else _zeros(x, busy)
    if isinstance(x, np.ndarray):
        out = _whole(_sum(whole), x) if whole else _zeros(x, busy)
        out = np.array(out, copy=True)
        for key, parts in _grouped(deeper).items():
            if not _absent_item(x, key, parts):
                out[key] = out[key] + _build(x[key], parts, busy)
        return out
    if not is_container(x):
        raise ArrayGradientError(f"a part of a parameter is read at a path into a {type(x).__name__}, "
                                 "which srcdiff cannot rebuild",
                                 hint="read parts of dicts, lists, tuples, namedtuples, dataclasses, objects and arrays")
    if id(x) in busy:
        return x
    busy.add(id(x))
    try:
        groups = _grouped([((_normal_key(x, path[0]),) + path[1:], g) for path, g in deeper])
        built = {key: _build(child, groups[key], busy) if key in groups else _zeros(child, busy)
                 for key, child in _children(x)}
        missing = [key for key in groups if key not in built]
        for key in missing:  # an attribute of the class read through the object (not in its __dict__)
            if _absent_item(x, key, groups[key]):
                continue
            built[key] = _build(getattr(x, key), groups[key], busy)
    finally:
        busy.discard(id(x))
    out = _rebuilt(x, built)
    if whole:
        out = _added(out, _whole(_sum(whole), x))
    return out


def _keyed_parts(found):
    """``found`` (of a dict) with each whole gradient that is a dict of adjoints by key (``KeyedAdjoints``:
    reads at keys known at run time) given as the gradients of the parts at those keys."""
    out = []
    for path, g in found:
        if not path and isinstance(g, dict):
            out += [((key,), part) for key, part in g.items()]
        else:
            out.append((path, g))
    return out


def _absent_item(x, key, parts):
    """Whether ``key`` is a key or position ``x`` lacks whose gradients are all zero: an item read
    only on paths this call did not take (``absent.item_or_absent``)."""
    absent = key not in x if isinstance(x, dict) else isinstance(key, int) and not -len(x) <= key < len(x)
    return absent and all(g.__class__ is float and not g for _, g in parts)


def _grouped(paths):
    groups = {}
    for path, g in paths:
        groups.setdefault(path[0], []).append((path[1:], g))
    return groups


def _sum(grads):
    total = grads[0]
    for g in grads[1:]:
        total = total + g
    return total


def _whole(g, x):
    """The gradient ``g`` of a part read whole, in that part's own type (``rt.like``); a part
    that is not a number (None, a str, a bool) is kept as it is."""
    if not (_is_number(x) or isinstance(x, (list, tuple, np.ndarray)) or _is_array(x)):
        return x
    if isinstance(x, (list, tuple)) and not _is_number(x) and not isinstance(g, (list, tuple)):
        items = [_whole(g[i], item) for i, item in enumerate(x)]  # an array gradient of a sequence
        return _rebuilt(x, dict(enumerate(items)))
    if isinstance(x, (list, tuple)) and isinstance(g, (list, tuple)):
        return _rebuilt(x, {i: _whole(gi, item) for i, (gi, item) in enumerate(zip(g, x))})
    return like(g, x)


def _added(a, b):
    if isinstance(a, (list, tuple)):
        return _rebuilt(a, {i: _added(u, v) for i, (u, v) in enumerate(zip(a, b))})
    return a + b


def _zeros(x, busy):
    if x.__class__ is float or x.__class__ is int:  # the usual part, a Python number: no checks needed
        return 0.0
    if _is_number(x) or _is_array(x) and not isinstance(x, np.ndarray):  # an array of another library: zeros
        return like(0.0, x)
    if isinstance(x, np.ndarray):  # not real (complex, objects): kept, as anything not a number
        return x
    if not is_container(x) or id(x) in busy:
        return x
    busy.add(id(x))
    try:
        return _rebuilt(x, {key: _zeros(child, busy) for key, child in _children(x)})
    finally:
        busy.discard(id(x))


# ---------------------------------------------------------------- structure

def _is_number(x):
    if isinstance(x, (int, float)):
        return not isinstance(x, bool)  # a bool is an int; NumPy's bool is neither (dtype kind 'b' below)
    return (isinstance(x, (np.ndarray, np.generic)) or is_lazy(x)) and x.dtype.kind in "iuf"


def _is_object(x):
    """An instance of a dataclass or of a class of the user's (something with attributes)."""
    if isinstance(x, _NOT_OBJECTS) or _is_array(x):
        return False
    return dataclasses.is_dataclass(x) or hasattr(x, "__dict__") and type(x).__module__ != "builtins"


def _is_array(x):
    """An array of any library (NumPy's, PyTorch's, CuPy's...): it has a shape and a dtype."""
    return hasattr(x, "shape") and hasattr(x, "dtype")


_NOT_OBJECTS = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType,
                functools.partial, np.ufunc)


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _children(x):
    """``(key, value)`` of each part of a container, in order."""
    if isinstance(x, dict):
        return list(x.items())
    if isinstance(x, (list, tuple)):
        return list(enumerate(x))
    if dataclasses.is_dataclass(x):
        fields = [(f.name, getattr(x, f.name)) for f in dataclasses.fields(x)]
        named = {name for name, _ in fields}
        return fields + [(k, v) for k, v in getattr(x, "__dict__", {}).items() if k not in named]
    return list(vars(x).items())


def _normal_key(x, key):
    """The key of ``_children`` a path element names: a namedtuple's field name or a negative
    position as a position."""
    if _is_namedtuple(x) and isinstance(key, str):
        return type(x)._fields.index(key)
    if isinstance(x, (list, tuple)) and isinstance(key, int) and key < 0:
        return key + len(x)
    return key


def _rebuilt(x, parts):
    """A container of ``x``'s structure holding ``parts`` (key -> value)."""
    if isinstance(x, dict):
        if type(x) is dict:
            return {key: parts[key] for key in x}
        out = copy.copy(x)
        for key in x:
            out[key] = parts[key]
        return out
    if _is_namedtuple(x):
        return type(x)(*(parts[i] for i in range(len(x))))
    if isinstance(x, (list, tuple)):
        items = [parts[i] for i in range(len(x))]
        return type(x)(items) if type(x) in (list, tuple) else _copied_sequence(x, items)
    out = copy.copy(x)
    for key, value in parts.items():
        if isinstance(getattr(type(x), key, None), property):
            raise ArrayGradientError(
                f"'{key}' is a property of {type(x).__qualname__}: a gradient cannot be stored in it",
                hint="read the attributes the property reads, or differentiate a method of the class (Model.loss), "
                     "whose properties srcdiff inlines")
        object.__setattr__(out, key, value)
    return out


def _copied_sequence(x, items):
    try:
        return type(x)(items)
    except TypeError:
        return list(items) if isinstance(x, list) else tuple(items)
