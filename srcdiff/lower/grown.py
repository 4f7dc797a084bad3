"""Which lists a function grows by ``append``, and whether rebinding them is sound (``appends``).

``check(lw)`` reads the function's own scope (comprehensions included, nested functions not)
and returns the names of the lists it grows, after refusing every use of one that a rebinding
would not reproduce.  A use of such a list ``out`` is one of:

| kind | examples | rule |
| --- | --- | --- |
| growth | ``out.append(v)``, ``out.extend(ys)``, ``out += ys`` (statements) | what ``appends`` lowers |
| read | ``out[i]``, ``len(out)``, ``np.stack(out)``, ``for x in out``, ``out == ys``, anything inside ``return`` | fine: nothing keeps the list |
| escape | ``b = out``, ``helper(out)``, ``enumerate(out)`` kept as a value, ``a or out`` | fine unless a growth may run after it |
| refused | ``out.pop()``, ``del out[i]``, ``[out]``, ``ys.append(out)``, ``out`` read in a nested ``def`` or lambda | always |

A growth may run after an escape unless it comes earlier in the text and no loop holds both.
"""
import ast

from .. import frontend
from ..errors import SrcdiffError, UnsupportedSyntaxError
from .scopes import FUNCTIONS, free_names, local_names, own_nodes, parents_of

GROWERS = frozenset({"append", "extend"})
MUTATORS = frozenset({"pop", "insert", "remove", "sort", "reverse", "clear", "__setitem__", "__delitem__", "__iadd__"})
_LAZY = frozenset({"enumerate", "zip", "reversed", "iter", "map", "filter"})  # hold the list: a read only as a loop's
_EAGER_BUILTINS = frozenset({"len", "sum", "max", "min", "list", "tuple", "sorted", "any", "all", "print"})
_LOOPS = (ast.For, ast.While)
_CONTAINERS = (ast.List, ast.Tuple, ast.Set, ast.Dict)
_TESTS = (ast.If, ast.While, ast.Assert, ast.IfExp)
_HINT_NEW = "build a new list instead: a comprehension, or append to a list made here (out = list(xs))"


def grown_name(stmt):
    """The name the statement ``stmt`` grows (``out.append(v)``, ``out.extend(ys)``), or None."""
    call = stmt.value if isinstance(stmt, ast.Expr) else None
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in GROWERS \
            and isinstance(call.func.value, ast.Name):
        return call.func.value.id
    return None


def check(lw):
    """The names of the lists the function of ``lw`` grows, every use of each checked (module doc)."""
    node = lw.source.node
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return frozenset()
    source = lw.source  # its index of nodes by class, made once per Source: most functions grow no list
    if not source.nodes(ast.AugAssign) and not any(n.attr in GROWERS or n.attr in MUTATORS
                                                   for n in source.nodes(ast.Attribute)):
        return frozenset()
    own = own_nodes(node)
    if not any(isinstance(n, ast.Attribute) and n.attr in GROWERS | MUTATORS or isinstance(n, ast.AugAssign)
               for n in own):
        return frozenset()
    scope = _Scope(lw, node, own)
    grown = {}
    for n in own:
        if isinstance(n, ast.Attribute) and n.attr in GROWERS and isinstance(n.value, ast.Name) \
                and n.value.id in scope.locals:
            scope.check_statement_form(n)
        name = grown_name(n)
        if name is None and isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name) \
                and isinstance(n.op, ast.Add) and scope.is_list(n.target.id):
            name = n.target.id
        if name is not None:
            grown.setdefault(name, []).append(n)
    for name, growths in grown.items():
        scope.check_list(name, growths)
    return frozenset(grown)


def written(lw):
    """The names of the lists the function of ``lw`` writes items of (``sums[0] = v``,
    ``sums[i] += v``), among those every binding of which makes a new list: ``appends``
    makes a display bound to one a list value, whose writes are copies checked like an
    array's (``writes``).  A name also bound to a tuple is not among them: a write into a
    tuple is refused where it is lowered."""
    node = lw.source.node
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not lw.source.nodes(ast.Subscript):
        return frozenset()
    own = own_nodes(node)
    names = {n.value.id for n in own if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store)
             and isinstance(n.value, ast.Name)}
    if not names:
        return frozenset()
    scope = _Scope(lw, node, own)
    return frozenset(name for name in names if name in scope.locals and scope.is_list(name))


class _Scope:
    """One function's own nodes, their parents, and the checks of one grown list at a time."""

    def __init__(self, lw, node, own):
        self.lw = lw
        self.own = own
        self.parents = parents_of(own)
        args = node.args
        self.params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs
                       + [a for a in (args.vararg, args.kwarg) if a is not None]}
        self.locals = local_names(node)

    def error(self, node, message, hint):
        return self.lw.error(UnsupportedSyntaxError, node, message, hint)

    # ------------------------------------------------------------ bindings

    def bindings(self, name):
        return [n for n in self.own if isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load)]

    def is_list(self, name):
        """Whether every binding of ``name`` makes a new list (and one assigns it)."""
        found = self.bindings(name)
        return bool(found) and all(self._makes_list(b) for b in found) \
            and any(isinstance(self.parents.get(b), (ast.Assign, ast.AnnAssign)) for b in found)

    def _makes_list(self, target):
        stmt = self.parents.get(target)
        if isinstance(stmt, ast.AugAssign):
            return isinstance(stmt.op, ast.Add)
        if isinstance(stmt, ast.Assign) and stmt.targets != [target] or not isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            return False
        value = stmt.value
        if isinstance(value, ast.List):
            return not any(isinstance(e, ast.Starred) for e in value.elts)
        return isinstance(value, ast.ListComp) or isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
            and value.func.id == "list" and "list" not in self.locals and len(value.args) <= 1 and not value.keywords

    # ------------------------------------------------------------ one list

    def check_list(self, name, growths):
        first = growths[0]
        if name in self.params:
            raise self.error(first, f"'{name}' is a parameter: appending to it would change the caller's list",
                             f"srcdiff differentiates functions that leave their arguments as they are; "
                             f"append to a copy made here: {name}_new = list({name})")
        for binding in self.bindings(name):
            if isinstance(self.parents.get(binding), ast.Assign) and len(self.parents[binding].targets) > 1:
                raise self.error(binding, f"'{name}' is appended to, and here it names the same list as another "
                                 "name: appending through one would change the other", "give each name its own list")
            if not self._makes_list(binding):
                raise self.error(binding, f"'{name}' is appended to, so it must be bound only to a new list "
                                 "([], [a, b], a comprehension or list(xs)); here it is bound otherwise",
                                 "give this value another name")
        if not self.is_list(name):
            raise self.error(first, f"'{name}' is not a list this function makes, so appending to it would change "
                             "a list someone else holds", f"make the list here: {name} = [] (or list(...))")
        for growth in growths:
            self._check_growth(name, growth)
        escapes = []
        for use in self.own:
            if isinstance(use, ast.Name) and use.id == name and isinstance(use.ctx, ast.Load):
                escapes += self._check_use(name, use, growths)
            elif isinstance(use, FUNCTIONS) and name in free_names(use):
                raise self.error(use, f"the list '{name}' is read inside a nested function or lambda, while "
                                 "this function appends to it", "pass the list to it as an argument, after the last append")
        for escape in escapes:
            for growth in growths:
                if not self._before(growth, escape):
                    raise self.error(growth, f"'{name}' is appended to here after it was passed on at line "
                                     f"{escape.lineno} ('{ast.unparse(self.parents[escape])}'): srcdiff cannot tell "
                                     "whether something else holds the list", "append every item first, then "
                                     f"pass the list on (or pass a copy: list({name}))")

    def _check_growth(self, name, growth):
        if isinstance(growth, ast.Expr):
            call = growth.value
            if len(call.args) != 1 or call.keywords or isinstance(call.args[0], ast.Starred):
                raise self.error(call, f"{name}.{call.func.attr}() takes one argument here",
                                 f"write {name}.{call.func.attr}(value)")

    def _check_use(self, name, use, growths):
        """Refuse ``use`` (a read of ``name``) if nothing models it; return it if it is an escape."""
        parent = self.parents.get(use)
        if isinstance(parent, ast.Attribute):
            return self._method(name, use, parent)
        if self._in_return(use):
            return []
        if isinstance(parent, ast.Subscript):
            if isinstance(parent.ctx, ast.Del):
                raise self.error(parent, f"'del {ast.unparse(parent)}' changes the list '{name}'", _HINT_NEW)
            return []
        if isinstance(parent, ast.Call) and use in parent.args:
            return self._argument(name, use, parent, growths)
        if isinstance(parent, (ast.For, ast.comprehension)) and parent.iter is use:
            self._walked(name, parent, growths)
            return []
        if isinstance(parent, (ast.Compare, ast.UnaryOp)) or isinstance(parent, _TESTS) and parent.test is use:
            return []
        if isinstance(parent, _CONTAINERS):
            raise self.error(parent, f"the list '{name}' is stored in another container while this function "
                             "appends to it", "keep it in its own variable, or store a copy: list(...)")
        return [use]

    def check_statement_form(self, attribute):
        """Refuse ``out.append`` other than called as a statement of its own."""
        call = self.parents.get(attribute)
        if not (isinstance(call, ast.Call) and call.func is attribute and isinstance(self.parents.get(call), ast.Expr)):
            name = attribute.value.id
            raise self.error(attribute, f"'{name}.{attribute.attr}' is used as a value (its call returns None)",
                             f"call {name}.{attribute.attr}(...) as a statement of its own")

    def _method(self, name, use, attribute):
        if attribute.attr in GROWERS:
            self.check_statement_form(attribute)
            return []
        if attribute.attr in MUTATORS:
            raise self.error(attribute, f"'{name}.{attribute.attr}' changes the list '{name}'; srcdiff models lists "
                             "that only grow by append, extend or +=", _HINT_NEW)
        return [use]

    def _argument(self, name, use, call, growths):
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in GROWERS and isinstance(self.parents.get(call), ast.Expr):
            if func.attr == "extend":
                return []
            raise self.error(call, f"the list '{name}' is appended to another list while this function "
                             "appends to it", "append a copy (list(...)), or build the nested list with a comprehension")
        kind = self._callee(func)
        if kind == "eager":
            return []
        holder = self.parents.get(call)
        if kind == "lazy" and isinstance(holder, (ast.For, ast.comprehension)) and holder.iter is call:
            self._walked(name, holder, growths)
            return []
        return [use]

    def _callee(self, func):
        """``eager`` for a function that reads a list and keeps nothing of it, ``lazy`` for an
        iterator over it, ``other`` for anything else (the user's functions, methods)."""
        root = func
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name) or root.id in self.locals:
            return "other"
        try:
            ref = self.lw.resolve(func) if isinstance(func, ast.Attribute) else self.lw.source.scope.resolve(func.id)
        except SrcdiffError:
            return "other"
        op = ref.op if isinstance(ref, frontend.PrimitiveRef) else None
        if op is None and isinstance(func, ast.Name) and ref is None and func.id in _EAGER_BUILTINS:
            op = func.id
        if op is None:
            return "other"
        return "lazy" if op in _LAZY else "eager"

    def _walked(self, name, loop, growths):
        if isinstance(loop, ast.For) and any(loop in self._loops(g) for g in growths):
            raise self.error(loop, f"'{name}' is appended to inside a loop over '{name}'",
                             "collect the new items in another list, and extend after the loop")

    # ------------------------------------------------------------ order

    def _in_return(self, node):
        while node is not None and not isinstance(node, ast.stmt):
            node = self.parents.get(node)
        return isinstance(node, ast.Return)

    def _loops(self, node):
        found = set()
        while node is not None:
            node = self.parents.get(node)
            if isinstance(node, _LOOPS):
                found.add(node)
        return found

    def _before(self, growth, escape):
        """Whether ``growth`` never runs after ``escape``: earlier in the text, and no loop holds both."""
        earlier = (growth.lineno, growth.col_offset) < (escape.lineno, escape.col_offset)
        return earlier and not self._loops(growth) & self._loops(escape)
