"""Every exception srcdiff raises about a user's function, defined once.

A SrcdiffError carries the file, line and column of the offending code, the source
line itself and a hint saying what to do instead.  ``str(err)`` is the full report
(``FILE:LINE:COL: error: MESSAGE``, the line with a caret, the hint); ``err.one_line()``
is the first line alone, which the command line prints.

Errors raised while generated code runs (``GeneratedCodeError``, the runtime's refusals)
know no position when they are made; they find it themselves: the generated functions
srcdiff compiles are registered here (``register_generated``) with, for each of their
lines, the user's line it came from, and the error looks up the innermost generated
function on the stack.  Nothing is looked up unless an error is raised.
"""
import linecache
import sys
import weakref


class SrcdiffError(Exception):
    """Base class of every error srcdiff raises about a user's function."""

    def __init__(self, message, filename="<unknown>", lineno=0, col=0, line_text="", hint=""):
        self.message = message
        self.filename = filename
        self.lineno = lineno
        self.col = col
        self.line_text = line_text
        self.hint = hint
        super().__init__(self._report())

    def one_line(self):
        """``FILE:LINE:COL: error: MESSAGE`` with a 1-based column."""
        return f"{self.filename}:{self.lineno}:{self.col + 1}: error: {self.message}"

    def _report(self):
        parts = [self.one_line()]
        if self.line_text:
            stripped = self.line_text.rstrip()
            indent = len(stripped) - len(stripped.lstrip())
            parts.append("    " + stripped.lstrip())
            parts.append("    " + " " * max(self.col - indent, 0) + "^")
        if self.hint:
            parts.append(self.hint)
        return "\n".join(parts)


class GeneratedCodeError(SrcdiffError):
    """Raised at run time by generated code or the helpers it calls; located, unless given a
    position, at the user's line the generated line running in the innermost generated
    function came from."""

    def __init__(self, message, filename="<unknown>", lineno=0, col=0, line_text="", hint=""):
        if filename == "<unknown>":
            origin = _running_origin(sys._getframe(1))
            if origin is not None:
                filename, lineno, col, line_text = origin.filename, origin.lineno, origin.col, origin.line_text
        super().__init__(message, filename, lineno, col, line_text, hint)

    def one_line(self):
        if self.filename == "<unknown>":
            return f"error: {self.message}"
        return super().one_line()


class SourceNotFoundError(SrcdiffError):
    """The function's source text cannot be found (REPL, exec, builtins)."""


class UnsupportedSyntaxError(SrcdiffError):
    """A construct outside the subset srcdiff differentiates."""


class NameResolutionError(SrcdiffError):
    """A name that cannot be resolved statically."""


class NoGradientRuleError(SrcdiffError):
    """A call without a gradient rule on a value that needs a gradient."""


class SignatureError(SrcdiffError):
    """A bad ``wrt`` or a function signature srcdiff cannot reproduce."""


class ResultError(SrcdiffError):
    """The function's result is not a single value that can be differentiated."""


class ToolError(Exception):
    """An external program srcdiff calls is missing or failed (Graphviz's ``dot``, which draws pictures)."""


# ---------------------------------------------------------------- generated code and the lines it came from

class GeneratedFile:
    """The text of generated functions compiled under one file name, and for each line
    (from 1) the user's Loc it came from (None: ``default``, the function's ``def``).

    It lives as long as a compiled function holds it; then its file name leaves this
    registry and ``linecache``, so dropping gradients frees their text.
    """

    __slots__ = ("filename", "lines", "origins", "default", "__weakref__")

    def __init__(self, filename, lines, origins, default):
        self.filename, self.lines, self.origins, self.default = filename, lines, tuple(origins), default

    def origin(self, lineno):
        """The user's Loc that generated line ``lineno`` came from (``default`` when unknown)."""
        found = self.origins[lineno - 1] if 0 < lineno <= len(self.origins) else None
        return found if found is not None else self.default


_GENERATED = weakref.WeakValueDictionary()  # file name -> GeneratedFile


def register_generated(filename, text, origins, default):
    """The GeneratedFile of ``text`` compiled as ``filename`` (the one already registered
    under that name if it is alive: the same name is the same text); ``linecache`` shows
    the text to ``inspect`` and tracebacks while it lives."""
    found = _GENERATED.get(filename)
    if found is not None:
        return found
    lines = text.splitlines(keepends=True)
    registered = _GENERATED[filename] = GeneratedFile(filename, lines, origins, default)
    entry = linecache.cache[filename] = (len(text), None, lines, filename)
    weakref.finalize(registered, _forget, filename, entry)
    return registered


def generated_file(filename):
    """The live GeneratedFile registered as ``filename``, else None."""
    return _GENERATED.get(filename)


def _forget(filename, entry):
    if linecache.cache.get(filename) is entry:
        del linecache.cache[filename]


def _running_origin(frame):
    """The user's Loc of the line running in the innermost generated function from ``frame`` out."""
    while frame is not None:
        found = _GENERATED.get(frame.f_code.co_filename)
        if found is not None:
            return found.origin(frame.f_lineno)
        frame = frame.f_back
    return None
