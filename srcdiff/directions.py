"""The directions a ``jvp`` or an ``hvp`` is called with, checked against their parameters.

A direction has its parameter's structure (API.md: ``v`` "same shape as the parameter").
Without a look, NumPy broadcasts a direction of shape ``(3, 1)`` against a parameter of
shape ``(3,)`` into a wrong number, and a loop over a list pairs its items with the
direction's, stopping at the shorter.  ``checked_directions`` refuses such a call with a
``SignatureError`` at the user's line, naming both structures.

| parameter | its structure | a direction that matches |
| --- | --- | --- |
| a number (``float``, ``int``, NumPy scalar) | ``()`` | a number, or an array of shape ``()`` |
| an array (anything with ``.shape``) | its shape | an array of that shape |
| a list or tuple | ``np.shape`` of it (its length where its items differ) | a list, tuple or array of that shape |
| a container of parameters (a dict, an object, a list of them...) | its parts' paths and shapes | a container with parts at the same paths, each of its part's shape |
"""
import collections.abc as abc
import functools
import inspect
import linecache
import sys

import numpy as np

from .errors import SignatureError
from .runtime.trees import is_container, leaves


def checked_directions(compiled, directions):
    """``compiled`` (a jvp or hvp) behind a look that each direction has the structure of its
    parameter (``directions``: ``(parameter, direction, walked)`` of its parameters' names, where
    ``walked`` says a loop pairs the parameter's items with the direction's, which a dict or a set
    has not: refused); ``compiled`` itself where there is nothing to see."""
    if not directions:
        return compiled
    signature = inspect.signature(compiled)
    order = list(signature.parameters)
    pairs = tuple((order.index(param), order.index(direction), walked) for param, direction, walked in directions)
    total = len(order)

    @functools.wraps(compiled)
    def checked(*args, **kwargs):
        values = args if not kwargs and len(args) == total else _in_order(signature, args, kwargs)
        if values is None:
            return compiled(*args, **kwargs)  # which says what is wrong with the call
        for p, d, walked in pairs:
            param, direction = values[p], values[d]
            if param.__class__ is not float or direction.__class__ is not float:  # two numbers: nothing to see
                _check(param, direction)
            if walked and isinstance(param, (abc.Mapping, abc.Set)):
                _refuse(f"a loop of the function walks this {type(param).__name__} argument and computes with what it "
                        "walks (its keys, its members), which have no tangent as values of it",
                        "read the values at their keys in the loop (for k in d: ... d[k]), or loop over d.values() or d.items()")
        return compiled(*args, **kwargs)

    checked.__srcdiff_compiled__ = getattr(compiled, "__srcdiff_compiled__", compiled)  # what a derivative reads
    return checked


def directions_last(built, fn):
    """``built`` (a jvp or an hvp of ``fn``) taking its directions last also where a call leaves
    out parameters of ``fn`` that have defaults: ``h(x, v)`` of ``f(x, c=2.0)`` is ``h(x, 2.0, v)``,
    the defaults filled in before the directions as ``fn`` fills them (generated code's signature
    has none: a parameter without a default, a direction, follows them).  ``built`` itself where
    ``fn`` has no positional default."""
    defaults, code = getattr(fn, "__defaults__", None), getattr(fn, "__code__", None)
    if not defaults or code is None:
        return built
    total = len(inspect.signature(built).parameters)
    directions = total - code.co_argcount

    @functools.wraps(built)
    def filled(*args, **kwargs):
        missing = total - len(args)
        if 0 < missing <= len(defaults) and not kwargs and len(args) >= directions:
            cut = len(args) - directions
            args = args[:cut] + defaults[len(defaults) - missing:] + args[cut:]
        return built(*args, **kwargs)

    filled.__srcdiff_compiled__ = getattr(built, "__srcdiff_compiled__", built)
    return filled


def _in_order(signature, args, kwargs):
    """The arguments of a call naming some of them, in the order of the parameters; None
    for a call that does not fit the signature."""
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return None
    bound.apply_defaults()
    return tuple(bound.arguments.values())


def _check(param, direction):
    if param.__class__ is np.ndarray and direction.__class__ is np.ndarray and param.shape == direction.shape:
        return
    if _holds_tree(param) or _holds_tree(direction):
        wrong = _tree_mismatch(param, direction)
        if wrong:
            _refuse(f"a direction that does not match its parameter was given: {wrong}; a direction has its "
                    "parameter's structure", "pass a direction with a part of the same shape at every path of "
                    "the parameter (the parameter's own type and keys)")
        return
    wanted, given = structure(param), structure(direction)
    if wanted is None or given is None or wanted == given:
        return
    _refuse(f"a direction of shape {given} was given for a parameter of shape {wanted}: a direction has its "
            "parameter's shape", "pass a direction of the parameter's own shape (np.reshape(v, np.shape(x)))")


def _refuse(message, hint):
    filename, lineno, line = caller()
    raise SignatureError(message, filename, lineno, len(line) - len(line.lstrip()), line, hint)


def _holds_tree(value):
    """Whether ``value`` is or holds a container no array may stand for (a dict, an object, a
    namedtuple), or is a list or tuple of parts of different shapes: its parts are compared."""
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        return any(_holds_tree(item) for item in value) or _is_ragged(value)
    return is_container(value)


def _is_ragged(sequence):
    try:
        np.shape(sequence)
    except ValueError:  # items of different shapes
        return True
    return False


def _tree_mismatch(param, direction):
    """What differs between the parts of ``param`` and ``direction`` (paths, then shapes), or None."""
    if not (is_container(param) and is_container(direction)):
        return f"a {type(direction).__name__} for a {type(param).__name__}"
    wanted = {path: structure(part) for path, part in leaves(param)}
    given = {path: structure(part) for path, part in leaves(direction)}
    for path, shape in wanted.items():
        if path not in given:
            return f"it has no part at {_path_text(path)}"
        if given[path] != shape:
            return f"at {_path_text(path)} a part of shape {given[path]} for one of shape {shape}"
    extra = next(path for path in given if path not in wanted) if len(given) > len(wanted) else None
    return None if extra is None else f"it has a part at {_path_text(extra)}, which the parameter has not"


def _path_text(path):
    return "".join(f".{key}" if isinstance(key, str) and key.isidentifier() else f"[{key!r}]" for key in path)


def structure(value):
    """The shape a direction shares with its parameter (see the module table), or None."""
    if isinstance(value, (float, int, complex, np.generic)):
        return ()
    shape = getattr(value, "shape", None)
    if shape is not None:
        return tuple(shape)
    if isinstance(value, (list, tuple)):
        try:
            return np.shape(value)
        except ValueError:  # items of different shapes
            return (len(value),)
    return None


def caller():
    """``(file, line, text)`` of the innermost frame outside srcdiff: the user's call."""
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_globals.get("__name__", "").partition(".")[0] == "srcdiff":
        frame = frame.f_back
    filename, lineno = frame.f_code.co_filename, frame.f_lineno
    return filename, lineno, linecache.getline(filename, lineno)
