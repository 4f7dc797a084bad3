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
import numbers

import numpy as np

from .arguments import ArrayGradientError


class Context:
    """What ``forward`` stashes for ``backward``: ``save_for_backward(*values)``, read back
    as ``saved_tensors``; any other attribute may be set too.  Generated code makes it with
    the arguments of ``forward`` (``rt.Context(a, b)``), whose shapes it keeps for
    ``function_gradients`` to check what ``backward`` returns against."""

    saved_tensors = ()

    def __init__(self, *arguments):
        self.argument_shapes = tuple(_shape_of(a) for a in arguments)
        self.argument_dtypes = tuple(getattr(a, "dtype", None) for a in arguments)

    def save_for_backward(self, *values):
        self.saved_tensors = values

    def __repr__(self):
        return f"Context({len(self.saved_tensors)} saved)"


def _shape_of(value):
    """An array's shape, ``()`` for a real number, None for anything else (not checked)."""
    shape = getattr(value, "shape", None)
    if shape is not None:
        return tuple(shape)
    return () if isinstance(value, numbers.Real) else None


def function_gradients(ctx, returned, needed):
    """What ``Cls.backward(ctx, g)`` returned, checked against the arguments of ``forward``
    (``ctx.argument_shapes``): one gradient per argument (bare when there is one), and for
    each argument whose gradient is needed (the positions ``needed``) a value of that
    argument's shape, never None.  A wrong count, a missing gradient or a gradient of
    another shape (a scalar NumPy would broadcast) is refused at the user's ``apply``; a
    NumPy gradient of another floating dtype than its array argument's is cast to it (a
    float32 argument gets a float32 gradient, as ``grad`` promises)."""
    shapes = ctx.argument_shapes
    gradients = (returned,) if len(shapes) == 1 else returned
    if len(shapes) != 1 and not (isinstance(gradients, (tuple, list)) and len(gradients) == len(shapes)):
        count = len(gradients) if isinstance(gradients, (tuple, list)) else 1
        raise ArrayGradientError(f"the srcdiff.Function's backward returned {count} value{'s' * (count != 1)} for "
                                 f"the {len(shapes)} arguments of its forward",
                                 hint="return one gradient per argument of forward after ctx, in order (a tuple)")
    for position in needed:
        _check_gradient(gradients[position], shapes[position], position)
    dtypes = ctx.argument_dtypes
    if not any(_cast_needed(gradients[p], dtypes[p]) for p in needed):
        return returned
    cast = [g.astype(dtypes[p]) if p in needed and _cast_needed(g, dtypes[p]) else g for p, g in enumerate(gradients)]
    return cast[0] if len(shapes) == 1 else tuple(cast)


def _cast_needed(gradient, dtype):
    return isinstance(gradient, np.ndarray) and isinstance(dtype, np.dtype) and dtype.kind == "f" \
        and gradient.dtype != dtype


def function_gradient(ctx, returned, position):
    """The gradient of argument ``position`` among what ``Cls.backward(ctx, g)`` returned,
    checked as ``function_gradients`` checks it (explain mode reads them one at a time)."""
    function_gradients(ctx, returned, (position,))
    return returned if len(ctx.argument_shapes) == 1 else returned[position]


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
