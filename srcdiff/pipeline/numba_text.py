"""``numba_text``: the specialized gradient's text with its runtime calls rewritten into what
numba compiles (``jit="numba"``, see ``pipeline.jit``); a NumbaError at the function's
definition for a runtime call that has no numba form.

| runtime call in the specialized text | numba form |
| --- | --- |
| ``rt.items_zeros(xs)`` | ``np.zeros_like(xs)`` |
| ``[0.0] * len(xs)``, ``np.array(grad_xs, xs.dtype)`` (an array's gradient gathered in a list) | ``np.zeros(len(xs))``, ``grad_xs.astype(xs.dtype)`` |
| ``rt.items_like(g, xs)`` | ``g`` |
| ``rt.like(g, xs)`` of an array argument (its gradient gathered item by item beside a loop walking it) | ``g.astype(xs.dtype)`` |
| ``rt.sign(x)`` (the gradient of ``abs``) | ``np.sign(x)`` (0 at 0, as ``rt.sign``) |
| ``float(a >= b)`` (the gradient of ``max``, ``min``) | ``1.0 if a >= b else 0.0`` |
| ``rt.zeros_like(p)``, ``rt.zero_gradient(p)``, ``rt.tree_zeros(p)``, ``rt.whole_zeros(xs)`` (a gradient of zeros) | ``np.zeros_like(p)`` for an array argument, else ``0.0`` |
| ``rt.tree_grad(xs, (), g, (0,), g0, ...)`` (``xs[0]`` read) | ``tree_grad_1 = np.zeros_like(xs)``, ``tree_grad_1 += g``, ``tree_grad_1[0] += g0``, ... before the statement |
| ``rt.item_or_absent(xs, k)`` (an entry read only on some paths) | ``xs[k] if k < len(xs) else 0.0``; ``rt.tree_grad``'s entries past the end left out |
| ``v = xs[k]`` (an entry read on every path) | the same after ``if not k < len(xs): raise IndexError(...)``: numba checks no bounds |
| ``reversed(range(a, b))`` | ``range(b - 1, a - 1, -1)`` |
| ``reversed(xs)`` of an array argument | ``xs[::-1]`` |
| ``if r.__class__ is not float: rt.check_scalar(r)``, ``... rt.check_number_update(t)`` | dropped: every value is a number here (an accumulator that became an array would not compile) |
"""
import ast

from ..ir import is_call_of
from .jit import numba_refusal


class _ForNumba(ast.NodeTransformer):
    """The rewrites of ``numba_text`` (see the module table); ``arrays``: the array arguments' names."""

    def __init__(self, arrays):
        self.arrays = arrays

    def visit_If(self, node):
        """``if v.__class__ is not float: rt.check_scalar(v)`` (or ``rt.check_number_update``) dropped;
        any other ``if`` kept, the checks inside it dropped (it may hold a whole loop that has one)."""
        only = node.body[0] if len(node.body) == 1 and not node.orelse else None
        if isinstance(only, ast.Expr) and (is_call_of(only.value, "rt.check_scalar")
                                           or is_call_of(only.value, "rt.check_number_update")):
            return None
        self.generic_visit(node)
        if not node.body:  # (an if whose body was only checks: never printed so, but kept valid)
            node.body = [ast.Pass()]
        return node

    def visit_Assign(self, node):
        """``v = xs[k]`` at a constant position of an array argument: Python's IndexError where
        ``xs`` is shorter (numba checks no bounds, and would read past the end)."""
        self.generic_visit(node)
        value = node.value
        if isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name) and value.value.id in self.arrays \
                and _is_int_constant(value.slice):
            check = ast.parse(f"if not {_within(value.value, value.slice)}:\n"
                              f"    raise IndexError('index {ast.unparse(value.slice)} is out of bounds')").body[0]
            return [check, node]
        return node

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if ast.unparse(node.left) == "[0.0]" and isinstance(node.op, ast.Mult):
            return ast.Call(func=ast.parse("np.zeros", mode="eval").body, args=[node.right], keywords=[])
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        called = ast.unparse(node.func)
        if called == "np.array" and len(node.args) == 2:  # np.array(grad_xs, xs.dtype): already an array here
            return ast.Call(func=ast.Attribute(value=node.args[0], attr="astype", ctx=ast.Load()), args=[node.args[1]],
                            keywords=[])
        if called == "float" and len(node.args) == 1 and _is_test(node.args[0]):  # numba has no float(bool)
            return ast.IfExp(test=node.args[0], body=ast.Constant(1.0), orelse=ast.Constant(0.0))
        if called == "rt.sign":  # abs's gradient: every value is a number here
            return ast.Call(func=ast.parse("np.sign", mode="eval").body, args=node.args, keywords=[])
        if called == "rt.item_or_absent":  # an entry read only on some paths: 0.0 past the end (never used there)
            return ast.parse(f"{ast.unparse(node.args[0])}[{ast.unparse(node.args[1])}] if "
                             f"{_within(node.args[0], node.args[1])} else 0.0", mode="eval").body
        if called == "rt.items_zeros":
            return ast.Call(func=ast.parse("np.zeros_like", mode="eval").body, args=node.args, keywords=[])
        if called == "rt.items_like":
            return node.args[0]
        if called == "rt.like" and isinstance(node.args[1], ast.Name) and node.args[1].id in self.arrays:
            return ast.parse(f"({ast.unparse(node.args[0])}).astype({node.args[1].id}.dtype)", mode="eval").body
        if called in ("rt.zeros_like", "rt.zero_gradient", "rt.tree_zeros", "rt.whole_zeros") and len(node.args) == 1:
            return self.zeros_like(node.args[0])
        if called == "reversed" and _is_range(node.args[0]) and len(node.args[0].args) <= 2:
            bounds = node.args[0].args
            start, stop = (ast.Constant(0), bounds[0]) if len(bounds) == 1 else bounds
            last = ast.BinOp(left=stop, op=ast.Sub(), right=ast.Constant(1))
            before = ast.BinOp(left=start, op=ast.Sub(), right=ast.Constant(1))
            return ast.Call(func=ast.Name(id="range", ctx=ast.Load()), args=[last, before, ast.Constant(-1)], keywords=[])
        if called == "reversed" and isinstance(node.args[0], ast.Name) and node.args[0].id in self.arrays:
            return ast.Subscript(value=node.args[0], slice=ast.Slice(step=ast.Constant(-1)), ctx=ast.Load())
        if called.startswith("rt.") or called == "reversed":
            raise ValueError(called)
        return node

    def zeros_like(self, value):
        """A gradient of zeros for ``value``: every value but an array argument is a number here."""
        if isinstance(value, ast.Name) and value.id in self.arrays:
            return ast.Call(func=ast.parse("np.zeros_like", mode="eval").body, args=[value], keywords=[])
        return ast.Constant(0.0)


class _TreeGrads(ast.NodeTransformer):
    """``rt.tree_grad(xs, (), g, (0,), g0, ...)`` of an array argument ``xs`` (its gradient
    from entry reads ``xs[i]`` and reads at constant positions ``xs[0]``) as statements adding
    each part in place into ``np.zeros_like(xs)``, written before the statement that had the call."""

    def __init__(self, arrays):
        self.arrays = arrays
        self.made = 0
        self.before = []

    def visit_FunctionDef(self, node):
        node.body = self.statements(node.body)
        return node

    def statements(self, body):
        out = []
        for stmt in body:
            for field in ("body", "orelse"):
                if isinstance(getattr(stmt, field, None), list) and not isinstance(stmt, ast.FunctionDef):
                    setattr(stmt, field, self.statements(getattr(stmt, field)))
            self.before = []
            stmt = self.visit(stmt) if not hasattr(stmt, "body") else stmt
            out += self.before + [stmt]
        return out

    def visit_Call(self, node):
        self.generic_visit(node)
        if not is_call_of(node, "rt.tree_grad"):
            return node
        xs, pairs = node.args[0], node.args[1:]
        if not (isinstance(xs, ast.Name) and xs.id in self.arrays and all(map(_entry_path, pairs[0::2]))):
            raise ValueError("rt.tree_grad")
        self.made += 1
        name = f"tree_grad_{self.made}"
        self.before.append(ast.parse(f"{name} = np.zeros_like({xs.id})").body[0])
        for path, part in zip(pairs[0::2], pairs[1::2]):
            target = ast.parse(f"{name}[{ast.unparse(path.elts[0])}]" if path.elts else name, mode="eval").body
            added = ast.AugAssign(target=_stored(target), op=ast.Add(), value=part)
            if path.elts:  # numba checks no bounds: an entry past the end (read only on paths not taken) is left out
                added = ast.If(test=ast.parse(_within(xs, path.elts[0]), mode="eval").body, body=[added], orelse=[])
            self.before.append(added)
        return ast.Name(id=name, ctx=ast.Load())


def _within(xs, position):
    """The test that the constant ``position`` (an int node, ``-1`` too) is an entry of ``xs``."""
    k = ast.literal_eval(position)
    return f"{k} < len({ast.unparse(xs)})" if k >= 0 else f"{-k} <= len({ast.unparse(xs)})"


def _is_int_constant(node):
    try:
        return type(ast.literal_eval(node)) is int
    except ValueError:
        return False


def _entry_path(path):
    """``()`` or ``(k,)`` with ``k`` an int (``-1`` too): the whole array or one entry."""
    try:
        value = ast.literal_eval(path)
    except ValueError:
        return False
    return type(value) is tuple and (not value or len(value) == 1 and type(value[0]) is int)


def _stored(target):
    target.ctx = ast.Store()
    return target


def _is_test(node):
    return isinstance(node, (ast.Compare, ast.BoolOp)) or isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)


def _is_range(node):
    return is_call_of(node, "range") and not node.keywords


def numba_text(text, function, kinds):
    """The specialized ``text`` with its runtime calls in numba's terms (``kinds``: the
    arguments'); a NumbaError at ``function``'s definition for a runtime call numba mode has
    no form for."""
    arrays = {p.hint for p in function.params if kinds[p.hint].name == "array"}
    try:
        tree = _ForNumba(arrays).visit(_TreeGrads(arrays).visit(ast.parse(text)))
    except ValueError as err:
        raise numba_refusal(function.loc, f"jit='numba' cannot compile the gradient's call of {err}",
                       "drop jit='numba' for this function") from None
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


