"""``srcdiff export FILE[:FUNC] -o PATH [--wrt a,b] [--value | --hvp | --jvp] [--mode M] [--sig ...]``.

Writes a module holding the generated function that runs without srcdiff installed
(``pipeline.export``).  The file is read, never run, as for printing: its module-level
constants must be literals to be written out.  Errors are one line, as everywhere.
"""
import argparse

from ..errors import SrcdiffError
from ..pipeline import export_text
from .options import COMMAND_LINE, command_line_error


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise command_line_error(message, None)


def parse_export_args(argv):
    parser = _Parser(prog="srcdiff export", description="Write a module that runs the generated code without srcdiff.")
    parser.add_argument("target", help="FILE or FILE:FUNC")
    parser.add_argument("-o", "--output", required=True, metavar="PATH", help="the module to write")
    parser.add_argument("--wrt", help="comma-separated parameter names to differentiate with respect to")
    kinds = parser.add_mutually_exclusive_group()
    kinds.add_argument("--value", action="store_true", help="export value_and_grad instead of grad")
    kinds.add_argument("--hvp", action="store_true", help="export the Hessian-vector product hvp_FUNC(..., v)")
    kinds.add_argument("--jvp", action="store_true", help="export the forward-mode jvp_FUNC(..., dot_a, ...)")
    parser.add_argument("--mode", choices=("forward", "reverse", "reverse-over-forward"), help="with --hvp: how it is built")
    parser.add_argument("--sig", metavar="NAME=KIND,...", help="export the gradient specialized to these argument kinds")
    args = parser.parse_args(argv)
    if args.mode and not args.hvp:
        raise command_line_error("--mode needs --hvp", args.target)
    if args.sig and (args.hvp or args.jvp):
        raise command_line_error("--sig specializes the gradient's code; it does not apply to --hvp or --jvp", args.target)
    return args


def run_export(args, source_of, signature_of):
    """Write the module; return the line to print.  ``source_of(target)`` finds the
    function as the printing commands do: ``(Source, lowered function)``;
    ``signature_of(function, text)`` reads ``--sig``."""
    kind = "hvp" if args.hvp else "jvp" if args.jvp else "value_and_grad" if args.value else "grad"
    wrt = None
    if args.wrt:
        names = tuple(w.strip() for w in args.wrt.split(","))
        wrt = names[0] if len(names) == 1 else names
    source, function = source_of(args.target)
    command = " ".join(["srcdiff export", args.target, "-o", args.output]
                       + (["--wrt", args.wrt] if args.wrt else []) + ([f"--{kind}"] if kind != "grad" else [])
                       + (["--mode", args.mode] if args.mode else []) + (["--sig", args.sig] if args.sig else []))
    kinds = signature_of(function, args.sig) if args.sig else None
    text = export_text(function, source, kind=kind, wrt=wrt, mode=args.mode, command=command, kinds=kinds)
    try:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as err:
        raise SrcdiffError(f"cannot write {args.output}: {err.strerror}", COMMAND_LINE, 1, 0) from None
    return f"wrote {args.output}\n"
