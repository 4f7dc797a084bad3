"""The gradient rules, as tables: one line per primitive.

Contract: a rule maps an SSA statement to one adjoint template per positional argument,
a Python expression with placeholders ``g`` (the upstream gradient), ``y`` (the
output), ``x`` or ``x0``, ``x1`` ... (the inputs); ``None`` where no gradient flows;
``ZERO`` for a piecewise-constant primitive; no rule at all (None) where srcdiff has
none, which the sweeps turn into an error, never a silent zero.  ``rules_of(function)``
is the lookup a function's statements use.  Imports ``analysis`` (shapes decide where a
contribution is summed back to its operand's shape), ``ir`` and ``errors``.

| module | table |
| --- | --- |
| ``scalar`` | operators, builtins, ``math`` and the runtime's scalar helpers |
| ``_derived`` | the elementary functions, derived by sympy (``derive``) and pinned |
| ``arrays`` | NumPy: element-wise rules wrapped by shape, reductions, products, reshapes, indexing |
| ``makers`` | NumPy's array makers from numbers: ``np.full``, ``np.full_like``, ``np.arange``, ``np.linspace``; ``np.heaviside`` |
| ``helpers`` | the runtime's array-gradient helpers, so a gradient can be differentiated again |
| ``custom`` | a ``srcdiff.Function``'s forward call: its own backward |
| ``trees`` | parts of container parameters (no gradient back to the container), ``rt.tree_grad`` and its helpers |
"""
from .arrays import ELEMENTWISE, ELEMENTWISE_BUILDERS, NO_GRADIENT, ArrayRules, rules_of
from .custom import CustomRule, backward_templates, is_custom_op
from .scalar import RULES, ZERO, placeholders, rule_for, rule_of_call, scalar_rule, template_ast
