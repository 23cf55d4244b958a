"""The lesson map (autograder/course.py: LESSON_MAP): every lesson has each of its files, every such file
belongs to a lesson, the widget registry agrees, and README shows the same table."""

from pathlib import Path

from autograder import editions
from autograder.course import LESSON_MAP, REPO, lesson_map_markdown, lesson_names
from source_helpers.widgets.registry import BUILDERS

# widget modules and tests that serve every lesson, not one
SHARED_WIDGET_MODULES = {"__init__", "core", "registry"}
SHARED_WIDGET_TESTS = {"test_widgets_contract"}


def test_the_map_lists_every_english_lesson_in_order():
    assert [lesson.name for lesson in LESSON_MAP] == editions.english_lessons()
    assert [lesson.number for lesson in LESSON_MAP] == [f"{i:02d}" for i in range(len(LESSON_MAP))]


def test_every_lesson_has_each_of_its_files():
    missing = [
        f"{lesson.name}: {role} {path}"
        for lesson in LESSON_MAP
        for role, path in lesson.files.items()
        if path is not None and not (REPO / path).is_file()
    ]
    assert not missing, "\n".join(missing)


def test_every_lesson_file_belongs_to_a_lesson():
    mapped = {path for lesson in LESSON_MAP for path in lesson.files.values() if path}
    found = {
        *(
            f"source_helpers/widgets/{p.name}"
            for p in (REPO / "source_helpers/widgets").glob("*.py")
            if p.stem not in SHARED_WIDGET_MODULES
        ),
        *(f"tests/{p.name}" for p in (REPO / "tests").glob("test_widgets_*.py") if p.stem not in SHARED_WIDGET_TESTS),
        *(f"proofs/mutants/{p.name}" for p in (REPO / "proofs/mutants").glob("lesson*.py")),
        *(f"editions/ko/{p.name}" for p in (REPO / "editions/ko").glob("*.po")),
    }
    assert not found - mapped, f"not in LESSON_MAP: {sorted(found - mapped)}"
    korean = {f"{lesson.name}_ko" for lesson in LESSON_MAP}
    assert set(lesson_names()) == {lesson.name for lesson in LESSON_MAP} | korean


def test_the_widget_registry_agrees_with_the_map():
    module_of = {lesson.name: lesson.widgets for lesson in LESSON_MAP}
    for builder in BUILDERS:
        stem = Path(builder.build.__code__.co_filename).stem
        assert module_of.get(builder.lesson) == stem, (
            f"{builder.name} is in widgets/{stem}.py, shown in {builder.lesson}"
        )
    with_widgets = {lesson.name for lesson in LESSON_MAP if lesson.widgets}
    assert {b.lesson for b in BUILDERS} == with_widgets


def test_readme_shows_the_map():
    readme = (REPO / "README.md").read_text()
    assert lesson_map_markdown() in readme, (
        "README's lesson map differs from autograder/course.py; paste the output of\n"
        "  python -c 'from autograder.course import lesson_map_markdown; print(lesson_map_markdown())'"
    )


def test_start_here_links_every_lesson_in_its_edition():
    import nbformat

    from autograder.course import notebook_path

    for suffix in ("", "_ko"):
        nb = nbformat.read(notebook_path(f"00_start_here{suffix}"), as_version=4)
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        missing = [
            lesson.name
            for lesson in LESSON_MAP[1:]
            if f"../{lesson.name}{suffix}/{lesson.name}{suffix}.ipynb" not in text
        ]
        assert not missing, f"00_start_here{suffix} does not link {missing}"
