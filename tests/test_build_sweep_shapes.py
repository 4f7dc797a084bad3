"""A template's ``Shape``, read once by ``rule_plan``, is what the sweep would find on each
contribution filled in with Names (issue 13: no walk per contribution).

- its reads of the upstream ``g`` and its size are ``_reads_and_size``'s of the filled tree;
- where ``g`` leads it (``led_by_g``), the filled tree is never an int while ``g`` is an
  adjoint, even with every value an int (``may_be_integer``): the sweep skips that check;
- ``named_filler``'s shortcuts fill in what ``ir.filler`` fills in;
- where it reads ``g`` once under operators alone, ``path_to_g`` leads to that read, and
  putting a tree there (``ir.simplify_substituted_along``) gives what ``simplify_substituted`` gives.
Checked on every template of the scalar rules table and on random trees.
"""
import ast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from srcdiff.ir import (Var, copy_expr, filler, literal, names_of, simplify_expr, simplify_substituted,
                        simplify_substituted_along)
from srcdiff.rules import RULES, template_ast
from srcdiff.transforms.contributions import may_be_integer
from srcdiff.transforms.plans import named_filler, shape_of
from srcdiff.transforms.records import Tokens
from srcdiff.transforms.straight import _reads_and_size

OPERANDS = ("g", "y", "x", "x0", "x1", "x2")  # the placeholders a rule's bindings fill in
TEMPLATES = sorted({t for rule in RULES.values() if isinstance(rule, tuple) for t in rule if isinstance(t, str)})


def _check(simplified):
    """Fill ``simplified`` with Names (``g`` an adjoint, the others int values) as the sweep does and
    compare with its Shape."""
    tokens = Tokens()
    values = {name: Var(name) for name in OPERANDS if name != "g"}
    bindings = {name: ast.Name(tokens.value(var), ast.Load()) for name, var in values.items()}
    bindings["g"] = ast.Name(tokens.adjoint(Var("target")), ast.Load())
    bound = names_of(simplified) & set(OPERANDS)
    filled = named_filler(simplified, bound)({name: bindings[name] for name in bound})
    assert ast.dump(filled) == ast.dump(filler(simplified, shared=True)({name: bindings[name] for name in bound}))
    shape = shape_of(simplified)
    assert _reads_and_size(filled, bindings["g"].id) == (shape.reads_g, shape.size)
    if shape.led_by_g:
        assert not may_be_integer(filled, tokens, set(values.values()))
    if shape.path_to_g is not None:
        read = filled
        for field in shape.path_to_g:
            read = getattr(read, field)
        assert read is bindings["g"]
        for value in PUT_IN:
            expected = simplify_substituted(copy_expr(filled), bindings["g"].id, copy_expr(value))
            got = simplify_substituted_along(copy_expr(filled), shape.path_to_g, copy_expr(value))
            assert ast.dump(got) == ast.dump(expected)
    else:
        assert shape.reads_g != 1 or _under_other_nodes(simplified)


def _under_other_nodes(tree):
    """Whether the one read of ``g`` in ``tree`` is under a node that is not an operator."""
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    node = next(n for n in ast.walk(tree) if type(n) is ast.Name and n.id == "g")
    while id(node) in parents:
        node = parents[id(node)]
        if type(node) not in (ast.BinOp, ast.UnaryOp):
            return True
    return False


# simplified trees put where the upstream is read (pending contributions): a product, a name, a
# negation, a number times a name (which a rule above may fold)
PUT_IN = [ast.parse(text, mode="eval").body for text in ("_g7_ * _v1_", "_g7_", "-_g7_", "2.0 * _g7_", "_g7_ / _v2_")]


@pytest.mark.parametrize("template", TEMPLATES)
def test_shape_of_each_rule_template(template):
    _check(simplify_expr(copy_expr(template_ast(template)), copy=False))


TREES = st.recursive(
    st.one_of(st.sampled_from(OPERANDS + ("math",)).map(lambda n: ast.Name(id=n, ctx=ast.Load())),
              st.sampled_from([0, 1, 2.0, -3, True]).map(literal)),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from([ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Pow]), inner).map(
            lambda t: ast.BinOp(left=t[0], op=t[1](), right=t[2])),
        st.tuples(st.sampled_from([ast.USub, ast.Not]), inner).map(lambda t: ast.UnaryOp(op=t[0](), operand=t[1])),
        st.tuples(inner, inner).map(lambda t: ast.Compare(left=t[0], ops=[ast.Lt()], comparators=[t[1]])),
        inner.map(lambda e: ast.Call(func=ast.Attribute(value=ast.Name(id="math", ctx=ast.Load()), attr="cos",
                                                         ctx=ast.Load()), args=[e], keywords=[]))),
    max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(TREES)
def test_shape_of_random_trees(tree):
    _check(simplify_expr(tree))
