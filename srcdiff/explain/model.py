"""What explain mode returns: the rows of the forward pass and the steps of the backward one."""
from dataclasses import dataclass, field

from .display import explanation_text


@dataclass(frozen=True)
class Row:
    """One value of the forward pass.

    ``operation`` is the statement's right-hand side in SSA names (``'x + y'``), or
    ``'input'`` for a parameter; ``operands`` holds, per argument, the index of the row
    it reads or the text of a constant; ``gradient`` is None where no gradient flows
    (the value does not depend on an input or does not reach the result).
    """

    index: int
    name: str
    operation: str
    value: object
    gradient: object
    op: str = "input"
    operands: tuple = ()
    line: int = 0


@dataclass(frozen=True)
class Step:
    """One contribution of the backward sweep: ``downstream = local × upstream``.

    The gradient of row ``source`` (the upstream) flows through argument ``position`` of
    its statement into row ``target``; ``local`` is the local gradient as a formula in
    SSA names, ``local_value`` its number (None for arrays, where it is not one number);
    ``accumulates`` marks a fork, whose contributions add up to ``total``.
    """

    source: int
    target: int
    position: int
    upstream: object
    local: str
    local_value: object
    downstream: object
    accumulates: bool
    total: object


@dataclass(frozen=True)
class Explanation:
    """The forward values and gradients of one call; ``str()`` prints the table."""

    function: str
    params: tuple
    rows: tuple
    steps: tuple
    result: int = None  # index of the result's row (None when the result is a constant)
    value: object = None
    gradient_names: dict = field(default_factory=dict)

    def __getitem__(self, name):
        """The last row called ``name``."""
        for row in reversed(self.rows):
            if row.name == name:
                return row
        raise KeyError(name)

    @property
    def gradients(self):
        """The gradients of the parameters, in order."""
        return tuple(self.rows[i].gradient for i in range(len(self.params)))

    def __str__(self):
        return explanation_text(self)
