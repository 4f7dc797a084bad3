"""Operators in lowering: ``a + b * c``, ``-x``, ``~mask``, ``a < b``, ``mode == "mean"``, ``(y := x * x)``.

``OperatorLowering`` is mixed into ``function._Lowerer`` (which supplies ``expr``,
``emit``, ``bind`` and ``error``).  An expression of operators is lowered with a stack of its own,
left operand first as recursion would, so a sum of a thousand terms lowers like a short
one; an operator srcdiff has no op for is refused before its operands are lowered.
"""
import ast

from ..errors import UnsupportedSyntaxError
from ..ir import BINARY_OPS, COMPARE_OPS, MEMBERSHIP_OPS, SYMBOL_OF, Const
from . import branches
from .binding import KeywordValues
from .calls import TupleValue
from .iterators import is_iterator
from .texts import TEXT_COMPARISONS, is_setting_text, setting

_UNARY = {ast.USub: "neg", ast.UAdd: "pos", ast.Not: "not", ast.Invert: "invert"}


# the binary operators ``operators`` lowers by recursion; ``**`` groups to the right (``x ** y ** z``
# nests on the right, where recursion would go as deep as the chain is long): always on the stack
_BINARY = {cls: symbol for cls, symbol in SYMBOL_OF.items() if symbol in BINARY_OPS and symbol != "**"}
DEEPEST = 16  # binary operations under way by recursion at most: deeper ones go on ``operators``' stack


class OperatorLowering:
    """Binary, unary and comparison operators; see the module docstring."""

    depth = 0  # how many binary operations ``operators`` is lowering by recursion in this function

    def operators(self, root, hint):
        """An expression of operators (``a + b * c``, ``- - x``, ``x ** y ** z``): lowered
        left operand first, as by recursion, but with a stack of its own, so a sum of a
        thousand terms lowers like a short one.  Each operator is refused (``operator_of``)
        before its operands are lowered.

        The short binary operations most lines hold are lowered by recursion instead, which
        costs less and does the same: the same operations in the same order, the same refusals
        (each operator refused before its operands are lowered, the left one first), and, up to
        ``DEEPEST`` operations under way, about as deep a stack of calls as lowering the operands
        makes anyway."""
        op = _BINARY.get(type(root.op)) if type(root) is ast.BinOp and self.depth < DEEPEST else None
        if op is not None:
            self.depth += 1
            try:
                left = self.expr(root.left)
                right = self.expr(root.right)
            finally:
                self.depth -= 1
            return self.emit(op, (left, right), root, hint)
        todo, values = [(root, None)], []
        while todo:
            node, op = todo.pop()  # op: None until the node's operands are lowered
            if op is not None:
                values.append(self.operation(node, op, values, hint if node is root else None))
                continue
            kind = type(node)
            while kind is ast.BinOp or kind is ast.UnaryOp:  # down the left operands, the rest left for later
                if kind is ast.BinOp:
                    todo += ((node, self.operator_of(node)), (node.right, None))
                    node = node.left
                else:
                    todo.append((node, _UNARY[type(node.op)]))
                    node = node.operand
                kind = type(node)
            values.append(self.expr(node))
        return values[0]

    def operation(self, node, op, values, name):
        """The operand of the BinOp or UnaryOp ``node`` whose operands are the last one or two
        of ``values`` (taken off): its ``op`` emitted, or a negative literal folded."""
        if type(node) is ast.BinOp:
            right = values.pop()
            return self.emit(op, (values.pop(), right), node, name)
        operand = values.pop()
        if op == "neg" and type(operand) is Const and type(operand.value) in (int, float):
            return Const(-operand.value)  # a negative literal (generated code has many: -6.0 * x)
        return self.emit(op, (operand,), node, name)

    def operator_of(self, node):
        """The IR op of a BinOp or UnaryOp node; refused if srcdiff has none."""
        if isinstance(node, ast.UnaryOp):
            return _UNARY[type(node.op)]
        symbol = SYMBOL_OF.get(type(node.op))
        if symbol not in BINARY_OPS:
            raise self.error(UnsupportedSyntaxError, node, f"the operator in '{ast.unparse(node)}' is not supported",
                             "use + - * / ** // % @, or & | ^ on masks")
        return symbol

    def comparison(self, op, node):
        symbol = SYMBOL_OF.get(type(op))
        if symbol not in COMPARE_OPS and symbol not in MEMBERSHIP_OPS:
            raise self.error(UnsupportedSyntaxError, node, f"the comparison in '{ast.unparse(node)}' is not supported",
                             "use < <= > >= == != in or not in")
        return symbol

    def compare(self, node, hint=None):
        """A comparison: one operation, or a chain of them (``branches``: ``a < b < c``)."""
        if len(node.ops) != 1:
            return branches.expr_chained_compare(self, node, hint, self.comparison)
        symbol = self.comparison(node.ops[0], node)
        left, right = self.compared_sides(node, symbol)
        if symbol in MEMBERSHIP_OPS and isinstance(right, KeywordValues) and isinstance(left, Const):
            return Const((left.value in right) == (symbol == "in"))  # "b" in d, a dict built here: known
        return self.emit(symbol, (left, right), node, hint)

    def compared_sides(self, node, symbol):
        """The operands of ``node``, a comparison ``symbol`` of two sides: a string literal is
        taken only where it is tested for (in)equality (``mode == "mean"``: a setting, which
        never has a gradient; ``texts``); a display tested for membership is the tuple of its
        items (a constant where every item is one)."""
        sides = (node.left, node.comparators[0])
        if symbol in TEXT_COMPARISONS and any(map(is_setting_text, sides)):
            left, right = (setting(self, side) if is_setting_text(side) else self.expr(side) for side in sides)
        else:
            left, right = self.expr(node.left), self.expr(node.comparators[0])
        if symbol in MEMBERSHIP_OPS and isinstance(right, TupleValue):  # x in (1.0, 2.0): the display's items
            right = Const(tuple(i.value for i in right)) if all(isinstance(i, Const) for i in right) \
                else self.emit("tuple", tuple(right), node.comparators[0])
        return left, right


    def walrus(self, node, hint=None):
        """``(y := value)``: ``value``, bound to ``y`` as an assignment before the statement would
        (the fence refuses ``:=`` where Python would bind it otherwise: ``fence._check_walrus``)."""
        value = self.expr(node.value, node.target.id)
        if is_iterator(self, value):  # reversed(xs): read once, as a name bound by '=' (iterators)
            raise self.error(UnsupportedSyntaxError, node, "reversed(...) bound by ':=' is not supported",
                             "write list(reversed(xs)) to read it more than once, or assign it in a statement of its own")
        self.bind(node.target, value)
        return value
