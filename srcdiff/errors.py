"""Every exception srcdiff raises about a user's function, defined once.

A SrcdiffError carries the file, line and column of the offending code, the source
line itself and a hint saying what to do instead.  ``str(err)`` is the full report
(``FILE:LINE:COL: error: MESSAGE``, the line with a caret, the hint); ``err.one_line()``
is the first line alone, which the command line prints.
"""


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
