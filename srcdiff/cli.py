"""The srcdiff command line: print generated gradient code for a function in a file.

    python cli.py FILE[:FUNC] [--wrt a,b] [--ssa] [--comments]
    python cli.py FILE[:FUNC] --at NAME=VALUE ... [--graph PATH]     (explain mode)
    python cli.py FILE[:FUNC] --hvp [--wrt a] [--mode forward|reverse] (Hessian-vector product)
    python cli.py FILE[:FUNC] --jvp [--wrt a,b]                        (forward mode)

FILE is read and parsed, never executed: imports, module-level constants and other
functions are resolved from its text.  On an error, one line ``FILE:LINE:COL: error:
MESSAGE`` goes to stderr and the exit status is 2.
"""
import argparse
import ast
import functools
import sys

import numpy as np

from .emit import assign_names
from .errors import SrcdiffError, ToolError
from .explain import explain_function, write_picture
from .ir import assigns, format_ssa
from .lower import lower
from .pipeline import DEFAULT_MODE, gradient_source, hvp_source, jvp_source, static_scope


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="srcdiff", description="Print the generated gradient code of a Python function.")
    parser.add_argument("target", help="FILE or FILE:FUNC (FUNC may be left out when FILE defines one function)")
    parser.add_argument("--wrt", help="comma-separated parameter names to differentiate with respect to")
    parser.add_argument("--ssa", action="store_true", help="print the SSA form of the forward pass instead")
    parser.add_argument("--value", action="store_true", help="generate value_and_grad instead of grad")
    parser.add_argument("--comments", action="store_true", help="annotate backward statements with their source line")
    parser.add_argument("--hvp", action="store_true",
                        help="print the generated Hessian-vector product hvp_FUNC(..., v) (second-order code)")
    parser.add_argument("--mode", choices=("forward", "reverse", "reverse-over-forward"), default=None,
                        help="with --hvp: forward over reverse (the default; reverse over forward for loops), "
                             "reverse over reverse, or reverse over forward")
    parser.add_argument("--jvp", action="store_true",
                        help="print the generated forward-mode code jvp_FUNC(..., dot_a, ...) instead")
    parser.add_argument("--at", nargs="+", metavar="NAME=VALUE",
                        help="explain: run FUNC at these values; print every value, gradient and backward step")
    parser.add_argument("--graph", metavar="PATH",
                        help="explain: also draw the computational graph to PATH (SVG; PNG for .png, DOT for .dot)")
    return parser.parse_args(argv)


def split_target(target):
    """``FILE:FUNC`` -> (FILE, FUNC); a bare FILE -> (FILE, None)."""
    if ":" in target and not target.endswith(".py"):
        path, _, func = target.rpartition(":")
        return path, func
    return target, None


def run(args):
    """Produce the text to print; raises SrcdiffError on a user error."""
    path, func = split_target(args.target)
    try:
        scope = static_scope(path)
    except OSError as err:
        raise SrcdiffError(f"cannot read {path}: {err.strerror}", path, 1, 0) from None
    if func is None:
        functions = scope.functions()
        if len(functions) != 1:
            raise SrcdiffError(f"{path} defines {len(functions)} functions; name one as {path}:FUNC",
                               path, 1, 0, "", "available: " + ", ".join(functions))
        func = functions[0]
    source = scope.source(func)
    function = lower(source)
    if args.at is not None or args.graph:
        explanation = explain_function(function, arguments_from_text(function, args.at or ()))
        if args.graph:
            write_picture(explanation, args.graph)
        return str(explanation)
    if args.ssa:
        names, _ = assign_names(function)
        return format_ssa(function, names)
    wrt = None
    if args.wrt:
        names = tuple(w.strip() for w in args.wrt.split(","))
        wrt = names[0] if len(names) == 1 else names
    if args.hvp:
        return hvp_source(function, source, wrt if wrt is not None else 0, args.mode or DEFAULT_MODE)[1]
    if args.jvp:
        return jvp_source(function, source, wrt)[1]
    kind = "value_and_grad" if args.value else "grad"
    _, text = gradient_source(function, source, kind, wrt, comments=args.comments)
    return text


def arguments_from_text(function, assignments):
    """Parameter values from ``NAME=VALUE`` texts (the command line's ``--at``).

    A value is a Python literal: a number (ints become floats: srcdiff differentiates
    real functions), or a list of numbers (a float array; an int array for a parameter
    the function indexes with, such as labels ``y`` in ``p[np.arange(n), y]``).  A
    parameter left out takes its default when the signature gives a literal one.
    """
    loc = function.loc
    fail = functools.partial(SrcdiffError, filename=loc.filename, lineno=loc.lineno, col=loc.col,
                             line_text=loc.line_text)
    names = [p.hint for p in function.params]
    values = _literal_defaults(function)
    for text in assignments:
        name, sep, value_text = text.partition("=")
        name = name.strip()
        if not sep:
            raise fail(f"--at {text}: expected NAME=VALUE")
        if name not in names:
            raise fail(f"--at {text}: {function.name} has no parameter {name!r} "
                       f"(its parameters: {', '.join(names) or 'none'})")
        values[name] = _parse_value(value_text.strip(), fail, text, name in _index_parameters(function))
    missing = [name for name in names if name not in values]
    if missing:
        raise fail(f"no value for {', '.join(missing)}: pass " + " ".join(f"{n}=VALUE" for n in missing) + " after --at")
    return values


def _literal_defaults(function):
    args = function.arguments
    positional = list(args.posonlyargs) + list(args.args)
    pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
    defaults = {}
    for arg, node in pairs:
        try:
            defaults[arg.arg] = _as_number(ast.literal_eval(node))
        except (ValueError, TypeError, SyntaxError):
            pass  # not a literal: the user must pass it
    return defaults


def _index_parameters(function):
    """The names of the parameters used directly as an index (``x[y]``, ``x[i, y] = v``)."""
    used = set()
    for stmt in assigns(function.body):  # in any block of if/for/while
        parts = stmt.args[1:] if stmt.op == "[]" else stmt.args[2:] if stmt.op == "rt.setitem" else ()
        used.update(part for part in parts if part in function.params)
    return {param.hint for param in used}


def _parse_value(text, fail, whole, index=False):
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        try:
            value = float(text)  # also nan, inf
        except ValueError:
            raise fail(f"--at {whole}: {text!r} is not a number or a list of numbers") from None
    try:
        if index and isinstance(value, (list, tuple)):
            return np.asarray(value, dtype=np.intp)
        return _as_number(value)
    except (ValueError, TypeError):
        raise fail(f"--at {whole}: {text!r} is not a number or a list of numbers") from None


def _as_number(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, (list, tuple)):
        return np.asarray(value, dtype=float)
    if isinstance(value, float):
        return value
    raise ValueError(value)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        text = run(args)
    except SrcdiffError as err:
        print(err.one_line(), file=sys.stderr)
        return 2
    except ToolError as err:
        print(f"srcdiff: error: {err}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
