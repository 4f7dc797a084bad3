"""What autograd's test files import from autograd, answered by srcdiff.

``autograd_corpus.py`` rewrites the imports of autograd's own test files to read their
helpers from here.  Contract:

- ``check_grads(fun, argnum=0, modes=..., order=...)(*args, **kwargs)`` and
  ``combo_check(fun, argnum, ...)(*arg_lists, **kwarg_lists)`` never raise: each call of
  ``fun`` they stand for becomes one case of ``RECORD`` (``autograd_cases.check_case``
  decides pass / refused / wrong / crash / skip).
- ``grad``, ``value_and_grad``, ``jacobian``, ``elementwise_grad`` and ``deriv`` are
  srcdiff's transforms under autograd's names and ``argnum`` convention; a test calling
  them directly checks the numbers with its own asserts, so their errors reach the test
  (the runner classifies the test as a whole) and ``DIRECT`` counts their uses.
- ``tuple``, ``list``, ``dict`` and ``isinstance`` of autograd are the builtins: in plain
  Python a user writes those.
- ``provide(name)`` gives the object above of that name, or for anything else autograd
  offers (``primitive``, ``defvjp``, ``vspace``, ``make_vjp``, ...) a stand-in whose use
  raises ``AutogradOnly``: the test is out of srcdiff's scope by design.
"""
import builtins
import itertools
import types

import numpy as np

import srcdiff
import srcdiff.api
from autograd_cases import check_case

RECORD = []          # the cases of the test now running: (label, status, detail, order)
DIRECT = [0]         # how many srcdiff transforms the test called directly


class AutogradOnly(Exception):
    """A test used a part of autograd's own machinery that plain Python does not have."""


class _Stand_in:
    """Raises ``AutogradOnly`` naming ``name`` on any call or attribute read."""

    def __init__(self, name):
        self._name = name

    def __call__(self, *args, **kwargs):
        raise AutogradOnly(f"autograd-specific API '{self._name}'")

    def __getattr__(self, attribute):
        raise AutogradOnly(f"autograd-specific API '{self._name}.{attribute}'")


def _wrt(argnum):
    return tuple(argnum) if isinstance(argnum, (builtins.tuple, builtins.list)) else argnum


def _counted(transform):
    def use(fun, argnum=0, *rest, **options):
        made = transform(fun, argnum)  # first: srcdiff differentiating a test's use of grad meets srcdiff.grad
        DIRECT[0] += 1
        return made
    use.__doc__ = transform.__doc__
    return use


def _grad(fun, argnum):
    """autograd.grad: srcdiff.grad with respect to position(s) ``argnum``."""
    return srcdiff.grad(fun, wrt=_wrt(argnum))


def _value_and_grad(fun, argnum):
    """autograd.value_and_grad: srcdiff.value_and_grad with respect to ``argnum``."""
    return srcdiff.value_and_grad(fun, wrt=_wrt(argnum))


def _jacobian(fun, argnum):
    """autograd.jacobian: srcdiff.jacobian with respect to ``argnum``."""
    return srcdiff.jacobian(fun, wrt=_wrt(argnum))


def _elementwise_grad(fun, argnum):
    """autograd.elementwise_grad (and deriv): the vector-Jacobian product with a ones cotangent."""
    product = srcdiff.api.vjp(fun, wrt=argnum)

    def with_ones(*args):
        return product(*args, np.ones_like(np.asarray(fun(*args), dtype=float)))
    return with_ones


def check_grads(fun, argnum=0, modes=("fwd", "rev"), order=2):
    """``checker(*args, **kwargs)`` records srcdiff's derivatives of ``fun`` at ``args``
    with respect to ``argnum`` as cases: first derivatives, and Hessian-vector products
    when ``order`` is 2 (autograd's default) and the result is a scalar."""
    positions = builtins.tuple(argnum) if isinstance(argnum, (builtins.tuple, builtins.list)) else (argnum,)

    def checker(*args, **kwargs):
        RECORD.extend(check_case(fun, args, kwargs, positions, builtins.tuple(modes), order))
    return checker


def combo_check(fun, argnum=0, modes=("fwd", "rev"), order=2):
    """``checker(*arg_lists, **kwarg_lists)``: one ``check_grads`` case per combination
    of one value from each list, as autograd's own ``combo_check``."""
    def checker(*arg_lists, **kwarg_lists):
        choices = [[(key, value) for value in values] for key, values in kwarg_lists.items()]
        for args in itertools.product(*arg_lists):
            for pairs in itertools.product(*choices):
                check_grads(fun, argnum, modes, order)(*args, **builtins.dict(pairs))
    return checker


def scalar_close(a, b, tol=1e-6):
    """autograd.test_util.scalar_close: equal within an absolute or relative 1e-6."""
    return abs(a - b) < tol or abs(a - b) / abs(a + b) < tol


def check_equivalent(x, y):
    """autograd.test_util.check_equivalent: same shape and (nearly) the same numbers."""
    assert np.shape(x) == np.shape(y), f"shapes differ: {np.shape(x)} and {np.shape(y)}"
    assert np.allclose(x, y, rtol=1e-6, atol=1e-6), f"values differ:\n{x}\n{y}"


def root(**modules):
    """A stand-in for the name ``autograd`` after ``import autograd.scipy.signal``."""
    return types.SimpleNamespace(**modules)


PROVIDED = {
    "grad": _counted(_grad), "value_and_grad": _counted(_value_and_grad), "jacobian": _counted(_jacobian),
    "elementwise_grad": _counted(_elementwise_grad), "deriv": _counted(_elementwise_grad),
    "check_grads": check_grads, "combo_check": combo_check, "scalar_close": scalar_close,
    "check_equivalent": check_equivalent,
    "tuple": builtins.tuple, "list": builtins.list, "dict": builtins.dict, "isinstance": builtins.isinstance,
}


def provide(name):
    """The shim's object called ``name``, or a stand-in for autograd's own machinery."""
    return PROVIDED.get(name) or _Stand_in(name)
