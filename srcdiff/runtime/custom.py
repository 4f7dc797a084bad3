"""``srcdiff.Function``, a primitive of the user's own, and the ``Context`` it stashes in.

```python
class Multiply(srcdiff.Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, grad_z):
        x, y = ctx.saved_tensors
        return y * grad_z, x * grad_z
```

Outside srcdiff, ``Multiply.apply(a, b)`` runs ``forward`` with a fresh ``Context``.
Inside a differentiated function the generated code calls ``forward`` and ``backward``
itself (``ctx = rt.Context()``): see ``srcdiff.rules.custom`` and
``srcdiff.transforms.custom``.
"""
import collections
import numbers

import numpy as np

from .arguments import ArrayGradientError


class Context:
    """What ``forward`` stashes for ``backward``: ``save_for_backward(*values)``, read back
    as ``saved_tensors``; any other attribute may be set too.  Generated code makes it with
    the arguments of ``forward`` (``rt.Context(a, b)``), whose kinds (shape, dtype) it keeps
    for ``function_gradients`` to check what ``backward`` returns against."""

    saved_tensors = ()

    def __init__(self, *arguments):  # a float is its own kind: the common case costs no look
        self.argument_kinds = tuple([a if a.__class__ is float else _kind_of(a) for a in arguments])

    def save_for_backward(self, *values):
        self.saved_tensors = values

    def __repr__(self):
        return f"Context({len(self.saved_tensors)} saved)"


ArgumentKind = collections.namedtuple("ArgumentKind", "shape dtype is_array")


def _kind_of(value):
    """What is checked of an argument that is not a float: its shape (``()`` for a real
    number, None for anything else: not checked), its dtype and whether it is a NumPy array."""
    shape = getattr(value, "shape", None)
    if shape is None and isinstance(value, numbers.Real):
        shape = ()
    return ArgumentKind(None if shape is None else tuple(shape), getattr(value, "dtype", None),
                        isinstance(value, np.ndarray))


def function_gradients(ctx, returned, needed):
    """What ``Cls.backward(ctx, g)`` returned, checked against the arguments of ``forward``
    (``ctx.argument_kinds``): one gradient per argument (bare when there is one; a 1-tuple
    is taken too), and for each argument whose gradient is needed (the positions ``needed``)
    a value of that argument's shape, never None.  A wrong count, a missing gradient or a
    gradient of another shape (a scalar NumPy would broadcast) is refused at the user's
    ``apply``.  A NumPy gradient takes its argument's type as ``grad`` promises: the floating
    dtype of an array (a float32 argument gets a float32 gradient), a number for a number."""
    kinds = ctx.argument_kinds
    if len(kinds) == 1 and returned.__class__ is float and kinds[0].__class__ is float:
        return returned  # floats for floats, the common case, first
    if returned.__class__ is tuple and len(returned) == len(kinds) and _floats_for_floats(returned, kinds, needed):
        return returned
    kinds = [ArgumentKind((), None, False) if kind.__class__ is float else kind for kind in kinds]
    if len(kinds) == 1 and kinds[0].shape is not None and isinstance(returned, (tuple, list)) and len(returned) == 1:
        returned = returned[0]
    gradients = (returned,) if len(kinds) == 1 else returned
    if len(kinds) != 1 and not (isinstance(gradients, (tuple, list)) and len(gradients) == len(kinds)):
        count = len(gradients) if isinstance(gradients, (tuple, list)) else 1
        raise ArrayGradientError(f"the srcdiff.Function's backward returned {count} value{'s' * (count != 1)} for "
                                 f"the {len(kinds)} arguments of its forward",
                                 hint="return one gradient per argument of forward after ctx, in order (a tuple)")
    for position in needed:
        _check_gradient(gradients[position], kinds[position].shape, position)
    conformed = [_conformed(g, kinds[p].dtype, kinds[p].is_array) if p in needed else g for p, g in enumerate(gradients)]
    if all(c is g for c, g in zip(conformed, gradients)):
        return returned
    return conformed[0] if len(kinds) == 1 else tuple(conformed)


def _floats_for_floats(gradients, kinds, needed):
    for position in needed:
        if gradients[position].__class__ is not float or kinds[position].__class__ is not float:
            return False
    return True


def _conformed(gradient, dtype, is_array):
    """A NumPy ``gradient`` in its argument's type: an array of the argument's floating dtype,
    a number (a NumPy float keeps its type) for a number."""
    if not isinstance(gradient, np.ndarray):
        return gradient
    floating = isinstance(dtype, np.dtype) and dtype.kind == "f"
    if is_array:
        return gradient.astype(dtype) if floating and gradient.dtype != dtype else gradient
    return dtype.type(gradient) if floating else float(gradient)


def function_gradient(ctx, returned, position):
    """The gradient of argument ``position`` among what ``Cls.backward(ctx, g)`` returned,
    checked as ``function_gradients`` checks it (explain mode reads them one at a time)."""
    gradients = function_gradients(ctx, returned, (position,))
    return gradients if len(ctx.argument_kinds) == 1 else gradients[position]


def _check_gradient(gradient, shape, position):
    if gradient is None:
        raise ArrayGradientError(f"the srcdiff.Function's backward returned None for argument {position + 1} of its "
                                 "forward, whose gradient is needed here",
                                 hint="return that argument's gradient (an explicit zero where it truly is zero)")
    if shape is not None and tuple(np.shape(gradient)) != shape:
        raise ArrayGradientError(f"the srcdiff.Function's backward returned a gradient of shape "
                                 f"{tuple(np.shape(gradient))} for argument {position + 1} of its forward, of shape "
                                 f"{shape}",
                                 hint="return a gradient of the argument's own shape (NumPy would broadcast "
                                      "another one into a wrong gradient)")


class Function:
    """Base class of a user-defined primitive: define static ``forward(ctx, *args)`` and
    ``backward(ctx, grad)``, then call ``Cls.apply(*args)``."""

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("a srcdiff.Function defines forward(ctx, ...)")

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError("a srcdiff.Function defines backward(ctx, grad)")

    @classmethod
    def apply(cls, *args):
        return cls.forward(Context(), *args)
