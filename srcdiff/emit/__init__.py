"""Emit: the adjoint (or tangent) program printed as Python source, and compiled.

Contract: ``emit_gradient(function, backward, ...)`` returns the source of one function
definition taking the user's exact signature: a ``# forward`` section (the live forward
statements in three-address form; with control flow, the tape pushes a reversed loop
needs), a ``# backward`` section (the adjoint records: ``=`` first, ``+=`` for forks,
replayed branches, reversed loops) and a return of the requested gradients.
``tangent_source`` prints forward mode the same way.  Names are chosen here, once
(``naming``); the same IR always yields the same text.  ``compile_source`` compiles it.
Imports ``transforms`` (the records it prints), ``analysis`` (liveness), ``ir``,
``runtime`` (the namespace generated code runs in) and ``errors``.

| module | what it does |
| --- | --- |
| ``naming`` | deterministic names that never collide with the user's |
| ``prune`` | forward statements nothing needs, removed |
| ``text`` | the one module touching astor: a statement's text, and the shared line helpers |
| ``gradient``, ``backward`` | the gradient function: forward section, backward section, return |
| ``tangent`` | the forward-mode function |
| ``compile`` | compile the text in its namespace |
"""
from .compile import compile_source, generated_namespace
from .gradient import emit_gradient
from .naming import Namer, adjoint_prefix, aliased, assign_names, derivative_name, module_aliases
from .tangent import tangent_source
from .text import quick_source, signature_line, statement_source
