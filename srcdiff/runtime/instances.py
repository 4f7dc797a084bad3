"""The object a method's gradient was built for: ``check_class`` and ``shadows_method``.

A method's gradient inlines the methods, properties and helpers its class resolves
(``lower.methods``).  Two things make the object run other code than what was inlined: a
subclass (``self`` of another class) and an attribute of the object's own hiding a method
of its class (``model.forward = other``, ``mock.patch.object(model, "forward")``), which
Python's ``self.forward(x)`` then calls.  Generated code tests both before anything else
(``if self.__class__ is not Model or rt.shadows_method(self): rt.check_class(self, Model)``)
and ``check_class`` refuses either, at the user's ``def``.
"""
import weakref

from .arguments import ArrayGradientError


def shadows_method(x):
    """Whether ``x`` holds an attribute of its own under the name of a method of its class
    (a plain, static or class method: what a gradient may have inlined)."""
    own = getattr(x, "__dict__", None)
    return bool(own) and not _method_names(type(x)).isdisjoint(own)


def check_class(x, cls):
    """Refuse ``self`` of another class than ``cls``, or one whose own attribute hides a
    method of its class: a method's gradient inlines what ``cls`` resolves."""
    if x.__class__ is not cls and type(x).__qualname__ == cls.__qualname__:  # same name, another class object
        raise ArrayGradientError(
            f"self is a {cls.__qualname__} of another definition of the class than the one this gradient was "
            "built for (the class was defined again, or its module reloaded, since)",
            hint="build the gradient again from the class as it is now, and use objects made from that class")
    if x.__class__ is not cls:
        raise ArrayGradientError(
            f"this gradient was built for {cls.__qualname__} objects (their methods are inlined into it), "
            f"but self is a {type(x).__qualname__}",
            hint=f"differentiate the bound method (srcdiff.grad(obj.method)) or "
                 f"{type(x).__qualname__}'s own method, so that srcdiff reads that class")
    hidden = sorted(_method_names(cls).intersection(getattr(x, "__dict__", None) or ()))
    if hidden:
        raise ArrayGradientError(
            f"self has an attribute {hidden[0]!r} of its own, hiding the method {cls.__qualname__}.{hidden[0]} "
            "that this gradient inlines (Python's self.{0}(...) calls the attribute)".format(hidden[0]),
            hint=f"delete the attribute (del obj.{hidden[0]}) or define the behaviour as a method of a subclass")


def _method_names(cls):
    """The names of ``cls``'s methods (its bases' too), read once per class and kept only as long as
    the class lives (a class defined again in a notebook, or by each test, is let go)."""
    names = _METHOD_NAMES.get(cls)
    if names is None:
        names = _METHOD_NAMES[cls] = frozenset(
            name for klass in cls.__mro__ if klass is not object for name, member in vars(klass).items()
            if callable(member) or isinstance(member, (staticmethod, classmethod)))
    return names


_METHOD_NAMES = weakref.WeakKeyDictionary()
