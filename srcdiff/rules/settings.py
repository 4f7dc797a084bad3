"""The settings of a call that shape its gradient (an ``axis``, an ``ord``, einsum's
subscripts): read as constants while the rule is built, or refused by name.

Lowering has already replaced a module-level constant or a closure's value there by
its value (``lower.linalg``): a setting that is still not a ``Const`` is computed at run
time, and the gradient code, which has the setting written into it, cannot follow it.
"""
from ..errors import NoGradientRuleError
from ..ir import Const


def refuse(stmt, message, hint):
    """The NoGradientRuleError for ``stmt``, located at its call."""
    loc = stmt.loc.user()
    return NoGradientRuleError(message, loc.filename, loc.lineno, loc.col, loc.line_text, hint)


def setting(stmt, position, name, default=None, what=None):
    """The constant value of argument ``name`` (or at ``position``) of the call ``stmt``,
    ``default`` when it is not given; raises NoGradientRuleError when it is not a constant."""
    operand = dict(stmt.kwargs).get(name)
    if operand is None and position is not None and len(stmt.args) > position:
        operand = stmt.args[position]
    if operand is None:
        return default
    if not isinstance(operand, Const):
        raise refuse(stmt, f"the {what or name} of '{stmt.op}' must be a constant: srcdiff writes it into the "
                     "gradient code", f"write {name}= as a literal, a module-level constant or a value of an enclosing "
                     "function that is set before srcdiff builds the gradient")
    return operand.value


def keywords(**values):
    """``, axis=1, keepdims=True``: the settings to write into a template (None and False left out)."""
    return "".join(f", {k}={v!r}" for k, v in values.items() if v is not None and v is not False)


def fill(count, *templates):
    """``templates`` padded with None (no gradient) to one per positional argument."""
    return tuple(templates) + (None,) * (count - len(templates))
