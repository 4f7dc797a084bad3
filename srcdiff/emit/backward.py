"""The backward half of ``emit_flow``: prints the structured backward sweep.

| record | printed as |
| --- | --- |
| ``Accumulate`` | ``grad_v = e`` (first write), ``grad_v += e`` (or ``grad_v = grad_v + e`` where the adjoint may alias an array) |
| ``ItemAccumulate`` | ``grad_ws[k] += e`` (``[-1 - k]`` for ``reversed``) |
| ``BIf`` | ``if c:`` / ``else:``, each side first popping what its forward side pushed (inside a loop) |
| ``BLoop`` | ``for i in reversed(range(...)):`` for a range that never breaks, else ``for _ in range(iterations):`` (``for k in reversed(range(iterations)):`` when items need their position), first popping what an iteration pushed |

``BackwardPrinter`` is a mixin of ``emit_flow._Printer``: it uses its names, tape and
``taped``/``pop`` helpers.
"""
import ast

from ..ir import copy_expr, defined_in_block, replays_range
from ..ir.printing import iter_source
from ..transforms import Accumulate, BIf, BLoop, ItemAccumulate, Unpack
from .text import _accumulation, _alias_modules, _indent, statement_source, unpack_source


class BackwardPrinter:
    def backward(self, statements, depth):
        lines = []
        last_loc = None
        for stmt in statements:
            if isinstance(stmt, Unpack):  # grad_a, grad_b = Cls.backward(ctx, grad_z)
                lines.append(pad(depth) + unpack_source(stmt, self.grad_names, self.final_names))
            elif isinstance(stmt, ItemAccumulate):  # grad_ws[k] += grad_w
                if stmt.index is not None:  # the loop's own counter (enumerate)
                    index = ast.unparse(copy_expr(stmt.index, self.final_names))
                else:
                    index = f"-1 - {self.index}" if stmt.backwards else self.index
                target = f"{self.grad_names[stmt.var]}[{index}]"
                lines.append(pad(depth) + f"{target} += {ast.unparse(copy_expr(stmt.expr, self.final_names))}")
            elif isinstance(stmt, Accumulate):
                if self.comments and stmt.loc is not None and stmt.loc != last_loc:
                    lines.append(pad(depth) + "# grad of: " + stmt.loc.line_text.strip())
                    last_loc = stmt.loc
                lines.append(_indent(statement_source(self.accumulate(stmt)), depth))
            elif isinstance(stmt, BIf):
                lines += self.backward_if(stmt, depth)
            elif isinstance(stmt, BLoop):
                loop = stmt.forward
                outer_index = getattr(self, "index", None)  # a nested loop has its own position
                if replays_range(loop):
                    targets = ", ".join(self.names[t] for t in loop.iter.targets)
                    args = ", ".join(self.operand(a) for a in loop.iter.args)
                    header = f"for {targets} in {iter_source(loop.iter.kind, args, backwards=True)}"
                elif any(isinstance(s, ItemAccumulate) and s.index is None for s in stmt.body):  # the item's position
                    self.index = self.namer.fresh("k")
                    header = f"for {self.index} in reversed(range({self.names[loop.count]}))"
                else:
                    header = f"for {self.dummy} in range({self.names[loop.count]})"
                lines.append(pad(depth) + header + ":")
                lines += self.pop(self.loop_taped(loop, stmt.body), depth + 1)
                lines += self.backward(stmt.body, depth + 1)
                self.index = outer_index
        return lines

    def backward_if(self, stmt, depth):
        fwd = stmt.forward
        sides = []
        for body, back_side in ((fwd.body, stmt.then), (fwd.orelse, stmt.orelse)):
            lines = self.pop(self.taped(defined_in_block(body), back_side), depth + 1) if self._in_loop(fwd) else []
            sides.append(lines + self.backward(back_side, depth + 1))
        return if_lines(self.operand(stmt.cond), *sides, depth)

    def _in_loop(self, fwd):
        return id(fwd) in self.in_loop_ifs

    def accumulate(self, acc):
        target = self.grad_names[acc.var]
        expr = _alias_modules(copy_expr(acc.expr, self.final_names), self.aliases)
        if acc.first:
            return ast.Assign(targets=[ast.Name(id=target, ctx=ast.Store())], value=expr, lineno=0)
        op, expr = _signed(expr)
        if acc.var in self.fresh:
            return ast.AugAssign(target=ast.Name(id=target, ctx=ast.Store()), op=op, value=expr)
        total = ast.BinOp(left=ast.Name(id=target, ctx=ast.Load()), op=op, right=expr)
        return ast.Assign(targets=[ast.Name(id=target, ctx=ast.Store())], value=total, lineno=0)


def _signed(expr):
    """``(+, e)``, or ``(-, e)`` when the contribution is ``-e`` or ``-a * b / c``: ``g -= a * b / c``."""
    op, expr = _accumulation(expr)
    if isinstance(op, ast.Add):
        spine = expr
        while isinstance(spine, ast.BinOp) and isinstance(spine.op, (ast.Mult, ast.Div)):
            if isinstance(spine.left, ast.UnaryOp) and isinstance(spine.left.op, ast.USub):
                spine.left = spine.left.operand  # the caller owns ``expr`` (a fresh copy)
                return ast.Sub(), expr
            spine = spine.left
    return op, expr


def if_lines(cond, then, orelse, depth):
    """``if c:`` / ``else:`` lines; an empty then-side becomes ``if not c:``."""
    if not then and not orelse:
        return []
    if not then:
        return [pad(depth) + f"if not {cond}:"] + orelse
    if _one_if(orelse, depth + 1):  # else: if d: ... -> elif d: ...
        return [pad(depth) + f"if {cond}:"] + then + [pad(depth) + "el" + orelse[0].lstrip()] + \
            [line[4:] for line in orelse[1:]]  # one level less deep
    return [pad(depth) + f"if {cond}:"] + then + ([pad(depth) + "else:"] + orelse if orelse else [])


def _is_branch(line):
    text = line.strip()
    return text.startswith(("elif ", "else:"))


def _one_if(lines, depth):
    """Whether ``lines`` are one ``if`` statement at ``depth`` (its ``elif``/``else`` included)."""
    if not lines or not lines[0].startswith(pad(depth) + "if "):
        return False
    top = [line for line in lines if not line.startswith(pad(depth + 1))]
    return all(_is_branch(line) for line in top[1:])


def pad(depth):
    return "    " * depth
