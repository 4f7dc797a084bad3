"""Functions that are not a plain ``def``: lambdas and ``functools.partial`` objects.

A lambda becomes a ``def`` named ``lambda`` (a keyword, so never a user's own name:
``grad_lambda`` is the gradient of a lambda) whose body returns the lambda's expression.
Which lambda of its line a code object was compiled from is told by the positions of its
instructions (Python 3.11 and later) and by compiling each candidate again; candidates that
compile alike but are written differently are refused as ambiguous.

A partial object is the function it calls with fewer parameters (``inspect.signature``
of the partial): those bound by position are gone, their values constants of the function
(``BoundScope``); those bound by keyword keep their values as defaults and, like the
parameters after them, can only be passed by keyword.
"""
import ast
import copy
import functools
import inspect

import numpy as np

from ..errors import SignatureError, UnsupportedSyntaxError
from .refs import ConstantRef
from .staleness import lambda_runs_this_code

LAMBDA = "lambda"  # the name of a lambda's def: a keyword, never a user's name


def lambda_def(tree, code, filename, lines):
    """The ``def`` standing for the lambda in ``tree`` that ``code`` was compiled from, or None
    when none on its line compiles to it (the file changed since)."""
    candidates = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda) and n.lineno == code.co_firstlineno]
    if len(candidates) > 1:
        candidates = _by_position(candidates, code)
    matching = [n for n in candidates if lambda_runs_this_code(n, filename, code)]
    if len({ast.dump(n) for n in matching}) > 1:
        first = matching[0]
        raise UnsupportedSyntaxError(
            f"cannot tell which of the {len(matching)} lambdas on line {first.lineno} this function is",
            filename, first.lineno, first.col_offset, lines[first.lineno - 1] if first.lineno <= len(lines) else "",
            "give each lambda a line of its own, or define the function with 'def'")
    return as_def(matching[0]) if matching else None


def _by_position(candidates, code):
    """The innermost candidates whose text holds every instruction of ``code`` (positions are
    known from Python 3.11 on; before, every candidate is kept and compiled)."""
    positions = getattr(code, "co_positions", None)
    if positions is None:
        return candidates
    spans = [(line, col, end_line, end_col) for line, end_line, col, end_col in positions()
             if None not in (line, col, end_line, end_col) and (line, col) != (end_line, end_col)]
    if not spans:
        return candidates

    def holds(node):
        start, end = (node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset)
        return all(start <= (line, col) and (end_line, end_col) <= end for line, col, end_line, end_col in spans)

    holding = [n for n in candidates if holds(n)]
    if not holding:
        return candidates
    size = min(_extent(n) for n in holding)
    return [n for n in holding if _extent(n) == size]


def _extent(node):
    return (node.end_lineno - node.lineno, node.end_col_offset - node.col_offset)


def as_def(lam, name=LAMBDA):
    """A ``def`` with the lambda's parameters returning its expression, located at the lambda."""
    body = ast.copy_location(ast.Return(value=lam.body), lam.body)
    fields = dict(name=name, args=lam.args, body=[body], decorator_list=[], returns=None, type_comment=None)
    if "type_params" in ast.FunctionDef._fields:
        fields["type_params"] = []
    node = ast.FunctionDef(**fields)
    node.srcdiff_lambda = True
    return ast.copy_location(node, lam)


def title(name, loc):
    """How generated docstrings name a function: a lambda by its line."""
    return f"the lambda on line {loc.lineno}" if name == LAMBDA else name


# ---------------------------------------------------------------- functools.partial

class BoundScope:
    """The scope of a partial object's function: the arguments it binds are constants, every
    other name resolves as in the function's own scope."""

    def __init__(self, base, bound):
        self.base = base
        self.bound = bound

    def resolve(self, name):
        if name in self.bound:
            return ConstantRef(name, self.bound[name])
        return self.base.resolve(name)

    def __getattr__(self, attr):  # resolve_attr, unusable, reads, ...: the function's own
        return getattr(self.base, attr)


def partial_source(p, source):
    """The Source of the partial object ``p`` whose function's Source is ``source`` (see the
    module doc)."""
    node, args = source.node, source.node.args
    positional = list(args.posonlyargs) + list(args.args)

    def where(message, hint):
        return source.error(SignatureError, node, message, hint)

    if len(p.args) > len(positional):
        raise where(f"functools.partial binds {len(p.args)} arguments by position, but {node.name} takes "
                    f"{len(positional)}", "bind fewer arguments")
    names = {a.arg for a in positional + list(args.kwonlyargs)}
    unknown = [k for k in p.keywords if k not in names]
    if unknown:
        raise where(f"functools.partial binds {unknown[0]!r}, which {node.name} has no parameter for",
                    "bind the parameters the function takes")
    constants = dict(zip((a.arg for a in positional), p.args))
    for key, value in constants.items():
        if not _is_constant(value):
            raise where(f"functools.partial binds {key!r} by position to a {type(value).__name__}, which srcdiff "
                        "can only take as an argument", f"bind it by keyword: functools.partial({node.name}, {key}=...)")
    reshaped = copy.copy(node)
    reshaped.args = _remaining_arguments(p, args)
    scope = BoundScope(source.scope, {**constants, **p.keywords})
    reads = getattr(scope, "reads", None)
    for key, value in p.keywords.items():
        if reads is not None:
            reads.item(p.keywords, key, value)
    return type(source)(reshaped, source.filename, source.lines, scope, source.origins, frozenset(p.keywords))


def static_partial(call, source, filename):
    """The Source of ``functools.partial(f, ...)`` read from a file (the command line): ``call``
    the call's node, ``source`` the Source of ``f``; its arguments must be literals."""
    def literal(node):
        try:
            return ast.literal_eval(node)
        except (ValueError, SyntaxError, TypeError):
            raise UnsupportedSyntaxError(
                "the command line reads the arguments of functools.partial only when they are literals",
                filename, node.lineno, node.col_offset, source.lines[node.lineno - 1],
                "bind numbers, or differentiate the function itself with --wrt") from None

    args = source.node.args
    kinds = [(a, inspect.Parameter.POSITIONAL_ONLY) for a in args.posonlyargs]
    kinds += [(a, inspect.Parameter.POSITIONAL_OR_KEYWORD) for a in args.args]
    kinds += [(a, inspect.Parameter.KEYWORD_ONLY) for a in args.kwonlyargs]
    with_default = {a.arg for a in (args.posonlyargs + args.args)[::-1][:len(args.defaults)]}
    with_default |= {a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None}

    def stub(*_, **__):
        """Stands for ``f``: only its signature is read."""

    stub.__signature__ = inspect.Signature([inspect.Parameter(a.arg, kind, default=0.0 if a.arg in with_default
                                                              else inspect.Parameter.empty) for a, kind in kinds])
    bound = functools.partial(stub, *map(literal, call.args[1:]), **{k.arg: literal(k.value) for k in call.keywords})
    return partial_source(bound, source)


def _remaining_arguments(p, args):
    """The ``ast.arguments`` of ``inspect.signature(p)``, with the user's nodes and default texts."""
    positional = list(args.posonlyargs) + list(args.args)
    nodes = {a.arg: a for a in positional + list(args.kwonlyargs)}
    texts = dict(zip((a.arg for a in positional[::-1]), args.defaults[::-1]))
    texts.update((a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None)
    kinds = {inspect.Parameter.POSITIONAL_ONLY: [], inspect.Parameter.POSITIONAL_OR_KEYWORD: [],
             inspect.Parameter.KEYWORD_ONLY: []}
    defaults, kw_defaults = [], []
    for param in inspect.signature(p).parameters.values():
        kinds[param.kind].append(nodes[param.name])
        text = _literal(p.keywords[param.name], param.name) if param.name in p.keywords else texts.get(param.name)
        if param.kind == inspect.Parameter.KEYWORD_ONLY:
            kw_defaults.append(text)
        elif text is not None:
            defaults.append(text)
    return ast.arguments(posonlyargs=kinds[inspect.Parameter.POSITIONAL_ONLY],
                         args=kinds[inspect.Parameter.POSITIONAL_OR_KEYWORD], vararg=None,
                         kwonlyargs=kinds[inspect.Parameter.KEYWORD_ONLY], kw_defaults=kw_defaults, kwarg=None,
                         defaults=defaults)


def _literal(value, name):
    """The text a bound keyword's default is shown with: the number itself, else the parameter's name."""
    if isinstance(value, (int, float)) or value is None:
        return ast.Constant(value)
    return ast.Name(id=name, ctx=ast.Load())


def _is_constant(value):
    if isinstance(value, (bool, int, float, np.ndarray, np.generic)):
        return True
    return isinstance(value, tuple) and all(_is_constant(v) for v in value)


# ---------------------------------------------------------------- what the API needs of any of them

def defaults_of(fn):
    """``(__defaults__, __kwdefaults__)`` of a function, or of what a partial object leaves to pass."""
    if not isinstance(fn, functools.partial):
        fn = getattr(fn, "__srcdiff_compiled__", fn)  # a gradient taking Dask arrays (srcdiff.lazy)
        return fn.__defaults__, fn.__kwdefaults__
    params = inspect.signature(fn).parameters.values()
    positional = tuple(p.default for p in params if p.kind != p.KEYWORD_ONLY and p.default is not p.empty)
    keyword = {p.name: p.default for p in params if p.kind == p.KEYWORD_ONLY and p.default is not p.empty}
    return positional or None, keyword or None


def name_of(fn):
    """The name srcdiff gives ``fn``'s derivatives: its own, ``lambda`` for a lambda, a partial's function's."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    name = getattr(fn, "__srcdiff_base__", None) or getattr(fn, "__name__", type(fn).__name__)
    return LAMBDA if name == "<lambda>" else name


def interactive(filename):
    """Whether ``filename`` is a plain interactive prompt's, which keeps no source (IPython and
    Jupyter keep each cell's)."""
    return filename in ("<stdin>", "<console>") or filename.startswith("<python-input")
