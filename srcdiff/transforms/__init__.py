"""The transforms: from SSA to the adjoint (reverse) or tangent (forward) program.

Contract: ``reverse(function, wrt, seed, rules)`` returns a ``records.Backward``: the
adjoint records of the backward sweep in execution order (``=`` for the first write of
an adjoint, ``+=`` for the forks; replayed branches and reversed loops for structured
code), only for the *active* values (varied by a ``wrt`` parameter and useful to the
result), with expressions simplified and naming values by tokens.
``tangent_statements(function, seeds)`` returns the forward statements interleaved with
their tangents.  An active operation without a rule is a SrcdiffError, never a zero.
Imports ``rules``, ``ir`` and ``errors``.

| module | what it does |
| --- | --- |
| ``records`` | the backward program's records and ``Tokens`` |
| ``contributions`` | one contribution: a template filled in and simplified; int-valued values |
| ``plans`` | what the straight sweep reads of a rule, once: fillers of its templates and the shapes they fill in |
| ``reverse`` | activity; dispatches straight-line code to ``straight``, structured code to ``reverse_flow`` |
| ``straight`` | the sweep of straight-line code, written as a person would: one statement's contributions to one adjoint combined, temporaries' copies substituted and single uses inlined, numbers moved where they fold |
| ``reverse_flow`` | the sweep of branches and loops |
| ``activity`` | which values of structured code carry adjoints |
| ``items`` | gradients of the items of a sequence a loop walks over |
| ``custom`` | a ``srcdiff.Function``: one call of its backward |
| ``cleanup`` | adjoint copies propagated (in one pass over an index of reads and writes: ``propagation``), dead adjoint writes dropped |
| ``forward``, ``tangents`` | forward mode and its tangent rules |
| ``linalg_tangents`` | forward mode of linear algebra: forms of einsum and friends, tangent templates |
| ``signature`` | a function with one more parameter (a tangent or a cotangent) |
| ``slices`` | the reads of one array by basic indexes: their contributions gathered into one ``rt.index_grads`` |
| ``sequence_arguments`` | in specialized code, a list or tuple parameter read by NumPy calls as one ``np.asarray`` of it; the checks of reads by position its kind settles dropped |
| ``shared`` | common subexpressions of straight-line array code computed once, before the sweep |
"""
from .forward import Tangent, TangentIf, TangentLoop, tangent_statements
from .records import (Accumulate, Backward, BIf, BLoop, ItemAccumulate, Tokens, Unpack, accumulates, token_node,
                      with_blocks)
from .contributions import operand_expr
from .items import item_sources
from .reverse import reverse
from .signature import fresh_name, with_extra_parameter
from .sequence_arguments import sequences_read_as_arrays, settled_checks_dropped
from .shared import shared_subexpressions
from .unpacked_items import items_unpacked
