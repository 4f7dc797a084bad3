"""Which array writes srcdiff may lower to copies: the check after lowering.

NumPy writes arrays in place: ``y[i] = v`` and ``y += v`` change the object every name
and every view of it sees.  Lowering turns each write into a new SSA value (``rt.setitem``
makes a copy; ``y + v`` a new array), which agrees with NumPy only while no *stale* value
is read: a Var naming the object as it was before a write, read after that write.

``check_writes(function, updates, error)`` finds the writes (item writes, and the
``x op= v`` updates listed in ``updates`` whose old value may be an array), groups every
Var that may be the same object (views and their bases, loop-carried values with their
entry and next values, branch merges, copies, and the versions a write chain makes), and
refuses with ``error(stmt, message, hint)``:
- a write into a parameter or a module constant (the caller's array would change);
- an item write into a view (another array would change too);
- a read of a Var of the group after a write that happened since that Var was defined:
  later in program order, or in a later round of a loop that contains both the write and
  the read but not the Var's definition.
A loop-carried value is defined anew at each round's start and at the loop's exit, so
``y = np.zeros(n); for i in range(n): y[i] = ...`` is accepted.
"""
from ..analysis import OTHER, SCALAR, infer_shapes, uses_arrays
from ..ir import Assign, Global, If, Loop, Var, walk
from .arrays import VIEW_OPS


def check_writes(function, updates, error):
    statements = list(walk(function.body))
    writes = _writes(function, statements, updates)
    if not writes:
        return
    layout = _Layout(function.body)
    group_of = _alias_groups(statements, updates)
    reads = _reads(function, statements, layout)
    defined = _definitions(function, statements)
    for stmt, old in writes:
        group = group_of(old)
        caller_owned = any(v in function.params or not isinstance(v, Var) for v in group) or old not in defined
        if stmt.op == "rt.setitem" and caller_owned:
            raise error(stmt, "writing into a parameter or module constant is not supported: the caller's array would change",
                        "work on a copy: 'x = x.copy()' before writing into it")
        source = defined.get(old)
        if stmt.op == "rt.setitem" and isinstance(source, Assign) and source.op in VIEW_OPS:
            raise error(stmt, "writing into a view of another array is not supported: the other array would change too",
                        "make a copy first with '.copy()', or build the result with np.where")
        for var in group:
            for position, reader in reads.get(var, ()):
                if reader is not stmt and layout.stale(defined.get(var), var, stmt, position, reader):
                    raise error(stmt, "the array written here is read again afterwards through another name or a view "
                                      "(NumPy writes in place)",
                                "copy it before writing ('y = x.copy()'), or write 'x = x + v' for a new array")


def _writes(function, statements, updates):
    """``(statement, old value)`` of every item write and in-place array update."""
    found = [(s, s.args[0]) for s in statements
             if isinstance(s, Assign) and s.op == "rt.setitem" and not _generated(s)]
    if updates and uses_arrays(function):  # numbers are never updated in place
        shapes = None
        by_target = {s.target: s for s in statements if isinstance(s, Assign)}
        for old, new in updates:
            if not isinstance(old, Var) or new not in by_target:
                continue
            shapes = shapes or infer_shapes(function)
            if shapes.of(old) not in (SCALAR, OTHER):
                found.append((by_target[new], old))
    return found


def _generated(stmt):
    """A call of ``rt.setitem`` in generated code (a gradient differentiated again): a pure copy-and-set."""
    return stmt.loc is not None and stmt.loc.filename.startswith("<srcdiff")


def _alias_groups(statements, updates):
    """A function from a Var to the set of Vars that may be the same object."""
    parent = {}

    def find(v):
        while parent.get(v, v) is not v:
            v = parent[v]
        return v

    def union(a, b):
        if isinstance(a, (Var, Global)) and isinstance(b, (Var, Global)):
            parent[find(a)] = find(b)

    for stmt in statements:
        if isinstance(stmt, Assign) and stmt.args and (stmt.op in VIEW_OPS or stmt.op in ("copy", "rt.setitem")):
            union(stmt.target, stmt.args[0])
        elif isinstance(stmt, If):
            for merge in stmt.merges:
                union(merge.target, merge.then)
                union(merge.target, merge.orelse)
        elif isinstance(stmt, Loop):
            for carry in stmt.carries:
                union(carry.target, carry.init)
                union(carry.target, carry.next)
    for old, new in updates:
        union(new, old)
    members = {}
    for v in list(parent) + [p for p in parent.values()]:
        members.setdefault(find(v), set()).add(v)
    return lambda v: members.get(find(v), {v})


def _definitions(function, statements):
    """Var -> the statement defining it (the If of a merge, the Loop of a carried value)."""
    defined = {}
    for stmt in statements:
        if isinstance(stmt, Assign):
            defined[stmt.target] = stmt
        elif isinstance(stmt, If):
            defined.update((m.target, stmt) for m in stmt.merges)
        elif isinstance(stmt, Loop):
            defined.update((c.target, stmt) for c in stmt.carries)
            defined.update((t, stmt) for t in (stmt.iter.targets if stmt.iter is not None else ()))
    return defined


def _reads(function, statements, layout):
    """Var -> [(position, reading statement)] for every use of its contents."""
    reads = {}

    def note(operand, stmt):
        if isinstance(operand, Var):
            reads.setdefault(operand, []).append((layout.position[id(stmt)], stmt))

    for stmt in statements:
        if isinstance(stmt, Assign) and stmt.op != "copy":
            for operand in list(stmt.args) + [v for _, v in stmt.kwargs]:
                note(operand, stmt)
        elif isinstance(stmt, If):
            note(stmt.cond, stmt)
        elif isinstance(stmt, Loop):
            for operand in (stmt.iter.args if stmt.iter is not None else ()):
                note(operand, stmt)
    if isinstance(function.result, Var):
        reads.setdefault(function.result, []).append((layout.end_of_body, None))
    return reads


class _Layout:
    """Program positions: each statement's, each block statement's last nested one, and loops."""

    def __init__(self, body):
        self.position, self.last, self.loops, self.branches = {}, {}, {}, {}
        self._place(body, (), {})
        self.end_of_body = len(self.position)

    def _place(self, body, loops, branches):
        for stmt in body:
            self.position[id(stmt)] = len(self.position)
            self.loops[id(stmt)] = loops
            self.branches[id(stmt)] = branches  # id(If) -> which of its blocks holds stmt
            inner = loops + ((stmt,) if isinstance(stmt, Loop) else ())
            if isinstance(stmt, If):
                self._place(stmt.body, inner, {**branches, id(stmt): 0})
                self._place(stmt.orelse, inner, {**branches, id(stmt): 1})
            elif isinstance(stmt, Loop):
                self._place(stmt.test_body, inner, branches)
                self._place(stmt.body, inner, branches)
            self.last[id(stmt)] = len(self.position) - 1

    def exclusive(self, a, b):
        """Whether statements ``a`` and ``b`` sit in different blocks of one ``if`` (never both run in one round)."""
        if b is None:
            return False
        mine, theirs = self.branches[id(a)], self.branches[id(b)]
        return any(side != theirs.get(branch, side) for branch, side in mine.items())

    def inside(self, stmt, loop):
        return self.position[id(loop)] <= self.position[id(stmt)] <= self.last[id(loop)]

    def stale(self, definer, var, write, position, reader):
        """Whether a read at ``position`` of ``var`` may come after ``write`` changed it."""
        written = self.position[id(write)]
        if definer is None:  # a parameter: defined before everything
            defined = -1
        elif isinstance(definer, Loop) and not (reader is not None and self.inside(reader, definer)):
            defined = self.last[id(definer)] + 0.5  # read after the loop: its last value
        elif isinstance(definer, If):
            defined = self.last[id(definer)] + 0.5  # a merge exists after both branches
        else:
            defined = self.position[id(definer)]
        if defined < written < position and not self.exclusive(write, reader):
            return True
        reader_loops = self.loops[id(reader)] if reader is not None else ()
        for loop in self.loops[id(write)]:
            if loop in reader_loops and not (definer is not None and (definer is loop or self.inside(definer, loop))):
                return True  # the write of one round, the read in the next
        return False
