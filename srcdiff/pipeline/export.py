"""A generated function as a module of its own, runnable where srcdiff is not installed.

``export_text(function, source, kind=..., wrt=..., defaults=...)`` returns the text of a
module holding, in order: a docstring saying what it was generated from (file,
function, srcdiff's version, a SHA-256 of the function's source) and how to make it
again; the imports its code needs (``math``, ``numpy``: what the user's code imports);
``__all__``; the module-level constants the code reads, written out as literals; the
runtime helpers it calls, copied from ``srcdiff.runtime`` (their own helpers too), each
renamed ``_rt_<name>`` and gathered in a small class under the name the code calls them
by (``rt``); and the generated function itself, whose default values are written out.

What cannot be written out is refused with a SrcdiffError at the function: a
``srcdiff.Function`` (its class lives in the user's code), a constant that is not a
number, string, tuple or array (or, from a file read statically, not a literal).
"""
import ast
import hashlib
import sys

import numpy as np

from .._version import VERSION
from ..emit import module_aliases, signature_line
from ..errors import SrcdiffError
from ..frontend import StaticScope, load_function
from ..ir import GRADIENT_CALL, assigns
from ..lower import lower
from ..rules import is_custom_op
from .gradient import gradient_source
from .higher import DEFAULT_MODE, hvp_source, jvp_source
from .runtime_copy import copied_helpers

KINDS = ("grad", "value_and_grad", "hvp", "jvp")

def export_text(function, source, *, kind="grad", wrt=None, mode=DEFAULT_MODE, defaults=None, kwdefaults=None,
                command=None, kinds=None):
    """The text of the module exporting ``kind`` ('grad', 'value_and_grad', 'hvp' or 'jvp')
    of the lowered ``function``.  ``defaults``/``kwdefaults`` are the live function's
    (None: the literals of its source); ``command`` is how to make the module again;
    ``kinds`` (``{name: Kind}``, a gradient only) gives the code specialized to them."""
    if kind not in KINDS:
        raise source.error(SrcdiffError, source.node, f"cannot export kind={kind!r}",
                           "export one of " + ", ".join(repr(k) for k in KINDS))
    _refuse_custom_functions(function, source)
    name, text, emitted = _generated(function, source, kind, wrt, mode, kinds)
    aliases = module_aliases(emitted)
    constants, arrays = _constant_lines(emitted, source)
    read = {n.id for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Name)}
    copied, modules = copied_helpers(text, aliases["rt"], numbers_only=aliases["np"] not in read and not arrays)
    imports = {(full, aliases[short]) for short, full in (("math", "math"), ("np", "numpy"), ("statistics", "statistics"))
               if aliases[short] in read}
    imports |= modules | ({("numpy", "np")} if arrays else set())
    lines = [_docstring(function, source, kind, command), ""]
    standard = sorted(i for i in imports if i[0] in sys.stdlib_module_names)
    lines += [_import_line(*i) for i in standard] + ([""] if standard and len(standard) < len(imports) else [])
    lines += [_import_line(*i) for i in sorted(set(imports) - set(standard))]
    lines += ["", f"__all__ = [{name!r}]", ""]
    if constants:
        lines += [""] + constants + [""]
    if copied:
        lines += ["", "# ---- srcdiff's runtime helpers this module calls (copied from srcdiff.runtime)", ""]
        lines += copied
    lines += ["", "", _with_defaults(text, name, emitted, source, kind, defaults, kwdefaults).rstrip()]
    return _tidy("\n".join(lines)) + "\n"


def export_function(fn, *, kind="grad", wrt=None, mode=DEFAULT_MODE):
    """The exported module's text for a live function (see ``export_text``)."""
    source = load_function(fn)
    command = f"srcdiff.export({fn.__module__}.{fn.__qualname__}, PATH, kind={kind!r}" + \
        (f", wrt={wrt!r})" if wrt is not None else ")")
    return export_text(lower(source), source, kind=kind, wrt=wrt, mode=mode, defaults=fn.__defaults__,
                       kwdefaults=fn.__kwdefaults__, command=command)


def _refuse_custom_functions(function, source):
    for stmt in assigns(function.body):
        if stmt.op == GRADIENT_CALL:
            loc = stmt.loc
            raise SrcdiffError(
                f"cannot export: the code calls {stmt.args[0].name}, a gradient of a function with loops, whose "
                "vector-Jacobian product srcdiff generates in memory", loc.filename, loc.lineno, loc.col, loc.line_text,
                "use srcdiff.grad from Python")
        if is_custom_op(stmt.op):
            loc = stmt.loc
            raise SrcdiffError(
                f"cannot export: the code calls the srcdiff.Function {stmt.op[:-len('.forward')]!r}, whose class lives in "
                "your module", loc.filename, loc.lineno, loc.col, loc.line_text,
                "write it as a plain function of differentiable operations to export the gradient")


def _import_line(module, alias):
    return f"import {module}" if alias == module else f"import {module} as {alias}"


def _generated(function, source, kind, wrt, mode, kinds=None):
    if kind == "hvp":
        return hvp_source(function, source, wrt if wrt is not None else 0, mode)
    if kind == "jvp":
        return jvp_source(function, source, wrt)
    name, text = gradient_source(function, source, kind, wrt, kinds=kinds)
    return name, text, function


def _docstring(function, source, kind, command):
    digest = hashlib.sha256(ast.unparse(source.node).encode()).hexdigest()[:16]
    what = {"grad": "The gradient", "value_and_grad": "The value and gradient", "hvp": "The Hessian-vector product",
            "jvp": "The forward-mode derivative"}[kind]
    again = f"\nMake it again with: {command}" if command else ""
    return (f'"""{what} of {function.name}, exported by srcdiff {VERSION}.\n\n'
            f"Generated from {source.filename}, function {function.name} (source sha256 {digest}).\n"
            "It runs without srcdiff installed: the srcdiff runtime helpers it calls are copied below."
            f'{again}\n"""')


# ---------------------------------------------------------------- constants and defaults

def _constant_lines(emitted, source):
    """``(lines, whether NumPy writes any of them)`` of the constants the code reads."""
    lines = []
    for name in sorted(emitted.globals):
        value = emitted.globals[name]
        lines.append(f"{name} = {_literal(value, name, source)}")
    return lines, any("np." in line for line in lines)


def _literal(value, name, source):
    """Python text of a constant's value (exact floats), or a SrcdiffError."""
    if value is None and name is not None and isinstance(source.scope, StaticScope):
        raise source.error(SrcdiffError, source.node,
                           f"cannot export: the value of the module-level constant {name!r} is unknown without running "
                           "the file", "export from Python with srcdiff.export(fn, path), or write the constant as a literal")
    if isinstance(value, (bool, int, float, complex, str, bytes)) or value is None:
        return repr(value)
    if isinstance(value, tuple):
        items = [_literal(v, None, source) for v in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, np.ndarray):
        return f"np.array({value.tolist()!r}, dtype=np.{value.dtype.name})"
    if isinstance(value, np.generic):
        return f"np.{value.dtype.name}({value.item()!r})"
    raise source.error(SrcdiffError, source.node,
                       f"cannot export the constant {name!r}: a {type(value).__name__} cannot be written as a literal",
                       "pass it to the function as a parameter")


def _with_defaults(text, name, emitted, source, kind, defaults, kwdefaults):
    """``text`` with its ``def`` line's default values written out (the user's expressions
    may name what the module does not define)."""
    arguments = emitted.arguments
    values = list(defaults or ()) if kind in ("grad", "value_and_grad") else []
    new = ast.arguments(posonlyargs=arguments.posonlyargs, args=arguments.args, vararg=None,
                        kwonlyargs=arguments.kwonlyargs, kwarg=None, defaults=[], kw_defaults=[])
    new.defaults = [_default_node(node, values[k] if k < len(values) else _MISSING, source)
                    for k, node in enumerate(arguments.defaults)]
    new.kw_defaults = [None if node is None else
                       _default_node(node, (kwdefaults or {}).get(arg.arg, _MISSING), source)
                       for arg, node in zip(arguments.kwonlyargs, arguments.kw_defaults)]
    _, _, rest = text.partition("\n")
    return signature_line(name, new) + "\n" + rest


_MISSING = object()


def _default_node(node, live, source):
    if live is not _MISSING:
        return ast.parse(_literal(live, "a default", source), mode="eval").body
    try:
        ast.literal_eval(node)
        return node
    except (ValueError, SyntaxError, TypeError):
        raise source.error(SrcdiffError, node, f"cannot export the default value '{ast.unparse(node)}': it is not a literal",
                           "export from Python with srcdiff.export(fn, path), or write the default as a literal") from None


def _tidy(text):
    """At most two blank lines in a row."""
    out, blank = [], 0
    for line in text.split("\n"):
        blank = blank + 1 if not line.strip() else 0
        if blank <= 2:
            out.append(line)
    return "\n".join(out)
