"""Classes in lowering: methods, properties, static and class methods, class constants.

``MethodLowering`` is mixed into ``function._Lowerer``.  A method's ``self`` is a tree node
(``trees``) whose class is known (``frontend.Owner``: from the bound object, or from
``Model.loss``'s qualified name).  Output contract, on top of ``lower``'s:
- ``self.W`` is a part of ``self`` (``field.``); ``self.forward(x)`` inlines the method the
  class resolves, with ``self`` bound to the same value; a property is its getter inlined;
  ``self.helper(x)`` and ``Model.helper(x)`` of a static method inline it; a class method
  (also ``cls.helper(x)``) is inlined with ``cls`` bound to the class (a ``Global``);
  ``Model.forward(obj, x)`` inlines that function and tells ``obj``'s class; ``super().f(x)``
  looks ``f`` up after the class that defines the running method; ``Model.K`` is a constant;
- where a method, property or helper was looked up on the class of a value, the function
  starts with ``rt.check_class(self, Model)`` (a subclass may override what was inlined);
- refused by name: a method used as a value, a function stored in an attribute
  (``self.act(x)``), a method of an object whose class is not known, ``getattr`` and the
  like (an attribute computed at run time), writes to attributes.
"""
import ast

import numpy as np

from .. import frontend
from ..frontend.reads import MISSING
from ..errors import UnsupportedSyntaxError
from .arrays import ATTRIBUTES, METHOD_FUNCTIONS, METHODS
from .binding import KeywordValues
from .trees import TreeLowering

_DYNAMIC = {"getattr", "setattr", "hasattr", "delattr", "vars"}
# what an array has besides its methods: never a part of a container (refused by name as before)
_ARRAY_DATA = frozenset(name for name in dir(np.ndarray) if not name.startswith("_")
                        and not callable(getattr(np.ndarray, name, None)))


class MethodLowering(TreeLowering):
    """Classes of tree nodes; relies on ``expr``, ``inline``, ``method_call``, ``error``."""

    def tree_attribute(self, value, node, hint):
        """``value.name`` for a tree node or a class, else None (an array's attribute)."""
        cls = self.class_of_operand(value)
        if cls is not None:
            return self._class_constant(cls, node)
        if not self.is_tree_node(value):
            return None
        known = self.shared.trees.classes.get(value)
        if known is None:  # x.T of an array, params.W of a namedtuple, a dataclass, an object
            return None if node.attr in ATTRIBUTES | _ARRAY_DATA else self.field(value, "field.", node.attr, node, hint)
        found = self._member(known, node.attr)
        if found.kind == "property":
            self.shared.trees.checks[value] = known
            return self._inline_function(found.function, node, hint, (value,), frontend.Owner(known, "self", found.defining),
                                         ast.Call(func=node, args=[], keywords=[], lineno=node.lineno,
                                                  col_offset=node.col_offset))
        if found.kind in ("method", "static", "classmethod"):
            raise self.error(UnsupportedSyntaxError, node, f"'{ast.unparse(node)}' is a method; srcdiff calls methods but cannot use one as a value",
                             f"call it: {ast.unparse(node)}(...)")
        return self.field(value, "field.", node.attr, node, hint)

    def value_method_call(self, node, hint):
        """``receiver.name(...)``: a method of a class, or else an array's method."""
        receiver_node, name = node.func.value, node.func.attr
        if _is_super(receiver_node):
            return self._super_call(node, hint)
        receiver = self.expr(receiver_node)
        if isinstance(receiver, KeywordValues):
            return self.dict_view(receiver, node)  # d.items() of a dict built here (displays)
        cls = self.class_of_operand(receiver)
        if cls is not None:
            return self._call_on_class(cls, node, hint)
        known = self.shared.trees.classes.get(receiver) if self.is_tree_node(receiver) else None
        if known is not None:
            return self._call_on_object(receiver, known, node, hint)
        if self.is_tree_node(receiver) and name not in METHODS and name not in METHOD_FUNCTIONS:
            raise self.error(UnsupportedSyntaxError, node, f"the method '.{name}()' is not supported",
                             "call the numpy function instead (np.f(x) for x.f()); for a method of a class of yours, "
                             "differentiate the method itself (srcdiff.grad(model.loss) or srcdiff.grad(Model.loss, wrt='self')), "
                             f"or call it through its class: Model.{name}(obj, ...)")
        return self.method_call(node, hint, receiver)

    def unassignable(self, target):
        """The error for an assignment target srcdiff does not write: an attribute, or other."""
        if isinstance(target, ast.Attribute):
            return self.error(UnsupportedSyntaxError, target, f"writing to the attribute '{ast.unparse(target)}' is not supported: "
                              "srcdiff differentiates functions that leave their arguments unchanged",
                              "compute the value in a local variable and return it; update the object outside the differentiated code")
        return self.error(UnsupportedSyntaxError, target, f"assignment to '{ast.unparse(target)}' is not supported",
                          "assign to a plain variable")

    def dynamic_attribute_call(self, node):
        """Refuse ``getattr(self, name)`` and the like: an attribute computed at run time."""
        if isinstance(node.func, ast.Name) and node.func.id in _DYNAMIC and node.func.id not in self.env \
                and self.source.scope.resolve(node.func.id) is None:
            raise self.error(UnsupportedSyntaxError, node, f"'{node.func.id}' reads or writes an attribute named at run time; srcdiff reads attributes by name",
                             "write the attribute out (self.W), or keep the values in a dict read with constant keys")

    # ------------------------------------------------------------ what a class holds

    def _member(self, cls, name, after=None):
        found = frontend.member(cls, name, after)
        reads = getattr(self.source.scope, "reads", None)
        if reads is not None:
            for klass in (cls.__mro__ if after is None else cls.__mro__[cls.__mro__.index(after) + 1:]):
                reads.class_attribute(klass, name, vars(klass).get(name, MISSING))
                if klass is found.defining:
                    break
        return found

    def _class_constant(self, cls, node):
        found = self._member(cls, node.attr)
        if found.kind == "constant" and not isinstance(found.value, str):
            return self.global_operand(frontend.ConstantRef(node.attr, found.value), node)
        raise self.error(UnsupportedSyntaxError, node, f"'{ast.unparse(node)}' is {_described(found)}, not a number srcdiff can use",
                         "use numbers and arrays of the class, and call its methods")

    def _call_on_class(self, cls, node, hint):
        """``Model.helper(x)``, ``cls.helper(x)``, ``Model.forward(obj, x)``."""
        found = self._member(cls, node.func.attr)
        if found.kind == "static":
            return self._inline_function(found.function, node.func, hint, (), None, node)
        if found.kind == "classmethod":
            return self._inline_function(found.function, node.func, hint, (self.class_operand(cls),),
                                         frontend.Owner(cls, "cls", found.defining), node)
        if found.kind == "method":
            first = self.expr(node.args[0]) if node.args else None
            if first is None:
                raise self.error(UnsupportedSyntaxError, node, f"'{ast.unparse(node.func)}' needs the object as its first argument",
                                 f"call it as {ast.unparse(node.func)}(obj, ...)")
            if self.is_tree_node(first):
                self.shared.trees.classes.setdefault(first, cls)
            call = ast.Call(func=node.func, args=node.args[1:], keywords=node.keywords, lineno=node.lineno,
                            col_offset=node.col_offset)
            return self._inline_function(found.function, node.func, hint, (first,),
                                         frontend.Owner(self.shared.trees.classes.get(first, cls), "self", found.defining), call)
        raise self.error(UnsupportedSyntaxError, node, f"'{ast.unparse(node.func)}' is {_described(found)}; srcdiff cannot call it",
                         "call methods, static methods and class methods of your own classes")

    def _call_on_object(self, receiver, cls, node, hint):
        """``self.forward(x)``: the method ``cls`` resolves, inlined with ``self`` bound."""
        name = node.func.attr
        found = self._member(cls, name)
        self.shared.trees.checks[receiver] = cls
        if found.kind == "method":
            return self._inline_function(found.function, node.func, hint, (receiver,),
                                         frontend.Owner(cls, "self", found.defining), node)
        if found.kind == "static":
            return self._inline_function(found.function, node.func, hint, (), None, node)
        if found.kind == "classmethod":
            return self._inline_function(found.function, node.func, hint, (self.class_operand(cls),),
                                         frontend.Owner(cls, "cls", found.defining), node)
        what = "an attribute of the object" if found.kind == "missing" else _described(found)
        raise self.error(UnsupportedSyntaxError, node.func, f"'{ast.unparse(node.func)}' is {what}, not a method of {cls.__qualname__}; "
                         "srcdiff cannot call a function stored in an attribute",
                         f"define it as a method of {cls.__qualname__}, or call a module-level function")

    def _super_call(self, node, hint):
        """``super().name(...)``: looked up after the class defining the running method."""
        owner = self.source.owner
        params = self.source.node.args.posonlyargs + self.source.node.args.args
        receiver = self.env.get(params[0].arg) if owner is not None and params else None
        cls = self.shared.trees.classes.get(receiver) if self.is_tree_node(receiver) else None
        if cls is None or owner.kind != "self" or owner.defining is None or owner.defining not in cls.__mro__:
            raise self.error(UnsupportedSyntaxError, node.func.value, "super() is supported only in a method of a class srcdiff knows",
                             "differentiate the method (srcdiff.grad(model.loss)), or call the parent's method by name: Base.forward(self, x)")
        found = self._member(cls, node.func.attr, after=owner.defining)
        if found.kind != "method":
            raise self.error(UnsupportedSyntaxError, node.func, f"'{ast.unparse(node.func)}' is {_described(found)} after {owner.defining.__qualname__}; srcdiff cannot call it",
                             "call a method the parent class defines")
        self.shared.trees.checks[receiver] = cls
        return self._inline_function(found.function, node.func, hint, (receiver,),
                                     frontend.Owner(cls, "self", found.defining), node)

    def _inline_function(self, function, where, hint, bound, owner, call):
        """Inline ``function`` (a method, a getter, a helper) called as ``call``, its first
        parameters bound to the operands ``bound``."""
        reads = getattr(self.source.scope, "reads", None)
        ref = frontend.FunctionRef(function.__name__, lambda: frontend.load_function(function, reads, owner))
        return self.inline(ref, call, hint, bound)


def _is_super(node):
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"
            and not node.args and not node.keywords)


def _described(found):
    return {"missing": "not defined by the class", "constant": "a constant", "other": "not a function",
            "method": "a method", "static": "a static method", "classmethod": "a class method",
            "property": "a property"}[found.kind]
