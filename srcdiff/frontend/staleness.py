"""Is a parsed ``def`` the code a live function runs?  Its file may have been edited since
the function was defined (and not reloaded): then srcdiff would differentiate the new text
while the function runs the old code.

``runs_this_code(node, lines, filename, code)`` compiles the ``def``'s own text again (as
Python compiled it: from the text, so expressions of any depth compile; a nested function
inside a function binding the names it reads from its closure) and compares what the two
code objects do, instruction by instruction, recursively into nested code
(``lambda_runs_this_code``: the same for a ``lambda`` expression).  Name loads
are compared by name only: a method's private names are mangled by its class, and a
module imported in the same file is read by a plain attribute load.
"""
import __future__
import ast
import dis
import functools
import operator
import re
import types

_FUTURE_FLAGS = functools.reduce(operator.or_, (getattr(__future__, name).compiler_flag
                                                 for name in __future__.all_feature_names))
# Instructions that differ between a function compiled in its closure and on its own, or carry nothing.
_SKIPPED = frozenset({"CACHE", "COPY_FREE_VARS", "PUSH_NULL", "RESUME", "NOP", "EXTENDED_ARG"})
# Loads of a name from wherever it lives: a global alone, a closure cell in the live function.
_NAME_LOADS = frozenset({"LOAD_GLOBAL", "LOAD_NAME", "LOAD_DEREF", "LOAD_CLOSURE", "LOAD_CLASSDEREF",
                         "LOAD_FROM_DICT_OR_DEREF", "LOAD_FROM_DICT_OR_GLOBALS"})
_JUMPS = frozenset(dis.hasjrel) | frozenset(dis.hasjabs)
# A method call on a module imported in the same file compiles as an attribute load and a
# plain call (CPython knows the name is a module there); alone, as a method call.
_SAME = {"LOAD_METHOD": "LOAD_ATTR", "CALL_METHOD": "CALL_FUNCTION"}


def runs_this_code(node, lines, filename, code):
    """Whether the ``def`` ``node`` (of a file whose text is ``lines``) compiles to what the
    code object ``code`` does; True where the text cannot be compiled on its own (nothing
    to compare)."""
    flags = code.co_flags & _FUTURE_FLAGS
    if node.col_offset == 0:  # with the file's imports, a module-level def compiles exactly as it did
        try:
            found = _code_named(compile(_with_imports(node, lines), filename, "exec", flags=flags, dont_inherit=True),
                                node.name)
            if found == code:
                return True
        except (SyntaxError, ValueError, RecursionError):
            pass
    try:
        compiled = compile(_def_text(node, lines, code.co_freevars), filename, "exec", flags=flags, dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError):  # e.g. 'nonlocal' outside its function
        return True
    found = _code_named(compiled, node.name)
    return found is not None and _same_code(found, code)


def _with_imports(node, lines):
    """The module-level ``def``'s text at its own lines, after the one-line imports at column 0
    above it at theirs (every other line blank): compiled, it equals the function's code
    object when the file is unchanged, a module read by attribute loads included."""
    above = [line if line.startswith(("import ", "from ")) else "\n" for line in lines[:node.lineno - 1]]
    return "".join(above) + "".join(lines[node.lineno - 1:node.end_lineno])


def _same_code(found, code):
    """Whether two code objects do the same: equal objects (the common case, where the text
    compiles exactly as it did: one comparison instead of disassembling both), else equal
    fingerprints."""
    return found == code or _fingerprint(found) == _fingerprint(code)


def lambda_runs_this_code(node, filename, code):
    """Whether the ``ast.Lambda`` ``node`` compiles to what the code object ``code`` does."""
    try:
        compiled = compile(ast.Expression(body=node), filename, "eval", flags=code.co_flags & _FUTURE_FLAGS,
                           dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError):
        return True
    found = _code_named(compiled, "<lambda>")
    return found is not None and _same_code(found, code)


def _def_text(node, lines, free):
    """The ``def``'s own lines (decorators left out).  An indented one (a method, a nested
    function) goes inside a function that binds the names it reads from a closure, so that
    it compiles as it did in place: reading them from cells.  Blank lines before it keep its
    line numbers (a class body's ``__firstlineno__`` is a constant from Python 3.13 on)."""
    body = "".join(lines[node.lineno - 1:node.end_lineno])
    if node.col_offset == 0:
        return "\n" * (node.lineno - 1) + body
    pad = " " * node.col_offset
    cells = f"{pad}{' = '.join(free)} = None\n" if free else ""
    head = f"def _srcdiff_enclosing_():\n{cells}"
    return "\n" * max(node.lineno - 1 - head.count("\n"), 0) + head + body


def _code_named(code, name):
    """The code object of function ``name`` among ``code``'s constants, one level down at most."""
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            if const.co_name == name:
                return const
            inner = next((c for c in const.co_consts if isinstance(c, types.CodeType) and c.co_name == name), None)
            if inner is not None:
                return inner
    return None


def _fingerprint(code):
    """What a code object and the ones nested in it do: its signature, its instructions
    (name loads as the name alone, jumps without their targets) and its constants."""
    consts = tuple(_fingerprint(k) if isinstance(k, types.CodeType) else (type(k).__name__, repr(_local_name(k)))
                   for k in code.co_consts)
    return (code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount,
            tuple(_unmangled(n) for n in code.co_varnames), consts, tuple(_instructions(code)))


def _instructions(code):
    for instruction in dis.get_instructions(code):
        name = _SAME.get(instruction.opname, instruction.opname)
        if name in _SKIPPED:
            continue
        if name in _NAME_LOADS:
            yield ("LOAD_NAME", _unmangled(str(instruction.argval)))
        elif instruction.opcode in _JUMPS:
            yield (name,)
        elif isinstance(instruction.argval, types.CodeType):
            yield (name,)  # compared through the constants
        elif isinstance(instruction.argval, str):
            yield (name, _unmangled(_local_name(instruction.argval)))
        else:
            yield (name, instruction.argrepr)


def _local_name(value):
    """A nested function's qualified name (a constant before Python 3.11) without the functions
    around it: ``outer.<locals>.f.<locals>.<lambda>`` compiled in place, ``f.<locals>.<lambda>`` alone."""
    return value.rsplit(".", 1)[-1] if isinstance(value, str) and ".<locals>." in value else value


def _unmangled(name):
    """``_Cls__x`` (a private name inside a class) as ``__x``: the def compiled on its own is outside the class."""
    return re.sub(r"^_[A-Za-z0-9_]*?[A-Za-z0-9](__\w*[^_]\w*)$", r"\1", name) if "__" in name[1:] else name
