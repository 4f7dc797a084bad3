"""The binding of a call's arguments to the parameters of the function it inlines, as
Python binds them: positional, then by keyword (never a positional-only parameter), the
rest to ``*args`` (a ``TupleValue``) and ``**kwargs`` (``KeywordValues``), missing ones to
their defaults; too many, too few, unknown or repeated arguments refused at the call.
"""
from ..errors import UnsupportedSyntaxError
from .calls import TupleValue
from .iterators import check_iterator_argument, is_iterator
from .texts import is_setting_text, setting


class KeywordValues(dict):
    """The operands a helper's ``**kwargs`` collects, by keyword."""


def bind_arguments(lw, inner, callee, node, defaults=None, first=()):
    """Bind the parameters of ``callee`` (a Source; ``inner`` lowers it) to the arguments of
    the call ``node`` (spread), lowered by ``lw``; a missing one to ``defaults`` (a closure's
    operands) or else to its default expression, lowered in ``inner``.  ``first`` are the
    operands of its first parameters (a method's ``self``), before the call's own."""
    a, name = callee.node.args, callee.node.name
    positional = list(a.posonlyargs) + list(a.args)
    if len(first) > len(positional):
        raise lw.error(UnsupportedSyntaxError, node, f"'{name}' has no parameter for the object it is called on",
                       f"give '{name}' a first parameter (self)")
    values = list(first) + [_argument(lw, arg) for arg in node.args]
    if len(values) > len(positional) and a.vararg is None:
        raise lw.error(UnsupportedSyntaxError, node, f"too many arguments in call to '{name}'",
                       f"pass the parameters '{name}' takes")
    bound = {p.arg: v for p, v in zip(positional, values)}
    extra = KeywordValues()
    by_keyword = {p.arg for p in list(a.args) + list(a.kwonlyargs)}
    for keyword in node.keywords:
        if keyword.arg in bound or keyword.arg in extra:
            raise lw.error(UnsupportedSyntaxError, keyword, f"'{name}' got multiple values for argument "
                           f"'{keyword.arg}'", f"pass each of the parameters '{name}' takes once")
        if keyword.arg not in by_keyword and a.kwarg is None:
            raise lw.error(UnsupportedSyntaxError, keyword, f"unexpected keyword argument '{keyword.arg}' in call "
                           f"to '{name}'", f"pass the parameters '{name}' takes, each once")
        (bound if keyword.arg in by_keyword else extra)[keyword.arg] = _argument(lw, keyword.value)
    if a.vararg is not None:
        bound[a.vararg.arg] = TupleValue(values[len(positional):])
    if a.kwarg is not None:
        bound[a.kwarg.arg] = extra
    texts = dict(zip([p.arg for p in positional][::-1], a.defaults[::-1]))
    texts.update({p.arg: d for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None})
    for param in positional + list(a.kwonlyargs):
        if param.arg in bound:
            continue
        if defaults is not None and param.arg in defaults:
            bound[param.arg] = defaults[param.arg]
        elif defaults is None and param.arg in texts:
            bound[param.arg] = _argument(inner, texts[param.arg])
        else:
            raise lw.error(UnsupportedSyntaxError, node, f"missing argument '{param.arg}' in call to '{name}'",
                           f"pass a value for '{param.arg}'")
    for param, value in bound.items():  # reversed(xs) read twice by the helper would not be spent (iterators)
        if is_iterator(lw, value):
            check_iterator_argument(lw, callee, param, node)
    inner.env.update(bound)


def _argument(lw, node):
    """The operand of an argument (or a default) of an inlined helper: a string literal
    is a setting the helper may test (``reduction == "sum"``)."""
    return setting(lw, node) if is_setting_text(node) else lw.operand(node)
