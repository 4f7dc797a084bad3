"""User-defined primitives in the modular forward/backward style: ``srcdiff.Function``.

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
Inside a differentiated function srcdiff does not read ``forward`` or ``backward``; the
generated code calls them:

| source                     | forward section                      | backward section                                  |
| -------------------------- | ------------------------------------ | ------------------------------------------------- |
| ``z = Multiply.apply(a, b)`` | ``ctx = rt.Context()``, ``z = Multiply.forward(ctx, a, b)`` | ``grad_a, grad_b = Multiply.backward(ctx, grad_z)`` |

An adjoint already written (a fork), or a value passed twice, gets its part in a fresh
name and is accumulated after the call; an argument that needs no gradient is unpacked
into ``_``.  ``backward`` returns one gradient per argument of ``forward`` after ``ctx``
(a bare value when there is one).  Forward mode and second derivatives cannot go
through a Function (it states only its backward): refused with a SrcdiffError.
"""
import ast
from dataclasses import dataclass

from . import frontend
from .errors import NoGradientRuleError, UnsupportedSyntaxError
from .flow import assigns
from .ir import Var


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


class CustomRule(tuple):
    """The rule of a Function's forward: every argument may receive a gradient, through
    the backward call (never through templates)."""


def is_custom_op(op):
    """Whether an IR operation is a Function's forward call (``Multiply.forward``)."""
    return op.endswith(".forward")


def custom_rule(nargs):
    return CustomRule(("backward",) * nargs)


# ---------------------------------------------------------------- lowering

def lower_call(lowerer, node, hint):
    """Lower ``Cls.apply(args)`` (or ``Cls.forward(ctx, args)`` in generated code), or
    return None when ``node`` does not call a srcdiff.Function."""
    func = node.func
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)) or func.value.id in lowerer.env:
        return None
    ref = lowerer.source.scope.resolve(func.value.id)
    if not isinstance(ref, frontend.CustomFunctionRef):
        return None
    generated = func.attr == "forward" and node.args and isinstance(node.args[0], ast.Name) \
        and lowerer.source.filename.startswith("<srcdiff")
    if func.attr == "backward" and lowerer.source.filename.startswith("<srcdiff"):
        raise lowerer.error(NoGradientRuleError, node,
                            f"cannot differentiate {ref.name}.backward: higher derivatives cannot go through a srcdiff.Function",
                            f"write {ref.name} as a plain function of differentiable operations to get higher derivatives")
    if func.attr != "apply" and not generated:
        raise lowerer.error(UnsupportedSyntaxError, node, f"calling {ref.name}.{func.attr} directly is not supported",
                            f"call {ref.name}.apply(...): srcdiff calls forward and backward itself")
    if node.keywords:
        raise lowerer.error(UnsupportedSyntaxError, node, f"keyword arguments to {ref.name}.{func.attr} are not supported",
                            "pass the arguments by position")
    if ref.cls is not None:
        lowerer.shared.globals[ref.name] = ref.cls
    lowerer.shared.reserved.add(ref.name)
    if generated:
        ctx, *args = [lowerer.expr(a) for a in node.args]
    else:
        args = [lowerer.expr(a) for a in node.args]
        ctx = lowerer.emit("rt.Context", (), node, hint="ctx")
    return lowerer.emit(f"{ref.name}.forward", (ctx, *args), node, hint)


# ---------------------------------------------------------------- reverse sweep

@dataclass(frozen=True)
class Unpack:
    """``grad_a, grad_b = Cls.backward(ctx, g)``: ``parts`` holds, per argument of forward
    after ctx, the Var whose adjoint receives that gradient (None: unpacked into ``_``)."""

    parts: tuple
    expr: ast.expr
    loc: object = None


def backward_statements(stmt, upstream, tokens, active, written, accumulate):
    """The records of a Function's backward call, and the Vars whose values it reads.

    ``accumulate(var, expr, first, loc)`` makes the reverse sweep's Accumulate record.
    """
    ctx, *args = stmt.args
    cls_name = stmt.op[: -len(".forward")]
    call = ast.Call(func=ast.Attribute(value=ast.Name(id=cls_name, ctx=ast.Load()), attr="backward", ctx=ast.Load()),
                    args=[ast.Name(id=tokens.value(ctx), ctx=ast.Load()), upstream], keywords=[])
    parts, after = [], []
    for arg in args:
        if not (isinstance(arg, Var) and arg in active):
            parts.append(None)
        elif arg not in written and arg not in parts:
            parts.append(arg)
        else:  # a fork: receive the part under a fresh name, then add it
            part = Var(arg.hint, arg.user_named)
            parts.append(part)
            after.append(accumulate(arg, ast.Name(id=tokens.adjoint(part), ctx=ast.Load()), False, stmt.loc))
    for part in parts:
        if part is not None:
            tokens.adjoint(part)
    newly = [p for p in parts if p is not None and p in args]
    written.update(newly)
    return [Unpack(tuple(parts), call, stmt.loc)] + after, {ctx, stmt.target}


def check_classes_available(function):
    """Refuse to run a Function whose class is only known from a file's text (the command
    line never runs the file, so there is no class to call)."""
    for stmt in assigns(function.body):
        op = stmt.op
        if is_custom_op(op) and op[: -len(".forward")] not in function.globals:
            loc = stmt.loc
            raise UnsupportedSyntaxError(
                f"cannot run the srcdiff.Function {op[: -len('.forward')]!r}: the file is read, never run",
                loc.filename, loc.lineno, loc.col, loc.line_text,
                "explain this function from Python with srcdiff.explain(fn, *args)")


def backward_templates(stmt):
    """Per-argument templates calling the Function's backward (``x0`` is ctx), for explain mode:
    ``Multiply.backward(x0, g)[1]`` is the gradient of the second argument after ctx."""
    cls_name = stmt.op[: -len(".forward")]
    count = len(stmt.args) - 1
    call = f"{cls_name}.backward(x0, g)"
    return (None,) + tuple(call if count == 1 else f"{call}[{i}]" for i in range(count))


def unpack_source(record, grad_names, final_names, copy_expr):
    """``grad_a, _ = Cls.backward(ctx, grad_z)`` (a bare target when forward has one argument)."""
    targets = [grad_names[p] if p is not None else "_" for p in record.parts]
    value = ast.unparse(copy_expr(record.expr, final_names))
    left = targets[0] if len(targets) == 1 else ", ".join(targets)
    return f"{left} = {value}"
