"""Run-time refusals of generated code: ``ArrayGradientError``, and arguments that are not real.

srcdiff differentiates with respect to real numbers (int, float, bool, NumPy's real
scalars), arrays of a real dtype, and lists or tuples of them.  Generated code hands
its parameters to ``rt.like`` and ``rt.zeros_like`` (the gradients it returns) and its
result to ``rt.check_scalar``; those call ``refuse_if_not_real`` off their fast paths,
so a float argument never pays for the check.  The refusal names the parameter: it
looks the value up among the parameters of the innermost generated function on the
stack (the frame whose file name starts with ``<srcdiff``), which costs nothing until
an error is raised.
"""
import inspect
import linecache
import sys

import numpy as np

from ..errors import GeneratedCodeError

_REAL_KINDS = "biuf"  # NumPy dtype kinds of bool, signed and unsigned int, float


class ArrayGradientError(GeneratedCodeError):
    """Raised by generated code at run time (the helpers of ``rt``): located at the user's
    line that the running generated line came from (``errors.GeneratedCodeError``)."""


def not_real(value):
    """What ``value`` is when it is not a real number, a real array or a sequence of them
    (``"a str"``, ``"None"``, ``"an array of dtype complex128"``), else None.  Other
    objects (array types of other libraries) are not judged here."""
    if isinstance(value, (bool, int, float)):
        return None
    if value is None:
        return "None"
    if isinstance(value, (np.ndarray, np.generic)):
        if value.dtype.kind in _REAL_KINDS:
            return None
        kind = "an array" if isinstance(value, np.ndarray) else "a NumPy scalar"
        return f"{kind} of dtype {value.dtype}"
    if isinstance(value, (list, tuple)):
        for item in value:
            inner = not_real(item)
            if inner is not None:
                return f"a {type(value).__name__} holding {inner}"
        return None
    if isinstance(value, complex):
        return "a complex number"
    if isinstance(value, (str, bytes, set, frozenset)):
        return f"a {type(value).__name__}"
    return None  # a dict or an object: a container of parameters (``trees``) judges its parts


def is_complex(value):
    """Whether ``value`` is a complex number, or a NumPy array or scalar of a complex dtype."""
    return value.__class__ is complex or isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind == "c"


def holds_complex(value):
    """Whether ``value`` is complex (``is_complex``) or a list, tuple or dict holding a complex value."""
    if isinstance(value, (list, tuple)):
        return any(holds_complex(item) for item in value)
    return any(holds_complex(item) for item in value.values()) if isinstance(value, dict) else is_complex(value)


def complex_argument_error(compiled, args, kwargs):
    """The error for a call of the derivative ``compiled`` whose arguments hold a complex value,
    even for a parameter not differentiated: srcdiff's rules are those of real arithmetic (the
    derivative of ``abs`` is a sign, a product's needs no conjugate), so what it computes from a
    complex value is wrong.  Names the parameter; located at the user's call."""
    try:
        bound = inspect.signature(compiled).bind_partial(*args, **kwargs).arguments
    except (TypeError, ValueError):
        bound = {}
    name, what = next(((n, not_real(v)) for n, v in bound.items() if not_real(v) is not None), (None, "complex"))
    subject = f"the argument for parameter '{name}' is {what}" if name else "an argument is complex"
    filename, lineno, line = _user_call()
    return ArrayGradientError(f"{subject}, not a real number or an array of them: srcdiff differentiates real "
                              "arithmetic, so a derivative computed from complex values would be wrong",
                              filename, lineno, len(line) - len(line.lstrip()), line,
                              hint="pass real values: a complex z as its parts z.real and z.imag, two parameters")


def refuse_complex_gradient(g, x):
    """Refuse a complex gradient ``g`` of the parameter ``x``: computed from a complex argument
    that is not differentiated (one that is, ``x`` itself, is refused as not real)."""
    if is_complex(g) and not is_complex(x):
        raise ArrayGradientError("a complex gradient was computed for a real parameter: another argument holds "
                                 "complex values, and srcdiff differentiates real arithmetic",
                                 hint="pass real values: a complex z as its parts z.real and z.imag, two parameters")


def _user_call():
    """``(file, line, text)`` of the innermost frame outside srcdiff and its generated code."""
    frame = sys._getframe(1)
    while frame.f_back is not None and (frame.f_globals.get("__name__", "").partition(".")[0] == "srcdiff"
                                        or frame.f_code.co_filename.startswith("<srcdiff")):
        frame = frame.f_back
    return frame.f_code.co_filename, frame.f_lineno, linecache.getline(frame.f_code.co_filename, frame.f_lineno)


def refuse_if_not_real(value, role="argument"):
    """Raise ``ArrayGradientError`` if ``value`` is not real (see ``not_real``).

    ``role`` is ``"argument"`` (``value`` is one of the generated function's parameters)
    or ``"result"`` (the function's result: the refusal then names a parameter whose
    argument is not real, if there is one, as the likely cause).
    """
    what = not_real(value)
    if what is None:
        return
    parameters = _generated_parameters()
    if role == "argument":
        name = next((n for n, v in parameters if v is value), None)
    else:
        name, value = next(((n, v) for n, v in parameters if not_real(v) is not None), (None, value))
        what = not_real(value)
    if name is None and role == "argument":
        raise ArrayGradientError(f"an argument is {what}, not a real number or an array of them",
                                 hint="srcdiff differentiates with respect to real numbers and arrays of them")
    if name is None:
        raise ArrayGradientError(f"the function returned {what}, not a real number",
                                 hint="srcdiff differentiates functions of real numbers and arrays returning one number")
    raise ArrayGradientError(f"the argument for parameter '{name}' is {what}, not a real number or an array of them",
                             hint=f"pass a number or an array for '{name}', or leave it out of wrt "
                                  "(srcdiff.grad(f, wrt=...)): only real values are differentiated")


def as_array(value):
    """``np.asarray(value)`` of a parameter indexed like an array; a list or tuple whose items
    differ in shape (``(np.ones(3), 1.5)``) and a dict (its keys are no positions) are refused,
    naming the parameter."""
    if isinstance(value, dict):  # a dict parameter read at a key the build could not take as a path
        subject = argument_named(value)  # (named outside the f-string: an exported copy renames names, not text)
        raise ArrayGradientError(
            f"{subject} is a {type(value).__name__}, read here at a key computed at run time or that is not a "
            "string or int constant, which srcdiff would index like an array",
            hint="read a dict at constant keys (params['W'], params[0]), or pass the values as an array or a list")
    try:
        return np.asarray(value)
    except ValueError:
        name = next((n for n, v in _generated_parameters() if v is value), None)
        subject = f"the argument for parameter '{name}'" if name else "an argument"
        raise ArrayGradientError(
            f"{subject} is a {type(value).__name__} of values of different shapes, which srcdiff indexes like one array",
            hint="pass each part as a parameter of its own, or one array (np.stack)") from None


def argument_named(value):
    """"the argument for parameter 'x'" where ``value`` is a parameter of the innermost generated
    function running, else "a value": how a refusal names what it refuses."""
    name = next((n for n, v in _generated_parameters() if v is value), None)
    return f"the argument for parameter '{name}'" if name else "a value"


def _generated_parameters():
    """``(name, value)`` of each parameter of the innermost generated function running."""
    frame = sys._getframe(1)
    while frame is not None and not frame.f_code.co_filename.startswith("<srcdiff"):
        frame = frame.f_back
    if frame is None:
        return []
    code = frame.f_code
    count = code.co_argcount + code.co_kwonlyargcount
    return [(n, frame.f_locals[n]) for n in code.co_varnames[:count] if n in frame.f_locals]


def numbers_alone(sequence):
    """Whether every item of the list or tuple ``sequence`` is a Python float or int (a
    bool between its ends is an int too), judged by all of them: the sum from ``0.0`` stays
    a Python float exactly then (C's fast path for floats and ints, a few ns an item); a
    NumPy number, an array, a complex number or a container makes it something else or
    raises.  Its two ends are looked at first, so a sequence of arrays is turned away
    without adding any of them.  Specialization (``analysis.kind_of``) and ``index_grad``
    judge a list by it, never by one item: ``[0.5, W, 0.3]`` is not a list of numbers."""
    if sequence and (sequence[0].__class__ not in _NUMBER_ENDS or sequence[-1].__class__ not in _NUMBER_ENDS):
        return False
    try:
        return sum(sequence, 0.0).__class__ is float
    except Exception:  # items that do not add to a float (strings, None, lists, shapes that do not broadcast)
        return False


_NUMBER_ENDS = (float, int)
