"""How explain mode writes values: numbers as the lecture writes them, arrays as shape and summary."""
import numpy as np
import pytest

from srcdiff.explain.display import format_value


@pytest.mark.parametrize("value,text", [
    (-12.0, "-12"), (3, "3"), (0.7310585786300049, "0.7311"), (-0.19661193324148185, "-0.1966"),
    (-0.0, "0"), (1.5e-7, "1.5e-07"), (123456.0, "1.235e+05"), (float("nan"), "nan"), (float("-inf"), "-inf"),
    (True, "True"), (None, "—"), (np.float32(0.5), "0.5"), (np.int64(7), "7"), (np.array(2.5), "2.5"),
])
def test_scalars(value, text):
    assert format_value(value) == text


def test_small_arrays_are_written_out():
    assert format_value(np.array([1.0, -2.0, 0.25])) == "[1, -2, 0.25]"
    assert format_value(np.array([[1.0, 2.0], [3.0, 4.5]])) == "[[1, 2], [3, 4.5]]"
    assert format_value(np.array([], dtype=float)) == "[]"


def test_large_arrays_are_shape_and_summary():
    array = np.arange(12, dtype=float).reshape(3, 4) - 2.0
    assert format_value(array) == "array 3×4 float64: min -2, mean 3.5, max 9"
    assert format_value(array.astype(np.float32), short=True) == "3×4 float32 in [-2, 9]"
    assert format_value(array, short=True) == "3×4 in [-2, 9]"
    assert format_value(np.arange(10) > 6) == "array 10 bool: 3 of 10 true"


def test_a_huge_array_stays_one_short_line():
    text = format_value(np.linspace(-1.0, 1.0, 1_000_000))
    assert "\n" not in text and len(text) < 80 and text.startswith("array 1000000 float64")
