"""Rewrite the imports of one of autograd's test files so that it runs on plain NumPy
and SciPy, with srcdiff behind autograd's test helpers (``autograd_shim``).

Contract: ``rewrite(source)`` returns the source with every import statement that names
autograd replaced, and nothing else changed; each replacement keeps the statement's first
line and indentation and blanks the rest of its lines, so every line number (and so every
line srcdiff quotes in an error) is the original's.

=====================================  ===============================================
autograd's import                      becomes
=====================================  ===============================================
``import autograd.numpy as np``        ``import numpy as np``
``import autograd.numpy.random as r``  ``from numpy import random as r``
``import autograd.scipy.signal``       ``import scipy.signal`` and the name ``autograd``
                                       bound to a namespace holding ``scipy``
``from autograd.scipy import stats``   ``from scipy import stats``
``from autograd... import name``       ``name = _agshim.provide('name')``: srcdiff behind
                                       autograd's helpers, builtins for its containers,
                                       a stand-in raising ``AutogradOnly`` for the rest
=====================================  ===============================================
"""
import ast

PREFIXES = (("autograd.numpy", "numpy"), ("autograd.scipy", "scipy"))
SHIM = "import autograd_shim as _agshim"


def _library(module):
    """The plain module standing for autograd's ``module``, or None if autograd's own."""
    for old, new in PREFIXES:
        if module == old or module.startswith(old + "."):
            return new + module[len(old):]
    return None


def _from_autograd(module):
    return module == "autograd" or module.startswith("autograd.")


def _import(node):
    """The replacement statements of an ``import`` naming autograd, or None."""
    out = []
    for alias in node.names:
        if not _from_autograd(alias.name):
            out.append(f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else ""))
            continue
        plain = _library(alias.name)
        if plain is None:
            out += [SHIM, f"{alias.asname or 'autograd'} = _agshim.provide({alias.name!r})"]
        elif alias.asname and "." in plain:
            parent, last = plain.rsplit(".", 1)
            out.append(f"from {parent} import {last} as {alias.asname}")
        elif alias.asname:
            out.append(f"import {plain} as {alias.asname}")
        else:
            top = plain.split(".")[0]
            out += [f"import {plain}", SHIM, f"autograd = _agshim.root({top}={top})"]
    return out if any(_from_autograd(a.name) for a in node.names) else None


def _import_from(node):
    """The replacement statements of a ``from ... import`` naming autograd, or None."""
    if node.level or not _from_autograd(node.module or ""):
        return None
    plain = _library(node.module)
    names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in node.names)
    if plain is not None:
        return [f"from {plain} import {names}"]
    return [SHIM] + [f"{a.asname or a.name} = _agshim.provide({a.name!r})" for a in node.names]


def rewrite(source):
    """``source`` with its autograd imports rewritten (line numbers kept)."""
    lines = source.splitlines()
    edits = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            new = _import(node)
        elif isinstance(node, ast.ImportFrom):
            new = _import_from(node)
        else:
            continue
        if new is not None:
            edits.append((node.lineno, node.end_lineno, node.col_offset, "; ".join(new)))
    for first, last, column, text in sorted(edits, reverse=True):
        lines[first - 1:last] = [" " * column + text] + [""] * (last - first)
    return "\n".join(lines) + "\n"
