"""Lesson 08 (the quiz): three or more wrong answers per question, and every answer in an equivalent form."""

from . import Alternative, Mutant

LESSON = "08_self_check"

# question -> [(wrong answer as code, the mistake it stands for)]
WRONG: dict[str, list[tuple[str, str]]] = {
    "q01": [('"a"', "horizontal edges"), ('"c"', "45-degree edges"), ('"d"', "image contrast"),
            ('"vertical edges"', "a word instead of the letter")],
    "q02": [("27_000_000", "biases forgotten"), ("9_000_100", "colour channels forgotten"),
            ("270_001", "parameters of one neuron only"), ("27_000_100.5", "not a whole number")],
    "q03": [("7_500", "biases forgotten"), ("2_600", "a filter spanning one channel only"),
            ("7_800", "one bias per input channel"), ("9_000_760_000", "weights per position (no sharing)")],
    "q04": [("(29, 29, 32)", "H x W x C instead of C x H x W"), ("(32, 57, 57)", "stride ignored"),
            ("(32, 28, 28)", "the +1 forgotten"), ("(16, 29, 29)", "channels of the input kept")],
    "q05": [("(19, 19, 8)", "H x W x C instead of C x H x W"), ("(8, 17, 17)", "padding counted once"),
            ("(8, 15, 15)", "padding ignored"), ("(8, 19)", "a tuple of the wrong length")],
    "q06": [("6", "total padding instead of per side"), ("7", "the kernel size"), ("2", "K // 3"),
            ("3.5", "K / 2")],
    "q07": [("(16, 31, 31)", "stride ignored"), ("(8, 16, 16)", "channels halved too"),
            ("(16, 32, 32)", "pooling does not shrink"), ("(16, 16)", "channels left out")],
    "q08": [("True", "pooling ignored in backprop"), ('"False"', "a string instead of a bool"),
            ("0", "a number instead of a bool")],
    "q09": [("1_255_500", "biases forgotten"), ("4_931_080", "only one pooling before flatten"),
            ("1_232_330", "conv2 filters spanning one channel only"),
            ("1_256_070", "the output layer's biases forgotten")],
    "q10": [("(7, 7, 50)", "H x W x C instead of C x H x W"), ("(50, 14, 14)", "one pooling only"),
            ("(50, 4, 4)", "padding ignored"), ("(20, 7, 7)", "channels of conv1")],
    "q11": [("(64, 109, 109)", "padding ignored"), ("(64, 224, 224)", "stride ignored"),
            ("(112, 112, 64)", "H x W x C instead of C x H x W"), ("(64, 113, 113)", "rounded up instead of floored")],
    "q12": [("(96, 28, 28)", "rounded up / window size ignored"), ("(96, 53, 53)", "stride ignored"),
            ("(27, 27, 96)", "H x W x C instead of C x H x W"), ("(96, 18, 18)", "stride taken as the window size")],
    "q13": [("6_522_880", "bias additions counted"), ("200_704", "input channels forgotten"),
            ("2_080", "parameters instead of multiply-adds"), ("3_211_264", "half the output channels")],
    "q14": [("9", "L * K"), ("6", "the +1 forgotten"), ("5", "two layers"), ("3", "one layer")],
    "q15": [("147_584", "groups ignored"), ("4_608", "biases forgotten"), ("1_184", "one filter per group"),
            ("36_992", "groups multiplied instead of divided")],
    "q16": [("(1, 2, 3)", "layer norm's axes"), ("(2, 3)", "instance norm's axes"), ("(0,)", "fully connected BN"),
            ("(0, 1, 2, 3)", "one mean for the whole tensor")],
    "q17": [("(1, 4, 1, 1)", "shared across the batch"), ("(8, 16, 1, 1)", "instance norm's shape"),
            ("(1, 16, 1, 1)", "batch norm's shape"), ("(8, 1, 1, 1)", "layer norm's shape")],
    "q18": [("(8, 4, 1, 1)", "the statistics' shape (the circulated mistake)"), ("(1, 4, 1, 1)", "per group"),
            ("(8, 16, 1, 1)", "per sample"), ("(16,)", "a tuple of the wrong length")],
    "q19": [("1 / 128 + 1 / 3", "1/K instead of 1/K^2"), ("1 / 9", "the point-wise part forgotten"),
            ("1 / (128 * 9)", "the ratios multiplied"), ("128 * 9 / (128 + 9)", "the ratio inverted")],
    "q20": [("True", "the unbiased variance"), ('"False"', "a string instead of a bool"), ("None", "left as None")],
    "q21": [('"a"', "multiplied by the keep probability"), ('"b"', "no rescaling"), ('"d"', "divided by p"),
            ("1.25", "the number instead of the letter")],
    "q22": [("576", "fan_out"), ("32", "the input channels only"), ("9", "the kernel area only"),
            ("18_432", "all the weights")],
}

MUTANTS: list[Mutant] = [Mutant(q, mistake, f"{q} = {code}") for q, wrongs in WRONG.items() for code, mistake in wrongs]

# The right answers in other forms: lists for tuples, floats for ints, NumPy and torch types, capital letters,
# axes in another order, a rounded ratio.
EQUIVALENT = {
    "q01": '" B "',
    "q02": "27000100.0",
    "q03": "np.int64(7600)",
    "q04": "[32, 29, 29]",
    "q05": "(8.0, 19.0, 19.0)",
    "q06": "np.float32(3)",
    "q07": "torch.Size([16, 16, 16])",
    "q08": "np.False_",
    "q09": "1.25608e6",
    "q10": "[50, 7, 7]",
    "q11": "np.array([64, 112, 112])",
    "q12": "(np.int64(96), 27, 27.0)",
    "q13": "np.float64(6422528)",
    "q14": "7.0",
    "q15": "np.int32(4736)",
    "q16": "[3, 2, 0]",
    "q17": "[8, 4, 1, 1]",
    "q18": "tuple(torch.zeros(16)[None, :, None, None].shape)",
    "q19": "0.1189",
    "q20": "bool(np.False_)",
    "q21": '"C"',
    "q22": "288.0",
}

ALTERNATIVES = [Alternative("equivalent forms of every answer", {
    q: f"import numpy as np\nimport torch\n\n{q} = {code}\n" for q, code in EQUIVALENT.items()})]
