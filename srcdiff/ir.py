"""The SSA intermediate representation shared by every pass.

After lowering, a function is a flat tuple of ``Assign`` statements in three-address
form: each assigns one fresh ``Var`` the result of one operation (``op``) applied to
operands.  An operand is a ``Var`` (an SSA value), a ``Const`` (a literal) or a
``Global`` (a module-level constant, looked up by name at run time).  Every ``Var`` is
assigned exactly once; parameters are assigned by the call.

Vars carry identity, not names: two Vars with the same hint are different values.
Names are chosen once, deterministically, by ``naming.assign_names`` and used by the
printers (``format_ssa`` here, ``emit`` for generated code).

Operation names (``op``) are strings: an operator symbol (``+ - * / ** // % @``), a
unary name (``neg``, ``pos``, ``not``), a comparison (``< <= > >= == !=``), or the
canonical dotted name of a callee (``math.sin``, ``np.sum``, ``abs``, ``rt.sign``), or
``copy`` (the value of its one operand).  Control flow (``If``, ``Loop``) lives in ``flow``.
Array code adds: ``.T`` (an attribute of the first argument), ``.sum()`` (a method
called on the first argument with the rest), ``[]`` (indexing the first argument by the
others; a constant slice is a ``Const(Slice(...))``), ``tuple`` (a tuple display),
``rt.setitem`` (a copy of the first argument with the index, the arguments after the
second, set to the second) and ``np.concatenate``-style calls whose arguments are
printed as one list.
"""
import ast
from dataclasses import dataclass, field


@dataclass(frozen=True, eq=False)
class Var:
    """An SSA value.  ``hint`` is the preferred name (a source name, or ``s`` for temps)."""

    hint: str
    user_named: bool = False


@dataclass(frozen=True)
class Const:
    """A literal operand: int, float, bool, None or str."""

    value: object


@dataclass(frozen=True)
class Slice:
    """A constant slice ``lo:hi:step`` inside an index (each part an int or None)."""

    lo: object = None
    hi: object = None
    step: object = None


@dataclass(frozen=True)
class Global:
    """A module-level constant of the user's module, referenced by name."""

    name: str


@dataclass(frozen=True)
class Loc:
    """Where a statement came from: enough to point a caret at it."""

    filename: str
    lineno: int
    col: int
    line_text: str


@dataclass(frozen=True)
class Assign:
    """``target = op(*args, **dict(kwargs))`` in three-address form."""

    target: Var
    op: str
    args: tuple
    kwargs: tuple = ()
    loc: Loc = None


@dataclass(frozen=True, eq=False)
class Function:
    """A lowered function: parameters, straight-line body and result operand.

    ``arguments`` is the source signature (``ast.arguments``) so that generated code
    takes exactly the same arguments; ``globals`` maps every ``Global`` name and module
    alias the body refers to onto its value (empty when lowered statically by the CLI);
    ``reserved`` holds every identifier of the user's source, which generated names
    must avoid.
    """

    name: str
    params: tuple
    body: tuple
    result: object
    arguments: ast.arguments
    loc: Loc
    globals: dict = field(default_factory=dict)
    reserved: frozenset = frozenset()


BINARY_OPS = {
    "+": ast.Add, "-": ast.Sub, "*": ast.Mult, "/": ast.Div, "**": ast.Pow,
    "//": ast.FloorDiv, "%": ast.Mod, "@": ast.MatMult,
}
UNARY_OPS = {"neg": ast.USub, "pos": ast.UAdd, "not": ast.Not}
COMPARE_OPS = {
    "<": ast.Lt, "<=": ast.LtE, ">": ast.Gt, ">=": ast.GtE, "==": ast.Eq, "!=": ast.NotEq,
}
# Calls taking a sequence of arrays as their first argument: printed ``np.stack([a, b], ...)``.
SEQUENCE_OPS = frozenset({"np.concatenate", "np.stack", "np.hstack", "np.vstack", "np.column_stack"})
SYMBOL_OF = {cls: sym for table in (BINARY_OPS, UNARY_OPS, COMPARE_OPS) for sym, cls in table.items()}


def dotted(path):
    """``'np.linalg.norm'`` -> the expression node ``np.linalg.norm``."""
    head, *rest = path.split(".")
    node = ast.Name(id=head, ctx=ast.Load())
    for attr in rest:
        node = ast.Attribute(value=node, attr=attr, ctx=ast.Load())
    return node


def constant_node(value):
    """A literal node; negative numbers as unary minus so every printer parenthesises them."""
    if isinstance(value, Slice):
        return ast.Slice(*(None if part is None else constant_node(part) for part in (value.lo, value.hi, value.step)))
    if isinstance(value, tuple):
        return ast.Tuple(elts=[constant_node(v) for v in value], ctx=ast.Load())
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(-value))
    return ast.Constant(value)


def operation_node(op, args, kwargs=()):
    """The Python expression applying ``op`` to argument nodes (and keyword nodes)."""
    if op == "copy":  # a plain copy, made by lowering where a loop-carried value needs its own Var
        return args[0]
    if op in BINARY_OPS:
        return ast.BinOp(left=args[0], op=BINARY_OPS[op](), right=args[1])
    if op in UNARY_OPS:
        return ast.UnaryOp(op=UNARY_OPS[op](), operand=args[0])
    if op in COMPARE_OPS:
        return ast.Compare(left=args[0], ops=[COMPARE_OPS[op]()], comparators=[args[1]])
    keywords = [ast.keyword(arg=name, value=value) for name, value in kwargs]
    if op.startswith(".") and not op.endswith("()"):
        return ast.Attribute(value=args[0], attr=op[1:], ctx=ast.Load())
    if op.startswith("."):
        method = ast.Attribute(value=args[0], attr=op[1:-2], ctx=ast.Load())
        return ast.Call(func=method, args=list(args[1:]), keywords=keywords)
    if op == "[]":
        return ast.Subscript(value=args[0], slice=index_node(args[1:]), ctx=ast.Load())
    if op == "tuple":
        return ast.Tuple(elts=list(args), ctx=ast.Load())
    module, _, name = op.rpartition(".")
    if name == "setitem" and module and "." not in module:  # rt.setitem, or rt_1.setitem where rt is taken
        index_maker = "np.s_" if module == "rt" else f"{module}.s_"  # (the runtime's s_ is np.s_)
        where = ast.Subscript(value=dotted(index_maker), slice=index_node(args[2:]), ctx=ast.Load())
        return ast.Call(func=dotted(op), args=[args[0], where, args[1]], keywords=[])
    if op in SEQUENCE_OPS or module and "." not in module and f"np.{name}" in SEQUENCE_OPS:
        return ast.Call(func=dotted(op), args=[ast.List(elts=list(args), ctx=ast.Load())], keywords=keywords)
    return ast.Call(func=dotted(op), args=list(args), keywords=keywords)


def index_node(parts):
    """The index of a subscript: one part bare, several as a tuple (slices print as ``a:b``)."""
    return parts[0] if len(parts) == 1 else ast.Tuple(elts=list(parts), ctx=ast.Load())


def operand_node(operand, names):
    """The expression node of an operand, given the name of every Var."""
    if isinstance(operand, Var):
        return ast.Name(id=names[operand], ctx=ast.Load())
    if isinstance(operand, Global):
        return ast.Name(id=operand.name, ctx=ast.Load())
    return constant_node(operand.value)


def assign_node(stmt, names):
    """The ``ast.Assign`` statement of an IR assignment."""
    value = operation_node(
        stmt.op,
        [operand_node(a, names) for a in stmt.args],
        [(k, operand_node(v, names)) for k, v in stmt.kwargs],
    )
    return ast.Assign(targets=[ast.Name(id=names[stmt.target], ctx=ast.Store())], value=value, lineno=0)


def format_ssa(function, names):
    """The SSA form as readable Python-like text (what ``--ssa`` prints)."""
    from .flow import format_block
    params = ", ".join(names[p] for p in function.params)
    lines = [f"def {function.name}({params}):"]
    lines += format_block(function.body, names)
    lines.append("    return " + ast.unparse(operand_node(function.result, names)))
    return "\n".join(lines) + "\n"


def verify(function):
    """Check the SSA invariants: each Var assigned once, and defined before it is used."""
    from .flow import has_flow, verify_flow
    if has_flow(function.body):
        return verify_flow(function.params, function.body, function.result)
    defined = set(function.params)
    for stmt in function.body:
        for operand in list(stmt.args) + [v for _, v in stmt.kwargs]:
            if isinstance(operand, Var) and operand not in defined:
                raise AssertionError(f"{operand} used before it is assigned")
        if stmt.target in defined:
            raise AssertionError(f"{stmt.target} assigned twice")
        defined.add(stmt.target)
    if isinstance(function.result, Var) and function.result not in defined:
        raise AssertionError("result is never assigned")
