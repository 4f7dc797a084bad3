"""A parsed function: its ``FunctionDef``, its file's lines, and the scope its names resolve in.

Files are parsed once per version of their text (``parse_file``), and only the last few
files are kept (between builds, only as much text as ``KEPT_TEXT``); a ``Source`` turns an
AST node into a ``Loc`` (file, line, column in characters, the line's text) and into a
SrcdiffError pointing there.
"""
import ast
import collections
from dataclasses import dataclass, field

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
    fixed: frozenset = frozenset()  # parameters a functools.partial binds by keyword: not in the default wrt
    owner: object = None  # a method's ``classes.Owner``: the class its first parameter belongs to
    _index: tuple = field(default=None, init=False, repr=False, compare=False)  # (node, {AST class: nodes})
    _locs: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # (line, column) -> Loc

    def nodes(self, kind):
        """The nodes of class ``kind`` (exactly, not a subclass; no context or operator leaf) in ``node``, its
        decorators and parameters included, in ``ast.walk``'s order.  The function is walked once per Source,
        so the checks that ask need not each walk it again."""
        if self._index is None or self._index[0] is not self.node:
            index = collections.defaultdict(list)
            for sub in walk(self.node):
                index[type(sub)].append(sub)
            self._index = (self.node, index)
        return self._index[1].get(kind, ())

    def loc(self, node):
        """The Loc of an AST node of this function (1-based line, 0-based column in characters);
        the nodes at one position share one (a line of operations makes several statements)."""
        lineno = getattr(node, "lineno", self.node.lineno)
        col = getattr(node, "col_offset", 0)
        known = self._locs.get((lineno, col))
        if known is None:
            known = self._locs[lineno, col] = self._new_loc(lineno, col)
        return known

    def _new_loc(self, lineno, col):
        text = self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""
        if not text.isascii():  # the parser counts UTF-8 bytes: été is 5 of them, 3 characters
            col = len(text.encode("utf-8")[:col].decode("utf-8", errors="ignore"))
        origin = self.origins[lineno - 1] if self.origins and 0 < lineno <= len(self.origins) else None
        return Loc(self.filename, lineno, col, text, origin)

    def error(self, cls, node, message, hint=""):
        """An error of class ``cls`` pointing at ``node``; in generated text read back (a second
        derivative), at the user's line that node came from, where it is known."""
        loc = self.loc(node).user()
        return cls(message, loc.filename, loc.lineno, loc.col, loc.line_text, hint)


PARSED_FILES = 8  # the trees kept: enough for one build's helpers, whatever the files imported since
# characters of text whose trees are kept from one build to the next (a tree takes about 130 bytes per
# character: some 25 MB, and every collection of the garbage collector's scans it while it is young)
KEPT_TEXT = 200_000
_PARSED = collections.OrderedDict()  # filename -> (lines parsed, module tree, text length), last used last


def parse_file(filename, lines):
    """The module tree of ``lines``, parsed once per file version.

    linecache hands out the same list for a file until it changes, so the usual check
    is by identity: inlining a helper many times must not rejoin the file each time.
    Only the ``PARSED_FILES`` files used last are kept, and from one build to the next only as
    many as ``KEPT_TEXT`` allows (``keep_parsed_within_budget``).
    """
    cached = _PARSED.get(filename)
    if cached is not None and (cached[0] is lines or cached[0] == lines):
        _PARSED.move_to_end(filename)
        return cached[1]
    text = "".join(lines)
    try:
        tree = ast.parse(text, filename)
    except SyntaxError as err:
        raise UnsupportedSyntaxError(
            f"cannot parse {filename}: {err.msg}", filename, err.lineno or 0,
            max((err.offset or 1) - 1, 0), err.text or "") from None
    _PARSED[filename] = (lines, tree, len(text))
    _PARSED.move_to_end(filename)
    while len(_PARSED) > PARSED_FILES:
        _PARSED.popitem(last=False)
    return tree


def keep_parsed_within_budget():
    """Let go of the trees used longest ago until those kept hold at most ``KEPT_TEXT``
    characters of text: called when a build ends (``pipeline.collector_paused``), so that a
    build keeps the trees of its files throughout, however large (a helper inlined many
    times is found in its file's tree), and a huge file built once is not held for the
    session; parsing it again, if it is built again, costs about a tenth of its build."""
    kept = sum(size for _, _, size in _PARSED.values())
    while kept > KEPT_TEXT:
        _, (_, _, size) = _PARSED.popitem(last=False)
        kept -= size


def walk(root):
    """Every node under ``root``, itself first, as a list in ``ast.walk``'s order, less the
    context leaves (``Load``, ``Store``) and the operator leaves (``Add``, ``USub``, ``And``, ``Lt``):
    about three times as fast as ``ast.walk``."""
    found = [root]
    append, fields_of, node_class = found.append, _FIELDS.get, ast.AST
    for node in found:  # the list grows while it is read: breadth first, as ast.walk
        fields = fields_of(type(node))
        if fields is None:
            fields = _fields(type(node))
        for name in fields:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, node_class):
                        append(item)
            elif isinstance(value, node_class):
                append(value)
    return found


def _fields(kind):
    """The fields of AST class ``kind`` that ``walk`` reads, noted in ``_FIELDS``."""
    _FIELDS[kind] = fields = tuple(name for name in kind._fields if name != "ctx" and name not in _NEVER_NODES
                                   and (kind, name) != (ast.Constant, "value"))
    return fields


_FIELDS = {}  # AST class -> the fields walk reads (all but the context leaf and those never holding a node)
# fields of any node class that hold identifiers, flags or numbers, never nodes (a Name's id, an attribute's
# name), or operator leaves (``ast.Add``: a BinOp's op, a Compare's ops), which no check asks for
_NEVER_NODES = frozenset({"id", "attr", "arg", "name", "kind", "type_comment", "module", "level", "is_async",
                          "simple", "conversion", "op", "ops"})


def find_def(tree, name, firstlineno):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            if first == firstlineno or node.lineno == firstlineno:
                return node
    return None
