"""The srcdiff command line: print generated gradient code for a function in a file.

    python cli.py FILE[:FUNC] [--wrt a,b] [--ssa] [--comments]

FILE is read and parsed, never executed: imports, module-level constants and other
functions are resolved from its text.  On an error, one line ``FILE:LINE:COL: error:
MESSAGE`` goes to stderr and the exit status is 2.
"""
import argparse
import sys

from srcdiff.api import gradient_source
from srcdiff.errors import SrcdiffError
from srcdiff.frontend import StaticScope
from srcdiff.ir import format_ssa
from srcdiff.lower import lower
from srcdiff.naming import assign_names


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="srcdiff", description="Print the generated gradient code of a Python function.")
    parser.add_argument("target", help="FILE or FILE:FUNC (FUNC may be left out when FILE defines one function)")
    parser.add_argument("--wrt", help="comma-separated parameter names to differentiate with respect to")
    parser.add_argument("--ssa", action="store_true", help="print the SSA form of the forward pass instead")
    parser.add_argument("--value", action="store_true", help="generate value_and_grad instead of grad")
    parser.add_argument("--comments", action="store_true", help="annotate backward statements with their source line")
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
        scope = StaticScope(path)
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
    if args.ssa:
        names, _ = assign_names(function)
        return format_ssa(function, names)
    wrt = None
    if args.wrt:
        names = tuple(w.strip() for w in args.wrt.split(","))
        wrt = names[0] if len(names) == 1 else names
    kind = "value_and_grad" if args.value else "grad"
    _, text = gradient_source(function, source, kind, wrt, comments=args.comments)
    return text


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        text = run(args)
    except SrcdiffError as err:
        print(err.one_line(), file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
