"""The Korean edition's messages: every text a student sees has Korean with the same fields, Korean appears in a
``*_ko`` folder, English stays exactly as it was, and the Hangul font draws every glyph of the catalog."""

from __future__ import annotations

import ast
import io
import re
import warnings

import numpy as np
import polib
import pytest

from autograder.course import REPO
from autograder.lesson_strings import LESSONS_PO, lesson_strings
from source_helpers import i18n

HANGUL = re.compile("[\uac00-\ud7a3]")


def _tr_literals() -> dict[str, str]:
    """Every ``tr("...")`` literal in source_helpers, with where it is."""
    found = {}
    for path in sorted((REPO / "source_helpers").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "tr"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, f"{path.relative_to(REPO)}:{node.lineno}")
    return found


def _working_in(folder, monkeypatch, language):
    """Work in ``folder`` with no WORKBOOK_LANG, so the folder's name alone sets the language."""
    folder.mkdir()
    monkeypatch.delenv("WORKBOOK_LANG", raising=False)
    monkeypatch.chdir(folder)
    assert i18n.language() == language
    return folder


@pytest.fixture
def korean(tmp_path, monkeypatch):
    """A working directory named like a Korean assignment."""
    return _working_in(tmp_path / "03_pooling_ko", monkeypatch, "ko")


@pytest.fixture
def english(tmp_path, monkeypatch):
    return _working_in(tmp_path / "03_pooling", monkeypatch, "en")


def test_every_tr_literal_has_korean_with_the_same_fields():
    table = i18n.catalog("ko")
    literals = _tr_literals()
    assert len(literals) > 60
    missing = [f"{where}: {text!r}" for text, where in literals.items() if text not in table]
    assert not missing, "no Korean for:\n" + "\n".join(missing)
    wrong = [f"{where}: {text!r}" for text, where in literals.items() if i18n.fields(table[text]) != i18n.fields(text)]
    assert not wrong, "Korean with other {fields}:\n" + "\n".join(wrong)


def test_every_text_of_the_lessons_test_cells_has_korean():
    strings = lesson_strings()
    assert len(strings) > 300
    table = i18n.catalog("ko")
    missing = [f"{where[0]}: {text!r}" for text, where in strings.items() if text not in table]
    assert not missing, f"{len(missing)} texts of test cells with no Korean in {LESSONS_PO.name}:\n" + "\n".join(
        missing[:40]
    )
    positional = re.compile(r"\{(\d+)\}")
    wrong = [
        text
        for text in strings
        if text in table and set(positional.findall(table[text])) != set(positional.findall(text))
    ]
    assert not wrong, f"Korean with other fields: {wrong[:10]}"


def test_every_po_entry_keeps_its_fields():
    for path in sorted((REPO / "source_helpers" / "locale" / "ko").glob("*.po")):
        for entry in polib.pofile(str(path)):
            if entry.msgstr:
                assert i18n.fields(entry.msgstr) == i18n.fields(entry.msgid), (path.name, entry.msgid)


def _message(check, *args, **kwargs) -> str:
    with pytest.raises(AssertionError) as info:
        check(*args, **kwargs)
    return str(info.value)


def test_check_array_is_korean_in_a_ko_folder_and_english_otherwise(korean):
    from source_helpers.checks import check_array

    expected = np.zeros((2, 3, 4))
    actual = expected.copy()
    actual[0, 1, 2] = 0.5
    msg = _message(check_array, actual, expected, "output vs torch")
    assert HANGUL.search(msg) and "values differ" not in msg, msg
    assert "torch" in msg


def test_check_array_english_is_unchanged(english):
    from source_helpers.checks import check_array

    expected = np.zeros((2, 3, 4))
    actual = expected.copy()
    actual[0, 1, 2] = 0.5
    actual[1, 2, 3] = -2.0
    msg = _message(check_array, actual, expected, "conv out")
    assert msg.startswith(
        "conv out: 2 of 24 values differ (tolerance atol=1e-09 + rtol=1e-07*|expected|).\n"
        "  first differing index (0, 1, 2): expected 0.0, got 0.5\n"
        "  max abs error 2 at index (1, 2, 3)\n  Pattern: "
    )
    assert not HANGUL.search(_message(check_array, 2 * np.arange(1.0, 5.0), np.arange(1.0, 5.0)))
    assert "Pattern: every value is 2 times the expected one" in _message(
        check_array, 2 * np.arange(1.0, 5.0), np.arange(1.0, 5.0)
    )


def test_a_known_mistake_is_named_in_korean(korean):
    from source_helpers.checks import Mistake, check_array

    x = np.arange(1.0, 5.0)
    msg = _message(
        check_array,
        2 * x,
        x,
        "avg_pool2d_backward vs torch",
        mistakes=[Mistake("the gradient is not divided by K^2", 2 * x)],
    )
    assert "알려진 실수" in msg
    assert i18n.catalog("ko")["the gradient is not divided by K^2"] in msg, msg


def test_check_cases_in_korean_and_english(korean, monkeypatch, tmp_path):
    from source_helpers.checks import check_cases, check_int

    def run(stride):
        check_int(1 if stride == 1 else 2, 1, f"pool_output_size(S={stride})")

    msg = _message(check_cases, "pool_output_size vs torch", [dict(stride=1), dict(stride=2), dict(stride=3)], run)
    assert HANGUL.search(msg) and "패턴" in msg and "cases fail" not in msg, msg
    (tmp_path / "en").mkdir()
    monkeypatch.chdir(tmp_path / "en")
    msg = _message(check_cases, "pool_output_size vs torch", [dict(stride=1), dict(stride=2), dict(stride=3)], run)
    assert msg.startswith("pool_output_size vs torch: 2 of 3 cases fail; the first is stride=2:")
    assert "  Pattern: right when stride = 1, wrong when stride ≠ 1." in msg
    assert not HANGUL.search(msg)


def test_gradient_check_in_korean_and_english(korean, monkeypatch, tmp_path):
    from source_helpers.gradcheck import check_gradient

    x = np.arange(1.0, 5.0)
    dout = np.ones(4)
    msg = _message(check_gradient, 3 * np.ones(4), lambda v: v * v, x, dout, "dx")
    assert HANGUL.search(msg) and "중심 차분" in msg, msg
    (tmp_path / "en").mkdir()
    monkeypatch.chdir(tmp_path / "en")
    msg = _message(check_gradient, 3 * np.ones(4), lambda v: v * v, x, dout, "dx")
    assert msg.startswith("dx (compared with the centred-difference estimate, h=1e-05): ")


def test_quiz_check_in_korean_and_english(korean, monkeypatch, tmp_path):
    from source_helpers import quiz

    msg = _message(quiz.check_shape_form, (3, 4), 3, "q05")
    assert HANGUL.search(msg), msg
    msg = _message(quiz.check_whole_number, 27000000, 7600, "q02", mistakes={27000000: "the 100 biases"})
    assert "알려진 실수" in msg
    (tmp_path / "en").mkdir()
    monkeypatch.chdir(tmp_path / "en")
    assert _message(quiz.check_shape_form, (3, 4), 3, "q05") == "q05: expected 3 numbers, got 2: (3, 4)."
    assert _message(quiz.check_whole_number, 27000000, 7600, "q02", mistakes={27000000: "the 100 biases"}) == (
        "q02: 27000000 is not right. It matches a known mistake: the 100 biases"
    )


def test_the_widgets_source_line_in_korean(korean):
    from source_helpers.widgets.core import NOT_DONE, try_yours

    def not_done():
        raise NotImplementedError

    yours = try_yours(lambda: not_done(), lambda f: f(), name="conv_output_size")
    assert yours.why == NOT_DONE  # widgets compare with the English sentinel
    assert HANGUL.search(yours.source("torch"))


def test_the_korean_font_draws_every_hangul_glyph_of_the_catalog():
    from matplotlib.figure import Figure

    i18n.use_korean_font()
    texts = sorted({t for t in i18n.catalog("ko").values() if HANGUL.search(t)})
    assert texts
    glyphs = "".join(sorted({c for t in texts for c in t if HANGUL.match(c)}))  # ✓ and ≠ are printed, not drawn
    fig = Figure(figsize=(8, 2))
    for i in range(0, len(glyphs), 80):
        fig.text(0.01, 0.9 - 0.1 * (i // 80) % 0.9, glyphs[i : i + 80])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.savefig(io.BytesIO(), format="png")


def test_labels_built_in_a_test_cell_are_translated(korean):
    """A label is found whole, as an f-string's template, or phrase by phrase (a text built with +)."""
    assert i18n.shown("pool_output_size (window larger than the input)") == "pool_output_size (입력보다 큰 윈도우)"
    assert i18n.shown("running_mean after 7 steps") == "7단계 뒤의 running_mean"
    assert i18n.shown("pool_output_size(H=3, kernel_size=4, stride=1) (window does not fit)") == (
        "pool_output_size(H=3, kernel_size=4, stride=1) (윈도우가 들어가지 않음)"
    )
    assert i18n.shown("conv2d_forward vs torch") == "conv2d_forward (torch와 비교)"


def test_labels_stay_english_in_english(english):
    for text in ["pool_output_size (window larger than the input)", "running_mean after 7 steps", "output"]:
        assert i18n.shown(text) == text
