"""Gradients of Dask arrays: one lazy task graph for both sweeps, computed once.

Contract: ``lazy_aware(OtherArrays(compiled, lazy))`` is the function ``grad`` and ``value_and_grad``
hand out for array code.  Called with NumPy arrays and numbers only, it calls
``compiled`` and adds nothing but a look at the arguments' types.  Called with a Dask
array among its arguments (or inside a list, tuple or dict argument), it

1. runs the generated code compiled without in-place writes (``emit.compile_out_of_place``:
   ``grad_W += e`` would write a Dask array into a NumPy one) while any compute in this
   thread is refused: everything Dask would have to compute on the way (an ``if`` on data,
   ``float()``, a NumPy function Dask lacks, ``np.add.at``) raises ``LazyComputeError`` at
   the user's line instead, so the forward and backward sweeps become one task graph;
2. with ``lazy=True`` returns that result: the gradients (and value) that depend on Dask
   arrays are lazy Dask arrays, the others what they always are;
3. otherwise computes every lazy part of the result in one ``dask.compute`` (on the
   default scheduler: a ``dask.distributed`` Client when one is active), so no
   intermediate runs twice and only the gradients travel to the client, and returns them
   as NumPy arrays of the parameters' dtypes, a number for a number.  The gradient of a
   parameter that is itself a Dask array (the data ``X``, when ``wrt`` includes it) stays
   a Dask array, of its parameter's type, and is not computed: it is as large as the data.

Dask is optional: values are recognised by their class's module (``runtime.lazy``) and Dask is
imported only here, once a Dask array was passed.  Imports ``emit``, ``runtime`` and ``errors``.
"""
import contextlib
import functools
import inspect
import sys
import threading

import numpy as np

from .analysis import numbers_alone
from .emit import compile_out_of_place
from .errors import GeneratedCodeError, SignatureError, generated_file
from .runtime.arguments import complex_argument_error, is_complex
from .runtime.lazy import is_lazy, is_other_array_class
from .runtime.trees import leaves, replace_leaves, tree_part


class LazyComputeError(GeneratedCodeError):
    """A line of the function needs the value of a Dask array while its gradient is built
    lazily: located at that line (``errors.GeneratedCodeError``)."""


def lazy_aware(others):
    """``others.compiled`` (a generated gradient of array code; ``others`` an ``OtherArrays``),
    taking Dask arrays as described in the module doc; its attributes (``source``,
    ``__srcdiff_*__``) are ``compiled``'s and ``__wrapped__`` is ``compiled``.  (Code
    specialized to its arguments' kinds runs ``others`` from its dispatcher's slow path
    instead: ``pipeline.specialize``.)"""
    compiled = others.compiled

    @functools.wraps(compiled)
    def gradient(*args, **kwargs):
        found = others.find(args, kwargs)
        return compiled(*args, **kwargs) if found is None else others.call(found, args, kwargs)

    return marked_lazy(gradient, others)


def marked_lazy(gradient, others):
    """``gradient`` with what the API and the frontend read of a function taking Dask arrays."""
    gradient.__srcdiff_lazy__ = others.lazy
    gradient.__srcdiff_compiled__ = others.compiled  # what the frontend reads for a derivative of this gradient
    return gradient


class OtherArrays:
    """The calls of ``compiled`` (a generated gradient of array code) that hold a Dask array
    or another library's array among their arguments (see the module doc): ``find`` says
    whether a call does, ``call`` runs it."""

    def __init__(self, compiled, lazy=False, value_first=False):
        """``value_first``: ``compiled`` returns ``(value, gradients)``, and the value computed is
        a NumPy scalar, as NumPy's reductions give."""
        self.compiled, self.lazy, self.value_first = compiled, lazy, value_first
        self.numpy_code = getattr(compiled, "__srcdiff_numpy_code__", None)
        self.array_code = getattr(compiled, "__srcdiff_array_code__", None)
        self.out_of_place = None  # compiled on the first call with a Dask array

    @staticmethod
    def find(args, kwargs):
        """The first Dask array or other library's array among the arguments (``other_array_in``)."""
        return other_array_in(args, kwargs)

    def call(self, found, args, kwargs):
        """The result of a call holding ``found`` (what ``find`` returned)."""
        compiled = self.compiled
        _refuse_found(found, self.array_code, self.numpy_code, (compiled, args, kwargs))
        if not is_lazy(found):  # another library's array: NumPy code refused it above, standard code runs on it
            return compiled(*args, **kwargs)
        if self.out_of_place is None:
            self.out_of_place = compile_out_of_place(compiled)
        with _computes_refused():
            try:
                result = self.out_of_place(*args, **kwargs)
            except NotImplementedError as error:  # what Dask arrays do not support (nd fancy indexing)
                raise _located(error) from error
        if self.lazy:
            return result
        return computed(result, self.value_first, _parameters_like(compiled, args, kwargs, self.value_first))


def _located(error):
    """A ``LazyComputeError`` for Dask's refusal ``error``, at the user's line of the innermost
    generated line in its traceback."""
    origin, trace = None, error.__traceback__
    while trace is not None:
        found = generated_file(trace.tb_frame.f_code.co_filename)
        origin = found.origin(trace.tb_lineno) if found is not None else origin
        trace = trace.tb_next
    where = () if origin is None else (origin.filename, origin.lineno, origin.col, origin.line_text)
    return LazyComputeError(f"Dask arrays do not support this line: {error}", *where,
                            hint="pass NumPy arrays for this computation, or write it with what Dask supports "
                                 "(one-hot labels: np.sum(Y * scores, axis=1) instead of scores[np.arange(N), y])")


def other_array_in(args, kwargs):
    """The first Dask array or other library's array among a call's arguments, or None."""
    return _other_array(args) if not kwargs else _other_array((*args, *kwargs.values()))


def _other_array(values):
    """The first of ``values``, or of the lists, tuples and dicts among them (nested), that is a
    Dask array, an array of another library than NumPy (``is_other_array_class``) or a complex
    value; None when there is none.  Real NumPy arrays and numbers are passed over first, at a
    few ns each, and so is a list or tuple of numbers alone (``numbers_alone``)."""
    for value in values:
        kind = type(value)
        if kind is float or kind is int or kind is np.ndarray and value.dtype.kind != "c":
            continue
        if kind is tuple or kind is list:
            if numbers_alone(value):
                continue
            found = _other_array(value)
        elif kind is dict:
            found = _other_array(value.values())
        else:
            # an ndarray subclass too (np.matrix, a masked array: operators of their own), but np.memmap
            found = value if is_other_array_class(kind) or issubclass(kind, np.ndarray) and kind is not np.memmap \
                or is_complex(value) else None
        if found is not None:
            return found
    return None


def numpy_arrays_only(compiled):
    """``compiled`` (generated from array code) behind a look at its arguments that refuses an
    ndarray subclass with operators of its own, a complex value and, for code written with NumPy,
    another library's arrays (``_refuse_found``); ``compiled`` itself for other code."""
    if getattr(compiled, "__srcdiff_array_code__", None) is None:
        return compiled

    @functools.wraps(compiled)
    def numpy_only(*args, **kwargs):
        refuse_other_arrays(compiled, args, kwargs)
        return compiled(*args, **kwargs)

    numpy_only.__srcdiff_compiled__ = compiled  # what the frontend reads for a derivative of it
    return numpy_only


def refuse_other_arrays(compiled, args, kwargs):
    """For a derivative ``compiled`` of array code, raise what ``_refuse_found`` raises for its arguments."""
    where = getattr(compiled, "__srcdiff_array_code__", None)
    if where is not None:
        _refuse_found(other_array_in(args, kwargs), where, getattr(compiled, "__srcdiff_numpy_code__", None),
                      (compiled, args, kwargs))


def _refuse_found(found, array_code, numpy_code, call):
    """Raise ``array_refusal`` for ``found`` (what ``other_array_in`` found, or None) passed to a
    derivative of array code defined at ``array_code``: an ndarray subclass (operators of its own)
    always; another library's array (not Dask's) where the code is written with NumPy (``numpy_code``:
    its ``def``, else None); a complex value at the user's ``call`` (derivative, args, kwargs)."""
    if is_complex(found):
        raise complex_argument_error(*call)
    if isinstance(found, np.ndarray) or found is not None and numpy_code is not None and not is_lazy(found):
        raise array_refusal(array_code, found)


def array_refusal(where, value):
    """The error for an array of an ndarray subclass passed to the derivative of array code, or of
    another library to one of code written with NumPy (``where``: its ``def``, an ``ir.Loc``)."""
    kind = type(value)
    name = f"{kind.__module__.split('.')[0]}.{kind.__name__}"
    if isinstance(value, np.ndarray):
        message = (f"one of the arguments is a {name}, a subclass of NumPy's array whose operators may differ from an "
                   "array's (np.matrix multiplies matrices with *; a masked array skips masked entries): srcdiff "
                   "differentiates the arithmetic of plain arrays")
        hint = "pass np.asarray(x) (for a masked array, x.filled(value) or x.compressed())"
    else:
        message = (f"this function is written with NumPy (np.*), whose functions work on NumPy arrays only, and one of "
                   f"its arguments is a {name}; a function written against the Array API standard runs on any "
                   "library's arrays")
        hint = ("start the function with xp = array_namespace(x, ...) (from array_api_compat) and call xp.sum, xp.exp, "
                "... instead of np.sum, np.exp; or pass NumPy arrays (tensor.numpy())")
    return SignatureError(message, where.filename, where.lineno, where.col, where.line_text, hint=hint)


def _parameters_like(compiled, args, kwargs, value_first):
    """A value of the structure of ``compiled``'s result holding, where the result holds a
    gradient, its parameter's argument (None at the value of ``value_and_grad``)."""
    positions, single = compiled.__srcdiff_wrt__
    signature = inspect.signature(compiled)
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    names = list(signature.parameters)
    params = bound.arguments[names[positions[0]]] if single else tuple(bound.arguments[names[i]] for i in positions)
    return (None, params) if value_first else params


def _part(tree, path):
    """The part of ``tree`` at ``path``, or None where ``tree`` has no such part."""
    try:
        return tree_part(tree, path)
    except (LookupError, TypeError, AttributeError):
        return None


def computed(result, value_first=False, parameters=None):
    """``result`` with every Dask array in it computed, all in one ``dask.compute``: an
    array as a writable NumPy array, a 0-d one as a number (a float for float64, as
    ``rt.like`` gives a float parameter's gradient), or with ``value_first`` the 0-d
    ``result[0]`` as a NumPy scalar.  ``parameters`` (of ``result``'s structure, see
    ``_parameters_like``): a gradient whose parameter is a Dask array is left lazy."""
    import dask

    lazy_parts = [(path, value) for path, value in leaves(result)
                  if is_lazy(value) and not is_lazy(_part(parameters, path))]
    if not lazy_parts:
        return result
    values = dask.compute(*[value for _, value in lazy_parts])
    return replace_leaves(result, {path: _finished(value, value_first and path == (0,))
                                   for (path, _), value in zip(lazy_parts, values)})


def _finished(value, scalar=False):
    """A computed gradient as ``rt.like`` gives it (see ``computed``)."""
    value = np.asarray(value)
    if value.ndim == 0:
        return float(value) if value.dtype == np.float64 and not scalar else value[()]
    return value if value.flags.writeable else value.copy()


@contextlib.contextmanager
def _computes_refused():
    """A context in which this thread's Dask computes raise ``LazyComputeError`` (other
    threads compute as before): Dask's ``scheduler`` setting, replaced while it lasts."""
    import dask

    owner, before = threading.get_ident(), dask.config.get("scheduler", None)

    def refuse(graph, keys, **kwargs):
        if threading.get_ident() != owner:
            return _scheduler(before)(graph, keys, **kwargs)
        raise LazyComputeError(
            f"this line needs the value of a Dask array ({_what_computes()}), but srcdiff builds a gradient of Dask "
            "arrays as one lazy task graph and computes it once",
            hint="keep decisions on data (if, while, float(), item writes at integer arrays) out of the function, "
                 "or compute that value first and pass it in as an argument")

    refuse.srcdiff_sweep = True  # rt.check_scalar tells array code's sweep from scalar code by it
    with dask.config.set(scheduler=refuse):
        yield


def _scheduler(setting):
    """The schedule function Dask's ``scheduler`` setting names (its threads when unset)."""
    import dask

    return dask.base.get_scheduler(scheduler="threads" if setting is None else setting)


_WHAT = {"__bool__": "a truth test: if, while, and, or on data", "__float__": "float()", "__int__": "int()",
         "__index__": "an index", "__array__": "a conversion to a NumPy array",
         "handle_nonmatching_names": "a NumPy function Dask does not have"}


def _what_computes():
    """What asked for the compute: the runtime helper the generated line called, or the Dask
    method Python called for it (``__bool__`` for an ``if``)."""
    for code in _caller_frames():
        module = code.co_filename.replace("\\", "/")
        if "/srcdiff/runtime/" in module:
            return f"in rt.{code.co_name}"
        if code.co_name in _WHAT:
            return _WHAT[code.co_name]
    return "a compute"


def _caller_frames():
    """The code objects on this thread's stack between the innermost generated line and the
    caller of the caller, the one the generated line called first."""
    codes, frame = [], sys._getframe(2)
    while frame is not None and not frame.f_code.co_filename.startswith("<srcdiff"):
        codes.append(frame.f_code)
        frame = frame.f_back
    return codes[::-1]
