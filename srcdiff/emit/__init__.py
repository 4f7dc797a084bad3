"""Emit: the adjoint (or tangent) program printed as Python source, and compiled.

Contract: ``emit_gradient(function, backward, ...)`` returns the source of one function
definition taking the user's exact signature: a ``# forward`` section (the live forward
statements in three-address form; with control flow, the tape pushes a reversed loop
needs), a ``# backward`` section (the adjoint records: ``=`` first, ``+=`` for forks,
replayed branches, reversed loops) and a return of the requested gradients.
With ``runs=True`` straight-line code also gets ``text.runs``, the tight text its gradient
runs (``runs``).  ``tangent_source`` prints forward mode the same way.  Names are chosen here, once
(``naming``); the same IR always yields the same text.  ``compile_source`` compiles it.
Imports ``transforms`` (the records it prints), ``rules`` (``gives_a_float``), ``analysis``
(liveness), ``frontend`` (``EMITTED_BUILTINS``, the builtins the text calls), ``ir``,
``runtime`` (the namespace generated code runs in) and ``errors``.

| module | what it does |
| --- | --- |
| ``naming`` | deterministic names that never collide with the user's; module references written with their aliases |
| ``prune`` | forward statements nothing needs, removed |
| ``text`` | the one module touching astor: a statement's text (``ast.unparse`` where astor fails) |
| ``marks`` | the mark at the end of each printed line that carries its user's line, taken off at the end (``GeneratedText``: the text and its lines' origins) |
| ``printer`` | the one printer: forward statements, branches, loops, tangents, tape pushes, ``if`` lines and checks |
| ``frame`` | the lines around a body: the ``def`` line, the docstring, the ``return`` |
| ``backward`` | the printer of gradients: adds the backward records |
| ``tape`` | what loops keep for the backward section: taped, copied from a carry, or read again from a list |
| ``fusion`` | specialized code's loops, and the tight text: temporaries (and there the user's names made by operations that never raise) written into the expression that reads them |
| ``runs`` | the tight text a gradient of straight-line code of numbers alone runs (``emit_gradient(..., runs=True)``: ``text.runs``): temporaries fused, adjoint copies propagated, versions' adjoints sharing a name, int literals floated, no check of a float result |
| ``folding`` | the tight text's backward records as fewer statements: sums merged, short gradients written into the return, divisions by a reciprocal at hand as products |
| ``gradient`` | the gradient function: liveness, names and the tape, then the printer |
| ``tangent`` | the forward-mode function: liveness of tangents, then the printer |
| ``freeing`` | specialized array code: each array deleted after its last use, a parameter's penalty term added last |
| ``reads_in_place`` | specialized code: a float array's basic reads' gradients written into one zeros array in place |
| ``released`` | straight-line forward-mode code's names dropped after their last read (``del``), so arrays are freed |
| ``compile`` | compile the text in its namespace (and again without in-place writes, for Dask arrays) |
"""
from .compile import compile_out_of_place, compile_source, generated_namespace, statistics_called
from .gradient import emit_gradient
from .naming import Namer, adjoint_prefix, aliased, assign_names, derivative_name, module_aliases
from .tangent import tangent_source
from .frame import signature_line
from .text import quick_source, statement_source
