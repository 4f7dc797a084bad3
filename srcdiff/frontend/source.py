"""A parsed function: its ``FunctionDef``, its file's lines, and the scope its names resolve in.

Files are parsed once per version of their text (``parse_file``), and only the last few
files are kept; a ``Source`` turns an AST node into a ``Loc`` (file, line, column in
characters, the line's text) and into a SrcdiffError pointing there.  ``runs_this_code``
tells whether a parsed ``def`` is the code a live function runs (its file may have been
edited since it was imported).
"""
import __future__
import ast
import collections
import functools
import operator
import re
import types
from dataclasses import dataclass

from ..errors import UnsupportedSyntaxError
from ..ir import Loc


@dataclass
class Source:
    """A parsed function: its ``FunctionDef``, where it lives, and how to resolve names."""

    node: ast.FunctionDef
    filename: str
    lines: list
    scope: object
    origins: tuple = None  # generated text: per line (from 1), the user's Loc it came from

    def loc(self, node):
        """The Loc of an AST node of this function (1-based line, 0-based column in characters)."""
        lineno = getattr(node, "lineno", self.node.lineno)
        col = getattr(node, "col_offset", 0)
        text = self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""
        if not text.isascii():  # the parser counts UTF-8 bytes: été is 5 of them, 3 characters
            col = len(text.encode("utf-8")[:col].decode("utf-8", errors="ignore"))
        origin = self.origins[lineno - 1] if self.origins and 0 < lineno <= len(self.origins) else None
        return Loc(self.filename, lineno, col, text, origin)

    def error(self, cls, node, message, hint=""):
        """An error of class ``cls`` pointing at ``node``."""
        loc = self.loc(node)
        return cls(message, loc.filename, loc.lineno, loc.col, loc.line_text, hint)


PARSED_FILES = 8  # the trees kept: enough for one build's helpers, whatever the files imported since
_PARSED = collections.OrderedDict()  # filename -> (the lines parsed, the module tree), last used last


def parse_file(filename, lines):
    """The module tree of ``lines``, parsed once per file version.

    linecache hands out the same list for a file until it changes, so the usual check
    is by identity: inlining a helper many times must not rejoin the file each time.
    Only the ``PARSED_FILES`` files used last are kept (a tree is ~50 times its text).
    """
    cached = _PARSED.get(filename)
    if cached is not None and (cached[0] is lines or cached[0] == lines):
        _PARSED.move_to_end(filename)
        return cached[1]
    try:
        tree = ast.parse("".join(lines), filename)
    except SyntaxError as err:
        raise UnsupportedSyntaxError(
            f"cannot parse {filename}: {err.msg}", filename, err.lineno or 0,
            max((err.offset or 1) - 1, 0), err.text or "") from None
    _PARSED[filename] = (lines, tree)
    _PARSED.move_to_end(filename)
    while len(_PARSED) > PARSED_FILES:
        _PARSED.popitem(last=False)
    return tree


def find_def(tree, name, firstlineno):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            if first == firstlineno or node.lineno == firstlineno:
                return node
    return None


def runs_this_code(node, filename, code):
    """Whether the ``def`` ``node`` compiles to the code object ``code`` (a live function's):
    False when the file was edited since the function was defined and not reloaded.

    ``node`` is compiled on its own, so names free in it are globals there where the live
    function may read them from a closure: names and free variables are compared together.
    """
    stub = ast.Module(body=[_without_decorators(node)], type_ignores=[])
    try:
        compiled = compile(stub, filename, "exec", flags=code.co_flags & _FUTURE_FLAGS, dont_inherit=True)
    except (SyntaxError, ValueError):  # e.g. 'nonlocal' outside its function: nothing to compare
        return True
    found = next((c for c in compiled.co_consts if isinstance(c, types.CodeType)), None)
    return found is not None and _fingerprint(found) == _fingerprint(code)


_FUTURE_FLAGS = functools.reduce(operator.or_, (getattr(__future__, name).compiler_flag
                                                 for name in __future__.all_feature_names))


def _without_decorators(node):
    stub = ast.FunctionDef(**{field: getattr(node, field) for field in node._fields})
    stub.decorator_list = []
    return ast.copy_location(stub, node)


def _fingerprint(code):
    """What a code object and the ones nested in it do, up to where free names are looked up:
    the structure, and the names read anywhere in it (globals, attributes, free variables;
    a name a closure reads is a global when the def is compiled on its own)."""
    names = set()

    def structure(c):
        names.update(_unmangled(n) for n in c.co_names + c.co_freevars)
        consts = tuple(structure(k) if isinstance(k, types.CodeType) else (type(k).__name__, repr(k))
                       for k in c.co_consts)
        return (c.co_argcount, c.co_posonlyargcount, c.co_kwonlyargcount,
                tuple(_unmangled(n) for n in c.co_varnames), consts)

    return structure(code), frozenset(names - {"__class__"})


def _unmangled(name):
    """``_Cls__x`` (a private name inside a class) as ``__x``: the def compiled on its own is outside the class."""
    return re.sub(r"^_[A-Za-z0-9_]*?[A-Za-z0-9](__\w*[^_]\w*)$", r"\1", name) if "__" in name[1:] else name
