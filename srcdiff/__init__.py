"""srcdiff: source-to-source reverse-mode differentiation of Python functions.

Public names (see API.md): grad, value_and_grad, SrcdiffError.
"""
from .api import grad, value_and_grad
from .errors import SrcdiffError

__all__ = ["grad", "value_and_grad", "SrcdiffError"]
__version__ = "0.1.0"
