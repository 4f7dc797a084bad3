"""The function a specialized gradient hands out: at each call it tests the arguments
against the signatures seen so far, one test written out per signature, and runs the code
built for the first that passes.

``Dispatcher(parameters, defaults, positional_only, slow).new_function()`` makes a plain
function of the generic gradient's parameters and defaults, and ``add(key, compiled,
comment)`` rewrites it with one more signature.  For ``def weighted_sum(w, x)``:

    def dispatch(w, x):
        # w: f64[1], x: f64[1]
        if (w.__class__ is ndarray and w.ndim == 1 and w.dtype is np_float64
                and x.__class__ is ndarray and x.ndim == 1 and x.dtype is np_float64):
            return compiled(w, x)
        return slow((w, x))

A call binds its arguments as the generic gradient would (the same names, defaults and
positional-only parameters), so a call by keyword, or leaving a default out, runs what
the call passing every argument by position runs.  A call of a signature not written out
goes to ``slow(args)``, every argument by position.

What each part of a key (``analysis.call_key``) is tested with, so that a test passes
exactly for the calls whose key is that key:

| key part | the test on the argument ``a`` |
| --- | --- |
| ``(ndim, dtype)``: an ndarray | ``a.__class__ is ndarray and a.ndim == ndim and a.dtype is dtype`` (identity: NumPy hands out one float64 dtype, so the test passes for it; an equal dtype that is another object fails the test and is found by ``slow``) |
| ``(list, True)``: a list (tuple) of numbers alone (``analysis.numbers_alone``), or empty | ``a.__class__ is list and numbers_alone(a)`` |
| ``(list, False)``: a list (tuple) holding anything else | ``a.__class__ is list and not numbers_alone(a)`` |
| a class | ``a.__class__ is class`` |

The objects the text names live in the function's own globals, one name per object for
good (``Names``), never a parameter's name, so a name never comes to mean another object
(a class named like a parameter or another class gets a suffix: ``float_2``).  The
function object stays the same when it is rewritten (its ``__code__`` is replaced): it is
what the caller holds.  At most ``WRITTEN_OUT`` signatures are written out, in the order
they were first built: a test that fails costs a class look or more, so a long chain
would slow the calls it does not serve.
"""
import builtins
import keyword
import re
import threading
import weakref

import numpy as np

from ..analysis import numbers_alone

WRITTEN_OUT = 4


class Names:
    """Names in a generated function's globals, each bound to one object for good."""

    def __init__(self, namespace):
        self.namespace = namespace

    def of(self, obj, base):
        """The name of ``obj``: ``base`` (made an identifier) if free, else ``base_2``, ``base_3``..."""
        base = re.sub(r"\W", "_", base)
        if not base.isidentifier() or keyword.iskeyword(base):
            base = f"c_{base}"
        name, number = base, 1
        while name in self.namespace and self.namespace[name] is not obj:
            number += 1
            name = f"{base}_{number}"
        self.namespace[name] = obj
        return name


def guard_parts(key, parameters, names):
    """One test per argument (of ``parameters``): together they pass exactly for calls whose
    ``call_key`` is ``key`` (see the module table)."""
    return [_part_test(a, part, names) for a, part in zip(parameters, key)]


def _part_test(a, part, names):
    if part.__class__ is tuple and part[0].__class__ is int:  # (ndim, dtype) of an ndarray
        ndim, dtype = part
        return (f"{a}.__class__ is {names.of(np.ndarray, 'ndarray')} and {a}.ndim == {ndim} "
                f"and {a}.dtype is {names.of(dtype, f'np_{dtype.name}')}")
    if part.__class__ is tuple:  # (list or tuple, whether it holds numbers alone)
        cls, numbers = part
        sequence, look = names.of(cls, cls.__name__), names.of(numbers_alone, "numbers_alone")
        return f"{a}.__class__ is {sequence} and {'' if numbers else 'not '}{look}({a})"
    return f"{a}.__class__ is {names.of(part, _name(part))}"


def _name(cls):
    """The name a class goes by in the text (``__class__`` may be any object: a proxy's)."""
    name = getattr(cls, "__name__", None)
    return name if isinstance(name, str) else "cls"


class Dispatcher:
    """``new_function()``, dispatching the calls of a function of ``parameters`` (names, the last
    of them with ``defaults``, a tuple or None, the first ``positional_only`` of them
    positional only) to the code built for them (see the module doc); ``text`` is its
    current text."""

    def __init__(self, parameters, defaults, positional_only, slow):
        self.parameters, self.positional_only = parameters, positional_only
        self.namespace = {**{name: _PARAMETER for name in ("dispatch", *parameters)}, "__builtins__": builtins}
        self.names = Names(self.namespace)
        self.slow = self.names.of(slow, "slow")
        defaulted = parameters[len(parameters) - len(defaults or ()):]
        self.defaults = {p: self.names.of(value, f"default_{p}") for p, value in zip(defaulted, defaults or ())}
        self.signatures = []  # (comment, tests, name of the code it runs)
        self.lock = threading.Lock()  # two threads building signatures write one text after the other
        self.text = self._text()
        self._function = lambda: None  # made by ``new_function``

    def new_function(self):
        """The dispatching function, with the signatures added so far; later ones rewrite it.
        The dispatcher holds it weakly: the function may hold its dispatcher, and a cycle would
        keep a dropped gradient alive until the collector runs, where its count of references
        frees it now."""
        function = self._compiled()
        self._function = weakref.ref(function)
        return function

    def add(self, key, compiled, comment):
        """Write out a test for ``key`` (of every argument) running ``compiled``, unless
        ``WRITTEN_OUT`` signatures already are."""
        with self.lock:
            if len(key) != len(self.parameters) or len(self.signatures) >= WRITTEN_OUT:
                return
            self.signatures.append((comment, guard_parts(key, self.parameters, self.names),
                                    self.names.of(compiled, "compiled")))
            self.text = self._text()
            function = self._function()
            if function is not None:
                function.__code__ = self._compiled().__code__

    def _compiled(self):
        exec(compile(self.text, "<srcdiff dispatch>", "exec"), self.namespace)
        return self.namespace.pop("dispatch")  # not left in its own globals: a cycle (see new_function)

    def _text(self):
        params = list(self.parameters)
        header = [f"{p}={self.defaults[p]}" if p in self.defaults else p for p in params]
        if self.positional_only:
            header.insert(self.positional_only, "/")
        args = ", ".join(params)
        lines = [f"def dispatch({', '.join(header)}):\n"]
        for comment, tests, name in self.signatures:
            lines.append(f"    # {comment}\n")
            lines.append(_if(tests))
            lines.append(f"        return {name}({args})\n")
        lines.append(f"    return {self.slow}(({args}{',' if len(params) == 1 else ''}))\n")
        return "".join(lines)


def signature_comment(kinds, args):
    """``w: f64[1], xs: list (empty)``: the kinds of one signature, for the dispatcher's text."""
    return ", ".join(f"{name}: {_kind_text(kind, value)}" for (name, kind), value in zip(kinds.items(), args))


def _kind_text(kind, value):
    empty = kind is not None and kind.sequence and not value
    return f"{kind or 'no kind'}{' (empty)' if empty else ''}"


_PARAMETER = object()  # what the namespace holds under a parameter's name: no global takes it


def _if(tests):
    if not tests:
        return "    if True:\n"
    if len(tests) == 1:
        return f"    if {tests[0]}:\n"
    rest = "".join(f"\n            and {test}" for test in tests[1:])
    return f"    if ({tests[0]}{rest}):\n"
