"""Containers of parameters (pytrees): a parameter's parts read at constant paths.

``TreeLowering`` is mixed into ``function._Lowerer``.  A *tree node* is a parameter of the
function, or a part of one read at a constant key or attribute: ``p['W1']``, ``p[0]``,
``p.W``, ``p['layers'][0]['W']``, and the names ``a, b = p`` unpacks.  Output contract,
on top of ``lower``'s:
- each part is read once, at the start of the function (``W1 = p['W1']``: an ``Assign``
  of op ``field[]`` or ``field.``, ``ir.FIELD_OPS``, with the key a ``Const``), whatever
  helper, branch or loop reads it; an item or key read only inside branches or loops (``if
  len(xs) > 1: xs[1]``, ``if "b" in p: p["b"]``) has the keyword ``ir.MAY_BE_ABSENT`` and is
  read as ``rt.item_or_absent(xs, 1)``, absent where the argument is shorter or lacks the key
  (its gradient then zero, which ``rt.tree_grad`` leaves out); ``a, b = p`` reads ``s = rt.unpacked(p, 2)`` first
  (Python's ValueError for another length), then ``s[0]``, ``s[1]``;
- no gradient flows through a field read (``rules``): the parts a function uses whole
  are differentiated as values of their own, and ``analysis.tree_leaves`` finds them; the
  gradient of the container is ``rt.tree_grad`` of theirs, in its structure (``emit``);
- refused after lowering: a container read through keys or attributes that is also
  passed whole to an operation (``np.sum(params)``, a loop over it) or indexed by a key
  computed at run time (``params[k]``).
``methods`` adds what a class knows about a tree node (``self.forward(x)``, properties).
"""
import ast
import keyword

from .. import frontend
from ..errors import UnsupportedSyntaxError
from ..ir import CHECK_OPS, FIELD_OPS, MAY_BE_ABSENT, Assign, Const, Global, If, Loop, Var, walk

_RUNTIME_TREE_CALLS = ("unpacked", "tree_grad", "tree_part", "item_or_absent")  # in generated code read back
# operations that may take a container read through keys whole: they only read its structure
_STRUCTURE_OPS = FIELD_OPS | CHECK_OPS | {"rt.unpacked", "rt.tree_grad", "len", "in", "not in", "rt.keys_of"}


class TreeState:
    """The tree nodes of one lowering (shared by the function and every helper it inlines)."""

    def __init__(self):
        self.nodes = set()  # Vars that are parameters or parts of one read at constant paths
        self.parts = {}  # (parent Var, op, key type, key) -> the Var of that part
        self.hoisted = []  # the Assigns reading parts, in order: parents before their parts
        self.classes = {}  # tree node Var -> the class a method or an explicit call says it has
        self.checks = {}  # tree node Var -> the class its methods were looked up on (checked at run time)
        self.aliased = {}  # rt.unpacked(p, n) -> p
        self.sure = set()  # the part Vars read outside every branch and loop: the argument has them
        self.items = set()  # Vars of items of tree nodes read at run time (``rows[i]``, ``for row in rows``): ``positions``
        self.checked = set()  # (check op, value) of the checks on every path so far (``positions``)


class TreeLowering:
    """Parts of parameters read at constant paths; relies on ``expr``, ``emit``, ``shared``."""

    def is_tree_node(self, operand):
        return isinstance(operand, Var) and operand in self.shared.trees.nodes

    def tree_params(self, params, owner):
        """Make the function's parameters the roots of tree nodes; a method's first one is an
        object of its class (``owner``), or a class method's class itself."""
        self.shared.trees.nodes.update(params)
        if owner is not None and params and owner.kind == "self":
            self.shared.trees.classes[params[0]] = owner.cls
        elif owner is not None and params:
            self.env[params[0].hint] = self.class_operand(owner.cls)

    def field(self, parent, op, key, node, hint=None, absent=False):
        """The Var of the part of tree node ``parent`` at ``key`` (op ``field[]`` or ``field.``),
        read once at the start of the function; ``absent``: a read that may find no such item
        (``rt.item_or_absent`` of generated code read back), whatever block it is in."""
        trees = self.shared.trees
        memo = (parent, op, type(key), key)
        if memo not in trees.parts:
            var = Var(*_part_hint(trees.aliased.get(parent, parent), key, hint))
            trees.parts[memo] = var
            trees.nodes.add(var)
            trees.hoisted.append(Assign(var, op, (parent, Const(key)), (), self.source.loc(node)))
        if not self.shared.blocks and not absent:
            trees.sure.add(trees.parts[memo])
        return trees.parts[memo]

    def tree_subscript(self, value, node, hint):
        """``p['W']`` or ``p[0]`` of a tree node ``value``: its part, else None (an index
        computed at run time, a slice: ordinary indexing of an array)."""
        if not self.is_tree_node(value):
            return None
        key = self.constant_key(node.slice)
        if key is None:
            return None
        return self.field(value, "field[]", key, node, hint)

    def constant_key(self, node):
        """The constant key of a subscript (a str or an int, ``-1`` too), else None."""
        if isinstance(node, ast.Constant) and type(node.value) in (int, str):
            return node.value
        if (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant)
                and type(node.operand.value) is int):
            return -node.operand.value
        return None

    def refuse_tree_write(self, value, target):
        """Refuse ``params['W'] = v``: a write into a parameter or a part of one."""
        if self.is_tree_node(value):
            raise self.error(UnsupportedSyntaxError, target, "writing into a parameter is not supported: the caller's "
                             "container or array would change", "work on a copy: 'x = x.copy()' before writing into it, "
                             "or build a new value")

    def tree_unpack(self, target, value):
        """``a, b = p`` of a tree node: ``s = rt.unpacked(p, 2)`` (checked at the start), then
        the parts ``s[0]``, ``s[1]``; False when ``value`` is no tree node."""
        if not self.is_tree_node(value):
            return False
        checked = self._unpacked(value, len(target.elts), target)
        for i, element in enumerate(target.elts):
            hint = element.id if isinstance(element, ast.Name) else None
            self.bind(element, self.field(checked, "field[]", i, element, hint))
        return True

    def runtime_tree_call(self, node, hint):
        """Generated code read back: ``rt.unpacked(p, 2)`` of a tree node is the checked alias
        ``a, b = p`` makes (its items stay parts of ``p``); the paths of ``rt.tree_grad`` and
        ``rt.tree_part`` are constant tuples.  None for any other call."""
        if not (isinstance(node.func, ast.Attribute) and node.func.attr in _RUNTIME_TREE_CALLS
                and not node.keywords and self.is_value(node.func.value) is False):
            return None
        op = getattr(self.resolve(node.func), "op", None)
        if op not in ("rt." + name for name in _RUNTIME_TREE_CALLS):
            return None
        args = [Const(ast.literal_eval(a)) if isinstance(a, ast.Tuple) and _literal(a) else self.expr(a)
                for a in node.args]
        if op == "rt.unpacked" and len(args) == 2 and self.is_tree_node(args[0]) and isinstance(args[1], Const):
            return self._unpacked(args[0], args[1].value, node)
        if op == "rt.item_or_absent" and len(args) == 2 and self.is_tree_node(args[0]) and isinstance(args[1], Const):
            return self.field(args[0], "field[]", args[1].value, node, hint, absent=True)
        return self.emit(op, args, node, hint)

    def _unpacked(self, value, count, node):
        trees = self.shared.trees
        memo = (value, "rt.unpacked", int, count)
        if memo not in trees.parts:
            checked = Var("s")
            trees.parts[memo] = checked
            trees.nodes.add(checked)
            trees.aliased[checked] = trees.aliased.get(value, value)  # its parts are named after value
            trees.hoisted.append(Assign(checked, "rt.unpacked", (value, Const(count)), (), self.source.loc(node)))
        return trees.parts[memo]

    def hoisted_statements(self):
        """The statements the function starts with: every part read, each class check right
        after the value it checks is defined (a parameter's first)."""
        trees = self.shared.trees
        loc = self.source.loc(self.source.node)
        checks = {var: Assign(Var("_checked"), "rt.check_class", (var, self.class_operand(cls)), (), loc)
                  for var, cls in trees.checks.items()}
        out = [check for var, check in checks.items() if var not in trees.parts.values()]
        for stmt in trees.hoisted:
            if stmt.op == "field[]" and type(stmt.args[1].value) in (int, str) and stmt.target not in trees.sure:
                # an item read only in a branch or a loop (if len(xs) > 1: xs[1]; if "b" in p: p["b"]):
                # absent where the argument is shorter or lacks the key
                stmt = Assign(stmt.target, stmt.op, stmt.args, ((MAY_BE_ABSENT, Const(True)),), stmt.loc)
            out.append(stmt)
            if stmt.target in checks:
                out.append(checks[stmt.target])
        return out

    def class_operand(self, cls):
        """A Global naming class ``cls`` in generated code (``Model``)."""
        return self.global_operand(frontend.ClassRef(cls.__name__, cls))

    def class_of_operand(self, operand):
        """The class a Global operand names (``Model``, a class method's ``cls``), else None."""
        if isinstance(operand, Global):
            value = self.shared.globals.get(operand.name)
            return value if isinstance(value, type) else None
        return None


def check_tree_uses(function, trees, error):
    """Refuse a container read through keys or attributes that is also used whole: passed to
    an operation that needs its values (``np.sum(params)``), or, read through attributes, looped
    over or indexed by a key computed at run time (a dict read through keys may be: its gradient
    adds the keys read at run time to the parts, ``rt.tree_grad``).  ``error(loc, message, hint)``
    makes the SrcdiffError."""
    keyed = {stmt.args[0]: stmt for stmt in trees.hoisted if stmt.op == "field." or
             stmt.op == "field[]" and isinstance(stmt.args[1].value, str)}
    if not keyed:
        return
    for stmt in walk(function.body):
        if isinstance(stmt, Assign) and stmt.op not in _STRUCTURE_OPS:
            for arg in stmt.args:
                if arg in keyed and not (keyed[arg].op == "field[]" and _read_at_run_time_keys(stmt, arg)):
                    name = _spelled(keyed[arg])
                    if stmt.op == "[]":
                        raise error(stmt.loc, f"'{name}' is a container read through constant keys; a key computed at run time is not supported",
                                    "read each part with a constant key (params['W1']), or pass the parts as separate parameters")
                    raise error(stmt.loc, f"'{name}' is a container read through keys or attributes; passing it whole to '{stmt.op}' is not supported",
                                "pass its parts (params['W1']) instead of the container")
        elif isinstance(stmt, Loop) and stmt.iter is not None and any(a in keyed and keyed[a].op == "field." for a in stmt.iter.args):
            raise error(stmt.loc, "a container read through keys or attributes is iterated at run time; srcdiff cannot know its length",
                        "read its parts by constant keys (params['layers'][0]), or loop over a tuple display of them")
        elif isinstance(stmt, If) and any(m.then in keyed or m.orelse in keyed for m in stmt.merges):
            merge = next(m for m in stmt.merges if m.then in keyed or m.orelse in keyed)
            raise error(stmt.loc, f"'{merge.target.hint}' is one of two containers depending on a condition; srcdiff reads a container's parts at constant paths",
                        "read the part you need in each branch (w = p['a']['W'] if c else p['b']['W'])")


def _read_at_run_time_keys(stmt, container):
    """Whether ``stmt`` reads the dict ``container`` at a key known at run time (``d[k]``), or is
    the gradient of such a read (``rt.index_grad(g, d, k)`` of generated code read back), which
    needs only its keys."""
    return stmt.op == "[]" and stmt.args[0] is container or stmt.op == "rt.index_grad" and stmt.args[1] is container \
        and container not in stmt.args[::2]


def _spelled(stmt):
    container = stmt.args[0]
    return container.hint


def _part_hint(parent, key, hint):
    """``(hint, user_named)`` of a part's Var: the name it is assigned to, else its key."""
    if hint:
        return hint, True
    if isinstance(key, str) and key.isidentifier() and not keyword.iskeyword(key):
        return key, True
    suffix = str(key) if isinstance(key, int) and key >= 0 else f"m{-key}" if isinstance(key, int) else "part"
    return f"{parent.hint}_{suffix}", parent.user_named


def _literal(node):
    try:
        ast.literal_eval(node)
    except ValueError:
        return False
    return True
