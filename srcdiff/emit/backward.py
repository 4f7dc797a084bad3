"""The backward section of a gradient: its records printed, in execution order.

| record | printed as |
| --- | --- |
| ``Accumulate`` | ``grad_v = e`` (first write), ``grad_v += e`` (a fork), or ``grad_v = grad_v + e`` where the adjoint may still be another array (adding in place would change that one) |
| any expression | ``v ** 2`` written ``v * v`` (``squares_multiplied``): one multiplication where ``**`` calls ``pow`` |
| ``ItemAccumulate`` | ``grad_ws[k] += e`` (``[-1 - k]`` for ``reversed``) |
| ``Unpack`` | ``grad_a, grad_b = Cls.backward(ctx, grad_z)`` |
| ``BIf`` | ``if c:`` / ``else:``, each side first popping what its forward side pushed (inside a loop); nothing for a side whose forward side raised |
| ``BLoop`` | ``for i in reversed(range(...)):`` for a range that never breaks, else ``for _ in range(iterations):`` (``for k in reversed(range(iterations)):`` when items need their position), first popping what an iteration pushed |

Whether ``+=`` is safe is decided along the paths the code runs: an adjoint is *owned*
once it was written as a new value (an arithmetic expression, a constant) or rebound by
``grad_v = grad_v + e``; a first write that is another name (``grad_a = grad_b``) may
share an array.  After a branch an adjoint is owned if both sides own it; a loop body
starts from what holds both before the loop and at the end of an iteration.
"""
import ast

from ..ir import copy_expr, replays_range
from ..ir.printing import iter_source
from ..transforms import Accumulate, BIf, BLoop, ItemAccumulate, Unpack
from .masks import aliased_expr
from .printer import Printer, if_lines, indented, pad, raises
from .text import statement_source


class BackwardPrinter(Printer):
    """A ``Printer`` of gradients: the forward part (``Printer``) and the backward records.

    Besides a Printer's data it takes ``grad_names`` (the adjoint of each Var), ``namer``
    (fresh names for loop positions), ``comments`` (a ``# grad of:`` line before the
    records of each source line) and a ``Tape``.
    """

    def __init__(self, names, final_names, live, aliases, grad_names, namer, comments, tape, merge_read=frozenset()):
        super().__init__(names, final_names, live, aliases, tape=tape, merge_read=merge_read)
        self.grad_names, self.namer, self.comments = grad_names, namer, comments
        self.dummy = namer.fresh("_")
        self.index = None  # the name of the position of a reversed loop's items
        self.last_line = None

    def backward(self, statements, depth, owned):
        """The lines of ``statements``; ``owned`` (a set of Vars, updated) holds the adjoints
        that are arrays of their own on every path reaching this point."""
        lines = []
        for stmt in statements:
            loc = getattr(stmt, "loc", None)  # one comment per run of records from one source line
            if self.comments and loc is not None and (loc.filename, loc.lineno) != self.last_line:
                lines.append(pad(depth) + "# grad of: " + loc.line_text.strip())
                self.last_line = (loc.filename, loc.lineno)
            if isinstance(stmt, Unpack):  # grad_a, grad_b = Cls.backward(ctx, grad_z)
                lines.append(self.located(pad(depth) + self.unpack(stmt), loc))
                owned.difference_update(stmt.parts)
            elif isinstance(stmt, ItemAccumulate):  # grad_ws[k] += grad_w
                lines.append(self.located(pad(depth) + self.item(stmt), loc))
            elif isinstance(stmt, Accumulate):
                lines.append(self.located(indented(statement_source(self.accumulate(stmt, owned)), depth), loc))
            elif isinstance(stmt, BIf):
                lines += self.backward_if(stmt, depth, owned)
            elif isinstance(stmt, BLoop):
                lines += self.backward_loop(stmt, depth, owned)
        return lines

    def backward_if(self, stmt, depth, owned):
        fwd = stmt.forward
        sides, after = [], []
        for side, back_side in enumerate((stmt.then, stmt.orelse)):
            if raises((fwd.body, fwd.orelse)[side]):  # the forward side raised: this one never runs
                sides.append([])
                continue
            lines = self.tape.pop_branch(fwd, side, back_side, depth + 1)
            mine = set(owned)
            sides.append(lines + self.backward(back_side, depth + 1, mine))
            after.append(mine)
        owned.clear()
        owned.update(set.intersection(*after) if after else set())
        return self.located_if(if_lines(self.operand(stmt.cond), *sides, depth), fwd.loc)

    def backward_loop(self, stmt, depth, owned):
        loop = stmt.forward
        outer_index = self.index  # a nested loop has its own position
        if replays_range(loop):
            targets = ", ".join(self.names[t] for t in loop.iter.targets)
            args = ", ".join(self.operand(a) for a in loop.iter.args)
            header = f"for {targets} in {iter_source(loop.iter.kind, args, backwards=True)}"
        elif any(isinstance(s, ItemAccumulate) and s.index is None for s in stmt.body) \
                or self.tape.needs_position(loop):  # the item's position
            self.index = self.namer.fresh("k")
            header = f"for {self.index} in reversed(range({self.names[loop.count]}))"
        else:
            header = f"for {self.dummy} in range({self.names[loop.count]})"
        entry = _owned_at_loop_entry(stmt.body, owned)
        lines = [pad(depth) + header + ":"]
        lines += self.tape.pop_iteration(loop, depth + 1, self.index)
        lines += self.backward(stmt.body, depth + 1, set(entry))
        owned.intersection_update(entry)  # the loop may run no iteration at all
        self.index = outer_index
        return lines

    def accumulate(self, acc, owned):
        target = self.grad_names[acc.var]
        expr = squares_multiplied(aliased_expr(copy_expr(acc.expr, self.final_names), self.aliases))
        if acc.first:
            (owned.add if _makes_new_value(expr) else owned.discard)(acc.var)
            return ast.Assign(targets=[ast.Name(id=target, ctx=ast.Store())], value=expr, lineno=0)
        op, expr = accumulation(expr)
        if acc.var in owned:
            return ast.AugAssign(target=ast.Name(id=target, ctx=ast.Store()), op=op, value=expr)
        owned.add(acc.var)  # the adjoint may alias another array: rebind instead of adding in place
        total = ast.BinOp(left=ast.Name(id=target, ctx=ast.Load()), op=op, right=expr)
        return ast.Assign(targets=[ast.Name(id=target, ctx=ast.Store())], value=total, lineno=0)

    def item(self, stmt):
        if stmt.index is not None:  # the loop's own counter (enumerate)
            index = ast.unparse(copy_expr(stmt.index, self.final_names))
        else:
            index = f"-1 - {self.index}" if stmt.backwards else self.index
        expr = squares_multiplied(aliased_expr(copy_expr(stmt.expr, self.final_names), self.aliases))
        return f"{self.grad_names[stmt.var]}[{index}] += {ast.unparse(expr)}"

    def unpack(self, record):
        """``grad_a, _ = Cls.backward(ctx, grad_z)`` (a bare target when forward has one argument)."""
        targets = [self.grad_names[p] if p is not None else "_" for p in record.parts]
        left = targets[0] if len(targets) == 1 else ", ".join(targets)
        return f"{left} = {ast.unparse(copy_expr(record.expr, self.final_names))}"


def accumulation(expr):
    """``(+, expr)``, or ``(-, e)`` when the contribution is ``-e``: ``g -= e`` reads better."""
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
        return ast.Sub(), expr.operand
    return ast.Add(), expr


def _makes_new_value(expr):
    """Whether a first write makes a new value (arithmetic, a constant), not another name's."""
    return isinstance(expr, (ast.BinOp, ast.UnaryOp, ast.Constant))


def _owned_after(statements, owned):
    """``owned`` after ``statements`` run, without printing them (for loops: see below)."""
    owned = set(owned)
    for stmt in statements:
        if isinstance(stmt, Unpack):
            owned.difference_update(stmt.parts)
        elif isinstance(stmt, Accumulate):
            if not stmt.first or _makes_new_value(stmt.expr):
                owned.add(stmt.var)
            else:
                owned.discard(stmt.var)
        elif isinstance(stmt, BIf):
            owned = _owned_after(stmt.then, owned) & _owned_after(stmt.orelse, owned)
        elif isinstance(stmt, BLoop):
            owned &= _owned_at_loop_entry(stmt.body, owned)
    return owned


def _owned_at_loop_entry(body, before):
    """What is owned at the start of every iteration: before the loop and after each round."""
    entry = set(before)
    while True:
        nxt = entry & _owned_after(body, entry)
        if nxt == entry:
            return entry
        entry = nxt


def squares_multiplied(expr):
    """``expr`` (an ``ast`` expression, changed in place) with each ``v ** 2`` of a name
    written ``v * v``, as ``squared`` does for forward statements: ``1 - y * y`` in the
    adjoint of ``tanh``."""
    return _SquaresMultiplied().visit(expr)


class _SquaresMultiplied(ast.NodeTransformer):
    def visit_BinOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Pow) and isinstance(node.left, ast.Name) and isinstance(node.right, ast.Constant) \
                and type(node.right.value) is int and node.right.value == 2:
            return ast.BinOp(left=node.left, op=ast.Mult(), right=ast.Name(id=node.left.id, ctx=ast.Load()))
        return node
