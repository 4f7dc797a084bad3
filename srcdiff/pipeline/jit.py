"""``jit="numba"``: the specialized gradient compiled with numba (an optional extra).

numba compiles the gradient of scalar code that reads float arrays entry by entry (the
loops over data where Python's interpreter is the cost).  ``check_numba(function)``
refuses, with the statement's file, line and column, any statement outside this subset,
when ``grad`` is called; ``check_kinds`` refuses an argument of another kind when the
gradient is first called with it (``numba_text``, in ``pipeline.numba_text``, rewrites the
specialized text's few runtime calls into what numba compiles); ``compile_numba`` compiles it (``numba.njit``) for
the call's kinds at once, and turns numba's own errors into a NumbaError.

| in the function | allowed |
| --- | --- |
| arguments | float, int, bool; float64 or float32 arrays (a list or tuple: pass ``np.asarray(xs)``) |
| statements | ``NUMBA_OPS``: arithmetic, comparisons, ``math`` functions numba knows, ``abs``, ``float``, ``int``, ``bool``, ``min``/``max`` of two numbers, ``len(xs)``, ``xs[i]``, ``xs[0]`` and ``xs[-1]``, a copy (``k = 0`` before a loop), ``x in (1.0, 2.0)`` and ``y not in (x, 2 * x)`` (a tuple of numbers of one type, read by membership tests alone) |
| module constants | numbers, and entries of arrays (numba compiles in their values when it compiles a signature's code, as it does every global's) |
| loops | ``for i in range(...)``, ``reversed(range(...))``, ``for x in xs``, ``zip(xs, ys)``, ``enumerate(xs)``, ``reversed(xs)``, ``while``; branches inside them (the tape keeps a list per push: ``emit.tape``) |
"""
from ..analysis import SCALAR, Shape, kind_of
from ..errors import SrcdiffError
from ..ir import GRADIENT_CALL, MEMBERSHIP_OPS, Assign, Const, Global, If, Loop, is_position_read, reads, walk

NUMBA_MATH = frozenset(f"math.{name}" for name in (
    "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
    "exp", "expm1", "log", "log1p", "log10", "log2", "sqrt", "pow", "hypot", "fabs", "erf", "erfc", "floor", "ceil"))
NUMBA_OPS = NUMBA_MATH | frozenset({
    "+", "-", "*", "/", "**", "//", "%", "neg", "pos", "<", "<=", ">", ">=", "==", "!=", "not",
    "abs", "float", "int", "bool", "min", "max", "len", "[]", "copy",
    "rt.check_number_update",  # (dropped from the text: numba_text)
})
NUMBA_LOOPS = frozenset({"range", "reversed_range", "iter", "zip", "enumerate", "reversed"})
NUMBA_KINDS = frozenset({"float", "int", "bool", "array"})


class NumbaError(SrcdiffError):
    """A function (or an argument) ``jit="numba"`` cannot compile."""


def check_numba(function):
    """Refuse the first statement of ``function`` that numba mode cannot compile (see the module table)."""
    displays = _membership_displays(function)
    for stmt in walk(function.body):
        if isinstance(stmt, Assign) and (stmt.op not in NUMBA_OPS and not is_position_read(stmt)
                                         and not _in_a_display(stmt, displays)
                                         or stmt.kwargs and not is_position_read(stmt) or _bad_pair(stmt)):
            what = f"the call of {stmt.args[0].name}" if stmt.op == GRADIENT_CALL else f"'{stmt.op}'"
            raise numba_refusal(stmt.loc, f"jit='numba' cannot compile {what}",
                           "keep to arithmetic, math functions and xs[i] reads of float arrays, or drop jit='numba'")
        if isinstance(stmt, Loop) and stmt.iter is not None and stmt.iter.kind not in NUMBA_LOOPS:
            raise numba_refusal(stmt.loc, f"jit='numba' cannot compile a loop over {stmt.iter.kind}(...)",
                           "loop over range(len(xs)) or over the array itself")


def _membership_displays(function):
    """The Vars made by ``tuple`` (a display of numbers) that only membership tests read: ``y in (x, 2 * x)``."""
    statements = [s for s in walk(function.body) if isinstance(s, Assign)]
    tuples = {s.target for s in statements if s.op == "tuple"}
    other = {a for s in statements if s.op not in MEMBERSHIP_OPS for a in s.args} | {
        a for s in statements if s.op in MEMBERSHIP_OPS for a in s.args[:1]}
    return tuples - other


def _in_a_display(stmt, displays):
    """Whether ``stmt`` is a membership test in a tuple of numbers, or makes one (numba compiles both)."""
    if stmt.op == "tuple":
        return stmt.target in displays
    if stmt.op not in MEMBERSHIP_OPS or len(stmt.args) != 2:
        return False
    seq = stmt.args[1]  # numba's tuples hold one type: (1, 1.5) has no membership test there
    return seq in displays or isinstance(seq, Const) and type(seq.value) is tuple and bool(seq.value) \
        and len({type(v) for v in seq.value}) == 1 and type(seq.value[0]) in (float, int)


def _bad_pair(stmt):
    return stmt.op in ("min", "max") and len(stmt.args) != 2


def check_kinds(function, kinds):
    """Refuse a parameter whose argument has a kind numba mode does not take (see the module table)."""
    for param in function.params:
        kind = kinds.get(param.hint)
        if kind is None or kind.name not in NUMBA_KINDS:
            what = "an argument srcdiff cannot type" if kind is None else f"a {kind}"
            raise numba_refusal(function.loc, f"jit='numba': '{param.hint}' is {what}",
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
            raise numba_refusal(stmt.loc, f"jit='numba' compiles scalar code; '{stmt.op}' here may give an array",
                           "read arrays one entry at a time (xs[i]), or drop jit='numba'")


def numba_refusal(loc, message, hint):
    """A NumbaError at ``loc`` (an IR location)."""
    return NumbaError(message, loc.filename, loc.lineno, loc.col, loc.line_text, hint)


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
        return numba_refusal(
            branch.loc, "jit='numba' cannot compile this branch inside a loop: its condition is computed from "
            "constants alone (numba drops the side it never takes, which the backward pass still reads)",
            "move it out of the loop (it takes the same side every time), or drop jit='numba'")
    reason = next((line.strip() for line in text.splitlines()[1:] if line.strip()), text.strip())
    return numba_refusal(function.loc, f"jit='numba': numba cannot compile this function's gradient ({reason[:160]})",
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
