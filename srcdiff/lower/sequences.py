"""Sequences in lowering: comprehensions, generator expressions and the builtins that consume them.

``SequenceLowering`` is mixed into ``function._Lowerer``; ``special_call`` takes the calls
that need more than one primitive operation (see the table), before ``calls`` emits a plain one.
"""
from . import effects


class SequenceLowering:
    """Comprehensions and their consumers; relies on ``expr``, ``emit``, ``env``, ``error``."""

    def special_call(self, op, node, hint):
        """The operand of a call lowered here (``SPECIAL_CALLS``), or None for any other call."""
        lowering = SPECIAL_CALLS.get(op)
        return None if lowering is None else lowering(self, node, hint)


SPECIAL_CALLS = {
    "isinstance": effects.call_isinstance,
}
