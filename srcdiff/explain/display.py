"""How explain mode writes a value: short, exact enough to follow a lecture's numbers.

Contract: ``format_value`` turns any value a srcdiff function can compute into one line
of text, never raising.  Numbers get four significant digits with integral values
written as integers (``-12``, ``0.7311``, ``-0.1966``); an array small enough to read
is written out (``[1, -2, 3]``), a larger one becomes its shape, dtype and a few summary
numbers (``array 3×4 float64: min -1.2, mean 0.03, max 2.1``).  ``None`` (no gradient
flows there) is a dash.  ``short=True`` gives the compact form written on a picture's
wires (``3×4 in [-1.2, 2.1]``).
"""
import numpy as np

NO_VALUE = "—"
DIGITS = 4
# An array with at most this many elements is written out in full.
MAX_ITEMS = 6


def format_value(value, short=False):
    """One line of text for ``value``."""
    if value is None:
        return NO_VALUE
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, np.ndarray):
        return _format_array(value, short)
    if isinstance(value, np.generic):
        return format_value(value.item(), short)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_number(value)
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def format_number(x):
    """A float with ``DIGITS`` significant digits; integral values without a decimal point."""
    if x == 0:
        return "0"  # also for -0.0: a sign on zero only distracts here
    if x != x or x in (float("inf"), float("-inf")):
        return str(x)
    if x == int(x) and abs(x) < 10 ** DIGITS:
        return str(int(x))
    return f"{x:.{DIGITS}g}"


def format_shape(shape):
    """``(3, 4)`` -> ``'3×4'``; a 0-d shape is ``'scalar'``."""
    return "×".join(str(n) for n in shape) if shape else "scalar"


def _format_array(array, short):
    if array.ndim == 0:
        return format_value(array.item(), short)
    if array.size <= MAX_ITEMS:
        return _written_out(array)
    if short:
        dtype = "" if array.dtype == np.float64 else f" {array.dtype}"
        return f"{format_shape(array.shape)}{dtype} {_range(array)}"
    return f"array {format_shape(array.shape)} {array.dtype}: {_summary(array)}"


def _written_out(array):
    """A small array written like a nested list, each number formatted."""
    if array.ndim == 1:
        return "[" + ", ".join(format_value(v) for v in array) + "]"
    return "[" + ", ".join(_written_out(row) for row in array) + "]"


def _range(array):
    """``in [low, high]``: the two numbers that fit on a picture's wire."""
    if not np.issubdtype(array.dtype, np.number) or np.iscomplexobj(array):
        return _summary(array)
    return f"in [{format_number(float(array.min()))}, {format_number(float(array.max()))}]"


def _summary(array):
    """A few numbers that characterise a large array."""
    if array.dtype == np.bool_:
        return f"{int(array.sum())} of {array.size} true"
    if not np.issubdtype(array.dtype, np.number):
        return f"{array.size} elements"
    if np.iscomplexobj(array):
        return f"mean {array.mean():.{DIGITS}g}"
    low, mean, high = array.min(), array.mean(), array.max()
    return f"min {format_number(float(low))}, mean {format_number(float(mean))}, max {format_number(float(high))}"


# ---------------------------------------------------------------- the explain table

def explanation_text(explanation):
    """The readable form of an ``Explanation``: the forward table, then the backward steps."""
    rows = explanation.rows
    inputs = ", ".join(f"{row.name}={format_value(row.value)}" for row in rows[:len(explanation.params)])
    result = rows[explanation.result].name if explanation.result is not None else None
    named = "" if result in (None, explanation.function) else f"  ({result})"
    lines = [f"{explanation.function}({inputs}) = {format_value(explanation.value)}{named}", ""]
    lines.append(f"forward: every value, and the gradient of {result or explanation.function} with respect to it")
    table = [("name", "operation", "value", "gradient")]
    table += [(row.name, row.operation, format_value(row.value), format_value(row.gradient)) for row in rows]
    lines += _columns(table, align="<<>>")
    if explanation.steps:
        lines += ["", "backward: last statement first; downstream = local × upstream"]
        lines += _columns(_step_table(explanation), align="<<<<")
    return "\n".join(lines) + "\n"


def _step_table(explanation):
    rows, grad = explanation.rows, explanation.gradient_names
    table = [("statement", "downstream", "local", "upstream")]
    previous = None
    for step in explanation.steps:
        source, target = rows[step.source], rows[step.target]
        statement = f"{source.name} = {source.operation}" if step.source != previous else ""
        previous = step.source
        if step.accumulates:
            downstream = f"{grad[target.name]} += {format_value(step.downstream)}  (now {format_value(step.total)})"
        else:
            downstream = f"{grad[target.name]} = {format_value(step.downstream)}"
        local = step.local
        if step.local_value is not None and local != format_value(step.local_value):
            local = f"{local} = {format_value(step.local_value)}"
        upstream = f"{grad[source.name]} = {format_value(step.upstream)}"
        table.append((statement, downstream, local, upstream))
    return table


def _columns(table, align):
    """Rows of cells laid out in columns, two spaces apart, indented by two."""
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = []
    for row in table:
        cells = [cell.rjust(w) if a == ">" else cell.ljust(w) for cell, w, a in zip(row, widths, align)]
        lines.append(("  " + "  ".join(cells)).rstrip())
    return lines
