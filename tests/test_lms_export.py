"""Grades an LMS accepts (autograder/lms_export.py), checked against the formats' documented columns, from a
gradebook built with nbgrader's API (no notebook runs).

Canvas: the gradebook export/import CSV starts with Student, ID, SIS User ID, SIS Login ID, Section, then one
column per assignment, and its second row is "Points Possible" (Canvas Instructor Guide, "How do I import
grades in the Gradebook?"; the layout of Canvas's own export). Moodle: the offline grading worksheet's header,
in the order of mod/assign/gradingtable.php with mod/assign/lang/en/assign.php's strings; its importer
(mod/assign/feedback/offline/importgradeslib.php) needs "Identifier" (values "Participant <n>"), "Grade" and
"Last modified (grade)".
"""

from __future__ import annotations

import csv
import os
import zipfile
from datetime import datetime, timezone

import pytest

from autograder import lms_export

CANVAS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE = [
    "Identifier",
    "Full name",
    "Email address",
    "Status",
    "Grade",
    "Maximum Grade",
    "Grade can be changed",
    "Last modified (submission)",
    "Last modified (grade)",
    "Feedback comments",
]
MOODLE_IMPORT_NEEDS = {"Identifier", "Grade", "Last modified (grade)"}
NOW = datetime(2026, 12, 1, 18, 0, tzinfo=timezone.utc)


@pytest.fixture
def gradebook(tmp_path):
    """Two assignments; alice submitted both (one manual answer graded by hand), bob only the first,
    '[x] y' (an id nbgrader reads as a glob pattern, with a space) only the first, carol nothing."""
    from nbgrader.api import Gradebook

    from autograder.course import schema_version_in_process

    url = "sqlite:///" + str(tmp_path / "gradebook.db")
    with schema_version_in_process(), Gradebook(url) as gb:
        gb.add_assignment("01_convolution")
        gb.add_notebook("01_convolution", "01_convolution")
        gb.add_grade_cell("output_size", "01_convolution", "01_convolution", max_score=2, cell_type="code")
        gb.add_grade_cell("conv_forward__hidden", "01_convolution", "01_convolution", max_score=3, cell_type="code")
        gb.add_grade_cell("why_share_weights", "01_convolution", "01_convolution", max_score=1, cell_type="markdown")
        gb.add_solution_cell("why_share_weights", "01_convolution", "01_convolution")
        gb.add_assignment("03_pooling")
        gb.add_notebook("03_pooling", "03_pooling")
        gb.add_grade_cell("max_pool", "03_pooling", "03_pooling", max_score=4, cell_type="code")
        gb.add_student("alice", first_name="Ada", last_name="Lovelace", email="ada@example.org")
        gb.add_student("bob")
        gb.add_student("[x] y")
        gb.add_student("carol")
        stamp = datetime(2026, 11, 30, 12, 0)
        for student, scores, manual in (
            ("alice", {"output_size": 2, "conv_forward__hidden": 1.5}, 0.5),
            ("bob", {"output_size": 2, "conv_forward__hidden": 3}, None),
            ("[x] y", {"output_size": 0, "conv_forward__hidden": 0}, None),
        ):
            gb.add_submission("01_convolution", student, timestamp=stamp)
            for cell, score in scores.items():
                grade = gb.find_grade(cell, "01_convolution", "01_convolution", student)
                grade.auto_score, grade.needs_manual_grade = score, False
            grade = gb.find_grade("why_share_weights", "01_convolution", "01_convolution", student)
            grade.manual_score = manual
            grade.needs_manual_grade = manual is None
            if manual is not None:
                comment = gb.find_comment("why_share_weights", "01_convolution", "01_convolution", student)
                comment.manual_comment = "Say why one filter works everywhere."
        gb.add_submission("03_pooling", "alice", timestamp=stamp)
        gb.find_grade("max_pool", "03_pooling", "03_pooling", "alice").auto_score = 4
        gb.db.commit()
    return url


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_canvas_gradebook_csv_has_canvas_columns_points_possible_and_one_row_per_student(gradebook, tmp_path):
    lms_export.export(gradebook, tmp_path / "out", now=NOW)
    table = rows(tmp_path / "out" / "canvas.csv")
    assert table[0][:5] == CANVAS
    assert table[0][5:] == ["01_convolution", "03_pooling"]
    assert table[1][0].strip() == "Points Possible" and table[1][1:5] == ["", "", "", ""]
    assert table[1][5:] == ["6", "4"]
    by_login = {r[3]: r for r in table[2:]}
    assert sorted(by_login) == ["[x] y", "alice", "bob", "carol"]  # no roster: nbgrader's id is the login
    assert by_login["alice"][0] == "Lovelace, Ada" and by_login["alice"][5:] == ["4", "4"]  # 2 + 1.5 + 0.5 manual
    assert by_login["bob"][5:] == ["5", "0"]  # the manual answer is not graded yet; no pooling submission
    assert by_login["carol"][5:] == ["0", "0"]
    assert all(len(r) == len(table[0]) for r in table)


def test_roster_maps_students_to_lms_ids(gradebook, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "\ufeffstudent_id,name,email,section,canvas_id,sis_user_id,sis_login_id,moodle_identifier\n"
        'alice,"Lovelace, Ada",ada@uni.example,S1,1001,A-1,ada,Participant 555\n'
        'bob,"Babbage, Charles",cb@uni.example,S2,1002,B-2,,Participant 556\n'
        'dave,"Doe, Dave",,S1,1004,,,Participant 557\n',
        encoding="utf-8",
    )
    done = lms_export.export(gradebook, tmp_path / "out", roster=roster, now=NOW)
    table = rows(tmp_path / "out" / "canvas.csv")
    by_id = {r[1]: r for r in table[2:]}
    assert by_id["1001"][:5] == ["Lovelace, Ada", "1001", "A-1", "ada", "S1"]
    assert by_id["1002"][:5] == ["Babbage, Charles", "1002", "B-2", "", "S2"]
    assert by_id["1004"][5:] == ["0", "0"]  # in the roster, never submitted
    assert any("[x] y" in w and "not in the roster" in w for w in done["warnings"])
    assert any("dave" in w and "never graded" in w for w in done["warnings"])
    moodle = rows(tmp_path / "out" / "moodle" / "01_convolution.csv")
    by_ident = {r[0]: dict(zip(moodle[0], r, strict=True)) for r in moodle[1:]}
    assert by_ident["Participant 555"]["Email address"] == "ada@uni.example"
    assert by_ident["Participant 557"]["Status"] == "No submission"


def test_moodle_worksheet_has_moodles_columns_and_what_its_importer_reads(gradebook, tmp_path):
    lms_export.export(gradebook, tmp_path / "out", now=NOW, moodle_max=None)
    for assignment, maximum in (("01_convolution", "6.00"), ("03_pooling", "4.00")):
        table = rows(tmp_path / "out" / "moodle" / f"{assignment}.csv")
        assert table[0] == MOODLE and MOODLE_IMPORT_NEEDS <= set(table[0])
        records = {r[0]: dict(zip(table[0], r, strict=True)) for r in table[1:]}
        assert sorted(records) == ["[x] y", "alice", "bob", "carol"]
        for r in records.values():
            assert r["Maximum Grade"] == maximum and r["Grade can be changed"] == "Yes"
            assert datetime.fromisoformat(r["Last modified (grade)"]) == NOW
            assert 0 <= float(r["Grade"]) <= float(maximum)  # Moodle skips a grade above the maximum
    worksheet = rows(tmp_path / "out" / "moodle" / "01_convolution.csv")
    conv = {r[0]: dict(zip(MOODLE, r, strict=True)) for r in worksheet[1:]}
    assert conv["alice"]["Grade"] == "4.00" and conv["alice"]["Status"] == "Submitted for grading"
    assert conv["alice"]["Full name"] == "Lovelace, Ada" and conv["alice"]["Email address"] == "ada@example.org"
    assert "Say why one filter works everywhere." in conv["alice"]["Feedback comments"]
    assert datetime.fromisoformat(conv["alice"]["Last modified (submission)"]) == datetime(
        2026, 11, 30, 12, 0, tzinfo=timezone.utc
    )
    assert conv["carol"]["Status"] == "No submission" and conv["carol"]["Grade"] == "0.00"
    lms_export.export(gradebook, tmp_path / "scaled", now=NOW, moodle_max=100)
    scaled = {r[0]: r for r in rows(tmp_path / "scaled" / "moodle" / "01_convolution.csv")[1:]}
    assert scaled["alice"][4:6] == ["66.67", "100.00"]


def test_per_question_csv_adds_up_to_the_assignment_scores(gradebook, tmp_path):
    lms_export.export(gradebook, tmp_path / "out", now=NOW)
    table = rows(tmp_path / "out" / "questions.csv")
    assert table[0][:7] == ["student", "assignment", "notebook", "cell", "auto_points", "manual_points", "extra_credit"]
    assert "max_points" in table[0] and "points" in table[0]
    records = [dict(zip(table[0], r, strict=True)) for r in table[1:]]
    assert len(records) == 3 * 3 + 1  # three submissions of three cells, one of one cell; carol has none
    alice = {(r["assignment"], r["cell"]): r for r in records if r["student"] == "alice"}
    assert alice["01_convolution", "conv_forward__hidden"]["auto_points"] == "1.5"
    assert alice["01_convolution", "why_share_weights"]["manual_points"] == "0.5"
    assert alice["01_convolution", "why_share_weights"]["max_points"] == "1"
    bob_manual = next(r for r in records if r["student"] == "bob" and r["cell"] == "why_share_weights")
    assert bob_manual["manual_points"] == "" and bob_manual["needs_manual_grade"] == "yes"
    canvas = {r[3]: r for r in rows(tmp_path / "out" / "canvas.csv")[2:]}
    for student in ("alice", "bob", "[x] y"):
        for col, assignment in ((5, "01_convolution"), (6, "03_pooling")):
            total = sum(float(r["points"]) for r in records if (r["student"], r["assignment"]) == (student, assignment))
            assert total == float(canvas[student][col])


def test_feedback_zips_hold_only_the_students_own_regular_files(gradebook, tmp_path):
    feedback = tmp_path / "feedback"
    (feedback / "alice" / "01_convolution").mkdir(parents=True)
    (feedback / "alice" / "01_convolution" / "01_convolution.html").write_text("<p>alice conv</p>")
    (feedback / "alice" / "03_pooling").mkdir(parents=True)
    (feedback / "alice" / "03_pooling" / "03_pooling.html").write_text("<p>alice pool</p>")
    secret = tmp_path / "secret.html"
    secret.write_text("the grader's secret")
    (feedback / "alice" / "01_convolution" / "stolen.html").symlink_to(secret)  # a link planted there
    (feedback / "bob").symlink_to(feedback / "alice", target_is_directory=True)  # bob's folder is a link
    (feedback / "[x] y" / "01_convolution").mkdir(parents=True)
    (feedback / "[x] y" / "01_convolution" / "01_convolution.html").write_text("<p>x</p>")
    os.mkfifo(feedback / "[x] y" / "01_convolution" / "fifo.html")
    (feedback / "stranger" / "01_convolution").mkdir(parents=True)  # not in the gradebook: not bundled
    (feedback / "stranger" / "01_convolution" / "a.html").write_text("?")
    done = lms_export.export(gradebook, tmp_path / "out", feedback=feedback, now=NOW)
    zips = sorted(p.name for p in (tmp_path / "out" / "feedback").iterdir())
    assert zips == sorted([lms_export.safe_name("[x] y") + ".zip", "alice.zip"])
    assert lms_export.safe_name("[x] y").startswith("_x__y-") and lms_export.safe_name("alice") == "alice"
    assert "/" not in lms_export.safe_name("../../etc") and not lms_export.safe_name("..").startswith(".")
    with zipfile.ZipFile(tmp_path / "out" / "feedback" / "alice.zip") as zf:
        assert sorted(zf.namelist()) == ["01_convolution/01_convolution.html", "03_pooling/03_pooling.html"]
        assert zf.read("01_convolution/01_convolution.html") == b"<p>alice conv</p>"
    everything = b"".join(p.read_bytes() for p in (tmp_path / "out" / "feedback").iterdir())
    assert b"secret" not in everything
    notes = " ".join(done["warnings"])
    assert "stolen.html" in notes and "symbolic link" in notes and "bob" in notes and "fifo.html" in notes
    assert done["feedback_zips"] == 2


def test_roster_mistakes_are_reported_not_guessed(gradebook, tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text("id,name\nalice,Ada\n")
    with pytest.raises(ValueError, match="student_id"):
        lms_export.export(gradebook, tmp_path / "out", roster=bad)
    bad.write_text("student_id,canvas\nalice,1\n")
    with pytest.raises(ValueError, match="unknown roster column"):
        lms_export.export(gradebook, tmp_path / "out", roster=bad)
    bad.write_text("student_id\nalice\nalice\n")
    with pytest.raises(ValueError, match="twice"):
        lms_export.export(gradebook, tmp_path / "out", roster=bad)
    with pytest.raises(ValueError, match="not in the gradebook"):
        lms_export.export(gradebook, tmp_path / "out", assignments=["02_one_by_one_conv"])


def test_command_line_reads_make_grades_folder(gradebook, tmp_path, capsys):
    grading = tmp_path  # the fixture's gradebook.db lies here, as make grade leaves it
    assert lms_export.main(["--grading-dir", str(grading), "01_convolution"]) == 0
    out = capsys.readouterr().out
    assert "canvas.csv" in out and (grading / "export" / "moodle" / "01_convolution.csv").is_file()
    assert rows(grading / "export" / "canvas.csv")[0] == CANVAS + ["01_convolution"]
    assert lms_export.main(["--grading-dir", str(tmp_path / "nowhere")]) == 2


def test_a_worksheet_downloaded_from_moodle_is_filled_in_and_kept_as_moodle_wrote_it(gradebook, tmp_path):
    """Moodle's own worksheet (its columns, a submission plugin's column, its Participant ids) gets grades,
    the grade's time and feedback; rows are matched by e-mail or a unique full name; the rest stay as they were."""
    header = [
        "Identifier",
        "Full name",
        "Email address",
        "Status",
        "Grade",
        "Maximum Grade",
        "Grade can be changed",
        "Last modified (submission)",
        "Online text",
        "Last modified (grade)",
        "Feedback comments",
    ]
    downloaded = tmp_path / "worksheet.csv"
    with open(downloaded, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerow(
            [
                "Participant 555",
                "Ada Lovelace",
                "ADA@example.org",
                "Submitted for grading",
                "",
                "6.00",
                "Yes",
                "Monday, 30 November 2026, 12:00 PM",
                "",
                "-",
                "",
            ]
        )
        w.writerow(
            ["Participant 556", "Charles Babbage", "", "Submitted for grading", "", "6.00", "Yes", "-", "", "-", ""]
        )
        w.writerow(
            [
                "Participant 777",
                "Zed Nobody",
                "zed@example.org",
                "No submission",
                "3.00",
                "6.00",
                "Yes",
                "-",
                "",
                "Sunday, 29 November 2026, 9:00 AM",
                "kept",
            ]
        )
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\nbob,Charles Babbage\n")
    done = lms_export.export(
        gradebook, tmp_path / "out", now=NOW, roster=roster, moodle_worksheets={"01_convolution": downloaded}
    )
    table = rows(tmp_path / "out" / "moodle" / "01_convolution.csv")
    assert table[0] == header and MOODLE_IMPORT_NEEDS <= set(table[0])
    ada, bob, zed = (dict(zip(header, r, strict=True)) for r in table[1:])
    assert ada["Identifier"] == "Participant 555" and ada["Grade"] == "4.00"
    assert datetime.fromisoformat(ada["Last modified (grade)"]) == NOW and "4 / 6 points" in ada["Feedback comments"]
    assert bob["Grade"] == "5.00"  # matched by the roster's name (no e-mail in the row)
    assert zed == dict(
        zip(
            header,
            [
                "Participant 777",
                "Zed Nobody",
                "zed@example.org",
                "No submission",
                "3.00",
                "6.00",
                "Yes",
                "-",
                "",
                "Sunday, 29 November 2026, 9:00 AM",
                "kept",
            ],
            strict=True,
        )
    )
    notes = " ".join(done["warnings"])
    assert "Participant 777" in notes and "not in Moodle's worksheet: [x] y" in notes
    assert rows(tmp_path / "out" / "moodle" / "03_pooling.csv")[0] == MOODLE  # no worksheet given: written anew
    with pytest.raises(ValueError, match="not a Moodle grading worksheet"):
        roster.write_text("Name,Grade\n")
        lms_export.export(gradebook, tmp_path / "bad", moodle_worksheets={"01_convolution": roster})
    assert (
        lms_export.main(
            ["--grading-dir", str(tmp_path), "--moodle-worksheet", f"01_convolution={downloaded}", "01_convolution"]
        )
        == 0
    )
    with pytest.raises(SystemExit):
        lms_export.main(["--grading-dir", str(tmp_path), "--moodle-worksheet", "no-equals-sign"])


def test_canvas_columns_can_carry_the_ids_canvas_gave_its_assignments(gradebook, tmp_path):
    assert lms_export.main(["--grading-dir", str(tmp_path), "--canvas-column", "03_pooling=Lesson 3 (4523)"]) == 0
    assert rows(tmp_path / "export" / "canvas.csv")[0] == CANVAS + ["01_convolution", "Lesson 3 (4523)"]
