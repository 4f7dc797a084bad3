"""The srcdiff command line: print generated gradient code for a function in a file.

    python cli.py FILE[:FUNC] [--wrt a,b] [--ssa | --value] [--comments]
    python cli.py FILE[:FUNC] [--wrt a,b] [--value] --sig x=float,xs=list,W=f32[2]   (specialized code)
    python cli.py FILE[:FUNC] --at NAME=VALUE ... [--graph PATH]     (explain mode)
    python cli.py FILE[:FUNC] --hvp [--wrt a] [--mode forward|reverse] (Hessian-vector product)
    python cli.py FILE[:FUNC] --jvp [--wrt a,b]                        (forward mode)
    python cli.py export FILE[:FUNC] -o PATH [--wrt a,b] [--value | --hvp | --jvp]   (a standalone module)

FILE is read and parsed, never executed: imports, module-level constants and other
functions are resolved from its text, and a name defined twice is the last definition,
as when Python runs the file.  On an error, one line ``FILE:LINE:COL: error: MESSAGE``
goes to stderr and the exit status is 2: errors in the function, and the command line's
own (``options``: conflicting or ignored options; ``values``: the values of ``--at``).

Contract: ``main(argv)`` prints the text asked for and returns 0, or prints one error
line and returns 2; ``run(args)`` returns the text or raises SrcdiffError.  Imports the
stages below it (pipeline, explain and under), never the API, which takes live functions:
a file is never executed.

| module | what it does |
| --- | --- |
| ``options`` | the options parsed and checked against each other |
| ``values`` | ``--at NAME=VALUE``: literals checked against the function (whole numbers for loop counts and indices) |
| ``export`` | ``export``: the generated code written as a module that runs without srcdiff |
"""
import sys

from ..analysis import parse_signature
from ..emit import assign_names
from ..errors import SrcdiffError, ToolError
from ..explain import explain_function, write_picture
from ..ir import format_ssa
from ..lower import lower
from ..pipeline import DEFAULT_MODE, gradient_source, hvp_source, jvp_source, static_scope
from ..rules import computes_with_numbers_alone
from .export import parse_export_args, run_export
from .options import parse_args, split_target
from .values import arguments_from_text

__all__ = ["arguments_from_text", "main", "parse_args", "run", "split_target"]


def target_function(target):
    """``(Source, lowered function)`` of ``FILE[:FUNC]``, read statically."""
    path, func = split_target(target)
    try:
        scope = static_scope(path)
    except OSError as err:
        raise SrcdiffError(f"cannot read {path}: {err.strerror}", path, 1, 0) from None
    if func is None:
        functions = scope.functions()
        if len(functions) != 1:
            found = f"{len(functions)} functions: {', '.join(functions)}; name one as {path}:FUNC" if functions \
                else "no function at top level (with def)"
            raise SrcdiffError(f"{path} defines {found}", path, 1, 0)
        func = functions[0]
    source = scope.source(func)
    return source, lower(source)


def run(args):
    """Produce the text to print; raises SrcdiffError on a user error."""
    source, function = target_function(args.target)
    if args.explain:
        explanation = explain_function(function, arguments_from_text(function, args.at or ()))
        if args.graph:
            _write_picture(explanation, args.graph, function.loc)
        return str(explanation)
    if args.ssa:
        names, _ = assign_names(function)
        return format_ssa(function, names)
    wrt = None
    if args.wrt:
        names = tuple(w.strip() for w in args.wrt.split(","))
        wrt = names[0] if len(names) == 1 else names
    if args.hvp:
        name, text, _ = hvp_source(function, source, wrt if wrt is not None else 0, args.mode or DEFAULT_MODE)
    elif args.jvp:
        name, text, _ = jvp_source(function, source, wrt)
    else:
        kinds = signature_of(function, args.sig) if args.sig else None
        alone = kinds is not None and computes_with_numbers_alone(function)  # one code for every kind: its own
        name, text = gradient_source(function, source, "value_and_grad" if args.value else "grad", wrt,
                                     comments=args.comments, kinds=None if alone else kinds, runs=alone)
        if kinds:
            text = getattr(text, "runs", text)
            return f"# the code srcdiff.grad runs for arguments of kinds {args.sig} (g.source_for(*args))\n" + text
    return _standalone_line(args, name) + text


def signature_of(function, text):
    """``{name: Kind}`` of ``--sig`` text; an error for a bad kind or a name that is no parameter."""
    loc = function.loc
    try:
        kinds = parse_signature(text)
    except ValueError as err:
        raise SrcdiffError(f"--sig: {err}", loc.filename, loc.lineno, loc.col, loc.line_text) from None
    params = [p.hint for p in function.params]
    for name in kinds:
        if name not in params:
            raise SrcdiffError(f"--sig: {function.name} has no parameter named {name!r} (it has {', '.join(params)})",
                               loc.filename, loc.lineno, loc.col, loc.line_text)
    return kinds


def _standalone_line(args, name):
    """The comment above printed code saying how to get it as a module that runs without srcdiff."""
    options = (["--wrt", args.wrt] if args.wrt else []) + [f"--{k}" for k in ("value", "hvp", "jvp") if getattr(args, k)]
    options += ["--mode", args.mode] if args.mode else []
    command = " ".join(["srcdiff export", args.target, "-o", f"{name}.py"] + options)
    return f"# {command}  writes this as a module that runs without srcdiff\n"


def _write_picture(explanation, path, loc):
    """Draw the picture; Graphviz missing or failing is one error line at the function."""
    try:
        write_picture(explanation, path)
    except ToolError as err:
        raise SrcdiffError(str(err), loc.filename, loc.lineno, loc.col, loc.line_text) from None


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv[:1] == ["export"]:
            text = run_export(parse_export_args(argv[1:]), target_function, signature_of)
        else:
            text = run(parse_args(argv))
    except SrcdiffError as err:
        print(err.one_line(), file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0

