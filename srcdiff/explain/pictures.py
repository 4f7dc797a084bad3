"""Pictures of the computational graph, in the style of the backpropagation lecture figures.

Input: an ``Explanation`` (``model``).  Output: Graphviz DOT text (``to_dot``)
and, through Graphviz's ``dot`` layout engine, a picture file whose suffix picks the
format (``render``: ``PICTURE_FORMATS``; ``.dot``/``.gv`` is the DOT text itself).

The picture: inputs on the left, one gate per operation (``+``, ``*``, ``max``, ``exp``,
``1 / s6``...; copies such as a loop variable carried round are wires, not gates), the
result on the right; a constant handed on as a value (an accumulator starting as
``0.0``, a branch setting a constant) is drawn like an input.  Every wire carries its value's name and
forward value (green) and, beside it, its gradient (red).  A value read twice forks
at a small dot, the lecture's copy gate: the wire into the dot carries the total
gradient, each branch its own contribution (the gradients add up).  Only the values the
result depends on are drawn.  Same Explanation, same text.
"""
import ast
import html
import os
import shutil
import subprocess

from ..errors import ToolError
from ..ir import BINARY_OPS, operation_node
from .display import format_value

VALUE_COLOR = "#1a7f37"
GRADIENT_COLOR = "#cf222e"
FONT = "DejaVu Sans"
# Gates drawn as their symbol alone: the order of their inputs does not matter.
SYMMETRIC = {"+": "+", "*": "*", "max": "max", "min": "min"}


def to_dot(explanation):
    """The DOT text of the computational graph of an Explanation."""
    rows = explanation.rows
    live = _live_rows(explanation)
    wires = _wires(explanation, live)
    lines = [f"digraph {_quote(explanation.function)} {{"]
    lines.append(f'  graph [rankdir=LR, nodesep=0.35, ranksep=0.6, fontname="{FONT}", fontsize=11, '
                 f'labelloc=b, label=<{_legend(explanation)}>];')
    lines.append(f'  node [fontname="{FONT}", fontsize=14];')
    lines.append(f'  edge [fontname="{FONT}", fontsize=11, color="#555555", arrowsize=0.6];')
    inputs = [row for row in rows[:len(explanation.params)] if row.index in live]
    lines.append("  { rank=min; " + " ".join(f"n{row.index};" for row in inputs) + " }")
    for row in inputs:
        lines.append(f"  n{row.index} [shape=plaintext, label=<<b>{_escape(row.name)}</b>>];")
    if len(inputs) > 1:  # keep the inputs in parameter order, top to bottom
        lines.append("  " + " -> ".join(f"n{row.index}" for row in inputs) + " [style=invis];")
    for row in rows[len(explanation.params):]:
        if row.index in live and _is_constant(row):
            lines.append(f"  n{row.index} [shape=plaintext, label=<{_escape(_constant(row.operands[0]))}>];")
        elif row.index in live and row.op != "copy":
            lines.append(_gate_line(row, rows))
    lines.append(f'  out [shape=plaintext, label=<<b>{_escape(_result_name(explanation))}</b>>];')
    lines.append("  { rank=max; out; }")
    lines.extend(_wire_lines(explanation, wires))
    lines.append("}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- gates

def gate_label(row, rows):
    """The text inside a gate: ``+``, ``exp``, or the operation (``1 / s6``, ``num / den``)."""
    reads = [operand for operand in row.operands if isinstance(operand, int)]
    if row.op in SYMMETRIC and len(reads) == len(row.operands):
        return SYMMETRIC[row.op]
    if row.op in ("+", "*") and len(reads) == 1:  # the lecture's "+1" and "*-1" gates
        constant = next(o for o in row.operands if not isinstance(o, int))
        return row.op + _constant(constant)
    if row.op not in BINARY_OPS and "." in row.op and len(row.operands) == 1 and reads:
        return _short(row.op)
    texts = [rows[operand].name if isinstance(operand, int) else _constant(operand) for operand in row.operands]
    op = row.op if row.op in BINARY_OPS or "." not in row.op else _short(row.op)
    return ast.unparse(operation_node(op, [ast.Name(id=text, ctx=ast.Load()) for text in texts]))


def _gate_line(row, rows):
    """A gate node: a circle around a short label, an oval around a longer one."""
    label = gate_label(row, rows)
    shape = "circle" if len(label) <= 3 else "ellipse"
    tooltip = f"{row.name} = {row.operation}  (line {row.line})"
    return f"  n{row.index} [shape={shape}, margin=0.04, label={_quote(label)}, tooltip={_quote(tooltip)}];"


def _short(op):
    """``math.exp`` -> ``exp``: the module is noise inside a small circle."""
    return op.rsplit(".", 1)[-1]


def _constant(text):
    """A constant operand's text with numbers written as the table writes them (``1.0`` -> ``1``)."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return format_value(value) if isinstance(value, (int, float)) else text


# ---------------------------------------------------------------- wires

def _live_rows(explanation):
    """The rows the result depends on."""
    if explanation.result is None:
        return set()
    live, todo = set(), [explanation.result]
    while todo:
        index = todo.pop()
        if index not in live:
            live.add(index)
            todo.extend(o for o in explanation.rows[index].operands if isinstance(o, int))
    return live


def _is_constant(row):
    """A copy of a constant (``s = 0.0`` before a loop): a value of its own, drawn as a node."""
    return row.op == "copy" and not isinstance(row.operands[0], int)


def _wires(explanation, live):
    """``{row index: [(consumer node id, gradient contribution or None), ...]}`` for live rows
    (every drawn node: inputs, gates, constants; copies of rows are wires, not nodes)."""
    rows = explanation.rows
    wires = {index: [] for index in sorted(live) if rows[index].op != "copy" or _is_constant(rows[index])}
    contribution = {(step.source, step.position): step.downstream for step in explanation.steps}
    for row in rows:
        if row.index not in live or row.op == "copy":
            continue
        for position, operand in enumerate(row.operands):
            if isinstance(operand, int):
                wires[_through_copies(rows, operand)].append((f"n{row.index}", contribution.get((row.index, position))))
    if explanation.result is not None:
        wires[_through_copies(rows, explanation.result)].append(("out", rows[explanation.result].gradient))
    return wires


def _through_copies(rows, index):
    """The row a value comes from, past copies (``p = p_1`` carrying a loop variable round):
    a copy is not drawn, its wire runs from the original (a copy passes the gradient on as it is)."""
    while rows[index].op == "copy" and isinstance(rows[index].operands[0], int):
        index = rows[index].operands[0]
    return index


def _wire_lines(explanation, wires):
    """Edges: one wire per reader; a value read more than once forks at a copy dot."""
    lines = []
    for index, readers in wires.items():
        row = explanation.rows[index]
        label = _wire_label(row.name, row.value, row.gradient)
        if len(readers) == 1:
            lines.append(f"  n{index} -> {readers[0][0]} [label=<{label}>];")
            continue
        lines.append(f'  c{index} [shape=point, width=0.08, color="#555555"];')
        lines.append(f"  n{index} -> c{index} [arrowhead=none, label=<{label}>];")
        for reader, gradient in readers:
            branch = _wire_label(None, None, gradient) if gradient is not None else ""
            lines.append(f"  c{index} -> {reader} [label=<{branch}>];")
    return lines


def _wire_label(name, value, gradient):
    """``name = value`` in green over the gradient in red (HTML-like label body)."""
    parts = []
    if name is not None:
        parts.append(f'<font color="{VALUE_COLOR}">{_escape(name)} = {_escape(format_value(value, short=True))}</font>')
    if gradient is not None:
        parts.append(f'<font color="{GRADIENT_COLOR}">{_escape(format_value(gradient, short=True))}</font>')
    return "<br/>".join(parts)


def _result_name(explanation):
    return explanation.rows[explanation.result].name if explanation.result is not None else explanation.function


def _legend(explanation):
    inputs = ", ".join(f"{row.name}={format_value(row.value)}" for row in explanation.rows[:len(explanation.params)])
    head = _escape(f"{explanation.function}({inputs}) = {format_value(explanation.value)}")
    return (f'{head}<br/><font color="{VALUE_COLOR}">forward value</font>   '
            f'<font color="{GRADIENT_COLOR}">gradient of {_escape(_result_name(explanation))}</font>')


def _escape(text):
    return html.escape(text, quote=True).replace("\n", "<br/>")


def _quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---------------------------------------------------------------- rendering

def find_dot():
    """The path of Graphviz's ``dot`` program, or None."""
    return shutil.which("dot")


# The picture formats of Graphviz's dot, by file suffix (``dot -T<format>``).
PICTURE_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".ps": "ps", ".eps": "eps",
                   ".jpg": "jpg", ".jpeg": "jpg", ".gif": "gif"}
DOT_SUFFIXES = (".dot", ".gv")


def picture_format(path):
    """The format a picture written to ``path`` has: ``"dot"`` for the DOT text, SVG for a name
    without a suffix, else ``PICTURE_FORMATS``'s.  Raises ToolError for another suffix (never
    a file of the wrong kind)."""
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    if not suffix:
        return "svg"
    if suffix in DOT_SUFFIXES:
        return "dot"
    if suffix not in PICTURE_FORMATS:
        known = ", ".join(list(PICTURE_FORMATS) + list(DOT_SUFFIXES))
        raise ToolError(f"cannot tell the picture format of {os.fspath(path)!r} from its suffix "
                        f"{suffix!r}; end the name with one of {known}")
    return PICTURE_FORMATS[suffix]


def write_picture(explanation, path):
    """Write the picture of ``explanation`` to ``path``: DOT text for ``.dot``/``.gv``, else ``render``."""
    fmt = picture_format(path)
    text = to_dot(explanation)
    if fmt == "dot":
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        render(text, path)


def render(dot_text, path):
    """Lay out ``dot_text`` with Graphviz's dot and write ``path`` in the format its suffix
    names (``picture_format``).  The file is written only when dot succeeds.

    Raises ToolError when the suffix is unknown, or dot is not installed or fails.
    """
    fmt = picture_format(path)
    dot = find_dot()
    if dot is None:
        raise ToolError("--graph needs Graphviz's 'dot' program, which is not installed "
                        "(install the graphviz package); "
                        "a PATH ending in .dot gets the DOT source without it")
    command = [dot, f"-T{fmt}"] + (["-Gdpi=144"] if fmt in ("png", "jpg", "gif") else [])
    try:
        done = subprocess.run(command, input=dot_text.encode("utf-8"), capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise ToolError(f"running dot failed: {err}") from None
    if done.returncode != 0:
        first = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[0]
        raise ToolError(f"dot failed (exit {done.returncode}): {first}")
    with open(path, "wb") as handle:
        handle.write(done.stdout)
