"""Deterministic names for IR values, chosen once after all passes have run.

Guarantees: the same IR always gets the same names; no two live values share a name;
no generated name collides with an identifier of the user's source or with a name the
generated code needs (module aliases, runtime helpers).  The user's names win: when
the user's source uses ``math``, ``np`` or ``rt`` as a name of its own, generated code
refers to that module under another alias (``rt_1``; see ``module_aliases``; ``alias_modules``
and ``with_aliases`` write module references with those aliases).  Preferences, in order:
parameters keep their names; a value the user named keeps that name the first time and
becomes ``name_1``, ``name_2``... on reassignment; temporaries are ``s0, s1, ...``;
adjoints are ``grad_<name>``.
"""
import ast
import builtins
import dataclasses
import weakref

from ..frontend import EMITTED_BUILTINS
from ..ir import Assign, Global, Var, assigns, defined_at, walk

# Names generated code binds at module level; never given to a value (``scipy`` only where it is used).
GENERATED_GLOBALS = frozenset({"math", "np", "rt", "scipy", "statistics"})


def module_aliases(function):
    """The names generated code uses for ``math``, ``np`` and ``rt``: each the module's
    usual name unless the user names a value so (a parameter, a variable, a module-level
    constant), then ``rt_1``, ... avoiding every identifier of the user's source.  A function
    written against the Array API (``Function.namespace``) reads NumPy's names from ``xp``,
    the namespace of its arguments (``namespace_line``).  Worked out once per Function (a
    build asks several times; a Function never changes): a copy of that is returned."""
    if function not in _ALIASES:
        _ALIASES[function] = _module_aliases(function)
    return dict(_ALIASES[function])


_ALIASES = weakref.WeakKeyDictionary()  # Function -> its module aliases


def _module_aliases(function):
    values = {p.hint for p in function.params} | set(function.globals)
    values.update(s.target.hint for s in assigns(function.body) if s.target.user_named)
    reserved = set(function.reserved) | values
    aliases = {}
    for module in sorted(GENERATED_GLOBALS):
        base = NAMESPACE_ALIAS if module == "np" and getattr(function, "namespace", False) else module
        alias, n = base, 0
        while alias in (values if alias == base else reserved):
            n += 1
            alias = f"{base}_{n}"
        aliases[module] = alias
    return aliases


NAMESPACE_ALIAS = "xp"


def namespace_line(function, aliases, indent="    "):
    """``xp = rt.namespace(a, b)``: the namespace of the arguments, bound where a function written
    against the Array API starts (None for NumPy code, which reads ``np`` from its globals)."""
    if not getattr(function, "namespace", False):
        return None
    names = ", ".join(p.hint for p in function.params)
    return f"{indent}{aliases['np']} = {aliases['rt']}.namespace({names})"


def aliased(dotted_name, aliases):
    """``'rt.sign'`` -> ``'rt_1.sign'`` when ``rt`` is aliased; other names unchanged."""
    head, dot, rest = dotted_name.partition(".")
    return aliases.get(head, head) + dot + rest if dot else dotted_name


class Namer:
    """Hands out names that never collide with ``reserved`` or with each other."""

    def __init__(self, reserved, generated=GENERATED_GLOBALS):
        self.reserved = set(reserved) | set(generated)
        self.taken = set(generated)
        self._temp_counter = 0
        # the last suffix handed out per base: names only ever get taken, so the search for
        # the next free ``base_n`` resumes there (a name reassigned n times costs O(n), not O(n**2))
        self._suffix = {}

    def claim(self, name):
        """The user's own ``name`` the first time it is asked for, then ``name_1``, ..."""
        if name not in self.taken:
            self.taken.add(name)
            return name
        return self.fresh(name)

    def fresh(self, base):
        """``base`` if nobody uses it, else ``base_1``, ``base_2``, ..."""
        candidate = base
        if candidate in self.taken or candidate in self.reserved:
            n = self._suffix.get(base, 0)
            while candidate in self.taken or candidate in self.reserved:
                n += 1
                candidate = f"{base}_{n}"
            self._suffix[base] = n
        self.taken.add(candidate)
        return candidate

    def temp(self):
        """The next free temporary name ``sN``."""
        while True:
            candidate = f"s{self._temp_counter}"
            self._temp_counter += 1
            if candidate not in self.taken and candidate not in self.reserved:
                self.taken.add(candidate)
                return candidate


class FinalNames(dict):
    """Token -> final name (a str), whose items read as ``ast.Name`` nodes (``copy_expr``'s
    bindings): a gradient has a token per value and per adjoint, few of them copied."""

    def __getitem__(self, token):
        return ast.Name(id=dict.__getitem__(self, token), ctx=ast.Load())


def _name_of(namer, var):
    """A source name, a temporary ``sN``, or a readable fresh name for a generated value (``stop``)."""
    if var.user_named:
        return namer.claim(var.hint)
    return namer.temp() if var.hint == "s" else namer.fresh(var.hint)


def _called_builtins(function):
    """The builtins generated code calls by name (``abs``, ``max``; ``EMITTED_BUILTINS``:
    ``float`` for an integer-valued adjoint, ``reversed(range(...))`` of a backward loop),
    except parameter names, which cannot change (the fence refuses those that hide one)."""
    called = {op for op in {s.op for s in assigns(function.body)} if op.isidentifier() and hasattr(builtins, op)}
    called |= EMITTED_BUILTINS
    return called - {p.hint for p in function.params}


def assign_names(function, adjoint_of=(), prefix="grad_"):
    """Names for every Var of ``function`` and for the adjoints of ``adjoint_of``.

    Returns ``(names, grad_names)``: ``names[var]`` for values, ``grad_names[var]`` for
    the adjoint of ``var`` (``prefix + name``: ``grad2_`` in a second derivative, ``dot_``
    for forward-mode tangents).  ``adjoint_of`` is an ordered iterable of Vars.
    """
    namer = Namer(function.reserved, module_aliases(function).values())
    namer.taken.update(function.globals)  # module-level constants are read under their own names
    namer.taken.update(_called_builtins(function))  # a local called 'abs' must not hide abs()
    names = {}
    for param in function.params:
        names[param] = namer.claim(param.hint)
    for stmt in walk(function.body):
        if type(stmt) is Assign:  # the usual statement: one Var, named here (a call less each)
            target = stmt.target
            names[target] = namer.claim(target.hint) if target.user_named else _name_of(namer, target)
            continue
        for target in defined_at(stmt, counts=False):
            names[target] = _name_of(namer, target)
    if isinstance(function.result, Var) and function.result not in names:
        names[function.result] = namer.temp()
    for var in adjoint_of:  # a value whose statement was dropped still names its adjoint
        if var not in names:
            names[var] = _name_of(namer, var)
    grad_names = {var: namer.fresh(prefix + names[var]) for var in adjoint_of}
    return names, grad_names


def derivative_name(kind, base, order=1):
    """The name of a generated function: ``grad_f``, then ``grad2_f``, ``grad3_f`` for the
    gradients of gradients (``order`` counts the reverse sweeps), ``hvp_f``, ``jvp_f``."""
    if kind == "grad" and order > 1:
        return f"grad{order}_{base}"
    return f"{kind}_{base}"


def adjoint_prefix(order=1):
    """``grad_`` for the adjoints of a first derivative, ``grad2_`` for a second one, ..."""
    return "grad_" if order <= 1 else f"grad{order}_"


# ---------------------------------------------------------------- module aliases

def aliased_operand(operand, aliases):
    """A ``Global`` naming ``math.pi`` as ``math_1.pi`` when ``math`` is aliased; others unchanged."""
    return Global(aliased(operand.name, aliases)) if isinstance(operand, Global) else operand


def with_aliases(stmt, aliases):
    """A forward statement whose module references (``math.sin``, ``math.pi``) use ``aliases``."""
    if all(alias == module for module, alias in aliases.items()):  # the usual case: nothing renamed
        return stmt
    args = tuple(aliased_operand(a, aliases) for a in stmt.args)
    kwargs = tuple((k, aliased_operand(v, aliases)) for k, v in stmt.kwargs)
    return dataclasses.replace(stmt, op=aliased(stmt.op, aliases), args=args, kwargs=kwargs)


def alias_modules(expr, aliases):
    """``expr`` (owned by the caller) with ``math.cos``, ``rt.sign``, ``math.pi`` using ``aliases``."""
    if all(alias == module for module, alias in aliases.items()):
        return expr
    for node in ast.walk(expr):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            node.value.id = aliases.get(node.value.id, node.value.id)
        elif isinstance(node, ast.Name) and "." in node.id:  # a dotted Global operand
            node.id = aliased(node.id, aliases)
    return expr
