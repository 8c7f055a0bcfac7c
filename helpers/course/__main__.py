"""Course command line: ``python -m helpers.course COMMAND``.

Commands:
    release   regenerate exercises/ from solutions/ with nbgrader
    check     notebook hygiene rules + exercises/ in sync with solutions/
    fix       rewrite Colab badges and install lines from pyproject.toml; clear outputs
    run       execute notebooks with papermill (full or --smoke) into build/executed/
    my-work   copy the exercises into my_work/ for a student to answer (never overwrites)
    validate  run a notebook's tests like nbgrader's Validate button; a line per exercise
              and the points so far (exit 1 if any fails)
    grade     autograde a folder of submissions into a gradebook and grades.csv
    course    all of the above in one go, with a report (what `make course` runs);
              build/report.txt for people, build/report.json for programs
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import nbformat

from helpers.course import grading, hygiene, my_work, nbgrading, validating
from helpers.course.project import Project, load_project
from helpers.course.sandbox import Limits
from helpers.course.submission import BROKEN
from helpers.course.report import format_points, format_results, table
from helpers.course.running import RunResult, run_notebooks


def _scratch() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="course-")


def cmd_release(project: Project, args: argparse.Namespace) -> int:
    with _scratch() as tmp:
        written = nbgrading.release(project, Path(tmp))
    print(f"Generated {len(written)} file(s) in exercises/:")
    print("\n".join(f"  {path}" for path in written))
    return 0


def hygiene_problems(project: Project) -> list[str]:
    """Hygiene problems of every committed notebook, prefixed with its path."""
    notebooks = project.teaching_notebooks() + project.solution_notebooks() + project.exercise_notebooks()
    return [f"{project.relative(nb)}: {p}" for nb in notebooks for p in hygiene.problems(nb, project)]


def cmd_check(project: Project, args: argparse.Namespace) -> int:
    found = hygiene_problems(project)
    if not args.no_sync:
        with _scratch() as tmp:
            found += [f"{p} (run `make release`)" for p in nbgrading.out_of_sync(project, Path(tmp))]
    print("\n".join(found) if found else "All notebooks follow the rules; exercises/ is in sync.")
    return 1 if found else 0


def cmd_fix(project: Project, args: argparse.Namespace) -> int:
    changed = []
    for path in project.teaching_notebooks() + project.solution_notebooks():
        nb = nbformat.read(path, as_version=4)
        before = nbformat.writes(nb)
        hygiene.apply_fixes(nb, path, project)
        if nbformat.writes(nb) != before:
            nbformat.write(nb, path)
            changed.append(project.relative(path))
    print("\n".join(f"fixed {p}" for p in changed) if changed else "Nothing to fix.")
    if changed and any(p.startswith("solutions/") for p in changed):
        print("Solutions changed: run `make release` to regenerate exercises/.")
    return 0


def run_all(project: Project, notebooks: list[Path], smoke: bool, out: Path, jobs: int = 1) -> list[RunResult]:
    """Execute ``notebooks``, ``jobs`` at a time, printing a line as each finishes; results in the given order."""
    def report(result: RunResult) -> None:
        status = "ok" if result.ok else f"FAILED: {result.problem}"
        print(f"  {result.notebook}: {status} ({result.seconds:.1f} s)", flush=True)

    runs = [(path, out / project.relative(path), project.relative(path)) for path in notebooks]
    return run_notebooks(runs, smoke=smoke, jobs=jobs, done=report)


def run_table(results: list[RunResult], mode: str) -> str:
    rows = [(r.notebook, mode, "ok" if r.ok else "FAILED", f"{r.seconds:.1f}", format_results(r.results)) for r in results]
    return table(["notebook", "mode", "status", "seconds", "key results"], rows)


def cmd_run(project: Project, args: argparse.Namespace) -> int:
    notebooks = [Path(p).resolve() for p in args.notebooks] or project.teaching_notebooks() + project.solution_notebooks()
    mode = "smoke" if args.smoke else "full"
    print(f"Executing {len(notebooks)} notebook(s) in {mode} mode into {args.out}/ ...")
    results = run_all(project, notebooks, args.smoke, Path(args.out).resolve(), args.jobs)
    print()
    print(run_table(results, mode))
    for r in results:
        if not r.ok:
            print(f"\n{r.notebook}: {r.problem}\n  executed copy: {r.output}")
    return 0 if all(r.ok for r in results) else 1


def cmd_my_work(project: Project, args: argparse.Namespace) -> int:
    done = my_work.copy_exercises(project)
    for path in done.copied:
        print(f"copied {path}")
    if done.kept:
        print(f"kept {len(done.kept)} file(s) you already have in my_work/ as they are")
    print("Answer the notebooks in my_work/: `make release` and `git pull` never touch it.")
    return 0


def cmd_validate(project: Project, args: argparse.Namespace) -> int:
    failures = 0
    for path in map(Path, args.notebooks):
        card = validating.validate(project, path.resolve())
        print(f"{path}: {'all tests pass' if card.passed else 'some tests fail'}\n{card}\n")
        failures += not card.passed
    return 1 if failures else 0


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/3"`` -> ``(2, 3)``."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard wants K/N, e.g. 1/2; got {text!r}") from None
    if not 1 <= k <= n:
        raise argparse.ArgumentTypeError(f"--shard {text}: K must be between 1 and N")
    return k, n


def grading_settings(project: Project, args: argparse.Namespace) -> grading.Settings:
    data = Path(args.data) if args.data else project.root / "data"
    return grading.Settings(
        jobs=args.jobs or (os.cpu_count() or 1),
        shard=args.shard,
        db_url=args.db,
        feedback=args.feedback,
        budget=args.budget,
        limits=Limits(memory_mb=args.memory, processes=args.processes),
        sandbox=False if args.no_sandbox else None,
        data_dir=data.resolve() if data.is_dir() else None,
        progress=sys.stderr.isatty(),
    )


def cmd_grade(project: Project, args: argparse.Namespace) -> int:
    out = Path(args.out).resolve()
    try:
        batch = grading.grade_batch(project, Path(args.submissions).resolve(), out, grading_settings(project, args))
    except grading.GradingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(grading.format_report(batch))
    print(f"\nGraded notebooks: {out / 'autograded'}\nGrades:  {out / 'grades.csv'}\nReport:  {out / 'report.txt'}")
    if args.feedback:
        print(f"Feedback: {out / 'feedback'}")
    return 0 if all(r.status != BROKEN for r in batch.results) and not batch.rejected else 1


def reference_and_blank(project: Project, folder: Path) -> None:
    """Lay out two submissions per assignment: the solutions and the untouched exercises."""
    shutil.rmtree(folder, ignore_errors=True)
    for student, source in (("reference", project.solutions_dir), ("blank", project.exercises_dir)):
        for assignment in project.assignments():
            shutil.copytree(source / assignment, folder / student / assignment)


def cmd_course(project: Project, args: argparse.Namespace) -> int:
    build = project.build_dir
    mode = "smoke" if args.smoke else "full"
    started = time.perf_counter()
    failures = []

    print(f"1/4 Executing every notebook with papermill ({mode} mode) into build/executed/ ...", flush=True)
    notebooks = project.teaching_notebooks() + project.solution_notebooks()
    runs = run_all(project, notebooks, args.smoke, build / "executed", args.jobs)
    failures += [f"{r.notebook}: {r.problem}" for r in runs if not r.ok]

    print("2/4 Regenerating exercises/ from solutions/ with nbgrader ...", flush=True)
    with _scratch() as tmp:
        nbgrading.release(project, Path(tmp))

    print("3/4 Checking notebook hygiene ...", flush=True)
    failures += hygiene_problems(project)

    print("4/4 Autograding the reference solutions and the untouched student versions ...", flush=True)
    submissions = build / "grading" / "submissions"
    reference_and_blank(project, submissions)
    graded: list = []
    try:
        batch = grading.grade_batch(project, submissions, build / "grading" / "course")
        graded = batch.results
    except grading.GradingError as error:
        failures.append(str(error))
    by_key = {(g.student, g.assignment): g for g in graded}
    rows = []
    for assignment in project.assignments() if graded else []:
        ref, blank = by_key[("reference", assignment)], by_key[("blank", assignment)]
        rows.append((assignment, format_points(ref.score, ref.max_score), format_points(blank.score, blank.max_score), f"{ref.seconds:.1f}", f"{blank.seconds:.1f}"))
        if ref.status == BROKEN or ref.score != ref.max_score:
            failures.append(f"{assignment}: reference solution scored {format_points(ref.score, ref.max_score)} {ref.reason}")
        if blank.status == BROKEN or blank.score != 0:
            failures.append(f"{assignment}: untouched student version scored {format_points(blank.score, blank.max_score)} {blank.reason}")

    report = "\n\n".join([
        "COURSE REPORT",
        run_table(runs, mode),
        table(["assignment", "reference", "blank", "ref s", "blank s"], rows),
        f"Total {time.perf_counter() - started:.0f} s. Executed notebooks: build/executed/  Gradebook: build/grading/course/",
    ])
    if failures:
        report += "\n\nFAILURES\n" + "\n".join(f"- {f}" for f in failures)
    print("\n" + report)
    build.mkdir(exist_ok=True)
    (build / "report.txt").write_text(report + "\n")
    details = {
        "mode": mode,
        "seconds": time.perf_counter() - started,
        "notebooks": [{**asdict(r), "output": project.relative(r.output)} for r in runs],
        "submissions": [{k: v for k, v in asdict(g).items() if k != "notebook"} for g in graded],
        "failures": failures,
    }
    (build / "report.json").write_text(json.dumps(details, indent=1) + "\n")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.course", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, help="course repository root (default: found from the working directory)")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("release", help="regenerate exercises/ from solutions/")
    check = sub.add_parser("check", help="notebook hygiene and exercises/ sync")
    check.add_argument("--no-sync", action="store_true", help="skip the (slower) exercises/ sync check")
    sub.add_parser("fix", help="rewrite badges and install lines; clear outputs")

    run = sub.add_parser("run", help="execute notebooks with papermill")
    run.add_argument("notebooks", nargs="*", help="notebooks to run (default: teaching + solution notebooks)")
    run.add_argument("--smoke", action="store_true", help="set SMOKE = True: tiny sizes, every cell still runs")
    run.add_argument("--jobs", type=int, default=1, help="notebooks run at once (default 1: comparable seconds)")
    run.add_argument("--out", default="build/executed", help="folder for the executed copies")

    sub.add_parser("my-work", help="copy the exercises into my_work/ (keeps what is there)")
    validate = sub.add_parser("validate", help="run a notebook's tests like the Validate button")
    validate.add_argument("notebooks", nargs="+", help="notebooks to validate")

    grade = sub.add_parser("grade", help="autograde submissions (STUDENT/ASSIGNMENT/NOTEBOOK.ipynb) in sandboxes, in parallel")
    grade.add_argument("submissions", help="folder of submissions in nbgrader's layout")
    grade.add_argument("--out", default="build/grading/latest", help="folder for gradebook.db, autograded/, grades.csv, report.txt")
    grade.add_argument("--feedback", action="store_true", help="also write HTML feedback per student")
    grade.add_argument("--jobs", type=int, default=0, help="submissions graded at once (default: the number of cores)")
    grade.add_argument("--shard", type=parse_shard, default=(1, 1), metavar="K/N", help="grade the K-th of N shards of the students")
    grade.add_argument("--db", metavar="URL", help="gradebook URL (nbgrader's db_url), e.g. postgresql://user@host/course")
    grade.add_argument("--budget", type=float, metavar="SECONDS", help="time per notebook (default: sized from the reference solution's run)")
    grade.add_argument("--memory", type=int, default=Limits.memory_mb, metavar="MB", help="memory per submission (default: %(default)s)")
    grade.add_argument("--processes", type=int, default=Limits.processes, metavar="N", help="processes and threads per submission (default: %(default)s)")
    grade.add_argument("--data", metavar="DIR", help="course data folder the kernels may read (default: data/ in the course, if present)")
    grade.add_argument("--no-sandbox", action="store_true", help="run kernels without bubblewrap (for measurements; unsafe)")

    course = sub.add_parser("course", help="run, release, check and grade everything, then report")
    course.add_argument("--smoke", action="store_true", help="run the notebooks in smoke mode")
    course.add_argument("--jobs", type=int, default=1, help="notebooks run at once (default 1: comparable seconds)")

    args = parser.parse_args(argv)
    project = load_project(args.root)
    commands = {"release": cmd_release, "check": cmd_check, "fix": cmd_fix, "my-work": cmd_my_work, "run": cmd_run, "validate": cmd_validate, "grade": cmd_grade, "course": cmd_course}
    return commands[args.command](project, args)


if __name__ == "__main__":
    sys.exit(main())
