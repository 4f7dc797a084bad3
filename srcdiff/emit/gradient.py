"""Print the gradient of a function with control flow (see ``emit`` for straight-line code).

Output contract: the same function shape as ``emit.emit_gradient`` (signature, docstring,
``# forward``, ``# backward``, return), where

| IR | forward sweep | backward sweep |
| --- | --- | --- |
| ``If`` | ``if c:`` the branch, then ``m = a`` for each merge | ``if c:`` the branch's adjoints (the same ``c``: the path taken) |
| ``Loop`` | ``h = init``; ``for``/``while True`` body; ``h = next``; ``if stop: break``; ``iterations += 1`` when the backward sweep needs the count | ``for _ in range(iterations):`` the body's adjoints |
| a value a reversed block reads, defined in a block inside a loop | ``tape.append(v)`` at the end of its block | ``v = tape.pop()`` at the start of the reversed block |

Only what the loop overwrites goes on the tape: values defined outside every loop stay
in their variables.  The tape is one Python list, used as a stack.
"""
import ast

import dataclasses

from ..analysis import live_vars
from ..ir import (Assign, Const, If, Loop, Undefined, Var, assign_node, copy_expr, defined_at, defined_in_block,
                  has_flow, loop_body_defined, replays_range, walk)
from ..ir.printing import iter_header, loop_end_lines, operand_text
from ..transforms import Accumulate, BIf, BLoop, ItemAccumulate, Unpack
from ..transforms import accumulates as _accumulates
from .backward import BackwardPrinter, if_lines as _if_lines, pad as _pad
from .naming import Namer, assign_names, module_aliases
from .prune import prune
from .text import (_accumulation, _adjoints_written, _alias_modules, _gradient_expr, _indent, _with_aliases, result_check_lines,
                   return_line, signature_line, statement_source, unpack_source)


def emit_gradient(function, backward, *, name, returns, single, docstring=None, comments=False, prefix="grad_",
                  like=False, check_scalar=False):
    """The source of the gradient function.

    ``returns`` is ``"grad"`` (return the gradients) or ``"value_and_grad"`` (return
    ``value, gradients``); ``single`` returns one gradient bare instead of a tuple.
    Array code: ``like`` returns each gradient as ``rt.like(grad_x, x)`` (the parameter's
    type, shape and dtype); ``check_scalar`` ends the forward section with
    a check that the result is one number (``result_check_lines``).
    """
    if has_flow(function.body):
        return emit_flow_gradient(function, backward, name=name, returns=returns, single=single, docstring=docstring,
                                  comments=comments, prefix=prefix, like=like, check_scalar=check_scalar)
    want_value = returns == "value_and_grad"
    roots = set(backward.needed)
    if (want_value or check_scalar) and isinstance(function.result, Var):
        roots.add(function.result)
    forward = _live_statements(function.body, roots)
    aliases = module_aliases(function)
    adjoint_order = list(dict.fromkeys(v for s in backward.statements for v in _adjoints_written(s)))
    names, grad_names = assign_names(dataclasses.replace(function, body=tuple(forward)), adjoint_order, prefix)
    final_names = {}  # token -> a Name node of its final name
    for token, (kind, var) in backward.tokens.by_token.items():
        table = grad_names if kind == "adjoint" else names
        if var in table:  # tokens made for placeholders a template did not use have no name
            final_names[token] = ast.Name(id=table[var], ctx=ast.Load())

    lines = [signature_line(name, function.arguments)]
    if docstring:
        lines.append(f'    """{docstring}"""')
    if forward:
        lines.append("    # forward")
        lines.extend(_indent(statement_source(assign_node(_with_aliases(s, aliases), names))) for s in forward)
    if check_scalar and isinstance(function.result, Var):
        lines.extend(result_check_lines(names[function.result], aliases))
    if backward.statements:
        lines.append("    # backward")
    fresh = {}
    last_line = None
    for acc in backward.statements:
        # one comment per run of statements from the same source line (not per column)
        if comments and acc.loc is not None and (acc.loc.filename, acc.loc.lineno) != last_line:
            lines.append("    # grad of: " + acc.loc.line_text.strip())
            last_line = (acc.loc.filename, acc.loc.lineno)
        if isinstance(acc, Unpack):  # grad_a, grad_b = Cls.backward(ctx, grad_z)
            fresh.update((part, False) for part in acc.parts if part is not None)
            lines.append("    " + unpack_source(acc, grad_names, final_names))
            continue
        target = grad_names[acc.var]
        expr = _alias_modules(copy_expr(acc.expr, final_names), aliases)
        if acc.first:
            stmt = ast.Assign(targets=[ast.Name(id=target, ctx=ast.Store())], value=expr, lineno=0)
            fresh[acc.var] = isinstance(expr, (ast.BinOp, ast.UnaryOp, ast.Constant))
        else:
            op, expr = _accumulation(expr)
            if fresh[acc.var]:
                stmt = ast.AugAssign(target=ast.Name(id=target, ctx=ast.Store()), op=op, value=expr)
            else:  # the adjoint may alias another array: rebind instead of adding in place
                total = ast.BinOp(left=ast.Name(id=target, ctx=ast.Load()), op=op, right=expr)
                stmt = ast.Assign(targets=[ast.Name(id=target, ctx=ast.Store())], value=total, lineno=0)
                fresh[acc.var] = True
        lines.append(_indent(statement_source(stmt)))
    gradients = [_gradient_expr(p, names, grad_names, aliases, like) for p in backward.wrt]
    lines.append(return_line(function, gradients, single, want_value, names, aliases))
    return "\n".join(lines) + "\n"




def emit_flow_gradient(function, backward, *, name, returns, single, docstring=None, comments=False, prefix="grad_",
                       like=False, check_scalar=False):
    """The source of the gradient function of a function with control flow (parameters as
    ``emit.emit_gradient``)."""
    want_value = returns == "value_and_grad"
    reads = {}
    _collect_reads(backward.statements, backward.tokens, reads)
    roots = set().union(*reads.values())  # every value some backward block reads
    if want_value or check_scalar:
        roots.add(function.result)
    live = live_vars(function.body, roots)
    adjoint_order = list(dict.fromkeys(s.var for s in _accumulates(backward.statements)))
    # the result named like any value (not as a temporary) when the forward sweep does not compute it
    pruned = type(function)(**{**function.__dict__, "body": prune(function.body, live),
                               "result": function.result if function.result in live else None})
    names, grad_names = assign_names(pruned, adjoint_order, prefix)
    aliases = module_aliases(function)
    namer = Namer(set(function.reserved) | set(names.values()) | set(grad_names.values()) | set(aliases.values()))
    for stmt in walk(function.body):  # a loop replayed backwards whose forward run was not needed
        if isinstance(stmt, Loop) and replays_range(stmt):
            names.update((t, namer.fresh(t.hint)) for t in stmt.iter.targets if t not in names)
    printer = _Printer(names, grad_names, live, backward, reads, namer, comments, aliases)
    printer.merge_read = _merge_operands(function.body, live)
    printer.in_loop_ifs = {id(s) for loop in walk(function.body) if isinstance(loop, Loop)
                           for s in walk(loop.test_body + loop.body) if isinstance(s, If)}

    forward = printer.forward(function.body, 1, in_loop=False)
    lines = [signature_line(name, function.arguments)]
    if docstring:
        lines.append(f'    """{docstring}"""')
    if forward:
        lines.append("    # forward")
        if printer.uses_tape:
            lines.append(f"    {printer.tape} = []")
        lines += forward
    if check_scalar and isinstance(function.result, Var):
        lines.extend(result_check_lines(names[function.result], aliases))
    if backward.statements:
        backward_lines = printer.backward(backward.statements, 1)
        if want_value and function.result in printer.popped:  # the backward sweep reuses its name
            saved = namer.fresh("value")
            lines.append(f"    {saved} = {names[function.result]}")
            names = {**names, function.result: saved}
        lines.append("    # backward")
        lines += backward_lines
    gradients = [_gradient_expr(p, names, grad_names, aliases, like) for p in backward.wrt]
    by_items = {s.var for s in _accumulates(backward.statements) if isinstance(s, ItemAccumulate)}
    gradients = [f"{aliases['rt']}.items_like({grad_names[p]}, {names[p]})" if p in by_items else g
                 for p, g in zip(backward.wrt, gradients)]
    lines.append(return_line(function, gradients, single, want_value, names, aliases))
    return "\n".join(lines) + "\n"


def _collect_reads(statements, tokens, reads):
    """``reads[id(block)]``: the forward values a backward block (and its nested ones) reads."""
    found = set()
    for stmt in statements:
        if isinstance(stmt, Unpack):
            for node in ast.walk(stmt.expr):
                if isinstance(node, ast.Name) and tokens.by_token.get(node.id, ("",))[0] == "value":
                    found.add(tokens.by_token[node.id][1])
        elif isinstance(stmt, (Accumulate, ItemAccumulate)):
            index = [stmt.index] if isinstance(stmt, ItemAccumulate) and stmt.index is not None else []
            for node in [n for e in [stmt.expr] + index for n in ast.walk(e)]:
                if isinstance(node, ast.Name) and tokens.by_token.get(node.id, ("",))[0] == "value":
                    found.add(tokens.by_token[node.id][1])
        elif isinstance(stmt, BIf):
            found |= _collect_reads(stmt.then, tokens, reads) | _collect_reads(stmt.orelse, tokens, reads)
            if isinstance(stmt.cond, Var):
                found.add(stmt.cond)
        elif isinstance(stmt, BLoop):
            loop = stmt.forward
            # what an iteration defines, the reversed loop restores itself (pops, or reversed(range))
            found |= _collect_reads(stmt.body, tokens, reads) - set(loop_body_defined(loop))
            if replays_range(loop):
                found.update(a for a in loop.iter.args if isinstance(a, Var))
            else:
                found.add(loop.count)
    reads[id(statements)] = found
    return found


def _merge_operands(body, live):
    """The Vars a live merge reads: an inner branch's value an outer merge passes on must
    exist on every path of the inner branch (a placeholder where it is undefined)."""
    return {operand for stmt in walk(body) if isinstance(stmt, If) for m in stmt.merges if m.target in live
            for operand in (m.then, m.orelse) if isinstance(operand, Var)}


class _Printer(BackwardPrinter):
    """Prints the forward sweep (here) and the backward sweep (``BackwardPrinter``)."""

    def __init__(self, names, grad_names, live, backward, reads, namer, comments, aliases):
        self.names, self.grad_names, self.live = names, grad_names, live
        self.aliases = aliases
        self.reads, self.comments = reads, comments
        self.namer = namer
        self.tape = namer.fresh("tape")
        self.dummy = namer.fresh("_")
        self.uses_tape = False
        self.popped = set()  # every value the backward sweep restores from the tape
        self.final_names = {}
        for token, (kind, var) in backward.tokens.by_token.items():
            table = grad_names if kind == "adjoint" else names
            if var in table:
                self.final_names[token] = ast.Name(id=table[var], ctx=ast.Load())
        self.by_forward = {}  # id(forward If/Loop) -> its backward node
        self._index(backward.statements)
        firsts = {}
        for acc in _accumulates(backward.statements):
            if acc.first:
                firsts.setdefault(acc.var, []).append(isinstance(acc.expr, (ast.BinOp, ast.UnaryOp, ast.Constant)))
        # ``+=`` only on adjoints that never alias another (arrays would be changed in place)
        self.fresh = {var for var, kinds in firsts.items() if all(kinds)}

    def _index(self, statements):
        for stmt in statements:
            if isinstance(stmt, BIf):
                self.by_forward[id(stmt.forward)] = stmt
                self._index(stmt.then)
                self._index(stmt.orelse)
            elif isinstance(stmt, BLoop):
                self.by_forward[id(stmt.forward)] = stmt
                self._index(stmt.body)

    def operand(self, operand, placeholder=False):
        """An operand's text; ``placeholder`` writes an undefined value as ``0.0`` (a number,
        so that generated code stays differentiable), never read on its path."""
        if placeholder and isinstance(operand, Undefined):
            return "0.0"
        return operand_text(operand, self.names)

    def taped(self, defined, backward_block):
        """The values of ``defined`` a reversed block reads: pushed at the end of the forward block."""
        if backward_block is None:
            return []
        wanted = self.reads[id(backward_block)]
        return [v for v in dict.fromkeys(defined) if v in wanted]

    def loop_taped(self, loop, backward_body):
        """What one iteration tapes; not a loop variable that ``reversed(range(...))`` gives back."""
        replayed = set(loop.iter.targets) if replays_range(loop) else set()
        return [v for v in self.taped(loop_body_defined(loop), backward_body) if v not in replayed]

    def push(self, values, depth):
        if not values:
            return []
        self.uses_tape = True
        items = ", ".join(self.names[v] for v in values)
        return [_pad(depth) + f"{self.tape}.append({items if len(values) == 1 else '(' + items + ')'})"]

    def pop(self, values, depth):
        if not values:
            return []
        self.popped.update(values)
        return [_pad(depth) + f"{', '.join(self.names[v] for v in values)} = {self.tape}.pop()"]

    # ------------------------------------------------------------ forward

    def forward(self, stmts, depth, in_loop):
        lines = []
        for stmt in stmts:
            if isinstance(stmt, Assign):
                if stmt.target in self.live:
                    lines.append(_indent(statement_source(assign_node(_with_aliases(stmt, self.aliases), self.names)), depth))
            elif not any(v in self.live for s in walk([stmt]) for v in defined_at(s)):
                continue
            elif isinstance(stmt, If):
                lines += self.forward_if(stmt, depth, in_loop)
            elif isinstance(stmt, Loop):
                lines += self.forward_loop(stmt, depth)
        return lines

    def forward_if(self, stmt, depth, in_loop):
        back = self.by_forward.get(id(stmt))
        merges = [m for m in stmt.merges if m.target in self.live]
        sides = []
        for body, pick, back_side in ((stmt.body, lambda m: m.then, back and back.then),
                                      (stmt.orelse, lambda m: m.orelse, back and back.orelse)):
            lines = self.forward(body, depth + 1, in_loop)
            # a value this side leaves undefined is never read after it; inside a loop it may be
            # pushed on the tape at the end of the block, so it gets a placeholder there
            lines += [_pad(depth + 1) + f"{self.names[m.target]} = "
                      f"{self.operand(pick(m), placeholder=in_loop or m.target in self.merge_read)}"
                      for m in merges if in_loop or m.target in self.merge_read or not isinstance(pick(m), Undefined)]
            if in_loop:
                lines += self.push(self.taped(defined_in_block(body), back_side), depth + 1)
            sides.append(lines)
        return _if_lines(self.operand(stmt.cond), *sides, depth)

    def forward_loop(self, stmt, depth):
        back = self.by_forward.get(id(stmt))
        carries = [c for c in stmt.carries if c.target in self.live]
        lines = [_pad(depth) + f"{self.names[c.target]} = {self.operand(c.init, placeholder=True)}" for c in carries]
        counted = back is not None and not replays_range(stmt)
        count = self.names.setdefault(stmt.count, self.namer.fresh("iterations")) if counted else None
        if counted:
            lines.append(_pad(depth) + f"{count} = 0")
        inner = _pad(depth + 1)
        if stmt.iter is not None:
            lines.append(_pad(depth) + iter_header(stmt, self.names) + ":")
        else:
            lines.append(_pad(depth) + "while True:")
            lines += self.forward(stmt.test_body, depth + 1, in_loop=True)
            if not (isinstance(stmt.test, Const) and stmt.test.value is True):  # while True: no test
                lines += [inner + f"if not {self.operand(stmt.test)}:", inner + "    break"]
        lines += self.forward(stmt.body, depth + 1, in_loop=True)
        lines += self.push(self.loop_taped(stmt, back and back.body), depth + 1)
        if counted:
            lines.append(inner + f"{count} += 1")
        lines += [inner + f"{self.names[c.target]} = {self.operand(c.next)}" for c in carries]
        lines += loop_end_lines(stmt, self.names, inner)
        if lines[-1].endswith(":"):
            lines.append(inner + "pass")
        return lines


def _live_statements(body, roots):
    """The statements of ``body`` whose targets ``roots`` (a set of Vars) need, in order."""
    needed = set(roots)
    kept = []
    for stmt in reversed(body):
        if stmt.target in needed:
            kept.append(stmt)
            needed.update(a for a in stmt.args if isinstance(a, Var))
            needed.update(v for _, v in stmt.kwargs if isinstance(v, Var))
    return kept[::-1]
