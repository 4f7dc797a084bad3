"""The lines around a generated function's body: its ``def`` line and docstring, and its
``return`` of the gradients (after the value, for ``value_and_grad``)."""
import ast

from ..ir import Assign, walk
from ..ir.printing import operand_text
from .naming import aliased_operand

# a return of several gradients longer than this puts one gradient per line
RETURN_MAX_LINE = 88


def signature_line(name, arguments):
    """``def name(<the user's parameters and defaults>):``"""
    stub = ast.FunctionDef(name=name, args=arguments, body=[ast.Pass()], decorator_list=[], returns=None,
                           type_comment=None, lineno=1, col_offset=0)
    if hasattr(ast.FunctionDef, "type_params"):
        stub.type_params = []
    return ast.unparse(stub).split("\n")[0]


def header_lines(name, arguments, docstring):
    """The ``def`` line and the docstring of a generated function."""
    return [signature_line(name, arguments)] + ([f'    """{docstring}"""'] if docstring else [])


def result_loc(function):
    """The Loc of the statement computing ``function``'s result (None: a parameter or a merge):
    SSA gives a Var one statement, looked for from the end, where a result's most often is."""
    statements = list(walk(function.body))
    return next((s.loc for s in reversed(statements) if isinstance(s, Assign) and s.target == function.result), None)


def return_line(result, gradients, single, names, aliases):
    """The generated function's ``return``: the gradients (bare when ``single``, else a
    tuple), after the value of ``result`` when it is not None (value_and_grad)."""
    value = "" if result is None else f"{operand_text(aliased_operand(result, aliases), names)}, "
    grads = gradients[0] if single else "(" + ", ".join(gradients) + ("," if len(gradients) == 1 else "") + ")"
    line = f"    return {value}{grads}"
    if single or len(gradients) < 2 or len(line) <= RETURN_MAX_LINE:
        return line
    # a long tuple of gradients: one per line, which reads better than astor's wrapping
    nested = [g.replace("\n", "\n    ") for g in gradients]  # a container's gradient written over lines
    return "\n".join([f"    return {value}(", *(f"        {g}," for g in nested), "    )"])
