"""Functions with one more parameter: the tangent or cotangent a derived function takes.

``with_extra_parameter`` appends a positional parameter (``v`` of ``hvp_f(x, v)``,
``dot_x`` of ``jvp_f(x, dot_x)``); ``fresh_name`` picks its name so that it collides
with nothing of the user's.
"""
import ast
import dataclasses


def fresh_name(base, reserved):
    name, n = base, 0
    while name in reserved:
        n += 1
        name = f"{base}_{n}"
    return name


def with_extra_parameter(function, var):
    """``function`` with one more positional parameter ``var``, after the others.

    Positional defaults are dropped (a parameter without a default cannot follow them).
    """
    args = function.arguments
    arguments = ast.arguments(posonlyargs=list(args.posonlyargs), args=list(args.args) + [ast.arg(arg=var.hint)],
                              vararg=None, kwonlyargs=list(args.kwonlyargs), kw_defaults=list(args.kw_defaults),
                              kwarg=None, defaults=[])
    positional = len(args.posonlyargs) + len(args.args)
    params = function.params[:positional] + (var,) + function.params[positional:]
    return dataclasses.replace(function, params=params, arguments=arguments,
                               reserved=function.reserved | {var.hint})
