"""``jit="numba"``: the specialized gradient compiled with numba (an optional extra).

numba compiles the gradient of scalar code that reads float arrays entry by entry (the
loops over data where Python's interpreter is the cost).  ``check_numba(function)``
refuses, with the statement's file, line and column, any statement outside this subset,
when ``grad`` is called; ``check_kinds`` refuses an argument of another kind when the
gradient is first called with it; ``numba_text`` rewrites the specialized text's few
runtime calls into what numba compiles; ``compile_numba`` compiles it (``numba.njit``) for
the call's kinds at once, and turns numba's own errors into a NumbaError.

| in the function | allowed |
| --- | --- |
| arguments | float, int, bool; float64 or float32 arrays (a list or tuple: pass ``np.asarray(xs)``) |
| statements | ``NUMBA_OPS``: arithmetic, comparisons, ``math`` functions numba knows, ``abs``, ``float``, ``int``, ``bool``, ``min``/``max`` of two numbers, ``len(xs)``, ``xs[i]``, ``xs[0]`` and ``xs[-1]``, a copy (``k = 0`` before a loop) |
| module constants | numbers, and entries of arrays (numba compiles in their values when it compiles a signature's code, as it does every global's) |
| loops | ``for i in range(...)``, ``for x in xs``, ``while``; branches inside them (the tape keeps a list per push: ``emit.tape``) |

| runtime call in the specialized text | numba form |
| --- | --- |
| ``rt.items_zeros(xs)`` | ``np.zeros_like(xs)`` |
| ``[0.0] * len(xs)``, ``np.array(grad_xs, xs.dtype)`` (an array's gradient gathered in a list) | ``np.zeros(len(xs))``, ``grad_xs.astype(xs.dtype)`` |
| ``rt.items_like(g, xs)`` | ``g`` |
| ``rt.like(g, xs)`` of an array argument (its gradient gathered item by item beside a loop walking it) | ``g.astype(xs.dtype)`` |
| ``rt.sign(x)`` (the gradient of ``abs``) | ``np.sign(x)`` (0 at 0, as ``rt.sign``) |
| ``float(a >= b)`` (the gradient of ``max``, ``min``) | ``1.0 if a >= b else 0.0`` |
| ``rt.zeros_like(p)``, ``rt.tree_zeros(p)``, ``rt.whole_zeros(xs)`` (a gradient of zeros) | ``np.zeros_like(p)`` for an array argument, else ``0.0`` |
| ``rt.tree_grad(xs, (), g, (0,), g0, ...)`` (``xs[0]`` read) | ``tree_grad_1 = np.zeros_like(xs)``, ``tree_grad_1 += g``, ``tree_grad_1[0] += g0``, ... before the statement |
| ``reversed(range(a, b))`` | ``range(b - 1, a - 1, -1)`` |
| ``if r.__class__ is not float: rt.check_scalar(r)`` | dropped: every value is a number here |
"""
import ast

from ..analysis import SCALAR, Shape, kind_of
from ..errors import SrcdiffError
from ..ir import GRADIENT_CALL, Assign, Const, Global, If, Loop, is_call_of, is_position_read, reads, walk

NUMBA_MATH = frozenset(f"math.{name}" for name in (
    "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
    "exp", "expm1", "log", "log1p", "log10", "log2", "sqrt", "pow", "hypot", "fabs", "erf", "erfc", "floor", "ceil"))
NUMBA_OPS = NUMBA_MATH | frozenset({
    "+", "-", "*", "/", "**", "//", "%", "neg", "pos", "<", "<=", ">", ">=", "==", "!=", "not",
    "abs", "float", "int", "bool", "min", "max", "len", "[]", "copy",
})
NUMBA_LOOPS = frozenset({"range", "iter"})
NUMBA_KINDS = frozenset({"float", "int", "bool", "array"})


class NumbaError(SrcdiffError):
    """A function (or an argument) ``jit="numba"`` cannot compile."""


def check_numba(function):
    """Refuse the first statement of ``function`` that numba mode cannot compile (see the module table)."""
    for stmt in walk(function.body):
        if isinstance(stmt, Assign) and (stmt.op not in NUMBA_OPS and not is_position_read(stmt) or stmt.kwargs
                                         or _bad_pair(stmt)):
            what = f"the call of {stmt.args[0].name}" if stmt.op == GRADIENT_CALL else f"'{stmt.op}'"
            raise _refusal(stmt.loc, f"jit='numba' cannot compile {what}",
                           "keep to arithmetic, math functions and xs[i] reads of float arrays, or drop jit='numba'")
        if isinstance(stmt, Loop) and stmt.iter is not None and stmt.iter.kind not in NUMBA_LOOPS:
            raise _refusal(stmt.loc, f"jit='numba' cannot compile a loop over {stmt.iter.kind}(...)",
                           "loop over range(len(xs)) or over the array itself")


def _bad_pair(stmt):
    return stmt.op in ("min", "max") and len(stmt.args) != 2


def check_kinds(function, kinds):
    """Refuse a parameter whose argument has a kind numba mode does not take (see the module table)."""
    for param in function.params:
        kind = kinds.get(param.hint)
        if kind is None or kind.name not in NUMBA_KINDS:
            what = "an argument srcdiff cannot type" if kind is None else f"a {kind}"
            raise _refusal(function.loc, f"jit='numba': '{param.hint}' is {what}",
                           "pass floats, ints and float64 or float32 arrays (np.asarray(xs) for a list)")


def global_number_kinds(function, namespace):
    """``{Global: Kind}`` of the module constants ``function`` reads (in statements, branches'
    merges and loops' carries) whose values in ``namespace`` are Python numbers: the
    generated code runs with them (numba compiles them in as the numbers they are)."""
    read = {operand for operand in _operands(function) if isinstance(operand, Global)}
    return {g: kind_of(namespace[g.name]) for g in read
            if g.name in namespace and type(namespace[g.name]) in (float, int, bool)}


def _operands(function):
    """Every operand ``function`` reads: its statements' (``ir.reads``), its merges' sides, its result."""
    yield function.result
    for stmt in walk(function.body):
        yield from reads(stmt)
        if isinstance(stmt, If):
            yield from (side for merge in stmt.merges for side in (merge.then, merge.orelse))


def check_shapes(function, shapes):
    """Refuse a value that may be an array rather than a number, other than an argument."""
    for stmt in walk(function.body):
        if isinstance(stmt, Assign) and stmt.op != "len" and shapes.of(stmt.target) is not SCALAR \
                and isinstance(shapes.of(stmt.target), Shape):
            raise _refusal(stmt.loc, f"jit='numba' compiles scalar code; '{stmt.op}' here may give an array",
                           "read arrays one entry at a time (xs[i]), or drop jit='numba'")


def _refusal(loc, message, hint):
    return NumbaError(message, loc.filename, loc.lineno, loc.col, loc.line_text, hint)


class _ForNumba(ast.NodeTransformer):
    """The rewrites of ``numba_text`` (see the module table); ``arrays``: the array arguments' names."""

    def __init__(self, arrays):
        self.arrays = arrays

    def visit_If(self, node):
        calls = [n for n in ast.walk(node) if is_call_of(n, "rt.check_scalar")]
        return None if calls else self.generic_visit(node)

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
        if called == "rt.items_zeros":
            return ast.Call(func=ast.parse("np.zeros_like", mode="eval").body, args=node.args, keywords=[])
        if called == "rt.items_like":
            return node.args[0]
        if called == "rt.like" and isinstance(node.args[1], ast.Name) and node.args[1].id in self.arrays:
            return ast.parse(f"({ast.unparse(node.args[0])}).astype({node.args[1].id}.dtype)", mode="eval").body
        if called in ("rt.zeros_like", "rt.tree_zeros", "rt.whole_zeros") and len(node.args) == 1:
            return self.zeros_like(node.args[0])
        if called == "reversed" and _is_range(node.args[0]) and len(node.args[0].args) <= 2:
            bounds = node.args[0].args
            start, stop = (ast.Constant(0), bounds[0]) if len(bounds) == 1 else bounds
            last = ast.BinOp(left=stop, op=ast.Sub(), right=ast.Constant(1))
            before = ast.BinOp(left=start, op=ast.Sub(), right=ast.Constant(1))
            return ast.Call(func=ast.Name(id="range", ctx=ast.Load()), args=[last, before, ast.Constant(-1)], keywords=[])
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
            self.before.append(ast.AugAssign(target=_stored(target), op=ast.Add(), value=part))
        return ast.Name(id=name, ctx=ast.Load())


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
        raise _refusal(function.loc, f"jit='numba' cannot compile the gradient's call of {err}",
                       "drop jit='numba' for this function") from None
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def numba_module():
    """numba, imported on first use (an optional extra); ImportError saying how to install it."""
    try:
        import numba
    except ImportError as error:  # numba's own reason kept: an installed numba may fail to import too
        raise ImportError(f"jit='numba' needs numba, which did not import ({error}): pip install 'srcdiff[numba]' "
                          "(or pip install numba)") from error
    return numba


NUMBA_SCALARS = {"float": "float64", "int": "int64", "bool": "boolean"}  # what numba.typeof says of each


def compile_numba(python_function, function, kinds):
    """``python_function`` compiled by ``numba.njit`` (nopython mode) now, for the arguments of
    ``kinds`` (arrays C-contiguous, as NumPy makes them: the types the first call brings), so
    that what numba cannot type is a NumbaError here, never numba's own error at a call."""
    numba = numba_module()
    jitted = numba.njit(python_function)
    try:
        jitted.compile(tuple(_numba_type(numba, kinds[param.hint]) for param in function.params))
    except numba.core.errors.NumbaError as err:
        raise _compile_refusal(function, err) from None
    return jitted


def _numba_type(numba, kind):
    if kind.name == "array":
        return numba.types.Array(numba.float64 if kind.dtype == "f64" else numba.float32, kind.ndim, "C")
    return getattr(numba, NUMBA_SCALARS[kind.name])


def _compile_refusal(function, err):
    """The NumbaError for numba's ``err``: at a branch inside a loop whose condition is computed
    from constants alone, where numba found a list of the tape with no type (numba drops the
    side such a branch never takes, with the pushes that would type that side's list, but not
    the backward pass's pops, whose flags come from the tape); else at the function."""
    text = str(err)
    branch = next(_constant_branches_in_loops(function), None)
    if branch is not None and "undefined" in text:
        return _refusal(branch.loc, "jit='numba' cannot compile this branch inside a loop: its condition is computed "
                        "from constants alone (numba drops the side it never takes, which the backward pass still "
                        "reads)", "move it out of the loop (it takes the same side every time), or drop jit='numba'")
    reason = next((line.strip() for line in text.splitlines()[1:] if line.strip()), text.strip())
    return _refusal(function.loc, f"jit='numba': numba cannot compile this function's gradient ({reason[:160]})",
                    "drop jit='numba' for this function")


def _constant_branches_in_loops(function):
    """The located branches inside loops of ``function`` whose condition reads no value but
    literals and module constants (through the statements computing it)."""
    defined = {s.target: s for s in walk(function.body) if isinstance(s, Assign)}
    known = {}

    def constant(operand):
        if isinstance(operand, (Const, Global)):
            return True
        if operand not in known:
            stmt = defined.get(operand)
            known[operand] = stmt is not None and not stmt.kwargs and all(map(constant, stmt.args))
        return known[operand]

    return (s for loop in walk(function.body) if isinstance(loop, Loop)
            for s in walk(loop.body) if isinstance(s, If) and s.loc is not None and constant(s.cond))
