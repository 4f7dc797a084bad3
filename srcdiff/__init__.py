"""srcdiff: source-to-source reverse-mode differentiation of Python functions.

Public names (see API.md): grad, value_and_grad, hvp, hessian, jacobian, jvp, export, Function,
explain, graph, SrcdiffError; ``srcdiff.testing.check_grad`` for users' test suites.
"""
from . import testing
from ._version import VERSION
from .api import export, grad, hessian, hvp, jacobian, jvp, value_and_grad
from .errors import SrcdiffError
from .explain import explain, graph
from .runtime import Function

__all__ = ["grad", "value_and_grad", "hvp", "hessian", "jacobian", "jvp", "export", "Function", "explain", "graph",
           "SrcdiffError"]
__version__ = VERSION
