"""The runtime helpers a generated text calls, copied as source for a module of its own.

``copied_helpers(text, alias, numbers_only)`` finds what the text calls as
``<alias>.<name>`` and returns the source of those helpers and of everything of
``srcdiff.runtime`` they use in turn (functions, classes, constants), each renamed
``_rt_<name>`` (as name tokens: layout and comments kept), then a small class ``<alias>``
that gathers them under the names the text calls; and the modules they read.  A few
helpers are replaced by simpler stand-ins: outside srcdiff no generated frame names a
parameter, and a run-time refusal is a plain ValueError; code of numbers only gets
versions of ``check_scalar``, ``zeros_like`` and ``zero_gradient`` that need no NumPy.
"""
import ast
import functools
import inspect
import io
import sys
import tokenize
import types


from .. import runtime

_PREFIX = "_rt_"
_MISSING = object()

# Helpers replaced by a simpler stand-in: outside srcdiff there is no generated frame to
# name a parameter from, and a run-time refusal is a plain ValueError.
_STAND_INS = {
    "ArrayGradientError": '''class ArrayGradientError(ValueError):
    """A run-time refusal of the gradient (an argument that is not a real number, a shape it cannot use)."""

    def __init__(self, message, hint=""):
        super().__init__(message + (f" ({hint})" if hint else ""))''',
    "_generated_parameters": '''def _generated_parameters():
    return []''',
}
# Code that uses no NumPy calls these helpers only through numbers: plain versions, so
# that the module imports NumPy only where the user's code does.
_NUMBER_STAND_INS = {
    "check_scalar": '''def check_scalar(value):
    """Refuse a result that is not one real number: the gradient is of a function returning one."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return
    raise ArrayGradientError(f"the function returned a {type(value).__name__}, not a real number",
                             hint="the gradient was made for a function of numbers returning one number")''',
    **{name: f'''def {name}(x):
    """A zero {what} of a number (0.0), or of a list or tuple of numbers."""
    if isinstance(x, (list, tuple)):
        return type(x)({name}(v) for v in x)
    if isinstance(x, (int, float)):
        return 0.0
    raise ArrayGradientError(f"an argument is a {{type(x).__name__}}, not a real number",
                             hint="the gradient was made for a function of numbers")'''
       for name, what in (("zeros_like", "adjoint"), ("zero_gradient", "gradient"))},
}


def copied_helpers(text, alias, numbers_only):
    """``(lines, modules)``: the source lines of the helpers ``text`` calls (and of what they
    use), then the class ``alias`` gathering them; the modules they read, as
    ``(module name, the name it is read by)`` (``('numpy', 'np')``).
    No lines when the text calls no helper."""
    helpers = _helpers_called(text, alias)
    if not helpers:
        return [], set()
    lines, modules = _copied_helpers(helpers, _NUMBER_STAND_INS if numbers_only else {})
    return lines + _namespace_lines(alias, helpers), modules


def _helpers_called(text, alias):
    """The runtime helpers the generated text calls as ``<alias>.<name>``, sorted."""
    found = {node.attr for node in ast.walk(ast.parse(text))
             if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == alias}
    return sorted(found)


def _copied_helpers(helpers, stand_ins):
    """The source lines of the helpers and of everything of the runtime they use (renamed
    ``_rt_<name>``), constants first, and the modules they read (see ``copied_helpers``);
    ``stand_ins`` replace some helpers by simpler versions."""
    nodes, modules = {}, set()
    stand_ins = {**_STAND_INS, **stand_ins}

    def need(name, module):
        text = stand_ins[name] if name in stand_ins else _definition(module, name)
        if name in nodes:  # the copies share one namespace: a name means one definition (test_architecture)
            if nodes[name][0] != text:
                raise RuntimeError(f"internal error: two runtime modules define {name!r} differently")
            return
        node = ast.parse(text).body[0]
        nodes[name] = (text, node)
        for used in sorted({n.id for n in ast.walk(node) if isinstance(n, ast.Name)} - {name}):
            value = vars(module).get(used, _MISSING)
            if isinstance(value, types.ModuleType):  # numpy as np, math, types: imported as it is there
                modules.add((value.__name__, used))
            elif used in stand_ins or _is_runtime_object(value) or _definition(module, used) is not None:
                need(used, sys.modules[getattr(value, "__module__", module.__name__)]
                     if _is_runtime_object(value) else module)

    for helper in helpers:
        value = getattr(runtime, helper)
        need(helper, sys.modules[value.__module__])
    renamed = {name: _PREFIX + name for name in nodes}
    lines = []
    for name in _in_definition_order(nodes):
        text, _ = nodes[name]
        lines += [_renamed(text, renamed), "", ""]
    return lines, modules


def _in_definition_order(nodes):
    """The names of ``nodes`` (name -> (text, node)), constants first, then by name, each after
    the copied names its definition reads as it runs (an assignment's value, a class's body, a
    def's decorators and defaults): ``ABSENT = _Absent()`` after ``class _Absent``."""
    def read_when_defined(node):
        parts = [node] if not isinstance(node, ast.FunctionDef) else \
            node.decorator_list + node.args.defaults + [d for d in node.args.kw_defaults if d is not None]
        return sorted({n.id for part in parts for n in ast.walk(part) if isinstance(n, ast.Name)} & set(nodes))

    order, placed = [], set()

    def place(name, busy):
        if name in placed or name in busy:
            return
        busy.add(name)
        for used in read_when_defined(nodes[name][1]):
            place(used, busy)
        placed.add(name)
        order.append(name)

    for name in sorted(nodes, key=lambda n: (not isinstance(nodes[n][1], ast.Assign), n)):
        place(name, set())
    return order


def _definition(module, name):
    """The text of the top-level ``def``, ``class`` or assignment of ``name`` in ``module``, or None."""
    return _definitions(module.__name__).get(name)


@functools.lru_cache(maxsize=None)
def _definitions(module_name):
    """Name -> text of every top-level ``def``, ``class`` and assignment of a runtime module."""
    text = inspect.getsource(sys.modules[module_name])
    found = {}
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            found[node.name] = ast.get_source_segment(text, node)
        elif isinstance(node, ast.Assign):
            found.update((t.id, ast.get_source_segment(text, node)) for t in node.targets if isinstance(t, ast.Name))
    return found


def _is_runtime_object(value):
    return getattr(value, "__module__", "").startswith("srcdiff.runtime")


def _renamed(text, renamed):
    """``text`` with every name of ``renamed`` replaced (as a name token: not inside strings
    or comments, nor an attribute such as ``np.zeros_like``), keeping its layout and comments."""
    lines = text.splitlines(keepends=True)
    every = list(tokenize.generate_tokens(io.StringIO(text).readline))
    tokens = [t for before, t in zip([None] + every, every)
              if t.type == tokenize.NAME and t.string in renamed and not (before is not None and before.string == ".")]
    for token in reversed(tokens):  # right to left: earlier columns stay valid
        row, col = token.start
        line = lines[row - 1]
        lines[row - 1] = line[:col] + renamed[token.string] + line[col + len(token.string):]
    return "".join(lines)


def _namespace_lines(alias, helpers):
    """The class the generated code calls the helpers through (``rt.like(...)``)."""
    lines = [f"class {alias}:", '    """The runtime helpers above, under the names the code below calls them by."""', ""]
    for helper in helpers:
        value = getattr(runtime, helper)
        kind = "" if inspect.isclass(value) else "staticmethod"
        lines.append(f"    {helper} = {kind}({_PREFIX}{helper})" if kind else f"    {helper} = {_PREFIX}{helper}")
    return lines
