"""The command line's options: parsed, then checked against each other.

``parse_args(argv)`` returns argparse's namespace with ``target`` filled in, or raises
``SrcdiffError`` with one line to print: an unknown option, a missing target, an option
given twice, options that ask for different outputs (``--jvp --ssa``), and options that
would be ignored (``--mode`` without ``--hvp``, ``--wrt`` in explain mode, ``--sig`` with
another output than the gradient).  Nothing is
silently dropped or overridden.  These errors point at the target file (line 1), or at
``<command line>`` before one is known.
"""
import argparse
import functools

from ..analysis import SIGNATURE_GRAMMAR
from ..errors import SrcdiffError, ToolError
from ..explain import picture_format

COMMAND_LINE = "<command line>"

# The outputs the command line prints, one per run, and the options that ask for each.
OUTPUTS = (("ssa", "--ssa"), ("value", "--value"), ("hvp", "--hvp"), ("jvp", "--jvp"), ("at", "--at"))


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors raised (one line) instead of printed with the usage."""

    def error(self, message):
        raise command_line_error(message, self.target_guess)


class _Once(argparse.Action):
    """A value option that may be given once: a second one is refused, never silently the winner."""

    def __call__(self, parser, namespace, values, option_string=None):
        if getattr(namespace, self.dest) is not None:
            raise argparse.ArgumentError(self, "given twice")
        setattr(namespace, self.dest, values)


def build_parser():
    parser = _Parser(prog="srcdiff", description="Print the generated gradient code of a Python function.")
    parser.add_argument("target", nargs="?",
                        help="FILE or FILE:FUNC (FUNC may be left out when FILE defines one function)")
    parser.add_argument("--wrt", action=_Once, help="comma-separated parameter names to differentiate with respect to")
    parser.add_argument("--ssa", action="store_true", help="print the SSA form of the forward pass instead")
    parser.add_argument("--value", action="store_true", help="generate value_and_grad instead of grad")
    parser.add_argument("--comments", action="store_true", help="annotate backward statements with their source line")
    parser.add_argument("--hvp", action="store_true",
                        help="print the generated Hessian-vector product hvp_FUNC(..., v) (second-order code)")
    parser.add_argument("--mode", action=_Once, choices=("forward", "reverse", "reverse-over-forward"),
                        help="with --hvp: forward over reverse (the default; reverse over forward for loops), "
                             "reverse over reverse, or reverse over forward")
    parser.add_argument("--jvp", action="store_true",
                        help="print the generated forward-mode code jvp_FUNC(..., dot_a, ...) instead")
    parser.add_argument("--sig", action=_Once, metavar="NAME=KIND,...",
                        help="print the gradient specialized to arguments of these kinds: " + SIGNATURE_GRAMMAR)
    parser.add_argument("--at", nargs="+", action="extend", metavar="NAME=VALUE",
                        help="explain: run FUNC at these values; print every value, gradient and backward step "
                             "(FILE may follow the values)")
    parser.add_argument("--graph", action=_Once, metavar="PATH",
                        help="explain: also draw the computational graph to PATH; its suffix picks the format "
                             "(.svg, .png, .pdf, ... through Graphviz; .dot for the DOT text; SVG without one)")
    return parser


def parse_args(argv):
    """The checked options of ``argv`` (see the module docstring); ``args.explain`` says
    whether explain mode (``--at``/``--graph``) was asked for."""
    parser = build_parser()
    parser.target_guess = _target_guess(argv)
    args = parser.parse_args(argv)
    if args.target is None and args.at and "=" not in args.at[-1]:
        args.target = args.at.pop()  # srcdiff --at x=1 y=2 FILE:FUNC: --at took the target with the values
    if args.target is None:
        raise command_line_error("name the function's file: srcdiff FILE[:FUNC] [options]", parser.target_guess)
    args.explain = args.at is not None or args.graph is not None
    check_options(args, args.target)
    return args


def check_options(args, target):
    """Refuse options that contradict each other or would be ignored."""
    fail = functools.partial(command_line_error, target=target)
    asked = [option for dest, option in OUTPUTS if (args.explain if dest == "at" else getattr(args, dest))]
    if len(asked) > 1:
        raise fail(f"{', '.join(asked[:-1])} and {asked[-1]} ask for different outputs; give one of them")
    if args.mode is not None and not args.hvp:
        raise fail(f"--mode {args.mode} picks how --hvp builds the Hessian-vector product; it needs --hvp")
    ignored_by = "--at/--graph (explain mode shows every parameter's gradient)" if args.explain else \
        "--ssa (the forward pass has no gradient)" if args.ssa else None
    if args.wrt is not None and ignored_by:
        raise fail(f"--wrt does not apply to {ignored_by}")
    if args.sig is not None and (args.explain or args.ssa or args.hvp or args.jvp):
        raise fail(f"--sig specializes the gradient's code; it does not apply to {asked[0]}")
    if args.comments and (args.explain or args.ssa or args.hvp or args.jvp):
        raise fail(f"--comments annotates the gradient's code; it does not apply to {asked[0]}")
    if args.graph is not None:
        try:
            picture_format(args.graph)
        except ToolError as err:
            raise fail(f"--graph: {err}") from None


def command_line_error(message, target):
    """An error about the command line itself, located at the target's file (line 1)."""
    filename = split_target(target)[0] if target else COMMAND_LINE
    return SrcdiffError(message, filename, 1, 0)


def split_target(target):
    """``FILE:FUNC`` -> (FILE, FUNC); a bare FILE -> (FILE, None)."""
    if ":" in target and not target.endswith(".py"):
        path, _, func = target.rpartition(":")
        return path, func
    return target, None


def _target_guess(argv):
    """The argument that looks like the target (``*.py`` or ``*.py:FUNC``), for errors found
    while parsing, before argparse has placed it."""
    for item in argv:
        if not item.startswith("-") and "=" not in item and (item.endswith(".py") or ".py:" in item):
            return item
    return None
