"""Compile generated text into a function, in the namespace generated code runs in.

``compile_source`` compiles one function definition with its globals and registers the
text under a deterministic file name (``errors.register_generated``: also in
``linecache``), so that ``inspect.getsource`` (and srcdiff itself, for higher
derivatives) can read it back and run-time errors can find the user's line each of its
lines came from; the compiled function holds that registration, which goes when the
function goes.  ``generated_namespace`` is those globals: ``math``, ``np`` and the
runtime ``rt`` under the names the text uses for them (``naming.module_aliases``), ``scipy``
where the function calls ``scipy.special`` (imported then: SciPy is optional; where it is
missing the text still compiles, as the command line needs), and the user's module-level
constants.

Generated code calls the library's own functions (a rule's ``np.cos``): ``compile_source``
refuses a text that reads one a user rebound since srcdiff first looked
(``refs.library_object``: ``np.cos = my_cos``, a test's monkeypatch), which would make the
gradient wrong.
"""
import ast
import hashlib
import importlib
import math
import re
import sys
import types

import numpy as np

from .. import runtime
from ..errors import NoGradientRuleError, register_generated
from ..frontend import library_object
from ..ir import assigns
from .naming import module_aliases

_LIBRARIES = {"math": math, "np": np, "np.linalg": np.linalg}  # canonical name -> the module generated code reads


def generated_namespace(function):
    """The globals generated code for ``function`` runs in: its module aliases and constants."""
    aliases = module_aliases(function)
    modules = {aliases["math"]: math, aliases["np"]: np, aliases["rt"]: runtime}
    ops = {stmt.op for stmt in assigns(function.body)}
    if any(op.startswith("scipy.") for op in ops) and _scipy() is not None:
        modules[aliases["scipy"]] = sys.modules["scipy"]
    if statistics_called(ops):
        modules[aliases["statistics"]] = importlib.import_module("statistics")
    return {"__name__": "srcdiff.generated", **modules, **function.globals}


def statistics_called(ops):
    """Whether the operations ``ops`` call the ``statistics`` module, which is then imported where
    the generated code runs (the user's code imports it anyway), not with srcdiff."""
    return any(op.startswith("statistics.") for op in ops)


def _libraries():
    """``_LIBRARIES`` and ``statistics`` where something loaded it: the modules generated code may read."""
    loaded = sys.modules.get("statistics")
    return _LIBRARIES if loaded is None else {**_LIBRARIES, "statistics": loaded}


def _scipy():
    """``scipy.special``, imported on first use (SciPy is an optional dependency), or None."""
    try:
        import scipy.special
    except ImportError:
        return None
    return scipy.special


def compile_source(source, name, namespace, defaults=None, kwdefaults=None, reads=None):
    """Compile generated ``source``, defining ``name`` in ``namespace``; return the function.

    The text is registered under a deterministic file name while the function lives (see
    the module doc); ``source`` may be a ``GeneratedText`` that knows its lines' origins.
    ``reads`` (a ``frontend.Reads``) notes the library functions the text may call, so that
    rebinding one builds the gradient anew.
    """
    origins, default = getattr(source, "origins", ()), getattr(source, "default", None)
    # the same text made from two users' functions (two files defining the same cube(x)) gets
    # two names: each maps its lines back to its own origins
    where = _positions_text(tuple(origins) + (default,))
    digest = hashlib.sha1((str(source) + where).encode()).hexdigest()[:12]
    filename = f"<srcdiff {name} {digest}>"
    registered = register_generated(filename, str(source), origins, default)
    code = compile(_compilable(str(source), filename), filename, "exec")
    body_reads = _body_reads(code)
    _refuse_rebound_reads(str(source), set(code.co_names) | body_reads, namespace, registered, reads)
    exec(code, namespace)
    fn = _defined(namespace, name, body_reads)
    fn.__defaults__ = defaults
    fn.__kwdefaults__ = kwdefaults
    fn.__srcdiff_file__ = registered
    return fn


def _defined(namespace, name, body_reads):
    """The function ``name`` that running a module defining it put in ``namespace``, taken out
    of it unless its own body reads that name (``body_reads``: ``_body_reads`` of the module):
    a function held by its own globals is a reference cycle, which would keep a dropped
    gradient (with its text and line registration) alive until the collector runs, where its
    count of references frees it now."""
    return namespace[name] if name in body_reads else namespace.pop(name)


def _body_reads(code):
    """The names the code nested in the module ``code`` reads (the functions it defines)."""
    return set().union(*(_names_read(c) for c in code.co_consts if isinstance(c, types.CodeType)))


def _refuse_rebound_reads(text, names, namespace, registered, reads):
    """Raise NoGradientRuleError, at the user's line, where ``text`` (whose code reads the
    attribute and global ``names``) reads a function of ``_LIBRARIES`` that is not the
    library's own any more; note in ``reads`` every attribute of theirs it may read (by
    name: ``sum`` may be ``np.sum`` or not)."""
    rebound, libraries = [], _libraries()
    for canonical, module in libraries.items():
        for name in sorted(names & vars(module).keys()):
            value = vars(module)[name]
            if reads is not None:
                reads.attribute(module, name, value)
            if not library_object(canonical, name, value):
                rebound.append((canonical, name))
    if not rebound:  # the common case: nothing rebound, no search of the text
        return
    aliases = {module: alias for alias, module in namespace.items() if isinstance(module, types.ModuleType)}
    for canonical, name in rebound:
        module, _, sub = canonical.partition(".")
        if libraries[module] not in aliases:
            continue
        dotted = ".".join(filter(None, (aliases[libraries[module]], sub, name)))
        found = re.search(rf"(?<![\w.]){re.escape(dotted)}\b", text)
        if found is not None:
            where = registered.origin(text.count("\n", 0, found.start()) + 1)
            value = vars(libraries[canonical])[name]
            raise NoGradientRuleError(
                f"the gradient calls {canonical}.{name}, which is no longer the library's own function (it is "
                f"{getattr(value, '__module__', None) or '?'}.{getattr(value, '__qualname__', type(value).__name__)})",
                *((where.filename, where.lineno, where.col, where.line_text) if where is not None else ()),
                hint=f"srcdiff's rules call the library's {canonical}.{name}: put it back before differentiating")


def _names_read(code):
    """The attribute and global names ``code`` and the code nested in it read."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names_read(const)
    return names


def compile_out_of_place(fn):
    """``fn``, a function ``compile_source`` compiled, compiled again with every augmented
    assignment ``a += b`` written ``a = a + b``: for arguments an in-place write cannot
    take (a NumPy adjoint plus a Dask array, which NumPy would write into).  The lines keep
    their numbers and file name, so run-time errors still find the user's line."""
    filename = fn.__code__.co_filename
    tree = _OutOfPlace().visit(_without_default_values(ast.parse(fn.__srcdiff_source__, filename)))
    namespace = dict(fn.__globals__)
    code = compile(ast.fix_missing_locations(tree), filename, "exec")
    exec(code, namespace)
    copy = _defined(namespace, fn.__code__.co_name, _body_reads(code))
    copy.__defaults__, copy.__kwdefaults__ = fn.__defaults__, fn.__kwdefaults__
    copy.__srcdiff_file__ = fn.__srcdiff_file__
    return copy


class _OutOfPlace(ast.NodeTransformer):
    def visit_AugAssign(self, node):
        read = _read_of(node.target)
        return ast.copy_location(ast.Assign(targets=[node.target], value=ast.BinOp(read, node.op, node.value)), node)


def _read_of(target):
    """The expression reading what the assignment target ``target`` writes."""
    read = ast.parse(ast.unparse(target), mode="eval").body
    return ast.copy_location(read, target)


def _compilable(text, filename):
    """What to compile: the text itself, or its tree with the defaults blanked (below) where
    the signature has ``=`` (parsing once more, and compiling from a tree, is the slow path)."""
    head = text[:text.find(":\n")] if ":\n" in text else text
    if "=" not in head:
        return text
    return _without_default_values(ast.parse(text, filename))


def _without_default_values(tree):
    """``tree`` with the default values of its function replaced by None.

    The text keeps the user's defaults (``c=K``) for the reader, but they are the user
    function's own values, set from its ``__defaults__``; evaluating the expressions here
    would look ``K`` up among the generated code's globals, where it need not be.
    """
    args = tree.body[0].args
    args.defaults = [_none_at(d) for d in args.defaults]
    args.kw_defaults = [None if d is None else _none_at(d) for d in args.kw_defaults]
    return tree


def _none_at(node):
    """A ``None`` literal where ``node`` stood (only the new nodes get positions: fixing the
    whole tree's would walk every statement of a long gradient)."""
    return ast.copy_location(ast.Constant(None), node)


def _positions_text(locs):
    """``repr([_position(loc) for loc in locs])``, each Loc written once (lines share them)."""
    written = {}
    for loc in locs:
        if id(loc) not in written:
            written[id(loc)] = repr(_position(loc))
    return "[" + ", ".join([written[id(loc)] for loc in locs]) + "]"


def _position(loc):
    return None if loc is None else (loc.filename, loc.lineno, loc.col)
