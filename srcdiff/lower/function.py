"""Lower a checked function AST to SSA three-address code.

Output contract (see ``ir``): a ``Function`` whose body is a flat tuple of ``Assign``
statements, each applying one operation to operands that are Vars defined earlier,
Consts or Globals.  Nested expressions become temporaries; reassignment, augmented
assignment and tuple unpacking become fresh single assignments; calls to the user's
own functions are inlined (their locals become fresh Vars, their parameters are bound
to the caller's operands).  A plain copy (``a = b``) binds a name and emits nothing.
Every name is resolved here: anything that cannot be is a SrcdiffError pointing at it.
"""
import ast
import operator

from .. import frontend
from ..errors import ResultError, UnsupportedSyntaxError
from ..ir import BINARY_OPS, SYMBOL_OF, Assign, Const, Function, Global, Var
from . import branches, callables, effects, loops
from .appends import AppendLowering
from .arrays import ArrayLowering
from .callables import CallableLowering, Unusable
from .calls import CallLowering, TupleValue, all_params, def_key, kind_of
from .displays import DisplayLowering
from .final_checks import checked
from .item_writes import ItemWriteLowering
from .methods import MethodLowering
from .namespaces import NamespaceLowering
from .numpy_forms import NumpyForms
from .operators import OperatorLowering
from .positions import PositionLowering
from .sequences import Accumulated, SequenceLowering
from .starred import starred_position
from .texts import setting, text_expr
from .tails import always_exits, tails
from .trees import TreeState

class _Shared:
    """State shared by a function and every helper inlined into it."""

    def __init__(self):
        self.body = []
        self.reserved = set()
        self.globals = {}
        self.local_names = set()  # names bound as locals or parameters in any function lowered
        self.call_stack = []
        self.in_place = []  # (old value, new Var) of each 'x op= v': NumPy updates arrays in place
        self.rests = []  # the Var of each starred name of a value known at run time (starred)
        self.trees = TreeState()  # parts of parameters read at constant paths (trees, methods)
        self.namespace = False  # whether the function calls an Array API namespace (namespaces)
        self.iterators = []  # the values of reversed(...) calls: a helper reads its parameter once (iterators)
        self.texts = []  # the Const of each string literal taken as a setting (texts)
        self.blocks = 0  # the blocks open around the statement lowered (branches.in_block): 0 on every path


def lower(source, several_results=False):
    """The SSA ``Function`` of a checked ``frontend.Source``.  A tuple returned is refused,
    unless ``several_results`` (forward mode, vector-Jacobian products): it is then one
    ``list`` of its items (one tangent or cotangent per item)."""
    callables.check_parameters(source)
    shared = _Shared()
    lowerer = _Lowerer(source, shared)
    params = []
    for arg in all_params(source.node.args):
        var = Var(arg.arg, user_named=True)
        lowerer.env[arg.arg] = var
        params.append(var)
    lowerer.tree_params(params, source.owner)
    shared.call_stack.append(def_key(source))
    result, tuple_returned = callables.returned(lowerer, source.nodes(ast.Return)[-1], lowerer.lower_body(), several_results)
    args = effects.without_annotations(source.node.args)
    function = Function(
        name=source.node.name, params=tuple(params), body=tuple(lowerer.hoisted_statements() + shared.body), result=result,
        arguments=args, loc=source.loc(source.node), globals=dict(shared.globals),
        reserved=frozenset(shared.reserved), namespace=shared.namespace, tuple_result=tuple_returned)
    callables.refuse_what_is_not_a_value(function, _error_at)
    return checked(function, shared, _error_at)


def _error_at(loc, message, hint):
    loc = loc.user()
    return UnsupportedSyntaxError(message, loc.filename, loc.lineno, loc.col, loc.line_text, hint)


class _Lowerer(CallLowering, CallableLowering, ArrayLowering, DisplayLowering, MethodLowering, OperatorLowering,
               SequenceLowering, NamespaceLowering, NumpyForms, AppendLowering, ItemWriteLowering, PositionLowering):
    """Lowers one function body (the top-level one or an inlined helper)."""

    def __init__(self, source, shared):
        self.source = source
        self.shared = shared
        self.env = {}
        self.loop_depth = 0  # loops of this function (not of its callers) around the current statement
        self.result_hint = None
        self.known_calls = {}  # (module name, attribute) -> the op of a call math_call lowers directly, or None
        names = source.nodes(ast.Name)
        params = [a.arg for a in all_params(source.node.args)]
        shared.reserved.update(map(_IDENTIFIER, names), params)
        store = ast.Store  # (every name of the function is looked at)
        shared.local_names.update([n.id for n in names if type(n.ctx) is store], params)

    # ------------------------------------------------------------ statements

    def lower_body(self, hint=None):
        """Lower every statement; return the operand of the final ``return``.

        ``hint`` names the returned value when this body computes it (an inlined helper
        called as ``L = sigmoid(s3)`` computes ``L``).  ``tails`` first moves every early exit
        to the end of its block; each ``return`` then sets the pseudo-variable ``<value>`` (see
        ``branches``)."""
        body = self.source.node.body
        if self.source.nodes(ast.With):  # the walk without_withs starts with, done once per Source
            body = effects.without_withs(self, body)
        body = tails(body)
        if not always_exits(body, (ast.Return, ast.Raise)):
            raise self.error(ResultError, body[-1], f"'{self.source.node.name}' can end without returning a value",
                             "end every path through the function with a return")
        self.result_hint = hint
        self.env[branches.RETURNED] = branches.FALSE
        for stmt in body:
            try:
                self.statement(stmt)
            except RecursionError:
                raise self.error(UnsupportedSyntaxError, stmt, "this statement is nested too deeply for srcdiff",
                                 "split it into several assignments") from None
        if branches.VALUE not in self.env:
            raise self.error(ResultError, effects.last_raise(self.source.node, body[-1]),
                             f"every path through '{self.source.node.name}' raises", "return a value on some path")
        return self.env[branches.VALUE]

    def statement(self, stmt):
        if self.namespace_binding(stmt):  # xp = array_namespace(x): no statement (namespaces)
            return
        if isinstance(stmt, ast.Assign):
            value = self.assigned(stmt, self.operand(stmt.value, hint=_single_name(stmt.targets)))
            for target in stmt.targets:
                self.bind(target, value)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self.bind(stmt.target, self.expr(stmt.value, hint=_single_name([stmt.target])))
        elif isinstance(stmt, ast.AugAssign):
            self.grow_augmented(stmt) or self.augmented(stmt)  # out += ys: a list the function grows (appends)
        elif isinstance(stmt, ast.If) and self.result_guard(stmt) is not None:
            self.check(self.result_guard(stmt), stmt)
        elif type(stmt) in _FLOW_STATEMENTS:
            _FLOW_STATEMENTS[type(stmt)](self, stmt)
        elif isinstance(stmt, ast.Expr):
            effects.statement_expr(self, stmt)
        elif not isinstance(stmt, (ast.Pass, ast.Import, ast.ImportFrom)):  # an import: a name its scope binds
            raise self.error(UnsupportedSyntaxError, stmt, f"'{type(stmt).__name__}' statements are not supported",
                             "rewrite it as assignments")

    def augmented(self, stmt):
        target = stmt.target
        symbol = SYMBOL_OF.get(type(stmt.op))
        if symbol not in BINARY_OPS:
            raise self.error(UnsupportedSyntaxError, stmt, f"the operator in '{ast.unparse(stmt)}' is not supported",
                             "use + - * / ** // % @, or & | ^ on masks")
        if isinstance(target, ast.Subscript):
            return self.augmented_item(stmt, symbol)
        if not isinstance(target, ast.Name):
            raise self.error(UnsupportedSyntaxError, target, "augmented assignment into an attribute is not supported",
                             "assign to a plain variable")
        current = self.name(target)
        value = self.expr(stmt.value)
        self.env[target.id] = self.emit(symbol, (current, value), stmt, hint=target.id)
        self.shared.in_place.append((current, self.env[target.id]))

    def bind(self, target, value):
        """Bind an assignment target (a name or a tuple of names) to a lowered value."""
        if isinstance(target, ast.Name):
            self.env[target.id] = self.list_binding(target.id, value, target)
        elif isinstance(target, ast.Subscript):
            self.store_item(target, value, target)
        elif isinstance(target, (ast.Tuple, ast.List)):
            if not isinstance(value, TupleValue) or len(value) != len(target.elts) or starred_position(target) is not None:
                return self.unpack(target, value)  # a value known at run time, or a starred name (arrays)
            for element, item in zip(target.elts, value):
                self.bind(element, item)
        else:
            raise self.unassignable(target)  # self.W = ... (methods)

    # ------------------------------------------------------------ expressions

    def expr(self, node, hint=None):
        """Lower an expression; return its operand (or a TupleValue for a tuple display).

        Dispatched on the node's class through ``_EXPRESSIONS`` (every operand of every
        operation passes here); a subclass of a listed class is lowered as that class."""
        lowering = _EXPRESSIONS.get(type(node))
        if lowering is None:
            lowering = next((f for kind, f in _EXPRESSIONS.items() if isinstance(node, kind)), _Lowerer.unsupported_expr)
        return lowering(self, node, hint)

    def constant(self, node, hint=None):
        if type(node.value) is str:  # a setting or a message: check_texts refuses it where it meets a number
            return setting(self, node)
        if not isinstance(node.value, (int, float, bool)):  # complex, bytes, None...
            raise self.error(UnsupportedSyntaxError, node, f"the constant {node.value!r} is not a number", "srcdiff differentiates numbers and arrays")
        return Const(node.value)

    def tuple_display(self, node, hint=None):
        """A tuple or list display: a list's length is known too (sequences)."""
        return TupleValue(self.expr(e) for e in node.elts) if node.elts else Const(())  # () may grow in a loop

    def attribute_expr(self, node, hint=None):
        if self.is_value(node.value):
            return self.attribute(node, hint)
        ref = self.resolve(node)
        if isinstance(ref, frontend.ConstantRef):
            return self.global_operand(ref, node)
        raise self.error(UnsupportedSyntaxError, node, f"'{ast.unparse(node)}' cannot be used as a value here",
                         "call it, or use a number or a parameter")

    def unsupported_expr(self, node, hint=None):
        raise self.error(UnsupportedSyntaxError, node, f"{_describe(node)} is not supported yet",
                         "rewrite the expression with numbers, operators and calls")

    def name(self, node, hint=None):
        if node.id in self.env:
            value = self.env[node.id]
            if type(value) is Unusable:  # left by a branch or a loop (callables, loop_locals): read, refused
                raise self.error(UnsupportedSyntaxError, node, value.why, value.hint)
            return value
        ref = self.resolve(node)
        if isinstance(ref, (frontend.ConstantRef, frontend.ClassRef)):  # a class: Model.helper(x) (methods)
            return self.global_operand(ref, node)
        raise self.error(UnsupportedSyntaxError, node, f"'{node.id}' is a {kind_of(ref)} and cannot be used as a value",
                         "call it, or pass the value in as a parameter")

    def check(self, call, stmt):
        """Generated code's own check of a value, kept as a statement (``ir.CHECK_OPS``): a
        gradient of a gradient still refuses what the first one refused."""
        target = Var("_checked")  # never read: the name is never printed
        self.shared.body.append(Assign(target, self.check_op(call), tuple(self.expr(a) for a in call.args), (),
                                       self.source.loc(stmt)))

    def emit(self, op, args, node, hint=None, kwargs=()):
        """Append ``target = op(args)`` and return the new Var."""
        for arg in args:  # a loop, not any(): every operation of the function passes here
            if type(arg) not in _PLAIN_OPERANDS:
                self.check_operands(args, kwargs, node)
                break
        else:
            if kwargs:
                self.operands_only(args, kwargs, node)
        if kwargs and any(key == "out" for key, _ in kwargs):
            self.refuse_out(op, kwargs, node)
        target = Var(hint, user_named=True) if hint else Var("s")
        self.shared.body.append(Assign(target, op, tuple(args), tuple(kwargs), self.source.loc(node)))
        if op == "[]":
            self.note_items(args[0], (target,))  # an item of an argument is of a type the caller chose (positions)
        return target

    def check_operands(self, args, kwargs, node):
        """Refuse a function value or a helper's ``**kwargs`` (``operands_only``), then a tuple,
        as an operand of an operation."""
        self.operands_only(args, kwargs, node)
        for arg in args:
            if isinstance(arg, tuple):  # (a, b) + (c,): a sequence where a value goes
                raise self.error(UnsupportedSyntaxError, node, "a tuple or list is not supported here",
                                 "use numbers or arrays")

    def error(self, cls, node, message, hint=""):
        return self.source.error(cls, node, message, hint)


_FLOW_STATEMENTS = {
    ast.If: branches.statement_if, ast.For: loops.statement_for, ast.While: loops.statement_while,
    ast.Return: branches.statement_return, ast.Break: branches.statement_break,
    ast.Continue: lambda lowerer, stmt: None,  # last in its block (tails): the iteration just ends
    ast.FunctionDef: lambda lowerer, stmt: lowerer.define(stmt),
    ast.Assert: effects.statement_assert, ast.Raise: effects.statement_raise,  # kept as written (effects)
}


# how each class of expression is lowered: lowering(lowerer, node, hint) -> operand
_EXPRESSIONS = {
    ast.Name: _Lowerer.name, ast.Call: _Lowerer.call,
    ast.BinOp: _Lowerer.operators, ast.UnaryOp: _Lowerer.operators, ast.Constant: _Lowerer.constant,
    ast.Attribute: _Lowerer.attribute_expr, ast.Subscript: _Lowerer.subscript, ast.Compare: _Lowerer.compare,
    ast.Tuple: _Lowerer.tuple_display, ast.List: _Lowerer.tuple_display, ast.Dict: _Lowerer.dict_display,
    ast.IfExp: branches.expr_ifexp, ast.BoolOp: branches.expr_boolop, ast.NamedExpr: _Lowerer.walrus,
    ast.JoinedStr: text_expr,
    ast.ListComp: _Lowerer.sequence_expr, ast.GeneratorExp: _Lowerer.sequence_expr, Accumulated: _Lowerer.sequence_expr,
}

_IDENTIFIER = operator.attrgetter("id")  # a Name node's identifier

# the operands an operation takes as they are (anything else is checked: check_operands)
_PLAIN_OPERANDS = frozenset({Var, Const, Global})


def _single_name(targets):
    return targets[0].id if len(targets) == 1 and isinstance(targets[0], ast.Name) else None


def _describe(node):
    return {ast.Subscript: "indexing", ast.List: "a list display", ast.Attribute: "attribute access",
            ast.Slice: "slicing"}.get(type(node), f"the expression '{ast.unparse(node)}'")
