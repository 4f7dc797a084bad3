"""The tape: how a value a reversed block reads comes back when a loop has overwritten it.

Values defined outside every loop stay in their variables.  A value defined in a block
inside a loop (an iteration's body, or a side of a branch inside one) that its reversed
block reads comes back at the start of that reversed block in one of three ways:

| the value | comes back by | why it is right |
| --- | --- | --- |
| the next value of a carry (``h_1`` of ``h = h_1``) whose carried value ``h`` comes back too | ``h_1 = h``, just before ``h`` comes back | iterations run backwards: iteration k's next is iteration k + 1's carried value, which ``h`` still holds (the last one's is ``h``'s value after the loop, which the block around the loop keeps: it reads ``h``) |
| an item of a parameter in ``reread`` (a list or tuple of numbers the function only reads item by item, in specialized code): ``s = xs[i]`` with ``i`` the replayed loop variable or a value from outside the loop; the item of ``for x in xs`` (``zip``, ``enumerate``, ``reversed``) | read again: ``s = xs[i]``, ``x = xs[k]`` (``xs[-1 - k]`` for ``reversed``) | the list does not change; reading a Python list is cheaper than a tape (an array's item is a new NumPy scalar each time: arrays are taped) |
| anything else | the tape: pushed at the end of its block, popped at the start of the reversed block | |

The tape is one Python list, used as a stack: one value per push bare, several as a tuple.
With ``per_site`` (numba mode) each push site (a side of a branch, an iteration) has its own
list instead: numba types a list by one item, and one site pushes values of the same types
every time.  Splitting a stack by site keeps it right: the backward sweep pops in exactly the
reverse order of the pushes, so each site's pops are the reverse of that site's pushes.
``reads_of`` works out, per backward block, which forward values it reads and how each
loop's come back (a ``Plan``); ``Tape`` prints the pushes, pops, copies and reads.
"""
from dataclasses import dataclass, field

from ..ir import (Assign, Const, If, Loop, Var, assign_node, defined_in_block, defined_within,
                  has_flow, loop_body_defined, names_and_int_literal, names_of, replays_range, walk)
from ..transforms import Accumulate, BIf, BLoop, ItemAccumulate, Unpack, item_sources
from .naming import with_aliases
from .printer import pad
from .text import statement_source


@dataclass
class Plan:
    """How the values one reversed iteration of a loop reads come back: ``taped`` (in order),
    ``shifted`` (next value -> its carry's target), ``reread`` (Var -> the ``xs[i]`` Assign, or
    ``(sequence, backwards)`` for a loop's item)."""

    taped: list = field(default_factory=list)
    shifted: dict = field(default_factory=dict)
    reread: dict = field(default_factory=dict)

    @property
    def needs_position(self):
        """Whether the reversed loop must count its iterations (``k``): an item read again."""
        return any(isinstance(how, tuple) for how in self.reread.values())


def reads_of(statements, tokens, reread=frozenset(), names=None):
    """``(found, reads, plans)``: the forward values the backward ``statements`` read outside
    every loop; ``reads[id(block)]``, those each backward block (and its nested ones) reads;
    ``plans[id(forward loop)]``, each reversed loop's ``Plan``.  ``names``: an ``ExpressionNames``
    to share with other walks of the same records."""
    reads, plans = {}, {}
    found = _collect(statements, tokens, reads, plans, reread, ExpressionNames() if names is None else names)
    return found, reads, plans


class ExpressionNames(dict):
    """Expression -> the set of identifiers it reads (``ir.names_of``), each expression walked
    once however often asked (the records of a gradient's two texts share most expressions);
    the sets are shared: never change one.  The walk notes the expressions that hold an int
    literal (``holds_int_literal``: the text that runs writes those of arithmetic as floats)."""

    def __init__(self):
        super().__init__()
        self.int_literals = set()  # the expressions walked that hold an int literal

    def __missing__(self, expr):
        found, has_int = names_and_int_literal(expr)
        if has_int:
            self.int_literals.add(expr)
        self[expr] = found
        return found

    def holds_int_literal(self, expr):
        """Whether ``expr`` holds an int literal (a bool is none), anywhere in its tree."""
        if expr not in self:
            self[expr]  # walked: noted in ``int_literals`` if it does
        return expr in self.int_literals


def _collect(statements, tokens, reads, plans, reread, expression_names):
    found = set()
    by_token = tokens.by_token
    for stmt in statements:
        if type(stmt) is Accumulate:  # the usual record: the forward values its expression reads
            for name in expression_names[stmt.expr]:
                role = by_token.get(name)
                if role is not None and role[0] == "value":
                    found.add(role[1])
        elif isinstance(stmt, (Accumulate, ItemAccumulate, Unpack)):
            names = expression_names[stmt.expr]
            if isinstance(stmt, ItemAccumulate) and stmt.index is not None:
                names = names_of(stmt.index, set(names))
            for name in names:
                kind, var = tokens.by_token.get(name, ("", None))
                if kind == "value":
                    found.add(var)
        elif isinstance(stmt, BIf):
            found |= _collect(stmt.then, tokens, reads, plans, reread, expression_names) \
                | _collect(stmt.orelse, tokens, reads, plans, reread, expression_names)
            if isinstance(stmt.cond, Var):
                found.add(stmt.cond)
        elif isinstance(stmt, BLoop):
            loop = stmt.forward
            inside = _collect(stmt.body, tokens, reads, plans, reread, expression_names)
            plan = plans[id(loop)] = _plan(loop, inside, reread)
            # what an iteration defines, the reversed loop restores itself (tape, copies, reads, reversed(range))
            found |= inside - set(loop_body_defined(loop))
            found |= set(plan.shifted.values())  # a carry's value after the loop: the last next
            found |= {s.args[1] for s in plan.reread.values() if isinstance(s, Assign) and isinstance(s.args[1], Var)
                      and s.args[1] not in loop_body_defined(loop)}
            if replays_range(loop):
                found.update(a for a in loop.iter.args if isinstance(a, Var))
            else:
                found.add(loop.count)
    reads[id(statements)] = found
    return found


def _plan(loop, wanted, reread):
    """The ``Plan`` of ``loop`` whose reversed iteration reads ``wanted`` (see the module table)."""
    replayed = set(loop.iter.targets) if replays_range(loop) else set()
    inside = defined_within(loop)
    plan = Plan()
    for seq, item, position in item_sources(loop):
        if seq in reread and item in wanted:
            plan.reread[item] = (seq, position is True)
    for stmt in loop.body:
        if isinstance(stmt, Assign) and stmt.target in wanted and _read_again(stmt, reread, replayed, inside):
            plan.reread[stmt.target] = stmt
    for c in loop.carries:
        if c.target in wanted and c.next in wanted and c.next not in plan.reread and c.next not in plan.shifted:
            plan.shifted[c.next] = c.target
    plan.taped = [v for v in dict.fromkeys(loop_body_defined(loop)) if v in wanted and v not in replayed
                  and v not in plan.reread and v not in plan.shifted]
    return plan


def _read_again(stmt, reread, replayed, inside):
    """Whether ``stmt`` is ``xs[i]`` of a parameter in ``reread`` at a position the reversed
    iteration knows: a constant, the replayed loop variable, or a value from outside the loop."""
    if stmt.op != "[]" or len(stmt.args) != 2 or stmt.kwargs or stmt.args[0] not in reread:
        return False
    index = stmt.args[1]
    return isinstance(index, Const) or isinstance(index, Var) and (index in replayed or index not in inside)


class Tape:
    """What the forward section keeps for the backward one inside loops (see the module doc),
    and each loop's trip counter.  ``names`` gives each Var its name, ``aliases`` the module
    aliases a value read again is printed with; ``per_site``: a list per push site (numba mode)."""

    def __init__(self, body, statements, reads, plans, namer, names, aliases, per_site=False):
        self.reads, self.plans, self.namer, self.names, self.aliases = reads, plans, namer, names, aliases
        self.name = namer.fresh("tape")
        self.per_site = per_site
        self.site_names = {}  # a push site -> the name of its list, in the order first pushed to
        self.popped = set()  # every value the backward sweep writes again (pops, copies, reads)
        self.by_forward = {}  # id(forward If/Loop) -> its backward record
        self.in_loop_ifs = set()
        if has_flow(body):  # else no branch nor loop to index
            self._index(statements)
            self.in_loop_ifs = {id(s) for loop in walk(body) if isinstance(loop, Loop)
                                for s in walk(loop.test_body + loop.body) if isinstance(s, If)}

    def _index(self, statements):
        for stmt in statements:
            if isinstance(stmt, BIf):
                self.by_forward[id(stmt.forward)] = stmt
                self._index(stmt.then)
                self._index(stmt.orelse)
            elif isinstance(stmt, BLoop):
                self.by_forward[id(stmt.forward)] = stmt
                self._index(stmt.body)

    def counter(self, loop):
        """The name of ``loop``'s trip counter, when the backward sweep needs the count."""
        if id(loop) not in self.by_forward or replays_range(loop):
            return None
        return self.names.setdefault(loop.count, self.namer.fresh("iterations"))

    def needs_position(self, loop):
        """Whether ``loop``'s reversed iterations need their position ``k``."""
        plan = self.plans.get(id(loop))
        return plan is not None and plan.needs_position

    def _taped(self, defined, backward_block):
        if backward_block is None:
            return []
        wanted = self.reads[id(backward_block)]
        return [v for v in dict.fromkeys(defined) if v in wanted]

    def push_branch(self, stmt, side, body, depth):
        """The push at the end of one side of a branch inside a loop."""
        back = self.by_forward.get(id(stmt))
        values = self._taped(defined_in_block(body), back and (back.then, back.orelse)[side])
        return self._push(values, depth, (id(stmt), side))

    def push_iteration(self, loop, depth):
        """The push at the end of an iteration."""
        plan = self.plans.get(id(loop))
        return self._push(plan.taped if plan is not None else [], depth, id(loop))

    def pop_branch(self, fwd, side, back_side, depth):
        """The pop at the start of one side of a replayed branch inside a loop."""
        if id(fwd) not in self.in_loop_ifs:
            return []
        return self._pop(self._taped(defined_in_block((fwd.body, fwd.orelse)[side]), back_side), depth, (id(fwd), side))

    def pop_iteration(self, loop, depth, position=None):
        """The start of a reversed iteration: next values copied from their carries, then the
        pop, then the items read again (``position``: the name of the iteration's position)."""
        plan = self.plans[id(loop)]
        lines = [pad(depth) + f"{self.names[n]} = {self.names[t]}" for n, t in plan.shifted.items()]
        lines += self._pop(plan.taped, depth, id(loop))
        for var, how in plan.reread.items():
            if isinstance(how, Assign):
                text = statement_source(assign_node(with_aliases(how, self.aliases), self.names))
            else:
                seq, backwards = how
                text = f"{self.names[var]} = {self.names[seq]}[{f'-1 - {position}' if backwards else position}]"
            lines.append(pad(depth) + text)
        self.popped.update(plan.shifted)
        self.popped.update(plan.reread)
        return lines

    def lists(self):
        """The names of the tape's lists, each made empty at the start of the forward section."""
        return list(dict.fromkeys(self.site_names.values()))

    def _list_of(self, site):
        """The name of the list ``site`` pushes to and pops from (the forward section, printed
        first, names them)."""
        if site not in self.site_names:
            self.site_names[site] = self.namer.fresh("tape") if self.per_site and self.site_names else self.name
        return self.site_names[site]

    def _push(self, values, depth, site):
        if not values:
            return []
        items = ", ".join(self.names[v] for v in values)
        return [pad(depth) + f"{self._list_of(site)}.append({items if len(values) == 1 else '(' + items + ')'})"]

    def _pop(self, values, depth, site):
        if not values:
            return []
        self.popped.update(values)
        return [pad(depth) + f"{', '.join(self.names[v] for v in values)} = {self._list_of(site)}.pop()"]
