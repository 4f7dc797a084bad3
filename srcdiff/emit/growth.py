"""Lists grown in place: where generated code may call ``rt.grown`` instead of ``rt.appended``.

``rt.appended(xs, x)`` copies ``xs``, so a loop appending n items costs n²/2 copies.  In a
loop, ``rt.grown(xs, x)`` appends to ``xs`` itself (a list; a tuple, ``()``, still gives a new
one), and every earlier value of the list then reads as the grown one.  ``in_place_growths``
picks the ``rt.appended`` statements inside loops whose earlier values nothing reads again.

It joins the Vars that may name one list (a *family*): an ``rt.appended``'s operand and
result, a ``copy``, a merge's operands and result, a carry's initial, next and header value.
A family qualifies when:

| condition | why |
| --- | --- |
| every Var in it is made by one of those (a list ``()`` starts, never a parameter's or anything else's) | the list is the function's own, held by no one else |
| every other read of its Vars (forward, and so the backward rules') comes after each of its growths in loops, in no loop with one; or reads, inside the innermost loop around it, the list as grown so far: what that loop carries, or what a statement of it made, with no growth in that loop between the two (``_current_in_loop``: an RNN's ``hs[-1]``) | what is read is the finished list, as it stays, or the list as it is at that moment, which a growth in place does not change before the read |
| the backward sweep reads none of its Vars from the tape, nor one made before a growth | the same for the reads only the sweep makes (``rt.owned_whole(g, xs)`` of a list walked item by item) |

Only the printer uses this (``Printer.grown_in_place``): the SSA keeps ``rt.appended``, and
generated code read back lowers ``rt.grown`` to ``rt.appended`` again (``lower.appends``), so
each printed function is judged afresh.
"""
from ..ir import Assign, If, Loop, Var, walk

GROWTH = "rt.appended"


def in_place_growths(function, backward_reads=frozenset(), plans=None):
    """The ids of the ``rt.appended`` statements generated code may print as ``rt.grown``;
    ``backward_reads``: the forward values the backward sweep reads, ``plans``: its tape's
    ``Plan`` per reversed loop (``emit.tape``)."""
    if not any(isinstance(s, Assign) and s.op == GROWTH for s in walk(function.body)):  # most functions grow no list
        return frozenset()
    layout = _Layout(function.body)
    candidates = [s for s in layout.statements if isinstance(s, Assign) and s.op == GROWTH
                  and isinstance(s.args[0], Var) and layout.loops[id(s)]]
    if not candidates:
        return frozenset()
    family = _Families()
    for stmt in layout.statements:
        for target, sources in _links(stmt):
            for source in sources:
                family.join(target, source)
    foreign = {family.find(v) for v in _other_definitions(layout.statements, function.params)}
    foreign.update(family.find(v) for v in _taped(plans))
    reads = {}
    for stmt, operands in _reads(layout.statements):
        for operand in operands:
            if isinstance(operand, Var):
                reads.setdefault(family.find(operand), []).append((stmt, operand))
    late = {}  # the backward's reads: each at the end of the statement making it (a carry's: of its loop)
    for var in backward_reads:
        if isinstance(var, Var) and var in layout.made_by:
            late.setdefault(family.find(var), []).append(layout.made_by[var])
    chosen = set()
    for root, growths in _grouped(candidates, family).items():  # the returned value is read after everything
        if root not in foreign and all(_after_all(layout, growths, reader) or _current_in_loop(layout, growths, reader, var)
                                       for reader, var in reads.get(root, ())) \
                and all(_after_all(layout, growths, maker, end=True) for maker in late.get(root, ())):
            chosen.update(id(g) for g in growths)
    return frozenset(chosen)


def _taped(plans):
    """The Vars a reversed loop gets back from the tape, as a carry's, or read again."""
    for plan in (plans or {}).values():
        yield from plan.taped
        yield from plan.shifted
        yield from plan.shifted.values()
        yield from plan.reread


def _links(stmt):
    """``(target, the Vars it may name the same list as)`` of a statement linking list values."""
    if isinstance(stmt, Assign) and stmt.op in (GROWTH, "copy"):
        return [(stmt.target, [a for a in stmt.args[:1] if isinstance(a, Var)])]
    if isinstance(stmt, If):
        return [(m.target, [v for v in (m.then, m.orelse) if isinstance(v, Var)]) for m in stmt.merges]
    if isinstance(stmt, Loop):
        return [(c.target, [v for v in (c.init, c.next) if isinstance(v, Var)]) for c in stmt.carries]
    return []


def _other_definitions(statements, params):
    """The Vars made by anything that is not a link (and the parameters)."""
    found = list(params)
    for stmt in statements:
        if isinstance(stmt, Assign) and stmt.op not in (GROWTH, "copy"):
            found.append(stmt.target)
        elif isinstance(stmt, Loop) and stmt.iter is not None:
            found += stmt.iter.targets
    return found


def _reads(statements):
    """``(statement, operands)`` of every read that is not a link: an ``rt.appended``'s item is read."""
    for stmt in statements:
        if isinstance(stmt, Assign):
            if stmt.op == GROWTH:
                yield stmt, stmt.args[1:]
            elif stmt.op != "copy":
                yield stmt, list(stmt.args) + [v for _, v in stmt.kwargs]
        elif isinstance(stmt, If):
            yield stmt, [stmt.cond]
        elif isinstance(stmt, Loop):
            yield stmt, list(stmt.iter.args if stmt.iter is not None else ()) + [stmt.test]


def _grouped(candidates, family):
    groups = {}
    for stmt in candidates:
        groups.setdefault(family.find(stmt.args[0]), []).append(stmt)
    return groups


def _after_all(layout, growths, reader, end=False):
    """Whether ``reader`` runs (``end``: ends) after every growth, in no loop with one."""
    where, around = (layout.end if end else layout.position)[id(reader)], set(layout.loops[id(reader)])
    return all(layout.position[id(g)] < where and not around & set(layout.loops[id(g)]) for g in growths)


def _current_in_loop(layout, growths, reader, var):
    """Whether ``reader`` reads ``var`` while it is still the list as grown so far: ``var`` is
    what the innermost loop around ``reader`` carries (the list as the iteration found it) or
    what a statement of that loop made before ``reader``, and no growth inside that loop runs
    between the two (one outside it runs before the loop starts or after it ends)."""
    loops = layout.loops[id(reader)]
    if not loops:
        return False
    if layout.carried_by.get(var) == loops[-1]:
        made_at = layout.position[loops[-1]]  # the Loop statement: before everything in its body
    elif var in layout.made_by and layout.loops[id(layout.made_by[var])] == loops:
        made_at = layout.end[id(layout.made_by[var])] - 1  # an If's merge: after the statements inside it
    else:
        return False
    read_at = layout.position[id(reader)]
    return made_at < read_at and not any(made_at < layout.position[id(g)] < read_at and not layout.exclusive(g, reader)
                                         for g in growths if loops[-1] in layout.loops[id(g)])


class _Layout:
    """Each statement's position in program order and the loops around it (a Loop's own
    test and body are inside it; the Loop statement itself is not)."""

    def __init__(self, body):
        self.statements, self.position, self.loops, self.end, self.made_by = [], {}, {}, {}, {}
        self.carried_by = {}  # a loop's carried Var -> the id of that loop
        self.sides = {}  # a statement's id -> the (If's id, branch) pairs around it
        self._place(body, (), ())

    def exclusive(self, a, b):
        """Whether ``a`` and ``b`` lie on the two branches of one ``if``: one of them never runs."""
        branches = dict(self.sides[id(a)])
        return any(branches.get(at, side) != side for at, side in self.sides[id(b)])

    def _place(self, body, loops, sides):
        for stmt in body:
            self.position[id(stmt)] = len(self.statements)
            self.loops[id(stmt)] = loops
            self.sides[id(stmt)] = sides
            self.statements.append(stmt)
            if isinstance(stmt, Assign):
                self.made_by[stmt.target] = stmt
            elif isinstance(stmt, If):
                self._place(stmt.body, loops, sides + ((id(stmt), True),))
                self._place(stmt.orelse, loops, sides + ((id(stmt), False),))
                self.made_by.update((m.target, stmt) for m in stmt.merges)
            elif isinstance(stmt, Loop):
                self._place(stmt.test_body, loops + (id(stmt),), sides)
                self._place(stmt.body, loops + (id(stmt),), sides)
                self.made_by.update((c.target, stmt) for c in stmt.carries)
                self.carried_by.update((c.target, id(stmt)) for c in stmt.carries)
            self.end[id(stmt)] = len(self.statements)


class _Families:
    """Union-find over Vars."""

    def __init__(self):
        self.parent = {}

    def find(self, var):
        root = var
        while self.parent.get(root, root) is not root:
            root = self.parent[root]
        return root

    def join(self, a, b):
        a, b = self.find(a), self.find(b)
        if a is not b:
            self.parent[a] = b
