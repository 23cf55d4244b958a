"""Grades an LMS accepts, read from the class gradebook: Canvas, Moodle, per question, and feedback per student.

    python -m autograder.lms_export [assignments ...] [--roster roster.csv] [--grading-dir DIR] [--db URL]
    make export ARGS="--roster roster.csv"

Run it after ``make grade`` (and after any manual grading in Formgrader: manual points count). It writes,
under ``<grading-dir>/export/`` (``--out`` to move it):

``canvas.csv``
    Canvas's gradebook import file, laid out as Canvas exports its gradebook: the columns ``Student``,
    ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``, then one column per assignment; a second row
    ``Points Possible`` with each assignment's maximum; then one row per student. Canvas matches a row by
    ``ID``, ``SIS User ID`` or ``SIS Login ID``, and an assignment column by the id in parentheses that
    its own export writes (``Lesson 1 (4521)``; ``--canvas-column 01_convolution='Lesson 1 (4521)'``);
    a column it does not know becomes a new assignment.
``moodle/<assignment>.csv``
    Moodle's offline grading worksheet for one assignment, with its columns ``Identifier``, ``Full name``,
    ``Email address``, ``Status``, ``Grade``, ``Maximum Grade``, ``Grade can be changed``,
    ``Last modified (submission)``, ``Last modified (grade)``, ``Feedback comments``. Moodle's importer
    reads ``Identifier`` (``Participant <n>``, as its own downloaded worksheet gives it), ``Grade``,
    ``Last modified (grade)`` and the feedback column; it skips a grade above the assignment's maximum
    grade in Moodle (``--moodle-max 100`` rescales). Best: download the worksheet from Moodle and give it
    (``--moodle-worksheet ASSIGNMENT=FILE``): its rows and columns are kept and the grades filled in,
    each row matched by the roster's ``moodle_identifier``, the e-mail address, or a unique full name.
``questions.csv``
    One row per student, assignment, notebook and graded cell: auto points, manual points, extra credit,
    the points that count, and the maximum.
``feedback/<student>.zip``
    That student's feedback HTML (``<grading-dir>/feedback/<student>/<assignment>/*.html``), one zip per
    student, to hand back through the LMS. Links and special files there are never followed.

Editions: a lesson's Korean edition (``01_convolution_ko``) is an nbgrader assignment of its own with the same
cells and points, and it exports as the lesson it translates: one column ``01_convolution`` holding each
student's result in whichever edition they handed in (the later one, with a note, if they handed in both).
``questions.csv`` keeps the edition each row was graded in.

Students map to LMS accounts through ``--roster``, a CSV file with a header row. Only ``student_id``
(nbgrader's id: the folder name under ``submitted/``) is required; every other column is optional:
``name`` (as the LMS shows it, e.g. ``Lovelace, Ada``), ``email``, ``section``, ``canvas_id`` (Canvas's
user ID), ``sis_user_id``, ``sis_login_id``, ``moodle_identifier`` (``Participant 1234567``, from a
worksheet downloaded from Moodle). Without a roster, or for a student not in it, nbgrader's student id
is used (as Canvas's ``SIS Login ID`` and Moodle's ``Identifier``), with the name, e-mail and LMS user
id nbgrader's gradebook holds.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import re
import shutil
import sys
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from autograder import safe_files
from autograder.course import gradebook_url

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_ROW = "    Points Possible"  # as Canvas writes it in its own export (leading spaces included)
MOODLE_COLUMNS = [
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
QUESTION_COLUMNS = [
    "student",
    "assignment",
    "notebook",
    "cell",
    "auto_points",
    "manual_points",
    "extra_credit",
    "points",
    "max_points",
    "needs_manual_grade",
]
ROSTER_COLUMNS = [
    "student_id",
    "name",
    "email",
    "section",
    "canvas_id",
    "sis_user_id",
    "sis_login_id",
    "moodle_identifier",
]


@dataclass
class Person:
    """One student as the LMS knows them."""

    student_id: str
    name: str = ""
    email: str = ""
    section: str = ""
    canvas_id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    moodle_identifier: str = ""
    in_roster: bool = False


def read_roster(path: Path) -> dict[str, Person]:
    """The roster CSV (header row; ``student_id`` required, the other ``ROSTER_COLUMNS`` optional)."""
    text = path.read_text(encoding="utf-8-sig")  # a spreadsheet's byte-order mark is fine
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    if "student_id" not in header:
        raise ValueError(f"{path}: the roster needs a student_id column (it has {', '.join(header) or 'none'})")
    unknown = sorted(set(header) - set(ROSTER_COLUMNS))
    if unknown:
        raise ValueError(f"{path}: unknown roster column(s) {', '.join(unknown)}; known: {', '.join(ROSTER_COLUMNS)}")
    people: dict[str, Person] = {}
    for line, row in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        sid = row.get("student_id", "")
        if not sid:
            raise ValueError(f"{path}, line {line}: empty student_id")
        if sid in people:
            raise ValueError(f"{path}, line {line}: student_id {sid!r} appears twice")
        people[sid] = Person(**{k: row.get(k, "") for k in ROSTER_COLUMNS}, in_roster=True)
    return people


def _number(x: float | None) -> str:
    """Points as an LMS reads them: no float noise, no exponent."""
    return f"{round(float(x or 0.0), 4):.4f}".rstrip("0").rstrip(".")


def _when(value) -> str:
    """A time as ISO 8601 with its offset (PHP's strtotime, which Moodle's importer uses, reads it)."""
    if value is None:
        return ""
    if value.tzinfo is None:  # nbgrader stores UTC without a zone
        value = value.replace(tzinfo=timezone.utc)
    return value.isoformat(timespec="seconds")


@dataclass
class Cell:
    notebook: str
    cell: str
    auto: float | None
    manual: float | None
    extra: float | None
    points: float
    max_points: float
    needs_manual: bool


@dataclass
class Result:
    """One student's result in one assignment (``submitted`` false: nothing was handed in, 0 points)."""

    score: float
    max_score: float
    submitted: bool
    timestamp: object = None
    cells: tuple[Cell, ...] = ()
    comments: tuple[str, ...] = ()


def collect(gb, assignments: list[str]) -> tuple[dict[str, float], dict[str, Person], dict[tuple[str, str], Result]]:
    """Maximum points per assignment, the gradebook's students, and every (student, assignment) result."""
    from nbgrader.api import MissingEntry

    maxima = {a: float(gb.find_assignment(a).max_score or 0.0) for a in assignments}
    people = {
        s.id: Person(
            student_id=s.id,
            email=s.email or "",
            canvas_id=s.lms_user_id or "",
            name=", ".join(p for p in (s.last_name, s.first_name) if p) or "",
        )
        for s in gb.students
    }
    results: dict[tuple[str, str], Result] = {}
    for assignment in assignments:
        for sid in people:
            try:
                sub = gb.find_submission(assignment, sid)
            except MissingEntry:
                results[sid, assignment] = Result(0.0, maxima[assignment], submitted=False)
                continue
            cells, comments = [], []
            for nb in sub.notebooks:
                for g in nb.grades:
                    cells.append(
                        Cell(
                            nb.name,
                            g.name,
                            g.auto_score,
                            g.manual_score,
                            g.extra_credit,
                            float(g.score or 0.0),
                            float(g.max_score or 0.0),
                            bool(g.needs_manual_grade),
                        )
                    )
                comments += [c.manual_comment.strip() for c in nb.comments if (c.manual_comment or "").strip()]
            results[sid, assignment] = Result(
                float(sub.score or 0.0),
                float(sub.max_score or maxima[assignment]),
                submitted=True,
                timestamp=sub.timestamp,
                cells=tuple(cells),
                comments=tuple(comments),
            )
    return maxima, people, results


def fold_editions(
    assignments: list[str], maxima: dict[str, float], results: dict[tuple[str, str], Result]
) -> tuple[list[str], dict[str, float], dict[tuple[str, str], Result], list[str]]:
    """One column per lesson: a student's result in the Korean edition counts as their result in the lesson
    (``01_convolution_ko`` → ``01_convolution``); of two submissions, the later counts. Returns the columns,
    their maxima, the folded results and notes."""
    from autograder.editions import english_name

    columns = list(dict.fromkeys(english_name(a) for a in assignments))
    folded_max: dict[str, float] = {}
    notes: list[str] = []
    for a in assignments:
        column = english_name(a)
        if column in folded_max and folded_max[column] != maxima[a]:
            notes.append(
                f"{a} is worth {_number(maxima[a])} points but {column} {_number(folded_max[column])}: "
                "the editions have drifted (python -m autograder.editions check)"
            )
        folded_max.setdefault(column, maxima[a])
    folded: dict[tuple[str, str], Result] = {}
    for (sid, a), r in results.items():
        key = (sid, english_name(a))
        before = folded.get(key)
        if before is None or (not before.submitted and r.submitted):
            folded[key] = r
        elif r.submitted and before.submitted:
            later = max(before, r, key=lambda x: x.timestamp or datetime.min)
            folded[key] = later
            notes.append(
                f"{sid} handed in {key[1]} in two editions: the later one counts ({_number(later.score)} points)"
            )
    return columns, folded_max, folded, notes


def merge_roster(gradebook: dict[str, Person], roster: dict[str, Person] | None) -> tuple[list[Person], list[str]]:
    """Everyone to export, in a stable order, and warnings: students graded but not in the roster (kept,
    under nbgrader's id) and roster students nbgrader never saw (kept, with no submission)."""
    warnings = []
    if roster is None:
        return [gradebook[s] for s in sorted(gradebook)], warnings
    people = []
    for sid, person in roster.items():
        known = gradebook.get(sid)
        if known:  # the roster wins; the gradebook fills what it leaves blank
            for field in ("name", "email", "canvas_id"):
                if not getattr(person, field):
                    setattr(person, field, getattr(known, field))
        people.append(person)
    extra = sorted(set(gradebook) - set(roster))
    if extra:
        warnings.append(f"in the gradebook but not in the roster (exported under nbgrader's id): {', '.join(extra)}")
        people += [gradebook[s] for s in extra]
    return people, warnings


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)


def write_canvas(
    path: Path,
    assignments: list[str],
    maxima: dict[str, float],
    people: list[Person],
    results: dict[tuple[str, str], Result],
    headers: dict[str, str] | None = None,
) -> None:
    points_row = [CANVAS_POINTS_ROW, "", "", "", ""] + [_number(maxima[a]) for a in assignments]
    rows = [CANVAS_COLUMNS + [(headers or {}).get(a, a) for a in assignments], points_row]
    for p in people:
        login = p.sis_login_id or ("" if p.in_roster and (p.canvas_id or p.sis_user_id) else p.student_id)
        scores = [_number(results[p.student_id, a].score) if (p.student_id, a) in results else "0" for a in assignments]
        rows.append([p.name or p.student_id, p.canvas_id, p.sis_user_id, login, p.section] + scores)
    _write_csv(path, rows)


def _feedback_text(r: Result) -> str:
    how = "autograded, and graded by hand" if any(c.manual is not None for c in r.cells) else "autograded"
    return " ".join([f"{_number(r.score)} / {_number(r.max_score)} points ({how}).", *r.comments])


def write_moodle(
    path: Path,
    assignment: str,
    maximum: float,
    people: list[Person],
    results: dict[tuple[str, str], Result],
    now: datetime,
    moodle_max: float | None,
) -> None:
    scale = (moodle_max / maximum) if moodle_max and maximum else 1.0
    rows = [list(MOODLE_COLUMNS)]
    for p in people:
        r = results.get((p.student_id, assignment), Result(0.0, maximum, submitted=False))
        rows.append(
            [
                p.moodle_identifier or p.student_id,
                p.name or p.student_id,
                p.email,
                "Submitted for grading" if r.submitted else "No submission",
                f"{r.score * scale:.2f}",
                f"{maximum * scale:.2f}",
                "Yes",
                _when(r.timestamp) if r.submitted else "",
                _when(now),
                _feedback_text(r),
            ]
        )
    _write_csv(path, rows)


def fill_moodle_worksheet(
    worksheet: Path,
    path: Path,
    assignment: str,
    maximum: float,
    people: list[Person],
    results: dict[tuple[str, str], Result],
    now: datetime,
    moodle_max: float | None,
) -> list[str]:
    """The worksheet downloaded from Moodle, with Grade, Last modified (grade) and Feedback comments filled in.

    Moodle's columns and rows stay as they were. A row is matched to a student by the roster's
    ``moodle_identifier``, else by e-mail address, else by a full name that only one student has; rows
    matched to nobody keep their grade (Moodle skips an unchanged or empty grade)."""
    text = worksheet.read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    header = table[0] if table else []
    need = [c for c in ("Identifier", "Grade", "Last modified (grade)") if c not in header]
    if need:
        raise ValueError(f"{worksheet}: not a Moodle grading worksheet (no {', '.join(need)} column)")
    col = {name: header.index(name) for name in header}
    by_ident = {p.moodle_identifier: p for p in people if p.moodle_identifier}
    by_email = {p.email.lower(): p for p in people if p.email}
    names: dict[str, list[Person]] = {}
    for p in people:
        if p.name:
            names.setdefault(p.name.lower(), []).append(p)
    scale = (moodle_max / maximum) if moodle_max and maximum else 1.0
    unmatched, matched = [], set()
    for row in table[1:]:
        row += [""] * (len(header) - len(row))
        email = row[col["Email address"]].strip().lower() if "Email address" in col else ""
        name = row[col["Full name"]].strip().lower() if "Full name" in col else ""
        person = by_ident.get(row[col["Identifier"]].strip()) or by_email.get(email)
        if person is None and len(names.get(name, [])) == 1:
            person = names[name][0]
        if person is None or person.student_id in matched:
            unmatched.append(row[col["Identifier"]])
            continue
        matched.add(person.student_id)
        r = results.get((person.student_id, assignment), Result(0.0, maximum, submitted=False))
        row[col["Grade"]] = f"{r.score * scale:.2f}"
        row[col["Last modified (grade)"]] = _when(now)
        if "Feedback comments" in col:
            row[col["Feedback comments"]] = _feedback_text(r)
    _write_csv(path, table)
    notes = []
    if unmatched:
        notes.append(
            f"{worksheet.name}: no student for {len(unmatched)} row(s), left as they were: " + ", ".join(unmatched[:20])
        )
    missing = [
        p.student_id
        for p in people
        if p.student_id not in matched
        and (p.student_id, assignment) in results
        and results[p.student_id, assignment].submitted
    ]
    if missing:
        notes.append(f"{worksheet.name}: graded but not in Moodle's worksheet: {', '.join(missing)}")
    return notes


def write_questions(
    path: Path, assignments: list[str], people: list[Person], results: dict[tuple[str, str], Result]
) -> None:
    rows = [list(QUESTION_COLUMNS)]
    for p in people:
        for a in assignments:
            for c in results.get((p.student_id, a), Result(0.0, 0.0, False)).cells:
                rows.append(
                    [
                        p.student_id,
                        a,
                        c.notebook,
                        c.cell,
                        "" if c.auto is None else _number(c.auto),
                        "" if c.manual is None else _number(c.manual),
                        "" if c.extra is None else _number(c.extra),
                        _number(c.points),
                        _number(c.max_points),
                        "yes" if c.needs_manual else "no",
                    ]
                )
    _write_csv(path, rows)


def safe_name(student_id: str) -> str:
    """A file name for ``student_id`` that cannot leave its folder or collide with another student's."""
    clean = re.sub(r"[^A-Za-z0-9._-]", "_", student_id).lstrip(".") or "_"
    if clean != student_id:
        clean += "-" + hashlib.sha256(student_id.encode()).hexdigest()[:8]
    return clean[:120]


def _fresh_folder(folder: Path) -> None:
    """``folder`` empty and real: a link there is removed, never followed."""
    what = safe_files.kind(folder)
    if what == "folder":
        shutil.rmtree(folder)
    elif what != "missing":
        os.unlink(folder)
    folder.mkdir(parents=True)


def bundle_feedback(feedback: Path, out: Path, people: list[Person], assignments: list[str]) -> tuple[int, list[str]]:
    """One zip per student of ``feedback/<student>/<assignment>/**.html`` (regular files only)."""
    _fresh_folder(out)
    problems, written = [], 0
    if safe_files.kind(feedback) != "folder":
        return 0, [
            f"no feedback folder at {feedback}"
            if safe_files.kind(feedback) == "missing"
            else f"{feedback} is a {safe_files.kind(feedback)}: not followed"
        ]
    for p in people:
        entries: list[tuple[str, bytes]] = []
        who = safe_files.printable(p.student_id)
        if "/" in p.student_id or p.student_id in ("", ".", ".."):
            problems.append(f"{who}: not a folder name, no feedback bundled")
            continue
        student_dir = feedback / p.student_id
        what = safe_files.kind(student_dir)
        if what != "folder":
            if what != "missing":
                problems.append(f"{who}: the feedback folder is a {what}, not followed")
            continue
        for a in assignments:
            folder = student_dir / a
            what = safe_files.kind(folder)
            if what == "missing":
                continue
            if what != "folder":
                problems.append(f"{who}/{a}: a {what}, not followed")
                continue
            files, refused = safe_files.walk(folder)
            problems += [
                f"{who}/{a}/{safe_files.printable(str(path.relative_to(folder)))}: a {why}, left out"
                for path, why in refused
            ]
            for path in files:
                if path.suffix.lower() != ".html":
                    continue
                try:
                    entries.append((f"{a}/{path.relative_to(folder).as_posix()}", safe_files.read_bytes(path)))
                except safe_files.Refused as exc:
                    problems.append(f"{who}/{a}/{safe_files.printable(path.name)}: {exc}, left out")
        if not entries:
            continue
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        fd = os.open(out / f"{safe_name(p.student_id)}.zip", flags, 0o644)
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in sorted(entries):
                zf.writestr(name, data)
        written += 1
    return written, problems


def export(
    db_url: str,
    out: Path,
    assignments: list[str] | None = None,
    roster: Path | None = None,
    feedback: Path | None = None,
    moodle_max: float | None = None,
    now: datetime | None = None,
    moodle_worksheets: dict[str, Path] | None = None,
    canvas_columns: dict[str, str] | None = None,
) -> dict:
    """Write every export file under ``out``; return what was written and the warnings."""
    from nbgrader.api import Gradebook

    now = now or datetime.now(timezone.utc).replace(microsecond=0)
    with Gradebook(db_url) as gb:
        names = sorted(a.name for a in gb.assignments)
        assignments = list(assignments or names)
        missing = [a for a in assignments if a not in names]
        if missing:
            raise ValueError(f"not in the gradebook: {', '.join(missing)} (it has {', '.join(names) or 'none'})")
        # a lesson named brings its editions along (they export as its column)
        from autograder.editions import english_name

        assignments = list(
            dict.fromkeys(
                x for a in assignments for x in [a, *sorted(n for n in names if n != a and english_name(n) == a)]
            )
        )
        maxima, known, results = collect(gb, assignments)
    graded_in = list(assignments)  # what was graded, each edition apart (questions.csv, feedback)
    per_edition = results
    assignments, maxima, results, edition_notes = fold_editions(graded_in, maxima, results)
    people, warnings = merge_roster(known, read_roster(roster) if roster else None)
    warnings = edition_notes + warnings
    unseen = [p.student_id for p in people if p.in_roster and p.student_id not in known]
    if unseen:
        warnings.append(f"in the roster but never graded (0 points, no submission): {', '.join(unseen)}")
    moodle_worksheets = moodle_worksheets or {}
    stray = sorted(set(moodle_worksheets) - set(assignments))
    if stray:
        raise ValueError(f"--moodle-worksheet for an assignment not exported: {', '.join(stray)}")
    if not any(p.moodle_identifier for p in people) and set(moodle_worksheets) != set(assignments):
        warnings.append(
            "Moodle matches worksheet rows by Identifier ('Participant <n>'): fill the worksheet you "
            "downloaded from Moodle (--moodle-worksheet ASSIGNMENT=FILE), or give the roster a "
            "moodle_identifier column, before importing there"
        )
    out.mkdir(parents=True, exist_ok=True)
    write_canvas(out / "canvas.csv", assignments, maxima, people, results, canvas_columns)
    moodle = out / "moodle"
    _fresh_folder(moodle)
    for a in assignments:
        if a in moodle_worksheets:
            warnings += fill_moodle_worksheet(
                moodle_worksheets[a], moodle / f"{a}.csv", a, maxima[a], people, results, now, moodle_max
            )
        else:
            write_moodle(moodle / f"{a}.csv", a, maxima[a], people, results, now, moodle_max)
    write_questions(out / "questions.csv", graded_in, people, per_edition)
    zips, problems = (0, [])
    if feedback is not None:
        zips, problems = bundle_feedback(feedback, out / "feedback", people, graded_in)
    return dict(
        out=out, students=len(people), assignments=assignments, feedback_zips=zips, warnings=warnings + problems
    )


def main(argv: list[str] | None = None) -> int:
    from autograder.course import REPO

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*", help="default: every assignment in the gradebook")
    parser.add_argument(
        "--grading-dir",
        type=Path,
        default=REPO / "autograder" / "grading",
        help="make grade's folder: the gradebook and feedback/ are read from it",
    )
    parser.add_argument("--db", help="SQLAlchemy URL of the gradebook (default: SQLite in --grading-dir)")
    parser.add_argument("--roster", type=Path, help="CSV mapping nbgrader's student ids to LMS ids (see above)")
    parser.add_argument("--out", type=Path, help="default: <grading-dir>/export")
    parser.add_argument("--moodle-max", type=float, help="rescale Moodle's grades to this maximum grade")
    parser.add_argument(
        "--moodle-worksheet",
        action="append",
        default=[],
        metavar="ASSIGNMENT=FILE",
        help="fill this worksheet downloaded from Moodle instead of writing one (repeatable)",
    )
    parser.add_argument(
        "--canvas-column",
        action="append",
        default=[],
        metavar="ASSIGNMENT=HEADER",
        help="the assignment's column header in canvas.csv, e.g. 01_convolution='Lesson 1 (4521)' "
        "as Canvas's own export names it (repeatable; default: the assignment's name)",
    )
    args = parser.parse_args(argv)
    pairs: dict[str, dict[str, str]] = {"--moodle-worksheet": {}, "--canvas-column": {}}
    for option, items in (("--moodle-worksheet", args.moodle_worksheet), ("--canvas-column", args.canvas_column)):
        for item in items:
            assignment, sep, value = item.partition("=")
            if not sep or not assignment or not value:
                parser.error(f"{option} {item!r}: expected ASSIGNMENT=VALUE")
            pairs[option][assignment] = value
    worksheets = {a: Path(v) for a, v in pairs["--moodle-worksheet"].items()}
    grading = args.grading_dir.resolve()
    db_url = args.db or gradebook_url(grading)
    if not args.db and not (grading / "gradebook.db").exists():
        print(f"no gradebook at {grading / 'gradebook.db'}: run make grade first (or give --db)", file=sys.stderr)
        return 2
    try:
        done = export(
            db_url,
            (args.out or grading / "export").resolve(),
            args.assignments,
            args.roster,
            grading / "feedback",
            args.moodle_max,
            moodle_worksheets=worksheets,
            canvas_columns=pairs["--canvas-column"],
        )
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    out = done["out"]
    print(
        f"{done['students']} students, {len(done['assignments'])} assignment(s) -> {out}\n"
        f"  Canvas: {out / 'canvas.csv'}\n  Moodle: {out / 'moodle'}/<assignment>.csv\n"
        f"  per question: {out / 'questions.csv'}\n  feedback: {done['feedback_zips']} zip(s) in {out / 'feedback'}"
    )
    for w in done["warnings"]:
        print("  note: " + safe_files.printable(w, 2000))
    return 0


if __name__ == "__main__":
    sys.exit(main())
