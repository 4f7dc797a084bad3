"""srcdiff: source-to-source reverse-mode differentiation of Python functions.

Public names (see API.md): grad, value_and_grad, explain, graph, SrcdiffError.
"""
from .api import grad, value_and_grad
from .errors import SrcdiffError
from .pictures import graph
from .walkthrough import explain

__all__ = ["grad", "value_and_grad", "explain", "graph", "SrcdiffError"]
__version__ = "0.1.0"
