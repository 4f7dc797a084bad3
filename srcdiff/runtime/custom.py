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


class Context:
    """What ``forward`` stashes for ``backward``: ``save_for_backward(*values)``, read back
    as ``saved_tensors``; any other attribute may be set too."""

    saved_tensors = ()

    def save_for_backward(self, *values):
        self.saved_tensors = values

    def __repr__(self):
        return f"Context({len(self.saved_tensors)} saved)"


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
