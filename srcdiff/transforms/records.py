"""The backward program: the records the reverse sweep produces and the emitter prints.

Adjoint expressions are Python ``ast`` trees that name values by tokens (``Tokens``:
``_v3_`` for a value, ``_g1_`` for an adjoint) until the emitter chooses names.

| record | printed as |
| --- | --- |
| ``Accumulate`` | ``grad_v = e`` (its first write) or ``grad_v += e`` (a fork) |
| ``ItemAccumulate`` | ``grad_ws[k] += e``: an item's adjoint into its sequence's (``items``) |
| ``Unpack`` | ``grad_a, grad_b = Cls.backward(ctx, g)``: a ``srcdiff.Function`` (``custom``) |
| ``BIf`` | replay the branch the forward sweep took, each side's records inside |
| ``BLoop`` | run a loop's iterations backwards, the body's records inside |

``Backward`` is the whole program with what the emitter needs besides: the ``wrt``
parameters, which adjoints exist, which forward values the records read (``needed``; of
straight-line code only those a ``srcdiff.Function``'s backward reads: the emitter finds those
the records' expressions name, ``emit.tape.reads_of``).
"""
import ast
from dataclasses import dataclass, field

from ..ir import If, Loop, Var, WeaklyReferable, slot_setters


@dataclass(frozen=True, init=False, slots=True)
class Accumulate(WeaklyReferable):
    """``adjoint(var) (+)= expr``; ``first`` marks the write that creates the adjoint."""

    var: Var
    expr: ast.expr
    first: bool
    loc: object = None

    def __init__(self, var, expr, first, loc=None):  # as ir.Assign's (FAST_INIT in ir.values)
        set_var, set_expr, set_first, set_loc = _ACCUMULATE_FIELDS
        set_var(self, var)
        set_expr(self, expr)
        set_first(self, first)
        set_loc(self, loc)


_ACCUMULATE_FIELDS = slot_setters(Accumulate)


class Tokens:
    """Stand-in identifiers for values and adjoints until names are chosen."""

    def __init__(self):
        self.by_token = {}
        self._value = {}
        self._adjoint = {}

    def value(self, var):
        token = self._value.get(var)
        if token is None:
            count = len(self._value)
            self._value[var] = token = _VALUE_TOKENS[count] if count < len(_VALUE_TOKENS) else _token(count, "v")
            self.by_token[token] = ("value", var)
        return token

    def adjoint(self, var):
        token = self._adjoint.get(var)
        if token is None:
            count = len(self._adjoint)
            self._adjoint[var] = token = _ADJOINT_TOKENS[count] if count < len(_ADJOINT_TOKENS) else _token(count, "g")
            self.by_token[token] = ("adjoint", var)
        return token


# the tokens made so far, for every Tokens: ``_v0_``, ``_v1_``, ... and ``_g0_``, ``_g1_``, ...
# (a gradient makes two per statement, and writing a number as text costs more than a look-up);
# at most ``_KEPT_TOKENS`` of each are kept, so a huge function does not keep its tokens for the session
_VALUE_TOKENS, _ADJOINT_TOKENS = [], []
_KEPT_TOKENS = 8192


def _token(count, kind):
    """The ``count``-th token of ``kind`` (``"v"``: a value, ``"g"``: an adjoint), made with those
    before it (written afresh past ``_KEPT_TOKENS``)."""
    if count >= _KEPT_TOKENS:
        return f"_{kind}{count}_"
    made = _VALUE_TOKENS if kind == "v" else _ADJOINT_TOKENS
    while len(made) <= count:
        made.append(f"_{kind}{len(made)}_")
    return made[count]


def token_node(token):
    """The ``ast.Name`` of a token (``_v0_``), for an expression that reads it."""
    return ast.Name(id=token, ctx=ast.Load())


@dataclass
class Backward:
    """The adjoint program of a function with respect to ``wrt`` parameters."""

    statements: list
    wrt: tuple
    has_adjoint: set
    needed: set
    tokens: Tokens
    active: set = field(default_factory=set)
    whole: frozenset = frozenset()  # sequences walked item by item and used whole (items.whole_sequences)
    # the values a zero adjoint reads for its shape (``rt.zeros_like(v)``): a merged value a
    # side of a branch leaves undefined is written there anyway (a placeholder) when read so
    zero_reads: set = field(default_factory=set)


@dataclass(frozen=True)
class ItemAccumulate:
    """``grad_<var>[k] += expr`` (``[-1 - k]`` when ``backwards``): an item's adjoint into its sequence's."""

    var: Var
    expr: ast.expr
    backwards: bool
    index: object = None  # the position when the loop names it (enumerate's counter), else the iteration
    first: bool = False
    loc: object = None


@dataclass(frozen=True)
class Unpack:
    """``grad_a, grad_b = Cls.backward(ctx, g)``: ``parts`` holds, per argument of forward
    after ctx, the Var whose adjoint receives that gradient (None: unpacked into ``_``)."""

    parts: tuple
    expr: ast.expr
    loc: object = None


@dataclass(frozen=True)
class PartWrite:
    """What ``accumulates`` reports for each adjoint a ``srcdiff.Function``'s backward call
    (a ``custom.Unpack``) writes: ``var`` gets its part of ``expr``."""

    var: object
    expr: ast.expr
    first: bool = True


@dataclass(frozen=True)
class BIf:
    cond: object
    then: tuple
    orelse: tuple
    forward: If


@dataclass(frozen=True)
class BLoop:
    body: tuple
    forward: Loop


def accumulates(statements):
    """Every adjoint write, in any block, in order."""
    for stmt in statements:
        if isinstance(stmt, (Accumulate, ItemAccumulate)):
            yield stmt
        elif isinstance(stmt, Unpack):
            yield from (PartWrite(part, stmt.expr) for part in stmt.parts if part is not None)
        elif isinstance(stmt, BIf):
            yield from accumulates(stmt.then)
            yield from accumulates(stmt.orelse)
        elif isinstance(stmt, BLoop):
            yield from accumulates(stmt.body)


def with_blocks(stmt, transform):
    """``stmt`` with ``transform`` (a list of records -> a list) applied to each of its
    blocks when it is a ``BIf`` or a ``BLoop``; any other record as it is."""
    if isinstance(stmt, BIf):
        return BIf(stmt.cond, tuple(transform(stmt.then)), tuple(transform(stmt.orelse)), stmt.forward)
    if isinstance(stmt, BLoop):
        return BLoop(tuple(transform(stmt.body)), stmt.forward)
    return stmt
