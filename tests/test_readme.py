"""Every README block that shows output is a tested example (markers: tests/readme_examples.py).

Each marked block is compared with what srcdiff prints now, through the command line or a
run of the example above it; ``pytest --update-golden`` rewrites the blocks instead.
"""
import os

import pytest

from readme_examples import Block, blocks, checked_blocks, compare, expected_text, rewrite, unmarked_generated_code, \
    with_checked_values


@pytest.mark.parametrize("block", checked_blocks(), ids=lambda block: f"line {block.line}")
def test_readme_block_shows_what_srcdiff_prints(block, tmp_path, update_golden):
    if os.environ.get("SRCDIFF_GENERIC") == "1" and _shows_specialized_code(block):
        pytest.skip("pytest --generic: the block shows code specialized to a signature, which --generic turns off")
    expected = expected_text(block, tmp_path)
    if update_golden and block.kind != "excerpt":
        rewrite(block, expected)
        return
    problem = compare(block, expected)
    assert problem is None, problem


def _shows_specialized_code(block):
    """Whether the block prints code specialized to a signature (``source_for``, ``--sig``)."""
    shown = [block.command or ""] + ([blocks()[block.number - 1].text] if block.kind == "above" else [])
    return any(word in text for text in shown for word in ("source_for", "--sig"))


def test_every_block_of_generated_code_is_checked():
    assert unmarked_generated_code() == [], "README blocks showing generated code without a marker"


def test_the_readme_shows_the_examples_that_matter():
    """The examples the issue named stay under test (a marker dropped by an edit fails here)."""
    texts = {next((line for line in block.text.splitlines() if line.startswith("def ")), block.text.splitlines()[0])
             for block in checked_blocks()}  # printed code starts with how to export it
    assert {"def grad_f(x, y, z):", "def grad_loop_range(x, c, n):", "def grad2_cost(x):"} <= texts
    assert any(block.kind == "excerpt" for block in checked_blocks())


# ---------------------------------------------------------------- the checker itself

MARKED = """Intro.

```python
x = 1.0 + 1.0   # 2.0
print(x)
```
<!-- output of the block above -->
```python
2.0
```

<!-- output: python3 cli.py samples/mul_add.py -->
```python
def grad_f():
```

```python
    grad_x = 1.0
```
"""


def test_markers_are_read():
    found = blocks(MARKED)
    assert [(b.lang, b.kind, b.command) for b in found] == [
        ("python", None, None), ("python", "above", None),
        ("python", "output", "python3 cli.py samples/mul_add.py"), ("python", None, None)]
    assert found[1].text == "2.0\n" and found[1].line == 8


def test_value_comments_are_checked():
    namespace = {}
    exec(with_checked_values("x = 1.0   # not checked: an assignment\nx + 1.0   # 2.0\n"), namespace)
    with pytest.raises(AssertionError, match="is not 3.0"):
        exec(with_checked_values("x = 1.0\nx + 1.0   # 3.0\n"), {})


def test_a_changed_output_is_reported_and_an_excerpt_is_read_in_order():
    output = Block(0, "python", "a\nb\n", 0, 0, kind="output", line=1)
    assert compare(output, "a\nb\n\n") is None
    assert "no longer matches" in compare(output, "a\nc\n")
    excerpt = Block(0, "python", "    b = 2   # why\n    d = 4\n", 0, 0, kind="excerpt", line=1)
    assert compare(excerpt, "    a = 1\n    b = 2\n    c = 3\n    d = 4\n") is None
    assert compare(excerpt, "    d = 4\n    b = 2\n") is not None
