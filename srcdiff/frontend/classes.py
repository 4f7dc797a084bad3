"""Classes of the user's: which class a method belongs to, and what a name means on a class.

A method differentiated as ``srcdiff.grad(model.loss)`` or ``srcdiff.grad(Model.loss,
wrt="self")`` knows the class of its first parameter (``Owner``): from the bound object,
or from the function's qualified name in its module (``Model.loss``: ``Model`` in its
globals, whose ``loss`` is that function).  ``member(cls, name)`` says what ``self.name``
or ``Model.name`` is, looked up along the class's MRO without running anything
(the classes' ``__dict__``): a method, a static or class method, a property, a constant
or nothing (then ``self.name`` is an attribute of the object, read at run time).
"""
import os
import sys
import sysconfig
import types
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Owner:
    """The class of a method's first parameter: ``kind`` is ``"self"`` (an instance of
    ``cls``) or ``"cls"`` (``cls`` itself: a class method); ``defining`` is the class
    whose body defines the method (where ``super()`` starts looking)."""

    cls: type
    kind: str = "self"
    defining: type = None


@dataclass(frozen=True)
class Member:
    """What ``name`` is on a class: ``kind`` is ``method``, ``static``, ``classmethod``,
    ``property``, ``constant``, ``other`` or ``missing``; ``function`` the function to
    inline (the getter of a property); ``value`` a constant's value; ``defining`` the class
    of the MRO that holds it; ``raw`` what that class's ``__dict__`` holds."""

    kind: str
    function: object = None
    value: object = None
    defining: type = None
    raw: object = None


_MISSING = object()


def member(cls, name, after=None):
    """The ``Member`` ``name`` names on ``cls``, looked up along its MRO (after the class
    ``after`` for ``super()``)."""
    mro = cls.__mro__
    if after is not None and after in mro:
        mro = mro[mro.index(after) + 1:]
    for klass in mro:
        if name in vars(klass):
            return _member_of(vars(klass)[name], klass)
    return Member("missing")


def _member_of(raw, klass):
    if isinstance(raw, staticmethod):
        return Member("static", raw.__func__, defining=klass, raw=raw)
    if isinstance(raw, classmethod):
        return Member("classmethod", raw.__func__, defining=klass, raw=raw)
    if isinstance(raw, property):
        return Member("property", raw.fget, defining=klass, raw=raw)
    if isinstance(raw, types.FunctionType):
        return Member("method", raw, defining=klass, raw=raw)
    if _is_constant(raw):
        return Member("constant", value=raw, defining=klass, raw=raw)
    return Member("other", value=raw, defining=klass, raw=raw)


def _is_constant(value):
    if isinstance(value, (bool, int, float, np.ndarray, np.generic, str, type(None))):
        return True
    return isinstance(value, tuple) and all(_is_constant(v) for v in value)


def owner_of(fn):
    """The ``Owner`` of a plain function that is an instance method of a class its module can
    name (``Model.loss``), else None (a function, a static method, a class in a function)."""
    parts = getattr(fn, "__qualname__", "").split(".")
    if len(parts) < 2 or "<locals>" in parts:
        return None
    holder = getattr(fn, "__globals__", {}).get(parts[0], _MISSING)
    for part in parts[1:-1]:
        holder = getattr(holder, part, _MISSING)
    if not isinstance(holder, type) or vars(holder).get(parts[-1]) is not fn:
        return None
    return Owner(holder, "self", holder)


def owner_of_bound(method):
    """The ``Owner`` of a bound method: its object's class (or the class itself for a class
    method), and the class of the MRO whose body defines it."""
    bound = method.__self__
    cls, kind = (bound, "cls") if isinstance(bound, type) else (type(bound), "self")
    defining = next((k for k in cls.__mro__ if _holds(vars(k).get(method.__name__), method.__func__)), cls)
    return Owner(cls, kind, defining)


def _holds(raw, function):
    return raw is function or getattr(raw, "__func__", None) is function


def is_user_class(value):
    """Whether ``value`` is a class of the user's code (not of Python or of an installed library)."""
    if not isinstance(value, type):
        return False
    module = sys.modules.get(value.__module__)
    filename = getattr(module, "__file__", None)
    if module is None or value.__module__ == "builtins":
        return False
    if filename is None:
        return value.__module__ == "__main__"
    path = os.path.abspath(filename)
    paths = sysconfig.get_paths()
    return not any(path.startswith(os.path.abspath(paths[key]) + os.sep) for key in ("stdlib", "purelib", "platlib"))
