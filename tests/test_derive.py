"""The sympy-derived rules: pinned in ``srcdiff/rules/_derived.py``, re-derived here.

Deriving again must give exactly the checked-in table (a sympy upgrade cannot change
generated code silently), and importing srcdiff must not import sympy.
"""
import subprocess
import sys

from conftest import ROOT
from srcdiff.rules import derive
from srcdiff.rules._derived import DERIVED


def test_pinned_table_is_what_sympy_derives():
    table = derive.derive_table()
    assert table == DERIVED
    with open(derive.DERIVED_PATH, encoding="utf-8") as handle:
        assert handle.read() == derive.render_module(table)


def test_every_derived_rule_has_one_template_per_argument():
    arity = {name: n for name, _, n, _ in derive.ELEMENTARY}
    special = {name: n for name, n, _ in derive.SPECIAL}
    for op, templates in DERIVED.items():
        base = op.rsplit(".", 1)[1] if op.startswith("scipy.special.") else op.split(".", 1)[1]
        numpy_names = {np_name: n for _, np_name, n, _ in derive.ELEMENTARY if np_name}
        expected = (arity.get(base) if op.startswith("math.") else special.get(base) if op.startswith("scipy.")
                    else numpy_names.get(base))
        assert len(templates) == expected, op
        assert all(t.startswith("g * (") for t in templates), op


def test_importing_srcdiff_does_not_import_sympy():
    code = "import sys, srcdiff; srcdiff.grad; print('sympy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
