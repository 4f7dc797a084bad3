"""The intermediate representation: SSA values and statements, blocks and loops.

Contract: a lowered ``Function`` holds parameters, a body and a result.  The body is a
tuple of statements: ``Assign`` (one operation in three-address form) and the
structured ``If`` and ``Loop`` (``flow``); every ``Var`` is assigned exactly once
(``verify`` checks it).  Vars carry identity, not names; names are chosen at print time.
The adjoint expressions later stages build are Python ``ast`` trees (``expressions``,
``simplify``).  Imports nothing of srcdiff: every stage may use it.

| module | what it holds |
| --- | --- |
| ``values`` | ``Var``, ``Const``, ``Global``, ``Slice``, ``Loc``, ``Assign``, ``Function``; the operator tables |
| ``flow`` | ``If``/``Merge``, ``Loop``/``Carry``/``ForIter``, ``Undefined``; the walks every pass shares |
| ``nodes`` | an operation, operand or assignment as a Python ``ast`` node |
| ``expressions`` | adjoint expressions: ``copy_expr``, ``filler`` (a template's copier, made once), ``substitute_once``, the numbers and names they read |
| ``simplify`` | their algebraic clean-up, ``simplify_expr`` (``simplify_substituted``: of a simplified tree with a simplified one put in) |
| ``printing`` | ``format_ssa`` (``--ssa``) and the loop and operand text printers share |
| ``verify`` | the SSA invariants, checked |
"""
from .expressions import children_of, copy_expr, expr_size, filler, is_zero, literal, names_and_int_literal, names_of, number, substitute_once
from .flow import (RANGES, Carry, ForIter, If, Loop, Merge, Undefined, assigns, blocks_of, defined_at, with_blocks,
                   defined_in_block, defined_within, has_flow, loop_body_defined, reads, replays_range, walk)
from .nodes import (assign_node, constant_node, dotted, effect_kind, effect_node, effect_template, index_node,
                    is_call_of, operand_node, operation_node)
from .printing import format_ssa
from .simplify import simplify_expr, simplify_substituted, simplify_substituted_along
from .values import (BINARY_OPS, CHECK_OPS, COMPARE_OPS, EFFECT, EFFECT_ARG, FIELD_OPS, MAY_BE_ABSENT, MEMBERSHIP_OPS, GRADIENT_CALL, GRADIENT_PART,
                     LIST_REDUCTIONS, SEQUENCE_OPS, STATISTICS_OPS, SYMBOL_OF, WHOLE_SEQUENCE_READS, UNARY_OPS, Assign, Const, Function, Global, Loc, Slice, Var,
                     WeaklyReferable, is_position_read, read_back, slot_setters)
from .verify import verify
