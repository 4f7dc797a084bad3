"""srcdiff: source-to-source reverse-mode differentiation of Python functions.

Public names (see API.md): grad, value_and_grad, hvp, hessian, jvp, explain, graph, SrcdiffError.
"""
from .api import grad, value_and_grad
from . import testing
from .custom import Function
from .errors import SrcdiffError
from .higher import hessian, hvp, jvp
from .jacobian import jacobian
from .pictures import graph
from .walkthrough import explain

__all__ = ["grad", "value_and_grad", "hvp", "hessian", "jacobian", "jvp", "Function", "explain", "graph", "SrcdiffError"]
__version__ = "0.1.0"
