"""What a build read from live objects, so that a cache can tell whether it is still right.

A gradient is built from what the user's function *and every helper it inlines* saw at
that moment: the objects their global and free names were bound to, the attributes of
the user's modules they read, their code objects and their defaults.  ``Reads`` records
each of these as (where it was read, what was there); ``changed()`` reads each place
again and says whether any now holds another object (identity, not equality: rebinding
``K = 2.0`` to a new ``2.0`` rebuilds, which is cheap and never wrong).

Functions, modules and code objects are held by weak reference: a cached gradient must
not keep its own function alive (its cache is keyed weakly by that function).  A place
whose owner has gone counts as changed.
"""
import weakref

MISSING = object()  # a name that was not bound (a builtin was used): binding it later changes the build
_DEAD = object()  # what a weak reference to an object that is gone gives: it matches nothing


class Reads:
    """The places a build read, each with the object it found there (see the module doc)."""

    def __init__(self):
        self._entries = []
        self._seen = set()

    def global_name(self, fn, name, value):
        """``fn``'s global ``name`` was ``value`` (``MISSING``: unbound, so a builtin was used)."""
        self._note(fn, _global, name, value)

    def cell(self, fn, index, value):
        """``fn``'s free variable number ``index`` held ``value``."""
        self._note(fn, _cell, index, value)

    def attribute(self, owner, name, value):
        """``owner.name`` (a user's module, a function's ``__code__``/``__defaults__``) was ``value``."""
        self._note(owner, getattr, name, value)

    def item(self, mapping, key, value):
        """``mapping[key]`` (a keyword a ``functools.partial`` binds) was ``value``."""
        self._note(mapping, _item, key, value)

    def class_attribute(self, cls, name, value):
        """What ``cls.__dict__[name]`` was (``MISSING``: nothing), so that redefining a method
        of a class (or adding one to a subclass) builds again."""
        self._note(cls, _class_dict, name, value)

    def function(self, fn):
        """What a function's own object fixes: its code and its defaults."""
        for name in ("__code__", "__defaults__", "__kwdefaults__"):
            self.attribute(fn, name, getattr(fn, name))

    def changed(self):
        """Whether any place read now holds another object than it did, or its owner is gone."""
        for owner, read, key, expected in self._entries:
            owner = _deref(owner)
            if owner is _DEAD or read(owner, key, MISSING) is not _deref(expected):
                return True
        return False

    def __len__(self):
        return len(self._entries)

    def _note(self, owner, read, key, value):
        marker = (id(owner), read, key)
        if marker in self._seen:  # inlining a helper twice reads the same places again
            return
        self._seen.add(marker)
        self._entries.append((_held(owner), read, key, _held(value)))


class _Strong:
    """An object that cannot be weakly referenced (a number, a tuple, a ufunc), held as is."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def _held(value):
    if value is MISSING or value is None:
        return _Strong(value)
    try:
        return weakref.ref(value)
    except TypeError:
        return _Strong(value)


def _deref(held):
    if isinstance(held, _Strong):
        return held.value
    value = held()
    return _DEAD if value is None else value


def _global(fn, name, default):
    return fn.__globals__.get(name, default)


def _item(mapping, key, default):
    return mapping.get(key, default)


def _cell(fn, index, default):
    try:
        return fn.__closure__[index].cell_contents
    except (TypeError, IndexError, ValueError):  # no closure, or an empty cell
        return default


def _class_dict(cls, name, default):
    return vars(cls).get(name, default)
