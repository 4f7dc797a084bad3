"""Which array writes srcdiff may lower to copies: the check after lowering.

NumPy writes arrays in place: ``y[i] = v`` and ``y += v`` change the object every name
and every view of it sees.  Lowering turns each write into a new SSA value (``rt.setitem``
makes a copy; ``y + v`` a new array), which agrees with NumPy only while no *stale* value
is read: a Var naming the object as it was before a write, read after that write.

``check_writes(function, updates, error, lists)`` finds the writes (item writes, and the
``x op= v`` updates listed in ``updates`` whose old value may be an array) and, for each
Var, the objects it may name (``_objects``: a parameter's or a module constant's, or one
made by a statement; views, copies of a reference, item writes and in-place updates keep
their operand's object; a merge or a loop-carried value may name either operand's).  The
Vars ``lists`` are lists Python makes anew, lowered as slices (``list(xs)``, a starred rest,
``sorted(xs)``: ``list_values``): each is an object of its own, so ``ys = list(xs)`` may be
written into; its items are still views of ``xs``'s.  It refuses with ``error(stmt, message, hint)``:
- a write into an object that may be a parameter's or a module constant's (the caller's
  array would change); an object made in the function (``p = p.copy()``, even in a loop
  that starts from a parameter) may be written;
- an item write into a view (another array would change too);
- a read, through any Var that may name the written object, of a value from before the
  write: later in program order, or in a later round of a loop that contains both the
  write and the read but not the Var's definition.  A copy of a reference is the value
  it copies; a merged value is its operand at the end of the branch that ran (the operands
  that may name the written object only); a loop-carried value read after its loop is its ``next`` at the end of the last round
  (or its initial value), so ``y = np.zeros(n); for i in range(n): y[i] = ...`` is
  accepted (``next`` is the write's own result) and an alias made in the loop, updated
  in place in one branch, is refused.
"""
import dataclasses

from ..analysis import OTHER, SCALAR, infer_shapes, uses_arrays
from ..ir import RANGES, Assign, Global, If, Loop, Var, read_back, walk
from .arrays import shared_operand
from .list_values import NEW_LISTS
from .number_updates import guarded, starts_as_a_number

# what keeps its first operand's object besides views: a copy of a reference, an item write
_SAME_OBJECT = frozenset({"copy", "rt.setitem"})
# read-only views (a write into them fails in NumPy) of some operands only: np.diag of a matrix
# is one, of a vector a new matrix, which may be written into; reading it reads its operand
_READ_ONLY_VIEWS = frozenset({"np.diag"})


def check_writes(function, updates, error, lists=frozenset()):
    """``function``, its writes checked (see the module doc); an update read again whose value
    starts as a number (``t = 0.0``, then ``t += x`` in a loop) is checked at run time instead
    (``rt.check_number_update`` before it: ``number_updates``)."""
    statements = list(walk(function.body))
    writes = _writes(function, statements, updates)
    if not writes:
        return function
    checked = set()
    defined = _definitions(function, statements)
    layout = _Layout(function.body, defined)
    objects = _objects(function, statements, updates, lists=lists)
    held = _objects(function, statements, updates, holding=True, lists=lists)
    reads = _reads(function, statements, layout)
    for stmt, old in writes:
        written = objects(old)
        caller_owned = any(isinstance(o, Global) or isinstance(o, Var) and o not in defined for o in written)
        if stmt.op == "rt.setitem" and caller_owned:
            raise error(stmt, "writing into a parameter or module constant is not supported: the caller's array would change",
                        "work on a copy: 'x = x.copy()' before writing into it")
        source = defined.get(old)
        if stmt.op == "rt.setitem" and isinstance(source, Assign) and source.target not in lists \
                and shared_operand(source) is not None:
            raise error(stmt, "writing into a view of another array is not supported: the other array would change too",
                        "make a copy first with '.copy()', or build the result with np.where")
        for var, points in reads.items():
            if held(var) & written and any(p.stmt is not stmt and layout.stale(var, p, stmt, held, written) for p in points):
                if stmt.op != "rt.setitem" and starts_as_a_number(old, statements):
                    checked.add(id(stmt))  # an array at run time is refused there
                    break
                if _lists_alone(written, lists):
                    raise error(stmt, "the list written here is read again afterwards through another name "
                                      "(Python writes into the list itself)",
                                "copy it before writing ('ys = list(xs)'), or build a new list")
                raise error(stmt, "the array written here is read again afterwards through another name or a view "
                                  "(NumPy writes in place)",
                            "copy it before writing ('y = x.copy()'), or write 'x = x + v' for a new array")
    return dataclasses.replace(function, body=guarded(function.body, checked)) if checked else function


def _lists_alone(objects, lists):
    """Whether every one of ``objects`` is a list made in the function (appended, ``list(...)``)."""
    return all(isinstance(o, Assign) and (o.op in NEW_LISTS or o.target in lists) for o in objects)


def _writes(function, statements, updates):
    """``(statement, old value)`` of every item write and in-place array update."""
    found = [(s, s.args[0]) for s in statements
             if isinstance(s, Assign) and s.op == "rt.setitem" and not read_back(s)]  # read back: a pure copy-and-set
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


def _objects(function, statements, updates, holding=False, lists=frozenset()):
    """A function from an operand to the set of objects it may name: a parameter Var or a
    ``Global`` (the caller's), or the ``Assign`` that made the object; with ``holding``, a
    list's also those of its items (``NEW_LISTS``, and the new ``lists``' those of the sequence
    they were made from), which a read of the list reads."""
    same = {}  # Var -> the operands whose objects it may name
    made = {}
    for stmt in statements:
        if isinstance(stmt, Assign):
            shared = stmt.args[0] if stmt.args and (stmt.op in _SAME_OBJECT or holding and stmt.op in _READ_ONLY_VIEWS) \
                else shared_operand(stmt)
            if stmt.target in lists:  # a list of its own: holding its sequence's items
                made[stmt.target] = stmt
                if holding and shared is not None:
                    same.setdefault(stmt.target, []).append(shared)
            elif shared is not None:
                same.setdefault(stmt.target, []).append(shared)
            else:
                made[stmt.target] = stmt
                if holding and stmt.op in NEW_LISTS:
                    same.setdefault(stmt.target, []).extend(stmt.args)
        elif isinstance(stmt, If):
            for merge in stmt.merges:
                same.setdefault(merge.target, []).extend((merge.then, merge.orelse))
        elif isinstance(stmt, Loop):
            for carry in stmt.carries:
                same.setdefault(carry.target, []).extend((carry.init, carry.next))
            if stmt.iter is not None and stmt.iter.kind not in RANGES:  # items of a sequence: views of it
                for target in stmt.iter.targets:
                    same.setdefault(target, []).extend(stmt.iter.args)
    for old, new in updates:  # x op= v: the same object, updated
        same.setdefault(new, []).append(old)
    found = {}

    def objects(operand):
        if isinstance(operand, Global):
            return frozenset({operand})
        if not isinstance(operand, Var):  # a constant, an undefined value: no array of anyone's
            return frozenset()
        if operand not in found:
            found[operand] = frozenset()  # a loop's carried value reaches itself: solved below
            if operand in made:
                found[operand] = frozenset({made[operand]})
            elif operand not in same:
                found[operand] = frozenset({operand})  # a parameter
        return found[operand]

    for var in list(same) + list(made):
        objects(var)
    changed = True
    while changed:  # to a fixed point: carried values flow round their loops
        changed = False
        for var, operands in same.items():
            union = found[var].union(*(objects(o) for o in operands))
            if union != found[var]:
                found[var], changed = union, True
    return objects


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
    """Var -> the Points where its contents are used (a copy of a reference is no use)."""
    reads = {}

    def note(operand, stmt):
        if isinstance(operand, Var):
            reads.setdefault(operand, []).append(layout.at(stmt))

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
        reads.setdefault(function.result, []).append(_Point(layout.end_of_body, None, (), {}))
    return reads


class _Point:
    """A place in the program: a statement's (``stmt``), or one between statements (the end
    of a branch, of a loop's round, a loop's entry), with its position, the loops around it
    and which side of each ``if`` around it it is on (id(If) -> 0 or 1)."""

    def __init__(self, position, stmt, loops, branches):
        self.position, self.stmt, self.loops, self.branches = position, stmt, loops, branches


class _Layout:
    """Program positions: each statement's, each block statement's last nested one, and loops."""

    def __init__(self, body, defined):
        self.defined = defined
        self.position, self.last, self.loops, self.branches = {}, {}, {}, {}
        self._place(body, (), {})
        self.end_of_body = len(self.position)

    def _place(self, body, loops, branches):
        for stmt in body:
            self.position[id(stmt)] = len(self.position)
            self.loops[id(stmt)] = loops
            self.branches[id(stmt)] = branches
            if isinstance(stmt, If):
                self._place(stmt.body, loops, {**branches, id(stmt): 0})
                self._place(stmt.orelse, loops, {**branches, id(stmt): 1})
            elif isinstance(stmt, Loop):
                self._place(stmt.test_body, loops + (stmt,), branches)
                self._place(stmt.body, loops + (stmt,), branches)
            self.last[id(stmt)] = len(self.position) - 1

    def at(self, stmt):
        return _Point(self.position[id(stmt)], stmt, self.loops[id(stmt)], self.branches[id(stmt)])

    def end_of_side(self, branch, side):
        block = (branch.body, branch.orelse)[side]
        end = self.last[id(block[-1])] if block else self.position[id(branch)]
        return _Point(end + 0.25, None, self.loops[id(branch)], {**self.branches[id(branch)], id(branch): side})

    def end_of_round(self, loop):
        return _Point(self.last[id(loop)] + 0.25, None, self.loops[id(loop)] + (loop,), self.branches[id(loop)])

    def entry(self, loop):
        return _Point(self.position[id(loop)] - 0.25, None, self.loops[id(loop)], self.branches[id(loop)])

    def stale(self, var, point, write, held, written, seen=None):
        """Whether ``var``, read at ``point``, may hold a value from before ``write`` changed
        its object (of ``written``): itself, or a value it stands for there (``_values``) that
        may name one (``held``: of a merge of a list's item and a number, only the item)."""
        seen = set() if seen is None else seen
        if not isinstance(var, (Var, Global)) or (var, point.position) in seen:
            return False  # a constant (a carried value's number to start from) names no array
        seen.add((var, point.position))
        if self._stale_value(self.defined.get(var), point, write):
            return True
        return any(self.stale(v, p, write, held, written, seen) for v, p in self._values(var, point) if held(v) & written)

    def _values(self, var, point):
        """``(operand, point)``: the values ``var`` read at ``point`` is: a copy's operand; a
        merge's operand at the end of each branch; a carried value's ``next`` at the end of a
        round, and (read after the loop) its initial value at the loop's entry."""
        definer = self.defined.get(var)
        if isinstance(definer, Assign) and definer.op == "copy":
            return [(definer.args[0], point)]
        if isinstance(definer, If):
            merge = next(m for m in definer.merges if m.target == var)
            return [(merge.then, self.end_of_side(definer, 0)), (merge.orelse, self.end_of_side(definer, 1))]
        carry = next((c for c in definer.carries if c.target == var), None) if isinstance(definer, Loop) else None
        if carry is None:
            return []
        values = [(carry.next, self.end_of_round(definer))]
        return values if definer in point.loops else values + [(carry.init, self.entry(definer))]

    def _stale_value(self, definer, point, write):
        """Whether a value defined by ``definer`` and read at ``point`` may be read after ``write``."""
        written = self.position[id(write)]
        if definer is None:  # a parameter: defined before everything
            defined = -1
        elif isinstance(definer, Loop) and definer not in point.loops:
            defined = self.last[id(definer)] + 0.5  # read after the loop: its last value
        elif isinstance(definer, If):
            defined = self.last[id(definer)] + 0.5  # a merge exists after both branches
        else:
            defined = self.position[id(definer)]
        mine = self.branches[id(write)]
        exclusive = any(side != point.branches.get(branch, side) for branch, side in mine.items())
        if defined < written < point.position and not exclusive:
            return True
        for loop in self.loops[id(write)]:
            if loop in point.loops and not (definer is not None and (definer is loop or self._inside(definer, loop))):
                return True  # the write of one round, the read in the next
        return False

    def _inside(self, stmt, loop):
        return self.position[id(loop)] <= self.position[id(stmt)] <= self.last[id(loop)]
