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
``copy`` (the value of its one operand).  Control flow (``If``, ``Loop``) lives in ``ir.flow``.
Array code adds: ``.T`` (an attribute of the first argument), ``.sum()`` (a method
called on the first argument with the rest), ``[]`` (indexing the first argument by the
others; a constant slice is a ``Const(Slice(...))``), ``tuple`` (a tuple display), ``list``
(a list of values), ``rt.appended`` (a new list: the first argument's items, then the second),
``rt.setitem`` (a copy of the first argument with the index, the arguments after the
second, set to the second) and ``np.concatenate``-style calls whose arguments are
printed as one list.
"""
import ast
from dataclasses import dataclass, field


class WeaklyReferable:
    """A base giving a slotted dataclass a slot for weak references (``rules.families`` keys
    refusals by statement): ``dataclass(weakref_slot=True)`` exists only from Python 3.11."""

    __slots__ = ("__weakref__",)


@dataclass(frozen=True, eq=False, init=False, slots=True)
class Var(WeaklyReferable):
    """An SSA value.  ``hint`` is the preferred name (a source name, or ``s`` for temps)."""

    hint: str
    user_named: bool = False

    def __init__(self, hint, user_named=False):  # see FAST_INIT
        _VAR_FIELDS[0](self, hint)
        _VAR_FIELDS[1](self, user_named)


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


@dataclass(frozen=True, init=False, slots=True)
class Loc:
    """Where a statement came from: enough to point a caret at it.  In generated code read
    back (a second derivative), ``origin`` is the user's Loc that line came from."""

    filename: str
    lineno: int
    col: int
    line_text: str
    origin: object = field(default=None, compare=False, repr=False)

    def __init__(self, filename, lineno, col, line_text, origin=None):  # see FAST_INIT
        set_filename, set_lineno, set_col, set_line_text, set_origin = _LOC_FIELDS
        set_filename(self, filename)
        set_lineno(self, lineno)
        set_col(self, col)
        set_line_text(self, line_text)
        set_origin(self, origin)

    def user(self):
        """Where an error about this statement points: the user's Loc it came from for a line
        of generated text read back (``origin``), else this one."""
        return self if self.origin is None else self.origin


@dataclass(frozen=True, init=False, slots=True)
class Assign(WeaklyReferable):
    """``target = op(*args, **dict(kwargs))`` in three-address form."""

    target: Var
    op: str
    args: tuple
    kwargs: tuple = ()
    loc: Loc = None

    def __init__(self, target, op, args, kwargs=(), loc=None):  # see FAST_INIT
        set_target, set_op, set_args, set_kwargs, set_loc = _ASSIGN_FIELDS
        set_target(self, target)
        set_op(self, op)
        set_args(self, args)
        set_kwargs(self, kwargs)
        set_loc(self, loc)


def slot_setters(cls):
    """The setters of ``cls``'s fields' slots, in the order of its fields (see FAST_INIT)."""
    return tuple(vars(cls)[name].__set__ for name in cls.__dataclass_fields__)


# FAST_INIT: the classes a build makes one of per operation (Var, Assign; ``transforms.Accumulate``) or line (Loc)
# keep their fields in slots (no instance dict: a third of the memory; a slot for weak references
# too, from ``WeaklyReferable``) and set them through the slots' own setters:
# a frozen dataclass's own __init__ sets each field through object.__setattr__, which costs more.
# They stay frozen to everything else.
_VAR_FIELDS = slot_setters(Var)
_ASSIGN_FIELDS = slot_setters(Assign)
_LOC_FIELDS = slot_setters(Loc)


@dataclass(frozen=True, eq=False)
class Function:
    """A lowered function: parameters, straight-line body and result operand.

    ``arguments`` is the source signature (``ast.arguments``) so that generated code
    takes exactly the same arguments; ``globals`` maps every ``Global`` name and module
    alias the body refers to onto its value (empty when lowered statically by the CLI);
    ``reserved`` holds every identifier of the user's source, which generated names
    must avoid.  ``namespace``: the function calls an Array API namespace (``xp``), and its
    generated code binds ``xp`` to its arguments' namespace.  ``tuple_result``: the function
    returns a tuple, lowered as a ``list`` of its items (forward mode returns a tuple of their
    tangents).
    """

    name: str
    params: tuple
    body: tuple
    result: object
    arguments: ast.arguments
    loc: Loc
    globals: dict = field(default_factory=dict)
    reserved: frozenset = frozenset()
    namespace: bool = False
    tuple_result: bool = False


BINARY_OPS = {
    "+": ast.Add, "-": ast.Sub, "*": ast.Mult, "/": ast.Div, "**": ast.Pow,
    "//": ast.FloorDiv, "%": ast.Mod, "@": ast.MatMult,
    "&": ast.BitAnd, "|": ast.BitOr, "^": ast.BitXor,  # masks and flags: no gradient
}
UNARY_OPS = {"neg": ast.USub, "pos": ast.UAdd, "not": ast.Not, "invert": ast.Invert}
COMPARE_OPS = {
    "<": ast.Lt, "<=": ast.LtE, ">": ast.Gt, ">=": ast.GtE, "==": ast.Eq, "!=": ast.NotEq,
}
# Membership tests (``"b" in params``, ``x not in xs``): a bool, never a gradient; not element-wise
# on arrays (``x in a`` is one bool), so kept apart from COMPARE_OPS.
MEMBERSHIP_OPS = {"in": ast.In, "not in": ast.NotIn}
# Calls taking a sequence of arrays as their first argument: printed ``np.stack([a, b], ...)``.
SEQUENCE_OPS = frozenset({"np.concatenate", "np.stack", "np.hstack", "np.vstack", "np.column_stack"})
# The functions of Python's ``statistics`` module srcdiff differentiates (``rules.sequence_functions``):
# like ``math.fsum``, each reduces one list to a number, its gradient an array for the whole list.
STATISTICS_OPS = ("statistics.fmean", "statistics.mean", "statistics.median", "statistics.pvariance",
                  "statistics.variance", "statistics.pstdev", "statistics.stdev")
LIST_REDUCTIONS = frozenset(("math.fsum",) + STATISTICS_OPS)
WHOLE_SEQUENCE_READS = LIST_REDUCTIONS | {"math.dist"}  # and math.dist of two, known at run time
# Run-time checks generated code makes (``rt.check_scalar(v)``: a result is one number): kept for
# their effect, which is to refuse a wrong value; their own value is None and never read.
CHECK_OPS = frozenset({"rt.check_scalar", "rt.check_direction", "rt.check_class", "rt.check_number_update",
                       "rt.check_sequence", "rt.check_mapping"})
# A part of a container parameter read at a constant key (``p['W']``, ``p[0]``) or attribute
# (``self.W``): ``field[](p, Const(key))``, ``field.(p, Const(name))`` (see ``lower.trees``).
FIELD_OPS = frozenset({"field[]", "field."})
# The keyword of a ``field[]`` read of an item the argument may not have (read only in a branch
# or a loop: ``if len(xs) > 1: xs[1]``), printed ``rt.item_or_absent(xs, 1)`` (``lower.trees``).
MAY_BE_ABSENT = "may_be_absent"
# A call of a generated gradient that keeps a tape (a gradient penalty through loops, see
# ``lower.gradients``): ``gradient()(Global(grad_f), Global(vjp_grad_f), *operands)``, printed
# ``grad_f(*operands)``; its backward calls ``vjp_grad_f(*operands, grad_y)``.  A tuple of gradients
# is read part by part: ``gradient[](s, Const(i))``, printed ``s[i]``.
GRADIENT_CALL = "gradient()"
GRADIENT_PART = "gradient[]"
# A statement kept for its effect alone (``print``, logging, ``assert``, ``raise``): ``args[0]`` is a
# ``Const`` holding the statement's text as the user wrote it, each local it reads replaced by a
# placeholder (``EFFECT_ARG`` and its position among ``args[1:]``, the operands it reads).  It runs in
# the forward sweep where the user's code ran it; it has no gradient and no tangent, and its target
# is never read (see ``nodes.effect_node``).
EFFECT = "effect"
EFFECT_ARG = "_srcdiff_arg_"
SYMBOL_OF = {cls: sym for table in (BINARY_OPS, UNARY_OPS, COMPARE_OPS, MEMBERSHIP_OPS) for sym, cls in table.items()}


def read_back(stmt):
    """Whether ``stmt`` was lowered from generated code read back (a derivative of a
    derivative): its file is one srcdiff registered (``<srcdiff ...>``)."""
    return stmt.loc is not None and stmt.loc.filename.startswith("<srcdiff")


def is_position_read(stmt):
    """``xs[0]``, ``xs[-1]``: a read at a constant position (``field[]`` with an int key, read
    once at the start of the function); its gradient is added to ``xs``'s at that position."""
    return (isinstance(stmt, Assign) and stmt.op == "field[]" and isinstance(stmt.args[1], Const)
            and type(stmt.args[1].value) is int)
