"""Lesson 00: mutants of the one graded function, and a correct-but-different implementation."""

from . import Alternative, Mutant

LESSON = "00_start_here"

MUTANTS: list[Mutant] = [
    Mutant("fc_parameter_count", "biases forgotten (weights only)", """
def fc_parameter_count(n_in, n_out):
    return n_in * n_out
"""),
    Mutant("fc_parameter_count", "one bias for the whole layer instead of one per unit", """
def fc_parameter_count(n_in, n_out):
    return n_in * n_out + 1
"""),
    Mutant("fc_parameter_count", "one bias per input instead of one per unit", """
def fc_parameter_count(n_in, n_out):
    return n_in * n_out + n_in
"""),
    Mutant("fc_parameter_count", "inputs and units added instead of multiplied", """
def fc_parameter_count(n_in, n_out):
    return n_in + n_out
"""),
    Mutant("fc_parameter_count", "the count printed instead of returned", """
def fc_parameter_count(n_in, n_out):
    print(n_in * n_out + n_out)
"""),
]


# A student who counts the bias as the weight of one extra, constant input, and returns a NumPy integer.
ALTERNATIVES = [Alternative("bias as an extra input, NumPy integer", {
    "fc_parameter_count": '''
def fc_parameter_count(n_in, n_out):
    return np.int64(n_in + 1) * n_out
''',
})]
