"""Compile generated text into a function, in the namespace generated code runs in.

``compile_source`` compiles one function definition with its globals and registers the
text with ``linecache`` under a deterministic file name, so that ``inspect.getsource``
(and srcdiff itself, for higher derivatives) can read it back.  ``generated_namespace``
is those globals: ``math``, ``np`` and the runtime ``rt`` under the names the text uses
for them (``naming.module_aliases``), and the user's module-level constants.
"""
import ast
import hashlib
import linecache
import math

import numpy as np

from .. import runtime
from .naming import module_aliases


def generated_namespace(function):
    """The globals generated code for ``function`` runs in: its module aliases and constants."""
    aliases = module_aliases(function)
    modules = {aliases["math"]: math, aliases["np"]: np, aliases["rt"]: runtime}
    return {"__name__": "srcdiff.generated", **modules, **function.globals}


def compile_source(source, name, namespace, defaults=None, kwdefaults=None):
    """Compile generated ``source``, defining ``name`` in ``namespace``; return the function.

    The text is registered with linecache under a deterministic file name, so that
    ``inspect.getsource`` (and srcdiff itself, for higher derivatives) can read it.
    """
    digest = hashlib.sha1(source.encode()).hexdigest()[:12]
    filename = f"<srcdiff {name} {digest}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    code = compile(_without_default_values(ast.parse(source, filename)), filename, "exec")
    exec(code, namespace)
    fn = namespace[name]
    fn.__defaults__ = defaults
    fn.__kwdefaults__ = kwdefaults
    return fn


def _without_default_values(tree):
    """``tree`` with the default values of its function replaced by None.

    The text keeps the user's defaults (``c=K``) for the reader, but they are the user
    function's own values, set from its ``__defaults__``; evaluating the expressions here
    would look ``K`` up among the generated code's globals, where it need not be.
    """
    args = tree.body[0].args
    args.defaults = [ast.Constant(None) for _ in args.defaults]
    args.kw_defaults = [None if d is None else ast.Constant(None) for d in args.kw_defaults]
    return ast.fix_missing_locations(tree)
