"""Calls in lowering: names resolved, primitives emitted, the user's helpers inlined.

``CallLowering`` is mixed into ``function._Lowerer`` (which supplies ``expr``, ``emit``,
``error``, ``env``, ``source`` and ``shared``; ``callables`` the function values, the
spreading of star-arguments and ``bind_arguments``).  Contract: a call either becomes
``Assign`` statements of primitive operations (a helper's body inlined, its parameters
bound to the caller's operands and its defaults lowered in its own scope; a generated
gradient that keeps a tape is called instead: ``gradients``), or raises a
SrcdiffError naming the callee; generated code's own checks
(``if v.__class__ is not float: rt.check_scalar(v)``, ``ir.CHECK_OPS``) are recognised, so
that a gradient can be lowered again with its checks kept.
"""
import ast

from .. import frontend, runtime
from ..errors import NameResolutionError, SrcdiffError, UnsupportedSyntaxError
from ..ir import CHECK_OPS, Const, Global
from ..runtime.arguments import holds_complex
from . import custom, gradients, linalg, texts
from .namespaces import is_namespace


class TupleValue(tuple):
    """A tuple of operands produced by a tuple display or a helper returning one."""


_UNKNOWN = object()  # a call not yet asked about (``math_call``)

# Builtins spelled differently in the IR.
_BUILTIN_ALIASES = {"pow": "**"}


def all_params(args):
    return list(args.posonlyargs) + list(args.args) + list(args.kwonlyargs)


def def_key(source):
    return (source.filename, source.node.lineno, source.node.col_offset, source.node.name)


def kind_of(ref):
    return {frontend.ModuleRef: "module", frontend.PrimitiveRef: "function", frontend.FunctionRef: "function",
            frontend.GradientRef: "function", frontend.GradientVjpRef: "function", frontend.CustomFunctionRef: "class",
            frontend.ClassRef: "class", frontend.ConstantRef: "constant"}.get(type(ref), "name")


def _constant_tuple(value):
    """A tuple display of constants (``rt.zeros_like((3.0,))``, ``axes=((1, 2), (1, 0))`` in
    generated code) as one Const."""
    if isinstance(value, TupleValue):
        parts = [_constant_tuple(v) for v in value]
        if all(isinstance(p, Const) for p in parts):
            return Const(tuple(p.value for p in parts))
    return value


class CallLowering:
    """Name resolution and calls; see the module docstring."""

    def check_op(self, node):
        """The op (``ir.CHECK_OPS``) of a call ``rt.check_scalar(v)`` of one argument, else None."""
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and len(node.args) == 1 + (node.func.attr == "check_class")
                and not node.keywords and f"rt.{node.func.attr}" in CHECK_OPS):
            return None
        try:
            ref = self.resolve(node.func)
        except SrcdiffError:
            return None
        op = f"rt.{node.func.attr}"
        return op if getattr(ref, "value", None) is getattr(runtime, op[3:]) or getattr(ref, "op", None) == op else None

    def result_guard(self, stmt):
        """The check call of generated code's ``if v.__class__ is not float: rt.check_scalar(v)``, else None."""
        test = stmt.test
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or) and len(test.values) == 2 \
                and isinstance(test.values[0], ast.Compare) and isinstance(test.values[0].left, ast.Attribute) \
                and ast.unparse(test.values[1]).endswith(f".shadows_method({ast.unparse(test.values[0].left.value)})"):
            test = test.values[0]  # a class check's ``or rt.shadows_method(self)``: the check call says it all
        if (isinstance(test, ast.Compare) and isinstance(test.left, ast.Attribute) and test.left.attr == "__class__"
                and len(test.ops) == 1 and isinstance(test.ops[0], ast.IsNot) and not stmt.orelse
                and len(stmt.body) == 1 and isinstance(stmt.body[0], ast.Expr) and self.check_op(stmt.body[0].value)):
            return stmt.body[0].value
        return None

    def global_operand(self, ref, node=None):
        """A Global operand for a module-level constant, renamed if two modules disagree or
        if a function lowered here has a local of that name (a parameter ``C`` of the
        caller must not hide the constant ``C`` a helper reads).  A constant read as a value
        at ``node`` that holds complex numbers is refused: the rules are real arithmetic's."""
        if node is not None and holds_complex(getattr(ref, "value", None)):
            raise self.error(UnsupportedSyntaxError, node, f"'{ast.unparse(node)}' holds complex numbers: srcdiff "
                             "differentiates real arithmetic, so a derivative computed from them would be wrong",
                             "use real constants: a complex C as its parts C.real and C.imag")
        if "." in ref.name:
            return Global(ref.name)
        name, n = ref.name, 0
        while (name in self.shared.globals and self.shared.globals[name] is not ref.value
               or name not in self.shared.globals and name in self.shared.local_names):
            n += 1
            name = f"{ref.name}_{n}"
        self.shared.globals[name] = ref.value
        self.shared.reserved.add(name)
        return Global(name)

    def resolve(self, node):
        """The Resolution of a free name or a dotted attribute chain; errors when unknown."""
        if isinstance(node, ast.Name):
            if is_namespace(self.env.get(node.id)):  # xp = array_namespace(x) (namespaces)
                return self.env[node.id]
            ref = self.source.scope.resolve(node.id)
            if ref is None:
                raise self._unresolved(node, self.source.scope.unusable(node.id), f"name '{node.id}' is not defined")
            return ref
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id in self.env and not is_namespace(self.env[node.value.id]):
                raise self.error(UnsupportedSyntaxError, node, f"attribute access '{ast.unparse(node)}' is not supported yet",
                                 "use functions of math or numpy on the value")
            base = self.uses_namespace_module(self.resolve(node.value))
            if not isinstance(base, frontend.ModuleRef):
                raise self.error(UnsupportedSyntaxError, node, f"attribute access '{ast.unparse(node)}' is not supported",
                                 "use module functions (math.sin, np.exp) or your own functions")
            ref = self.source.scope.resolve_attr(base, node.attr)
            if ref is None and base.canonical in ("xp", "xp.linalg"):
                raise self.not_in_standard(node)  # (namespaces)
            if ref is None:
                raise self._unresolved(node, self.source.scope.unusable(node.attr, base), f"'{ast.unparse(node)}' does not exist")
            return ref
        raise self.error(UnsupportedSyntaxError, node, f"calling '{ast.unparse(node)}' is not supported",
                         "call a function by its name")

    def _unresolved(self, node, unusable, missing):
        """The error for a name srcdiff cannot use: ``unusable`` says why when it exists."""
        if unusable is not None:
            return self.error(NameResolutionError, node, f"'{ast.unparse(node)}' is {unusable}",
                              "use math or numpy functions, your own functions defined with 'def', "
                              "or a srcdiff.Function with its own backward; or pass the value in as a parameter")
        return self.error(NameResolutionError, node, missing,
                          "define it at module level, import it, or pass it in as a parameter")

    def call(self, node, hint):
        op = self.math_call(node)
        if op is not None:  # the commonest call: math.sin(x), lowered without asking every kind of call
            args = self.primitive_arguments(node, self.expr)
            self.refuse_tuples(op, node, args)
            return self.emit(op, tuple(args), node, hint)
        text = texts.text_call(self, node)  # "...".format(x), str(x): a message kept as code (texts)
        if text is not None:
            return text
        node = self.spread(node)  # f(*args, **kwargs): one argument each (callables)
        value = custom.lower_call(self, node, hint)  # Cls.apply(...) of a srcdiff.Function
        if value is None:
            self.dynamic_attribute_call(node)  # getattr(self, name): refused (methods)
            value = self.runtime_tree_call(node, hint)  # rt.unpacked(params, 2), rt.tree_grad read back (trees)
        if value is None:
            value = self.call_value(node, hint)  # a local function, a lambda, a partial (callables)
        if value is not None:
            return value
        if isinstance(node.func, ast.Attribute) and self.is_value(node.func.value):
            return self.value_method_call(node, hint)  # self.forward(x), Model.helper(x), x.sum() (methods)
        made = self.ufunc_method(node, hint)  # np.add.reduce(x), np.multiply.outer(a, b) (numpy_forms)
        if made is not None:
            return made
        ref = self.resolve(node.func)
        if isinstance(ref, frontend.PrimitiveRef) and ref.op == "functools.partial":
            return self.partial(node)
        if isinstance(ref, frontend.PrimitiveRef):
            return self.primitive_call(ref.op, node, hint)
        if isinstance(ref, frontend.FunctionRef):
            return self.inline(ref, node, hint)
        if isinstance(ref, (frontend.GradientRef, frontend.GradientVjpRef)):  # a gradient keeping a tape: called
            made = gradients.lower_call(self, ref, node, hint)
            return TupleValue(made) if isinstance(made, tuple) else made
        raise self.error(UnsupportedSyntaxError, node, f"'{ast.unparse(node.func)}' is a {kind_of(ref)}, not a function srcdiff can call",
                         "call math or numpy functions, or your own functions defined with 'def'")

    def primitive_call(self, op, node, hint):
        op = _BUILTIN_ALIASES.get(op, op)
        special = self.special_call(op, node, hint)  # isinstance, sum of a generator... (``sequences``)
        if special is not None:
            return special
        if op.startswith("np."):
            made = self.numpy_form(op, node, hint)  # np.vdot, np.nanmean, np.interp...: other primitives (numpy_forms)
            made = made if made is not None else self.array_of_display(op, node, hint) or self.sequence_value_call(op, node, hint)
            if made is not None:
                return made
            args, kwargs = self.call_arguments(op, node)
            made = linalg.lower_call(self, op, args, kwargs, node, hint)  # settings read, factors split
            if made is not None:
                return TupleValue(made) if isinstance(made, tuple) else made
            return self.emit(op, tuple(args), node, hint, kwargs)
        # None and strings are settings of runtime helpers and of scipy.special (logsumexp(x, axis=None))
        operand = self.helper_argument if op.startswith(("rt.", "scipy.special.")) else self.expr
        args = self.primitive_arguments(node, operand)
        if op == "len" and len(args) == 1 and isinstance(args[0], TupleValue) and not node.keywords:
            return Const(len(args[0]))  # len(args) of a helper's *args: known when compiling
        kwargs = tuple((k.arg, _constant_tuple(operand(k.value))) for k in node.keywords) if node.keywords else ()
        self.refuse_tuples(op, node, args, kwargs)
        if op == "**" and kwargs:  # pow(base, exp=...): keywords by position
            given = dict(kwargs)
            args += [given.pop(name) for name in ("base", "exp")[len(args):] if name in given]
            if given or len(args) != 2:
                raise self.error(UnsupportedSyntaxError, node, "pow() with a modulus is not supported",
                                 "write base ** exp")
            kwargs = ()
        if op == "rt.setitem" and len(args) == 3 and not kwargs:
            # generated code calls rt.setitem(x, index, value); the IR keeps (x, value, *index)
            args = [args[0], args[2], args[1]]
        if op == "divmod" and len(args) == 2 and not kwargs:  # the pair (a // b, a % b)
            return TupleValue((self.emit("//", tuple(args), node), self.emit("%", tuple(args), node)))
        if op in ("max", "min") and not kwargs:
            if len(args) < 2:
                raise self.error(UnsupportedSyntaxError, node, f"{op}() of a single iterable is not supported",
                                 f"write {op}(a, b, ...) with the values listed")
            result = args[0]
            for i, arg in enumerate(args[1:], start=2):
                result = self.emit(op, (result, arg), node, hint if i == len(args) else None)
            return result
        return self.emit(op, tuple(args), node, hint, kwargs)

    def primitive_arguments(self, node, operand):
        """The operands of the positional arguments of a call ``node`` of a primitive, each
        lowered by ``operand`` (a tuple of constants as one ``Const``)."""
        return [_constant_tuple(operand(a)) for a in node.args]

    def refuse_tuples(self, op, node, args, kwargs=()):
        """Refuse a tuple among the operands ``args`` and ``kwargs`` of a call ``node`` of ``op``."""
        for operand in (*args, *(v for _, v in kwargs)) if kwargs else args:  # a loop: every primitive call asks
            if isinstance(operand, TupleValue):
                raise self.error(UnsupportedSyntaxError, node, f"passing a tuple to '{op}' is not supported",
                                 "pass numbers or arrays")

    def math_call(self, node):
        """The op of ``node`` when it calls a function of ``math`` by position (``math.sin(x)``), its
        module named by a global, that ``call`` would lower as ``primitive_call`` does with no
        special case (``has_special_call``); else None.  Known per module name and attribute once per
        function lowered (``known_calls``): the name resolves the same throughout."""
        func = node.func
        if type(func) is not ast.Attribute or node.keywords:
            return None
        base = func.value
        if type(base) is not ast.Name or base.id in self.env:
            return None
        for arg in node.args:
            if type(arg) is ast.Starred:
                return None
        key = (base.id, func.attr)
        op = self.known_calls.get(key, _UNKNOWN)
        if op is _UNKNOWN:
            op = self.known_calls[key] = self._math_op(base.id, func.attr)
        return op

    def _math_op(self, module, attr):
        """``math_call``'s op of ``module.attr``, or None: resolved as ``resolve`` does (the read
        noted), where the name is the module ``math``."""
        scope = self.source.scope
        base = scope.resolve(module)
        if not isinstance(base, frontend.ModuleRef) or base.canonical != "math":
            return None
        ref = scope.resolve_attr(base, attr)
        if not isinstance(ref, frontend.PrimitiveRef) or not ref.op.startswith("math.") or self.has_special_call(ref.op):
            return None
        return ref.op

    def helper_argument(self, node):
        """An argument of a runtime helper in generated code: ``None`` and strings are constants
        there (``rt.pad_grad(g, x, ((1, 0), (0, 2)), 'reflect')``, an axis of None), and so are nested
        tuples of numbers; other values as anywhere."""
        if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, str)):
            return Const(node.value)
        if isinstance(node, ast.Tuple) and any(isinstance(e, ast.Tuple) for e in node.elts):
            return self.argument(node)
        return self.expr(node)

    def inline(self, ref, node, hint, bound=()):
        """Inline a user function: bind its parameters to our operands, lower its body;
        ``bound`` are the operands of its first parameters (a method's ``self``)."""
        callee = ref.load()
        key = def_key(callee)
        if key in self.shared.call_stack:
            raise self.error(UnsupportedSyntaxError, node, f"recursive call to '{ref.name}' is not supported",
                             "rewrite the recursion as a loop")
        inner = type(self)(callee, self.shared)
        self.bind_arguments(inner, callee, node, first=bound)
        self.shared.call_stack.append(key)
        try:
            result = inner.lower_body(hint)
        finally:
            self.shared.call_stack.pop()
        return result
