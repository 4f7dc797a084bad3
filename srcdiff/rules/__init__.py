"""The gradient rules, as tables: one line per primitive.

Contract: a rule maps an SSA statement to one adjoint template per positional argument,
a Python expression with placeholders ``g`` (the upstream gradient), ``y`` (the
output), ``x`` or ``x0``, ``x1`` ... (the inputs); ``None`` where no gradient flows;
``ZERO`` for a piecewise-constant primitive; no rule at all (None) where srcdiff has
none, which the sweeps turn into an error, never a silent zero.  ``rules_of(function)``
is the lookup a function's statements use.  Imports ``analysis`` (shapes decide where a
contribution is summed back to its operand's shape), ``ir``, ``runtime`` (einsum's
subscripts read as its helpers read them) and ``errors``.

| module | table |
| --- | --- |
| ``scalar`` | operators, builtins, ``math`` and the runtime's scalar helpers |
| ``_derived`` | the elementary functions, derived by sympy (``derive``) and pinned |
| ``arrays`` | NumPy: element-wise rules wrapped by shape, reductions, products, reshapes, indexing |
| ``makers`` | NumPy's array makers from numbers: ``np.full``, ``np.full_like``, ``np.arange``, ``np.linspace``; ``np.heaviside`` |
| ``selections`` | item reads and writes (``x[i]``, ``x[i] = v`` as a copy), ``np.where``, ``np.clip`` |
| ``helpers`` | the runtime's array-gradient helpers, so a gradient can be differentiated again |
| ``families`` | NumPy's shape and order functions (``shapes``, ``orders``, ``parts``), ``scipy.special`` (``special``, and ``elementwise`` in the scalar table), random draws (``random``), the helpers of NumPy calls lowering writes out (``numerics``); ``params`` reads their arguments |
| ``linalg``, ``norms`` | ``np.linalg`` (reverse and tangent templates) and ``np.linalg.norm`` for every ``ord`` |
| ``tensors`` | ``np.einsum``, ``tensordot``, ``kron``, ``cross``, ``trace``, ``diag``, ``diagonal``, ``triu``, ``tril`` |
| ``casts`` | calls whose ``dtype`` argument makes their result integers or booleans: no gradient, no tangent |
| ``settings`` | the constant settings (``axis``, ``ord``, subscripts) a rule reads, or a refusal naming them |
| ``specialized`` | what array code specialized to its arguments' kinds writes instead of a helper (``g @ W.T``) |
| ``custom`` | a ``srcdiff.Function``'s forward call: its own backward |
| ``trees`` | parts of container parameters (no gradient back to the container), ``rt.tree_grad`` and its helpers |
"""
from .arrays import ELEMENTWISE, ELEMENTWISE_BUILDERS, NO_GRADIENT, STATISTICS_TANGENTS, ArrayRules, rules_of
from .casts import COMPUTED, EXACT, INEXACT, dtype_of_result
from .custom import CustomRule, backward_templates, is_custom_op
from .helpers import HELPER_TANGENTS
from .sequence_functions import LINEAR as STATISTICS_LINEAR, TANGENTS as SEQUENCE_FUNCTION_TANGENTS
from .families import LINEAR as LINEAR_FORMS
from .families import refusal, tangent_rule
from .scalar import RULES, ZERO, computes_with_numbers_alone, gives_a_float, placeholders, rule_for, rule_of_call, scalar_rule, template_ast
