"""Functions as values in lowering: nested ``def``s, lambdas, ``functools.partial`` objects
and the user's functions passed around; star-arguments and the binding of every call.

``CallableLowering`` is mixed into ``function._Lowerer``.  Contract: a function value is never
an operand of the IR (an operation given one is refused where it is written); a call of one is
inlined like a call of a module-level helper: the gradient of the helper written out.

| value | made by | a call of it |
| --- | --- | --- |
| ``Closure`` | ``def h(...)`` or ``lambda ...`` inside a function | its body inlined; the names it reads from the functions around it have the values they have when it is *called* (Python's late binding); its defaults were computed at the ``def`` |
| ``Callee`` | a function named as a value (``apply(relu, h)``, ``act = np.tanh``) | as if called by its name |
| ``Partial`` | ``functools.partial(g, a, k=b)`` | ``g(a, ..., k=b, ...)``, a keyword given at the call winning |
| ``Unusable`` | a function set differently on two paths of a branch, or inside a loop, used after it (a display too: ``loop_locals``) | refused, saying why |

``g(*args, **kwargs)`` spreads a tuple of known length (a helper's ``*args``, a display)
and a helper's ``**kwargs`` (``KeywordValues``) into single arguments; a helper's
``*args`` and ``**kwargs`` parameters collect what its call passes beyond the others.
"""
import ast
import dataclasses

from ..errors import ResultError, SrcdiffError, UnsupportedSyntaxError
from ..frontend import FunctionRef, PrimitiveRef
from ..frontend.callables import LAMBDA, as_def
from ..ir import Assign, Const, Global, Var, reads, walk
from . import binding
from .binding import KeywordValues
from .calls import TupleValue, def_key
from .consumers import list_value
from .effects import KeptText
from .scopes import free_names, local_names


class FunctionValue:
    """A function as a value of lowering (never an IR operand)."""


@dataclasses.dataclass(eq=False)
class Closure(FunctionValue):
    node: ast.FunctionDef  # a lambda's is made by ``as_def``
    owner: object  # the lowerer of the function it was defined in
    defaults: dict  # parameter name -> operand, computed where it was defined


@dataclasses.dataclass(eq=False)
class Callee(FunctionValue):
    ref: object  # a FunctionRef or a PrimitiveRef


@dataclasses.dataclass(eq=False)
class Partial(FunctionValue):
    func: FunctionValue
    args: tuple
    keywords: dict


@dataclasses.dataclass(eq=False)
class Unusable(FunctionValue):
    why: str
    hint: str


NOT_OPERANDS = (FunctionValue, KeywordValues, KeptText)
_PLAIN = frozenset({Var, Const, Global})  # the usual operands: none of NOT_OPERANDS


def what_it_is(value, short=False):  # how an error names a value of NOT_OPERANDS: "a dict built here", short "a dict"
    kind = "a dict" if isinstance(value, KeywordValues) else "a string" if isinstance(value, KeptText) else "a function"
    return kind if short or kind == "a function" else f"{kind} built here"


def unmerged(name, line, what="function"):
    """What a name holds after a branch that sets it to a function (or a message string,
    ``what``) on one path, or to two different ones (``branches``): unusable."""
    return Unusable(f"'{name}' is not the same {what} on every path through the branch on line {line}",
                    f"define '{name}' once, before the branch, and branch inside it" if what == "function" else
                    f"set '{name}' on every path through the branch")


def defined_in_loop(name, line):
    return Unusable(f"'{name}' is a function defined inside the loop on line {line}, and used after it",
                    f"define '{name}' before the loop")


def check_parameters(source):
    """Refuse ``*args``/``**kwargs`` parameters of the differentiated function itself."""
    args = source.node.args
    star = args.vararg or args.kwarg
    if star is not None:
        raise source.error(UnsupportedSyntaxError, star, "star-arguments (*args, **kwargs) of the differentiated "
                           "function are not supported", "list its parameters one by one (a helper it calls may "
                           "take *args and **kwargs)")


def returned(lw, node, result, several):
    """``(the result operand, whether it stands for a returned tuple)``: a tuple returned
    (``node``) is one ``list`` of its items where ``several`` (forward mode, vector-Jacobian
    products), else refused, as a function returned is."""
    if isinstance(result, TupleValue) and several and result:
        return list_value(lw, result, node), True
    if isinstance(result, TupleValue):
        raise lw.source.error(ResultError, node, "the result is a tuple; srcdiff differentiates a single value",
                              "return one value (a float or an array); use srcdiff.jacobian for several outputs")
    if isinstance(result, NOT_OPERANDS):
        raise lw.source.error(ResultError, node, f"the result is {what_it_is(result, True)}; srcdiff differentiates a single value",
                              "return a number or an array")
    return result, False


def refuse_what_is_not_a_value(function, error_at):
    """Refuse a function value or a dict built in the function (``NOT_OPERANDS``) left where a
    value is read: an ``if``'s condition, what a loop walks, a print's argument."""
    for stmt in walk(function.body):
        for operand in stmt.args if type(stmt) is Assign and not stmt.kwargs else reads(stmt):  # (the usual: no list)
            if type(operand) not in _PLAIN and isinstance(operand, NOT_OPERANDS):  # an Unusable says why itself
                raise error_at(stmt.loc or function.loc, *((operand.why, operand.hint) if isinstance(operand, Unusable) else (
                    f"{what_it_is(operand)} cannot be used as a value here", "read a dict at constant keys (d['a']); call a function")))


class CallableLowering:
    """Function values, star-arguments and argument binding; see the module docstring."""

    # ------------------------------------------------------------ making function values

    def define(self, stmt):
        """``def h(...)`` inside a function: ``h`` is bound to a Closure."""
        if stmt.decorator_list:
            raise self.error(UnsupportedSyntaxError, stmt.decorator_list[0],
                             "decorators on a function defined inside the differentiated function are not supported",
                             "define it without the decorator")
        self.env[stmt.name] = self.closure(stmt)

    def closure(self, node):
        """A Closure of the def ``node``, its defaults computed now, as Python does."""
        a = node.args
        positional = list(a.posonlyargs) + list(a.args)
        pairs = list(zip(positional[len(positional) - len(a.defaults):], a.defaults))
        pairs += [(p, d) for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None]
        return Closure(node, self, {p.arg: self.operand(d) for p, d in pairs})

    def operand(self, node, hint=None):
        """``expr(node)``, or the function value ``node`` is: a lambda, a function named as a value."""
        if isinstance(node, ast.Lambda):
            return self.closure(as_def(node, hint or LAMBDA))
        if isinstance(node, (ast.Name, ast.Attribute)) and not self.is_value(node):
            try:
                ref = self.resolve(node)
            except SrcdiffError:
                ref = None
            if isinstance(ref, (FunctionRef, PrimitiveRef)):
                return Callee(ref)
        return self.expr(node, hint)

    def partial(self, node):
        """``functools.partial(g, *args, **keywords)`` as a Partial (a partial of a partial flattened)."""
        if not node.args:
            raise self.error(UnsupportedSyntaxError, node, "functools.partial needs a function",
                             "write functools.partial(function, arguments...)")
        func = self.operand(node.args[0])
        if not isinstance(func, FunctionValue):
            raise self.error(UnsupportedSyntaxError, node.args[0], f"'{ast.unparse(node.args[0])}' is not a function",
                             "pass a function to functools.partial")
        args = tuple(self.operand(a) for a in node.args[1:])
        keywords = {k.arg: self.operand(k.value) for k in node.keywords}
        if isinstance(func, Partial):
            return Partial(func.func, func.args + args, {**func.keywords, **keywords})
        return Partial(func, args, keywords)

    def operands_only(self, args, kwargs, node):
        """Refuse a function value (or a helper's ``**kwargs``) as an operand of an operation."""
        for value in (*args, *(v for _, v in kwargs)) if kwargs else args:
            if isinstance(value, NOT_OPERANDS):
                hint = "print, log, warn, assert or raise a string" if isinstance(value, KeptText) else \
                    "call the function; read a dict at constant keys (d['a']), or forward it to a call (**d)"
                raise self.error(UnsupportedSyntaxError, node, f"{what_it_is(value)} cannot be used as a value in '{ast.unparse(node)}'", hint)

    # ------------------------------------------------------------ calling them

    def call_value(self, node, hint):
        """Lower a call of a function value (a local name bound to one, a lambda, a call
        returning one); None when ``node`` calls something else."""
        func = node.func
        if isinstance(func, ast.Name) and func.id in self.env:
            value = self.env[func.id]
        elif isinstance(func, (ast.Lambda, ast.Call)):
            value = self.operand(func)
        else:
            return None
        if not isinstance(value, FunctionValue):
            raise self.error(UnsupportedSyntaxError, node, f"'{ast.unparse(func)}' is a value, not a function",
                             "call a function defined with def or lambda")
        return self.invoke(value, node, hint)

    def invoke(self, value, node, hint):
        """Lower the call ``node`` of the function value ``value``."""
        if isinstance(value, Unusable):
            raise self.error(UnsupportedSyntaxError, node, value.why, value.hint)
        if isinstance(value, Partial):
            return self.invoke(value.func, self._with_bound(value, node), hint)
        if isinstance(value, Closure):
            return self._enter(value, node, hint)
        if isinstance(value.ref, FunctionRef):
            return self.inline(value.ref, node, hint)
        if value.ref.op == "functools.partial":
            return self.partial(node)
        return self.primitive_call(value.ref.op, node, hint)

    def _with_bound(self, partial, node):
        """The call ``node`` with the arguments ``partial`` binds put in (as names bound here)."""
        args = [self._named(value, node, f"bound {i}") for i, value in enumerate(partial.args)]
        given = {k.arg for k in node.keywords}
        keywords = [ast.keyword(arg=k, value=self._named(v, node, f"bound {k}"))
                    for k, v in partial.keywords.items() if k not in given]
        return ast.copy_location(ast.Call(func=node.func, args=args + list(node.args),
                                          keywords=keywords + list(node.keywords)), node)

    def _named(self, value, node, what):
        """A Name node (not an identifier: never the user's) bound to ``value`` here."""
        key = f"<{what} of {id(node)}>"
        self.env[key] = value
        return ast.copy_location(ast.Name(id=key, ctx=ast.Load()), node)

    def spread(self, node):
        """The call ``node`` with ``*xs`` and ``**kw`` arguments spread into single ones."""
        if not _spreads(node):
            return node
        args, keywords = [], []
        for arg in node.args:
            if not isinstance(arg, ast.Starred):
                args.append(arg)
                continue
            values = self.operand(arg.value)
            if not isinstance(values, TupleValue):
                raise self.error(UnsupportedSyntaxError, arg, f"the star-argument '{ast.unparse(arg)}' is not a tuple "
                                 "whose length is known when compiling", "pass the values one by one, or a helper's *args")
            args += [self._named(v, arg, f"{ast.unparse(arg)}[{i}]") for i, v in enumerate(values)]
        for keyword in node.keywords:
            if keyword.arg is not None:
                keywords.append(keyword)
                continue
            values = self.operand(keyword.value)
            if not isinstance(values, KeywordValues):
                raise self.error(UnsupportedSyntaxError, keyword.value, f"'**{ast.unparse(keyword.value)}' is not "
                                 "a helper's **kwargs", "pass the keyword arguments one by one")
            keywords += [ast.keyword(arg=k, value=self._named(v, keyword.value, f"**{k}")) for k, v in values.items()]
        return ast.copy_location(ast.Call(func=node.func, args=args, keywords=keywords), node)

    def _enter(self, closure, node, hint):
        """Inline a Closure: its free names read from the functions around it now."""
        source = dataclasses.replace(closure.owner.source, node=closure.node)
        key = def_key(source)
        if key in self.shared.call_stack:
            raise self.error(UnsupportedSyntaxError, node, f"recursive call to '{closure.node.name}' is not supported",
                             "rewrite the recursion as a loop")
        inner = type(self)(source, self.shared)
        inner.enclosing = closure.owner
        inner.env.update(self._captured(closure, node))
        self.bind_arguments(inner, source, node, closure.defaults)
        self.shared.call_stack.append(key)
        try:
            return inner.lower_body(hint)
        finally:
            self.shared.call_stack.pop()

    def _captured(self, closure, node):
        """The values, now, of the names ``closure`` reads from the functions it is nested in."""
        values = {}
        for name in sorted(free_names(closure.node)):
            owner = closure.owner
            while owner is not None and name not in owner.own_locals():
                owner = getattr(owner, "enclosing", None)
            if owner is None:
                continue  # a global or a builtin: resolved through the scope, like the owner's
            if name not in owner.env:
                raise self.error(UnsupportedSyntaxError, node, f"'{closure.node.name}' reads '{name}' of "
                                 f"'{owner.source.node.name}', which has no value yet where it is called",
                                 f"assign '{name}' before calling '{closure.node.name}'")
            values[name] = owner.env[name]
        return values

    def own_locals(self):
        """The names this lowerer's function binds (Python's local scope), computed once."""
        if getattr(self, "_own_locals", None) is None:
            self._own_locals = local_names(self.source.node)
        return self._own_locals

    def bind_arguments(self, inner, callee, node, defaults=None, first=()):
        """Bind the parameters of ``callee`` to the arguments of the call ``node`` (``binding``)."""
        binding.bind_arguments(self, inner, callee, node, defaults, first)


def _spreads(node):
    """Whether the call ``node`` has a ``*xs`` or a ``**kw`` argument (a loop: every call asks)."""
    for arg in node.args:
        if type(arg) is ast.Starred:
            return True
    for keyword in node.keywords:
        if keyword.arg is None:
            return True
    return False
