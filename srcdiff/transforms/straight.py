"""The reverse sweep of straight-line code, written as a person would write it.

``Sweep.statement`` visits the forward statements in reverse order and adds, for each,
one contribution per active argument: upstream gradient times local gradient, from the
rule's templates.  Four rewrites keep the result close to hand-written code:

| rewrite | before | after |
| --- | --- | --- |
| one statement's contributions to one adjoint combined | ``grad_x = g * x`` then ``grad_x += g * x`` | ``grad_x = 2.0 * g * x`` (``A + A`` is ``2.0 * A``, else ``A + B``) |
| a lone number or name into a temporary, substituted | ``grad_s3 = grad_s``; ``grad_s2 = grad_s3 * a`` | ``grad_s2 = grad_s * a`` |
| a lone contribution into a temporary read once, inlined (while the line stays short: ``FUSED_SIZE``) | ``grad_s2 = g * a``; ``grad_s = grad_s2 * math.cos(s)`` | ``grad_s = g * a * math.cos(s)`` |
| constants folded, signs cancelled | ``-(-L / s6 * s5)`` | ``L / s6 * s5`` (``ir.simplify_expr``) |

Why this is sound: in straight-line SSA every use of a value comes after its definition, so
by the time the sweep reads an adjoint (at its value's defining statement) every contribution
to it has been made.  An adjoint with exactly one contribution therefore equals it wherever it
is read: moving it to its one reader changes no value.  Only temporaries (Vars the user did
not name) are substituted: every name the user wrote keeps its adjoint's line; parameters too.
"""
import ast

from ..analysis import uses_arrays
from ..ir import (Var, children_of, copy_expr, expr_size, is_zero, literal, number, simplify_expr,
                  simplify_substituted, simplify_substituted_along)
from ..rules import CustomRule
from .contributions import as_float, contribution, may_be_integer, no_rule_error, operand_expr
from .custom import backward_statements as custom_backward
from .plans import rule_plan
from .records import Accumulate
from .slices import merged_reads


_LOAD = ast.Load()  # one context leaf for the names the sweep makes (the parser shares them too)


class Sweep:
    """The records of a straight-line reverse sweep, built one statement at a time.

    ``known`` maps a Var to the expression its adjoint stands for where it is read (the
    seed, a number, another name) and ``pending`` to its one contribution not yet written
    (with its location); ``statements``, ``written`` and ``needed`` are the Backward's records,
    adjoints written and the forward values a Function's backward reads (the emitter finds those
    the records' expressions read: ``emit.tape.reads_of``).
    """

    def __init__(self, function, wrt, active, uses, tokens, integer):
        self.wrt, self.active, self.uses, self.tokens, self.integer = wrt, active, uses, tokens, integer
        self.arrays = uses_arrays(function)  # where an integer-valued contribution may be an array of bools
        self.kept = set(function.params) | set(wrt)  # their adjoints are returned: always written
        self.known, self.pending = {}, {}
        self.statements, self.written, self.needed = [], set(), set()
        self.value_names = {}  # Var -> its token's Name node, shared by the bindings (``_value_name``)

    def statement(self, stmt, rule):
        """Add the contributions of forward statement ``stmt`` (whose target is active) by its ``rule``."""
        if rule is None:
            raise no_rule_error(stmt)
        target = stmt.target
        if isinstance(rule, CustomRule):  # a srcdiff.Function: call its backward
            upstream = self._upstream_written(target)
            if upstream is not None:
                records, reads = custom_backward(stmt, upstream, self.tokens, self.active, self.written, Accumulate)
                self.statements.extend(records)
                self.needed.update(reads)
            return
        if target in self.known:
            upstream = self.known[target]
            floated = not may_be_integer(upstream, self.tokens, self.integer)
        elif target in self.written or target in self.pending:
            upstream, floated = ast.Name(self.tokens.adjoint(target), _LOAD), True  # an adjoint: never an int
        else:
            return  # every contribution to this adjoint was zero
        parts, shapes = self._contributions(stmt, rule, upstream, floated)
        if target in self.pending:
            parts = self._inlined(target, parts, shapes)
        for arg, expr in parts.items():
            self._add(arg, expr, stmt.loc)

    def finish(self):
        """The ``wrt`` parameters whose adjoint is a known expression get their line; copies
        merged into the next write of the same adjoint (``merged_copies``), the reads of one array
        by basic indexes gathered into one (``slices.merged_reads``)."""
        for param in self.wrt:
            if param in self.known and param not in self.written:
                self._write(param, self.known[param], None)
        self.statements = merged_copies(merged_reads(self.statements))

    # ------------------------------------------------------------ one statement

    def _contributions(self, stmt, rule, upstream, floated):
        """``(parts, shapes)``: ``parts`` maps each active argument to its contribution, those of one
        Var combined (``combined``), zeros dropped, ints made floats; ``shapes`` maps those that are
        their template's expression filled in with Names to its ``Shape`` (their reads of the upstream
        and size, known without a walk).  ``floated``: the upstream is never an int (an adjoint)."""
        args, active, tokens, integer = stmt.args, self.active, self.tokens, self.integer
        templates, reads_g, operands = rule_plan(rule if type(rule) is tuple else tuple(rule), len(args))
        bindings, parts, shapes, repeated, settled = None, {}, {}, None, True
        for position, template, named, shape in templates:
            arg = args[position]
            if not isinstance(arg, Var) or arg not in active:
                continue
            if bindings is None:  # the placeholders the rule reads (a template's other names stay as they are)
                bindings = {"g": upstream} if reads_g else {}
                plain = not reads_g or type(upstream) is ast.Name  # every binding a Name
                for placeholder, at in operands:
                    node = bindings[placeholder] = self._value_name(stmt.target if at is None else args[at])
                    plain = plain and type(node) is ast.Name
            # no Name is changed in place here: the bindings' Names go into the expression itself
            part = named(bindings) if plain else contribution(template, bindings, shared=True)[0]
            if type(part) is ast.BinOp or not is_zero(part):  # (an operation is never a zero literal)
                if arg in parts:  # another contribution to the same Var (``x * x``): combined below
                    repeated = repeated or {}
                    repeated.setdefault(arg, [parts[arg]]).append(part)
                parts[arg] = part
                if plain:
                    shapes[arg] = shape
                settled = settled and plain and floated and shape.led_by_g  # a float times anything: never an int
        for arg, terms in (repeated or {}).items():
            parts[arg] = combined(terms)
            shapes.pop(arg, None)
        if settled and repeated is None:  # (the usual: ``g``, ``g * x1``, ``g * math.cos(x)``)
            return parts, shapes
        for arg, expr in parts.items():
            shape = shapes.get(arg)
            if shape is not None and floated and shape.led_by_g:
                continue
            if may_be_integer(expr, tokens, integer):
                parts[arg] = as_float(expr, self.arrays)
                shapes.pop(arg, None)
        return parts, shapes

    def _value_name(self, operand):
        """The node of an operand in a template's bindings: one Name per Var, shared by every
        expression reading it (``contribution(shared=True)``: what the printers rename, they copy)."""
        if not isinstance(operand, Var):
            return operand_expr(operand, self.tokens)
        name = self.value_names.get(operand)
        if name is None:
            name = self.value_names[operand] = ast.Name(self.tokens.value(operand), _LOAD)
        return name

    def _inlined(self, target, parts, shapes):
        """``parts`` with the pending contribution of ``target`` put where its adjoint is read,
        when it is read once; else that contribution is written first, as its own line.  ``shapes``:
        those parts' reads of the upstream, ``target``'s adjoint, and sizes known (``_contributions``)."""
        token = self.tokens.adjoint(target)
        # each part's (reads of ``token``, size, ...): its Shape's where it has one, else counted
        counted = {arg: shapes[arg] if arg in shapes else _reads_and_size(expr, token) for arg, expr in parts.items()}
        readers = [arg for arg, known in counted.items() if known[0]]
        expr, where = self.pending.pop(target)
        if len(readers) == 1 and counted[readers[0]][0] == 1:
            arg = readers[0]
            reader = parts[arg]
            if counted[arg][1] - 1 + _size(expr) <= FUSED_SIZE:  # fits: simplifying never makes a tree larger
                # both trees are the sweep's own, simplified; a template's shape says where the read is
                path = shapes[arg].path_to_g if arg in shapes else None
                parts[arg] = simplify_substituted(reader, token, expr) if path is None \
                    else simplify_substituted_along(reader, path, expr)
                return parts
            fused = simplify_expr(copy_expr(reader, {token: expr}), copy=False)
            if _size(fused) <= FUSED_SIZE:
                parts[arg] = fused
                return parts
        if readers:
            expr, parts = _scaled(token, expr, parts, readers, self.kept,
                                  lambda e: may_be_integer(e, self.tokens, self.integer))
            self._write(target, expr, where)
        return parts

    def _add(self, arg, expr, loc):
        """Record ``arg``'s contribution: substituted or deferred when it is the one
        contribution to a temporary (see the module doc), else written."""
        if self.uses[arg] == 1 and arg not in self.kept:
            if number(expr) is not None:
                self.known[arg] = expr
                return
            if not arg.user_named:
                if isinstance(expr, ast.Name):
                    self.known[arg] = expr
                else:
                    self.pending[arg] = (expr, loc)
                return
        self._write(arg, expr, loc)

    def _write(self, var, expr, loc):
        self.statements.append(Accumulate(var, expr, var not in self.written, loc))
        self.written.add(var)

    def _upstream_written(self, target):
        """The upstream of a statement whose gradient is a call (a Function's backward): its
        adjoint's known expression, or its name once a pending contribution is written."""
        if target in self.known:
            return self.known[target]
        if target in self.pending:
            expr, loc = self.pending.pop(target)
            self._write(target, expr, loc)
        if target in self.written:
            return ast.Name(id=self.tokens.adjoint(target), ctx=ast.Load())
        return None


def merged_copies(statements):
    """``statements`` with each first write that copies a name (``grad_x = grad_s8``) merged
    into the next write of the same adjoint (``grad_x += e`` -> ``grad_x = grad_s8 + e``).

    Sound in straight-line code: an adjoint is read only once complete, so nothing reads
    ``grad_x`` in between, and the name copied (a complete adjoint, or a value) keeps its
    value; the sum is a new value, so later ``+=`` still never writes into another array.
    """
    out, copies = [], {}
    for record in statements:
        if type(record) is Accumulate:
            if record.first and isinstance(record.expr, ast.Name):
                copies[record.var] = len(out)
            elif not record.first and record.var in copies:
                at = copies.pop(record.var)
                copied, out[at] = out[at].expr, None
                record = Accumulate(record.var, _sum(copied, record.expr), True, record.loc)
        out.append(record)
    return [record for record in out if record is not None]


def _sum(name, expr):
    """``name + expr``, or ``name - e`` for ``expr = -e``."""
    if type(expr) is ast.UnaryOp and isinstance(expr.op, ast.USub) and number(expr) is None:
        return ast.BinOp(left=name, op=ast.Sub(), right=expr.operand)
    return ast.BinOp(left=name, op=ast.Add(), right=expr)


def combined(exprs):
    """One expression for the contributions ``exprs`` one statement makes to one adjoint: the
    expression itself, ``2.0 * A`` for ``A + A`` (``x * x``), else their sum (``x / x``, ``x ** x``)."""
    if len(exprs) == 1:
        return exprs[0]
    first = ast.dump(exprs[0])
    if all(ast.dump(e) == first for e in exprs[1:]):
        total = ast.BinOp(left=ast.Constant(float(len(exprs))), op=ast.Mult(), right=exprs[0])
    else:
        total = exprs[0]
        for expr in exprs[1:]:
            total = ast.BinOp(left=total, op=ast.Add(), right=expr)
    return simplify_expr(total, copy=False)


def _scaled(token, expr, parts, readers, kept, integer_like):
    """``(expr, parts)``, or with a number ``c`` taken out of ``expr = c * rest`` and put into
    its readers (``token`` read as ``c * token``) when every reader folds it or passes it on
    to a temporary's single use, where it may fold (``grad_s2 = 1 / (2 * s3)``;
    ``grad_x = grad_s2 * 2 * x`` -> ``grad_s2 = 1 / s3``; ``grad_x = grad_s2 * x``).  Never
    where ``rest`` may be an int (``integer_like``): an adjoint stays a float."""
    factored = _factored(expr)
    if factored is None or integer_like(factored[1]):
        return expr, parts
    c, rest = factored
    scaled = {arg: simplify_expr(copy_expr(parts[arg], {token: ast.BinOp(
        left=literal(c), op=ast.Mult(), right=ast.Name(id=token, ctx=ast.Load()))}), copy=False) for arg in readers}
    passed_on = {arg for arg in readers if isinstance(parts[arg], ast.Name) and not arg.user_named and arg not in kept}
    if any(_size(scaled[arg]) > _size(parts[arg]) for arg in readers if arg not in passed_on):
        return expr, parts
    return rest, {**parts, **{arg: scaled[arg] for arg in readers}}


def _factored(expr):
    """``(c, rest)`` with ``expr`` equal to ``c * rest`` for a number ``c`` read off its form
    (``c * e``, ``e * c``, ``a / (b * e)``), else None."""
    if type(expr) is not ast.BinOp:
        return None
    left, right = number(expr.left), number(expr.right)
    if type(expr.op) is ast.Mult and (left is not None or right is not None):
        return (left, expr.right) if left is not None else (right, expr.left)
    if type(expr.op) is ast.Div and left is not None and type(expr.right) is ast.BinOp \
            and type(expr.right.op) is ast.Mult and number(expr.right.left) not in (None, 0):
        return left / number(expr.right.left), ast.BinOp(left=ast.Constant(1), op=ast.Div(), right=expr.right.right)
    return None


FUSED_SIZE = 12  # the most operands and operations an inlined line may have: a line a person reads at a glance


def _size(expr):
    """How many operands and operations ``expr`` has (names, numbers, operators, calls)."""
    return expr_size(expr)


def _reads_and_size(expr, token):
    """How many times ``expr`` reads the identifier ``token``, and its ``_size``: one walk."""
    count, size, stack = 0, 0, [expr]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is ast.Name:
            count += node.id == token
        elif kind is ast.BinOp:
            stack += (node.left, node.right)
        elif kind is ast.UnaryOp:
            stack.append(node.operand)
        elif kind is not ast.Constant:
            stack.extend(children_of(node))
        size += isinstance(node, ast.expr)
    return count, size
