"""Lesson 00: mutants of the one graded function, and a correct-but-different implementation."""

from . import Alternative, Mutant, edit

LESSON = "00_start_here"

# The reference returns the count on one line; each mistake replaces that line.
_RETURN = "return n_in * n_out + n_out"

MUTANTS: list[Mutant] = [
    edit("fc_parameter_count", mistake, _RETURN, wrong)
    for mistake, wrong in [
        ("biases forgotten (weights only)", "return n_in * n_out"),
        ("one bias for the whole layer instead of one per unit", "return n_in * n_out + 1"),
        ("one bias per input instead of one per unit", "return n_in * n_out + n_in"),
        ("inputs and units added instead of multiplied", "return n_in + n_out"),
        ("the count printed instead of returned", "print(n_in * n_out + n_out)"),
    ]
]


# A student who counts the bias as the weight of one extra, constant input, and returns a NumPy integer.
ALTERNATIVES = [Alternative("bias as an extra input, NumPy integer", {
    "fc_parameter_count": '''
def fc_parameter_count(n_in, n_out):
    return np.int64(n_in + 1) * n_out
''',
})]
