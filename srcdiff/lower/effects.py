"""Statements that carry no gradient: prints and logging, ``assert``, ``raise``; ``isinstance``;
``with np.errstate(...)``.

Called by ``function._Lowerer`` with the lowerer ``lw`` (as ``branches`` and ``loops`` are).
An effect is one ``Assign`` of op ``ir.EFFECT``: the statement as the user wrote it (f-strings,
format specs and all), each local it reads replaced by a placeholder for that local's
current operand, each other free name by what generated code knows it as (``np``, a
module-level object added to ``Function.globals``, a builtin).  Generated code runs it in
the forward sweep, in the user's order; it has no gradient and no tangent.  An effect runs
once per call of the generated function: ``print`` in ``f`` prints once per call of
``grad_f``, of ``grad2_f``, of ``jvp_f`` or of ``hvp_f`` (``hessian`` and ``jacobian`` call
theirs once per row).

| statement | lowered to |
| --- | --- |
| ``print(...)``, ``logging.info(...)``, ``logger.debug(...)`` (a ``logging.Logger``), ``warnings.warn(...)`` | an effect |
| any other call whose value is unused (``xs.sort()``) | refused: srcdiff would drop what it does |
| ``msg = f"..."``, ``"...".format(...)``, ``str(x)``, ``repr(x)`` | nothing: the code is kept (``KeptText``) and read by the effects that read ``msg`` |
| ``assert test, message`` | an effect (the message is built only when the test fails, as in Python) |
| ``raise E(...)`` | an effect; ``tails`` ends the path there, so its branch merges nothing |
| docstrings, ``...``, ``pass``, ``x: float`` | nothing (``without_annotations``: generated code's signature has no type hints) |
| ``isinstance(x, T)``, ``T`` a class or a tuple of classes | ``isinstance`` of ``x``: a flag, tested at run time (no gradient) |
| ``with np.errstate(divide='ignore', ...):`` | its body, without the ``with``: errstate only silences NumPy's warnings, which generated code leaves to the caller's settings; ``'raise'`` and ``'call'`` (which change what runs) are refused, as is every other ``with`` |
"""
import ast
import copy
import dataclasses
import logging
import types

from .. import frontend
from ..errors import NameResolutionError, UnsupportedSyntaxError
from ..ir import EFFECT, EFFECT_ARG, Assign, Const, Global, Undefined, Var, dotted
from . import grown

LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "critical", "exception", "log"})
_OUTPUT_MODULES = {"logging": LOG_METHODS, "warnings": frozenset({"warn"})}
_KNOWN_MODULES = frozenset({"math", "np", "np.linalg", "rt"})  # generated code has these under its own names
_QUIET_ERRSTATES = frozenset({"ignore", "warn", "print", "log"})


# ---------------------------------------------------------------- statements

def statement_expr(lw, stmt):
    """An expression statement: a docstring or ``...`` (nothing), a print or a logging call (an
    effect); anything else is refused, since its effect would be lost."""
    value = stmt.value
    if isinstance(value, ast.Constant) or lw.grow_statement(stmt):  # out.append(v) (appends)
        return
    if isinstance(value, ast.Call) and _is_output(lw, value.func):
        return _emit(lw, stmt)
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in grown.MUTATORS:
        raise lw.error(UnsupportedSyntaxError, stmt, f"'{ast.unparse(value.func)}' changes its list or array in place, "
                       "which srcdiff does not model", "build a new value: np.sort(x), a comprehension, "
                       "or append to a list made here")
    if isinstance(value, ast.Call) and any(k.arg == "out" for k in value.keywords):
        raise lw.error(UnsupportedSyntaxError, stmt, f"'{ast.unparse(value.func)}(..., out=...)' writes its result "
                       "into an array, which srcdiff does not model", "bind the result instead: r = "
                       f"{ast.unparse(value.func)}(...) without out=")
    raise lw.error(UnsupportedSyntaxError, stmt, "a statement whose value is unused is not supported",
                   "remove it: srcdiff keeps print, logging and warnings.warn calls, but would drop what other "
                   "calls do (the function must not change its arguments)")


def statement_assert(lw, stmt):
    _emit(lw, stmt)


def statement_raise(lw, stmt):
    if stmt.exc is None:
        raise lw.error(UnsupportedSyntaxError, stmt, "a bare 'raise' (re-raising) is not supported",
                       "raise an exception: raise ValueError(...)")
    _emit(lw, stmt)


def last_raise(function, default):
    """The last ``raise`` of a function's source (where an error says every path raises)."""
    found = [n for n in ast.walk(function) if isinstance(n, ast.Raise)]
    return max(found, key=lambda n: (n.lineno, n.col_offset)) if found else default


def _emit(lw, stmt):
    template, operands = kept(lw, stmt)
    text = ast.unparse(template)
    lw.shared.body.append(Assign(Var("_effect"), EFFECT, (Const(text), *operands), (), lw.source.loc(stmt)))


def _is_output(lw, func):
    """Whether ``func`` (a call's callee) is ``print``, a logging function or method, or ``warnings.warn``."""
    if isinstance(func, ast.Name):
        return func.id == "print" and func.id not in lw.env and _binding(lw, "print") in (frontend.BUILTIN, print)
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)) or func.value.id in lw.env:
        return False
    head, method = func.value.id, func.attr
    value = _binding(lw, head)
    if value is None:  # read from the file's text: a module's name, or an object made at module level
        module = frontend.static_module(lw.source.scope, head)
        return method in _OUTPUT_MODULES.get(module, ()) or module is None and method in LOG_METHODS
    if isinstance(value, types.ModuleType):
        return method in _OUTPUT_MODULES.get(value.__name__, ())
    return isinstance(value, (logging.Logger, logging.LoggerAdapter)) and method in LOG_METHODS


def _binding(lw, name):
    return frontend.free_binding(lw.source.scope, name)


# ---------------------------------------------------------------- the statement kept as written

def kept(lw, node):
    """A copy of ``node`` whose locals are placeholders (``ir.EFFECT_ARG`` + position), and the
    operands they stand for."""
    rewriter = _Rewriter(lw)
    return rewriter.visit(copy.deepcopy(node)), rewriter.operands


class _Rewriter(ast.NodeTransformer):
    """Replaces the free names of kept code: locals by placeholders, other names by what
    generated code calls them; names a comprehension or a lambda inside binds stay."""

    def __init__(self, lw):
        self.lw = lw
        self.operands = []
        self.bound = []

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and not any(node.id in names for names in self.bound):
            return ast.copy_location(reference(self.lw, node, self), node)
        return node

    def _scoped(self, node, names):
        self.bound.append(set(names))
        try:
            return self.generic_visit(node)
        finally:
            self.bound.pop()

    def visit_Lambda(self, node):
        args = node.args
        return self._scoped(node, [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs
                                   + [a for a in (args.vararg, args.kwarg) if a is not None]])

    def _comprehension(self, node):
        return self._scoped(node, [n.id for g in node.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)])

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    def placeholder(self, operand):
        """The placeholder Name of ``operand``, one per operand."""
        for k, known in enumerate(self.operands):
            if known is operand or known == operand and not isinstance(operand, Var):
                return ast.Name(id=f"{EFFECT_ARG}{k}", ctx=ast.Load())
        self.operands.append(operand)
        return ast.Name(id=f"{EFFECT_ARG}{len(self.operands) - 1}", ctx=ast.Load())


def reference(lw, node, rewriter=None):
    """The expression generated code reads the free name ``node`` with: a placeholder of a local
    (``rewriter`` given), ``np``/``math`` and their functions under generated code's names,
    a builtin as itself, any other module-level object as a global of generated code."""
    name = node.id
    if name in lw.env:
        if rewriter is None:
            raise lw.error(UnsupportedSyntaxError, node, f"'{name}' is a local value, not a class",
                           "name a class: isinstance(x, np.ndarray), isinstance(n, int)")
        return _local(lw, node, lw.env[name], rewriter)
    ref = lw.source.scope.resolve(name)
    if isinstance(ref, frontend.ModuleRef) and ref.canonical in _KNOWN_MODULES:
        return dotted(ref.canonical)
    if isinstance(ref, frontend.PrimitiveRef) and "." in ref.op:
        return dotted(ref.op)
    if isinstance(ref, frontend.ConstantRef):
        return dotted(lw.global_operand(ref).name)
    value = _binding(lw, name)
    if value is frontend.UNBOUND:
        raise lw.error(NameResolutionError, node, f"name '{name}' is not defined",
                       "define it at module level, import it, or pass it in as a parameter")
    if value is frontend.BUILTIN:
        return ast.Name(id=name, ctx=ast.Load())
    return ast.Name(id=lw.global_operand(frontend.ConstantRef(name, value)).name, ctx=ast.Load())


@dataclasses.dataclass(eq=False)
class KeptText:
    """A string the function builds (an f-string, ``"...".format(...)``, ``str(x)``: ``texts``),
    kept as code: ``template`` with placeholders for the ``operands`` it read where it was built.
    An effect reading it (``print(msg)``) reads that code in its place; nothing else may."""
    template: ast.expr
    operands: tuple


def renumbered(template, number):
    """A copy of kept code ``template`` whose placeholder ``k`` is named ``number(k)``."""
    template = copy.deepcopy(template)
    for node in ast.walk(template):
        if type(node) is ast.Name and node.id.startswith(EFFECT_ARG):
            node.id = number(int(node.id[len(EFFECT_ARG):]))
    return template


def _local(lw, node, value, rewriter):
    if isinstance(value, KeptText):  # its code, its placeholders this statement's
        return renumbered(value.template, lambda k: rewriter.placeholder(value.operands[k]).id)
    if isinstance(value, tuple):  # a tuple of operands (a, b = ..., t = (a, b)): its items
        return ast.Tuple(elts=[_local(lw, node, v, rewriter) for v in value], ctx=ast.Load())
    if isinstance(value, Undefined):
        raise lw.error(UnsupportedSyntaxError, node, f"'{node.id}' may be unassigned here",
                       "assign it on every path before this line")
    return rewriter.placeholder(value)


# ---------------------------------------------------------------- type hints

def without_annotations(args):
    """A function's parameters (``ast.arguments``) without their type hints: generated code's signature."""
    return ast.arguments(
        posonlyargs=[ast.arg(arg=a.arg) for a in args.posonlyargs],
        args=[ast.arg(arg=a.arg) for a in args.args],
        vararg=None, kwonlyargs=[ast.arg(arg=a.arg) for a in args.kwonlyargs],
        kw_defaults=list(args.kw_defaults), kwarg=None, defaults=list(args.defaults))


# ---------------------------------------------------------------- isinstance

def call_isinstance(lw, node, hint):
    """``isinstance(x, T)``: a flag computed at run time from the value ``x`` has then."""
    if len(node.args) != 2 or node.keywords:
        raise lw.error(UnsupportedSyntaxError, node, "isinstance() takes a value and a class",
                       "write isinstance(x, T) or isinstance(x, (T1, T2))")
    value = lw.expr(node.args[0])
    if isinstance(value, tuple):
        raise lw.error(UnsupportedSyntaxError, node.args[0], "isinstance() of a tuple display is not supported",
                       "test a variable")
    spec = node.args[1]
    classes = spec.elts if isinstance(spec, ast.Tuple) else [spec]
    return lw.emit("isinstance", (value, *(_class_operand(lw, c) for c in classes)), node, hint)


def _class_operand(lw, node):
    """A class named by a dotted name (``np.ndarray``, ``int``, ``numbers.Real``) as a Global operand."""
    attrs = []
    head = node
    while isinstance(head, ast.Attribute):
        attrs.append(head.attr)
        head = head.value
    if not isinstance(head, ast.Name):
        raise lw.error(UnsupportedSyntaxError, node, f"'{ast.unparse(node)}' is not a class name",
                       "name a class: isinstance(x, np.ndarray), isinstance(n, int)")
    base = ast.unparse(reference(lw, head))
    return Global(".".join([base] + attrs[::-1]))


# ---------------------------------------------------------------- with np.errstate

def without_withs(lw, body):
    """``body`` with each ``with np.errstate(...):`` replaced by its body (see the module doc);
    any other ``with`` is refused.  The user's tree is not changed."""
    if not any(isinstance(n, ast.With) for stmt in body for n in ast.walk(stmt)):
        return body
    out = []
    for stmt in body:
        if isinstance(stmt, ast.With):
            _check_errstate(lw, stmt)
            out += without_withs(lw, stmt.body)
        elif isinstance(stmt, (ast.If, ast.For, ast.While)):
            new = copy.copy(stmt)
            new.body, new.orelse = without_withs(lw, stmt.body), without_withs(lw, stmt.orelse)
            out.append(new)
        else:
            out.append(stmt)
    return out


def _check_errstate(lw, stmt):
    for item in stmt.items:
        call = item.context_expr
        if not (isinstance(call, ast.Call) and _resolves_to(lw, call.func, "np.errstate")):
            raise lw.error(UnsupportedSyntaxError, stmt, "'with' statements are not supported (but 'with np.errstate(...)')",
                           "move the 'with' block outside the differentiated function")
        if item.optional_vars is not None or call.args:
            raise lw.error(UnsupportedSyntaxError, call, "write np.errstate(...) with keyword settings only, without 'as'",
                           "with np.errstate(divide='ignore', invalid='ignore'):")
        for keyword in call.keywords:
            setting = keyword.value.value if isinstance(keyword.value, ast.Constant) else None
            if keyword.arg is None or setting not in _QUIET_ERRSTATES:
                raise lw.error(UnsupportedSyntaxError, keyword.value if keyword.arg else call,
                               f"np.errstate({ast.unparse(keyword)}) is not supported: srcdiff runs the block's "
                               "statements without it, which only changes NumPy's warnings for 'ignore', 'warn', "
                               "'print' and 'log'", "use one of those, or call the gradient inside the 'with' block")


def _resolves_to(lw, node, op):
    if isinstance(node, ast.Name) and node.id in lw.env or isinstance(node, ast.Attribute) and lw.is_value(node.value):
        return False
    try:
        ref = lw.resolve(node)
    except (NameResolutionError, UnsupportedSyntaxError):
        return False
    return isinstance(ref, frontend.PrimitiveRef) and ref.op == op
