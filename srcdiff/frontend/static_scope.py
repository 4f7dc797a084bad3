"""The static scope: a file's names resolved from its text alone, never running it.

``StaticScope(filename)`` reads a Python file (decoded as Python does), binds its
top-level imports, literal constants (``K = 2.0``, ``A, B = 1.0, 2.0``), functions and
``srcdiff.Function`` classes, and resolves a free name to the same ``Resolution``s as
``RuntimeScope`` does for a live function.  Bindings follow the file's order as Python
runs it: a name defined twice is its last ``def``, a name rebound after its ``def`` is
that later value, and ``g = f`` (or ``srcdiff.grad(f)``) keeps the ``def`` ``f`` had then.  A name bound otherwise at module
level (``K *= 2``, inside an ``if``) resolves to a constant of unknown value.  Modules
other than math, numpy and the files next to this one are not read: using their names
is an error saying so.  The command line's only scope.

A file may define a gradient (``grad_loss = srcdiff.grad(loss, wrt=...)``) and call it.
Its text is made by the later stages, so the scope is given ``gradient_source``, a
function from ``(Source of loss, wrt)`` to the Source of its gradient (the pipeline's
``gradient_as_source``); without one, using such a name is an error saying so.
"""
import ast
import copy
import os
import tokenize

import importlib

from ..errors import NameResolutionError, UnsupportedSyntaxError
from .callables import LAMBDA, as_def, static_partial
from .fence import check_supported
from .local_imports import local_imports
from .refs import (BUILTIN_PRIMITIVES, MODULE_ALIASES, ConstantRef, CustomFunctionRef, FunctionRef, ModuleRef,
                   PrimitiveRef, known_module_attr)
from .source import Source


class StaticScope:
    """Resolves names from a file's text alone: imports, literal constants, definitions."""

    def __init__(self, filename, gradient_source=None):
        self.filename = os.path.abspath(filename)
        self.gradient_source = gradient_source
        self.text = _read_python_file(filename)
        self.lines = self.text.splitlines(keepends=True)
        try:
            self.tree = ast.parse(self.text, filename)
        except SyntaxError as err:
            raise UnsupportedSyntaxError(
                f"cannot parse {filename}: {err.msg}", filename, err.lineno or 0,
                max((err.offset or 1) - 1, 0), err.text or "") from None
        self.display_name = filename
        self.bindings = {}
        for stmt in self.tree.body:
            self._bind(stmt)
        for node in ast.walk(self.tree):  # a function may rebind a constant: 'global K' makes K unknown
            if isinstance(node, ast.Global):
                for name in node.names:
                    if self.bindings.get(name, ("constant",))[0] == "constant":
                        self.bindings[name] = ("constant", None)

    def functions(self):
        """The names of the functions this file defines at top level, each once, in the order
        of their last definitions.  As when Python runs the file, the last ``def`` of a name
        wins, and a name rebound after its ``def`` (``f = 2.0``) is no function."""
        return [s.name for s in self.tree.body
                if isinstance(s, ast.FunctionDef) and self.bindings.get(s.name) == ("function", s)]

    def source(self, name):
        """The Source of the function ``name`` is bound to when the file has run: its last
        top-level ``def`` (or the def another name was bound to, ``g = f``)."""
        kind, data = self.bindings.get(name, (None, None))
        if kind in ("function", "lambda", "partial"):
            return self._made_source(kind, data)
        defs = [s for s in self.tree.body if isinstance(s, ast.FunctionDef) and s.name == name]
        if defs:
            last = defs[-1]
            raise NameResolutionError(f"{name!r} is rebound after its def, so it is no longer this function",
                                      self.display_name, last.lineno, last.col_offset, self.lines[last.lineno - 1],
                                      "give the function and the later value different names")
        raise NameResolutionError(f"{self.display_name} defines no function {name!r}", self.display_name, 1, 0, "",
                                  "available: " + ", ".join(self.functions()))

    def _def_source(self, node):
        source = Source(node, self.display_name, self.lines, self)
        check_supported(source)
        source.scope = self.with_imports(local_imports(source))
        return source

    def with_imports(self, imports):
        """This scope with the names of ``imports`` (``local_imports``: a function's own) bound as
        the file's imports would bind them; itself when there are none."""
        if not imports:
            return self
        scope = copy.copy(self)
        scope.bindings = dict(self.bindings)
        for made in imports:
            scope.bindings[made.name] = ("module", made.module) if made.attr is None else \
                ("from", (made.module, made.attr, 0))
        return scope

    def _bind(self, stmt):
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    self.bindings[alias.asname] = ("module", alias.name)
                else:
                    self.bindings[alias.name.split(".")[0]] = ("module", alias.name.split(".")[0])
        elif isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                if alias.name == "*":  # from math import *: the public names of a module srcdiff knows
                    for name in _public_names(stmt.module if stmt.level == 0 else None):
                        self.bindings[name] = ("from", (stmt.module, name, 0))
                    continue
                self.bindings[alias.asname or alias.name] = ("from", (stmt.module or "", alias.name, stmt.level))
        elif isinstance(stmt, ast.FunctionDef):  # the def node itself: a later def of the name is another one
            self.bindings[stmt.name] = ("function", stmt)
        elif isinstance(stmt, ast.ClassDef):
            bases = [ast.unparse(b) for b in stmt.bases]
            if any(b.split(".")[-1] == "Function" for b in bases):
                self.bindings[stmt.name] = ("custom", stmt.name)
        elif isinstance(stmt, ast.Assign) and self._srcdiff_grad_call(stmt.value):
            for target in stmt.targets:  # grad_loss = srcdiff.grad(loss, wrt=...): a generated function
                if isinstance(target, ast.Name):
                    self.bindings[target.id] = ("grad", (stmt.value.args[0].id, _literal_keywords(stmt.value),
                                                         self.bindings.get(stmt.value.args[0].id)))
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                self._bind_constant(target, stmt.value)
        else:  # anything else that binds a name (K += 1, a module-level if or loop): value unknown
            self._unknown_values(stmt)

    def _bind_constant(self, target, value):
        """``NAME = literal`` and ``A, B = literal, literal``; other targets make their names unknown."""
        if isinstance(target, ast.Name) and isinstance(value, ast.Name) and value.id in self.bindings:
            self.bindings[target.id] = self.bindings[value.id]  # square = sq, m = math: another name
        elif isinstance(target, ast.Name) and isinstance(value, ast.Lambda):
            self.bindings[target.id] = ("lambda", value)
        elif isinstance(target, ast.Name) and self._partial_call(value):  # functools.partial(f, 2.0, k=3.0)
            self.bindings[target.id] = ("partial", (value, self.bindings.get(value.args[0].id)))
        elif isinstance(target, ast.Name):
            self.bindings[target.id] = ("constant", _literal(value))
        elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)) \
                and len(target.elts) == len(value.elts) and not any(isinstance(e, ast.Starred) for e in target.elts):
            for element, item in zip(target.elts, value.elts):
                self._bind_constant(element, item)
        else:
            self._unknown_values(target)

    def _unknown_values(self, node):
        """Names ``node`` assigns at module level, other than by a literal, hold unknown values."""
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            self.bindings[node.id] = ("constant", None)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.bindings[node.name] = ("constant", None)  # defined conditionally: not read
        elif not isinstance(node, ast.Lambda):
            for child in ast.iter_child_nodes(node):
                self._unknown_values(child)

    def unusable(self, name, module=None):
        """What ``name`` (or ``module.name``) is when it is bound but resolved to None, else None."""
        if module is not None:
            return None
        kind, data = self.bindings.get(name, (None, None))
        if kind == "module" or kind == "from" and self._module(data[0], data[2]) is None:
            source = data if kind == "module" else data[0]
            return (f"imported from module '{source}', which srcdiff cannot read without running it "
                    f"(it reads math, numpy and the files next to {os.path.basename(self.filename)})")
        return None

    def _srcdiff_grad_call(self, node):
        """Whether ``node`` is ``srcdiff.grad(NAME, wrt=LITERAL)`` (srcdiff imported as a module)."""
        return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "grad"
                and isinstance(node.func.value, ast.Name)
                and self.bindings.get(node.func.value.id) == ("module", "srcdiff")
                and len(node.args) == 1 and isinstance(node.args[0], ast.Name)
                and all(k.arg == "wrt" for k in node.keywords))

    def _partial_call(self, node):
        """Whether ``node`` is ``functools.partial(NAME, ...)`` (or ``partial`` imported from functools)."""
        if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Name)):
            return False
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            return func.attr == "partial" and self.bindings.get(func.value.id) == ("module", "functools")
        return isinstance(func, ast.Name) and self.bindings.get(func.id) == ("from", ("functools", "partial", 0))

    def function_source(self, name):
        """The Source of a function of this file: defined with 'def', or made by srcdiff.grad."""
        return self._binding_source(name, self.bindings.get(name, (None, None)))

    def _binding_source(self, name, binding):
        """The Source of what ``binding`` (the name's binding at some point of the file) holds."""
        kind, data = binding or (None, None)
        if kind == "grad":
            fname, keywords, differentiated = data
            if self.gradient_source is None:
                raise NameResolutionError(f"{name!r} is a gradient made by srcdiff.grad, which this scope cannot build",
                                          self.display_name, 1, 0, "", "read the file with the command line")
            return self.gradient_source(self._binding_source(fname, differentiated), keywords.get("wrt"))
        if kind in ("function", "lambda", "partial"):
            return self._made_source(kind, data)
        return self.source(name)

    def _made_source(self, kind, data):
        """The Source of a ``def``, a lambda or a partial of a function of this file."""
        if kind == "lambda":
            return self._def_source(as_def(data, LAMBDA))
        if kind == "partial":
            call, binding = data
            return static_partial(call, self._binding_source(call.args[0].id, binding), self.display_name)
        return self._def_source(data)

    def resolve(self, name):
        """The Resolution of a free name, or None when it is unknown."""
        kind, data = self.bindings.get(name, (None, None))
        if kind == "grad":
            return FunctionRef(name, lambda: self.function_source(name))
        if kind == "module":
            return self._module(data)
        if kind == "from":
            module, attr, level = data
            ref = self._module(module, level)
            return None if ref is None else self.resolve_attr(ref, attr)
        if kind in ("function", "lambda", "partial"):
            return FunctionRef(name, lambda: self._made_source(kind, data))
        if kind == "custom":
            return CustomFunctionRef(name, None)
        if kind == "constant":
            return ConstantRef(name, data)
        if name in BUILTIN_PRIMITIVES:
            return PrimitiveRef(name)
        return None

    def resolve_attr(self, module, attr):
        """The Resolution of ``module.attr``, or None."""
        if module.canonical == "user":
            return module.handle.resolve(attr) if attr in module.handle.bindings else None
        return known_module_attr(module.canonical, attr)

    def _module(self, dotted_name, level=0):
        if dotted_name in MODULE_ALIASES:
            return ModuleRef(MODULE_ALIASES[dotted_name])
        if dotted_name == "srcdiff":
            return ModuleRef("srcdiff")
        folder = os.path.dirname(self.filename)
        for _ in range(max(level - 1, 0)):
            folder = os.path.dirname(folder)
        path = os.path.join(folder, *dotted_name.split(".")) + ".py"
        if os.path.exists(path):
            return ModuleRef("user", StaticScope(path, self.gradient_source))
        return None


def _read_python_file(filename):
    """The text of a Python file, decoded as Python does (a coding cookie, else UTF-8)."""
    try:
        with tokenize.open(filename) as handle:
            return handle.read()
    except (SyntaxError, UnicodeDecodeError) as err:  # a bad cookie, or bytes not in the encoding
        raise UnsupportedSyntaxError(f"cannot decode {filename}: {err}", filename, 1, 0, "",
                                     "save the file as UTF-8, or declare its encoding in a coding comment") from None


def _literal_keywords(call):
    return {k.arg: _literal(k.value) for k in call.keywords}


def _public_names(module_name):
    """What ``from module_name import *`` binds, for math and numpy (other modules are not read)."""
    if module_name not in MODULE_ALIASES or module_name == "srcdiff.runtime":
        return ()
    try:
        module = importlib.import_module(module_name)
    except ImportError:  # scipy, which srcdiff does not need, is not installed
        return ()
    return getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]


def _literal(node):
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        return None
