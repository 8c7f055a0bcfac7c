"""Benchmark the batch grader: --jobs 1 against --jobs 2, and what the sandbox costs per submission.

Builds N submissions of one assignment (each student solves a deterministic, random mix of the
exercises), then grades the same folder three times with ``helpers.course.grading.grade_batch``:

    jobs 1, sandboxed      jobs 2, sandboxed      jobs 2, NOT sandboxed

All three runs use one time budget per notebook, given explicitly, so that none of them runs the
reference solution; that budget is the one the grader sizes itself from a reference run, timed once
beforehand on its own. Prints a table, checks that the three runs gave identical grades (per student,
per test; exit 1 if not) and writes every number to OUT/benchmark.json.

Not a test: nothing here asserts a time. Run it from the repository root on an otherwise idle machine
(the target is a speed-up of at least 1.7 with --jobs 2 on 2 cores):

    .venv/bin/python benchmarks/grading.py --submissions 40

It takes a while (about 3 x 40 submissions). Every submission is graded by a fresh process that
reads the grader's code from the checkout: leave the checkout alone meanwhile (or run a clean copy
of it), or the runs compare different graders.
"""

import argparse
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from helpers.course import grading
from helpers.course.grading import Settings, grade_batch
from helpers.course.hygiene import nbgrader_meta, tests_of_answers
from helpers.course.project import load_project
from helpers.course.sandbox import availability

ROOT = Path(__file__).resolve().parents[1]
SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$\n?", re.M)

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--submissions", type=int, default=40, help="submissions to grade in each run (default: 40)")
parser.add_argument("--assignment", default="00_pytorch_fundamentals", help="assignment to grade")
parser.add_argument("--out", type=Path, default=Path("build/benchmarks/grading"), help="output folder (emptied first)")
parser.add_argument("--unsandboxed", type=int, metavar="N", help="submissions in the sandbox-off run (default: all of them)")
parser.add_argument("--budget", type=float, help="seconds per notebook (default: sized by the grader from a reference run)")
parser.add_argument("--seed", type=int, default=0, help="seed of the students' mixes of solved exercises")
args = parser.parse_args()


def build_submissions(folder, count, blank, solution, answers, seed):
    """``count`` students in nbgrader's layout; returns the points each test should earn, per student."""
    answer_source = {nbgrader_meta(c).get("grade_id"): SOLUTION_MARKERS.sub("", c.source) for c in solution.cells}
    rng = random.Random(seed)
    expected = {}
    for i in range(count):
        student = f"student{i:03d}"
        skill = 1.0 if i == 0 else 0.0 if i == 1 else rng.random()  # one full marks, one blank, the rest mixed
        solved = {answer for answer in answers if rng.random() < skill}
        nb = nbformat.from_dict(blank)
        for cell in nb.cells:
            if nbgrader_meta(cell).get("grade_id") in solved:
                cell.source = answer_source[nbgrader_meta(cell)["grade_id"]]
        target = folder / student / args.assignment
        target.mkdir(parents=True)
        nbformat.write(nb, target / notebook_name)
        expected[student] = {test: points if answer in solved else 0.0 for answer, tests in answers.items() for test, points in tests.items()}
    return expected


def machine_ceiling(processes: int = 2, seconds: float = 3.0) -> float:
    """How much faster ``processes`` pure-Python processes run side by side than one after another.

    The most any parallel grading can gain on this machine (shared or hyper-threaded cores give less than 2).
    """
    loop = f"import time\nend = time.process_time() + {seconds}\nwhile time.process_time() < end: pass"
    started = time.perf_counter()
    for _ in range(processes):
        subprocess.run([sys.executable, "-c", loop], check=True)
    serial = time.perf_counter() - started
    started = time.perf_counter()
    for process in [subprocess.Popen([sys.executable, "-c", loop]) for _ in range(processes)]:
        process.wait()
    return serial / (time.perf_counter() - started)


def grades_of(batch):
    """student -> test -> (points, status): what must not depend on how the batch was run."""
    return {r.student: {o.grade_id: (o.points, o.status) for o in r.outcomes} for r in batch.results}


def run(name, submissions, jobs, sandbox, budget):
    """Grade ``submissions`` once; return the row of numbers and the grades."""
    out = args.out / name
    load = os.getloadavg()[0]
    started = time.perf_counter()
    batch = grade_batch(project, submissions, out, Settings(jobs=jobs, sandbox=sandbox, budget=budget))
    wall = time.perf_counter() - started
    n = len(batch.results)
    row = {
        "configuration": name, "jobs": jobs, "sandboxed": batch.sandboxed, "submissions": n, "wall_s": wall,
        "s_per_submission": wall / n,
        "mean_submission_s": sum(r.seconds for r in batch.results) / n,  # one submission's own time, start to end
        "statuses": sorted({r.status for r in batch.results}),
        "budget_ran_out": sum(any("budget" in note for note in r.notes) for r in batch.results),
        "load_1min_before": load, "load_1min_after": os.getloadavg()[0],  # other work on the machine skews the times
    }
    print(f"  {name}: {n} submissions in {wall:.1f} s", flush=True)
    return row, grades_of(batch)


project = load_project(ROOT)
notebook_name = f"{args.assignment}_exercises.ipynb"
solution = nbformat.read(project.solutions_dir / args.assignment / notebook_name, as_version=4)
blank = nbformat.read(project.exercises_dir / args.assignment / notebook_name, as_version=4)
answers = tests_of_answers(solution)
sandboxed, why = availability()
if not sandboxed:
    sys.exit(f"The sandbox cannot run here ({why}): nothing to compare.")

shutil.rmtree(args.out, ignore_errors=True)
all_submissions, reference_folder = args.out / "submissions", args.out / "reference-submission"
expected = build_submissions(all_submissions, args.submissions, blank, solution, answers, args.seed)
unsandboxed_count = min(args.unsandboxed or args.submissions, args.submissions)
unsandboxed_submissions = all_submissions
if unsandboxed_count < args.submissions:  # the first N students, the same submissions as in the other runs
    unsandboxed_submissions = args.out / "submissions-unsandboxed"
    for student in sorted(expected)[:unsandboxed_count]:
        shutil.copytree(all_submissions / student, unsandboxed_submissions / student)
shutil.copytree(all_submissions / "student000", reference_folder / "student000")  # full marks

ceiling = machine_ceiling()
load_before = os.getloadavg()
print(f"This machine runs 2 CPU-bound processes {ceiling:.2f}x faster side by side than one after another "
      "(the ceiling for --jobs 2).", flush=True)
print(f"{args.submissions} submissions of {args.assignment} in {all_submissions}; {os.cpu_count()} cores; "
      f"load average {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}", flush=True)

# The reference run, once, as a default `grade` would do it: its time sizes the budget used below.
reference_seconds = []
run_job = grading._run_job


def timed_run_job(job, workdir):
    started = time.perf_counter()
    result = run_job(job, workdir)
    if job.student == grading.REFERENCE:
        reference_seconds.append(time.perf_counter() - started)
    return result


grading._run_job = timed_run_job
started = time.perf_counter()
sized = grade_batch(project, reference_folder, args.out / "reference-run", Settings(jobs=1))
reference_wall = time.perf_counter() - started
grading._run_job = run_job
budget = args.budget or sized.budgets[args.assignment]
print(f"  reference run: {reference_seconds[0]:.1f} s (a default batch of 1 submission: {reference_wall:.1f} s); "
      f"budget {budget:.0f} s per notebook{' (given)' if args.budget else ' (sized by the grader)'}", flush=True)

rows, grades = [], {}
for name, folder, jobs, sandbox in [
    ("jobs 1, sandboxed", all_submissions, 1, True),
    ("jobs 2, sandboxed", all_submissions, 2, True),
    ("jobs 2, no sandbox", unsandboxed_submissions, 2, False),
]:
    row, grades[name] = run(name, folder, jobs, sandbox, budget)
    rows.append(row)
load_after = os.getloadavg()

base, sandboxed_2, open_2 = rows
for row in rows:
    row["speed_up"] = base["s_per_submission"] / row["s_per_submission"]
open_2["sandbox_overhead_s_per_submission"] = sandboxed_2["s_per_submission"] - open_2["s_per_submission"]
open_2["sandbox_overhead_mean_submission_s"] = sandboxed_2["mean_submission_s"] - open_2["mean_submission_s"]

print()
header = ["configuration", "submissions", "wall s", "s / submission", "speed-up vs jobs 1", "sandbox overhead / submission", "load before/after"]
cells = [[r["configuration"], str(r["submissions"]), f"{r['wall_s']:.1f}", f"{r['s_per_submission']:.2f}", f"{r['speed_up']:.2f}x",
          f"{r['sandbox_overhead_s_per_submission']:+.2f} s" if "sandbox_overhead_s_per_submission" in r else "-",
          f"{r['load_1min_before']:.1f} / {r['load_1min_after']:.1f}"] for r in rows]
widths = [max(len(line[i]) for line in [header] + cells) for i in range(len(header))]
for line in [header, ["-" * w for w in widths]] + cells:
    print("  ".join(text.ljust(width) for text, width in zip(line, widths)))
print(f"\nOne submission, start to end (mean): {base['mean_submission_s']:.2f} s at jobs 1, "
      f"{sandboxed_2['mean_submission_s']:.2f} s at jobs 2 sandboxed, {open_2['mean_submission_s']:.2f} s at jobs 2 without "
      f"(sandbox: {open_2['sandbox_overhead_mean_submission_s']:+.2f} s each). Wall times include the batch's set-up "
      f"(nbgrader generates the assignment) and its CSV export.")
print(f"Reference run: {reference_seconds[0]:.1f} s, once, not in the times above. "
      f"Load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min).")

# Identical grades: every run against jobs 1 (the sandbox-off run on the students it graded).
differences = []
for name, found in grades.items():
    wanted = set(grades["jobs 1, sandboxed"]) if found is not grades["jobs 2, no sandbox"] else set(sorted(expected)[:unsandboxed_count])
    if set(found) != wanted:
        differences.append(f"{name} graded {len(found)} students, not the {len(wanted)} it was given")
    for student in sorted(found):
        if found[student] != grades["jobs 1, sandboxed"][student]:
            differences.append(f"{student}: {name} gave {found[student]}, jobs 1 gave {grades['jobs 1, sandboxed'][student]}")
unexpected = [student for student, tests in grades["jobs 1, sandboxed"].items()
              if {test: points for test, (points, _) in tests.items()} != expected[student]]
if differences:
    print(f"\nGRADES DIFFER between the runs ({len(differences)} student(s)):\n  " + "\n  ".join(differences[:20]))
else:
    print(f"\nIdentical grades in all three runs: {len(grades['jobs 1, sandboxed'])} students, every test "
          f"({len(grades['jobs 2, no sandbox'])} of them in the sandbox-off run).")
if unexpected:
    print(f"WARNING: {len(unexpected)} student(s) did not earn the points their solved exercises are worth: {unexpected[:10]}")
# This benchmark alone keeps the load near its number of jobs; much more than that is someone else's work.
busy = [f"{load_before[0]:.1f} before it started"] if load_before[0] > 1.0 else []
busy += [f"{r['load_1min_after']:.1f} after {r['configuration']}" for r in rows if r["load_1min_after"] > r["jobs"] + 1.5]
if busy:
    print(f"WARNING: other work was running (1-minute load average {', '.join(busy)}, on {os.cpu_count()} cores): "
          f"these times overstate the grader's own; rerun on a quiet machine.")
slow = [r["configuration"] for r in rows if r["budget_ran_out"]]
if slow:
    print(f"WARNING: the time budget ran out for some submissions in: {', '.join(slow)} (machine too loaded? try --budget)")

report = {
    "assignment": args.assignment, "submissions": args.submissions, "seed": args.seed, "budget_s": budget,
    "budget_given": args.budget is not None, "reference_run_s": reference_seconds[0], "reference_batch_wall_s": reference_wall,
    "runs": rows, "identical_grades": not differences, "differences": differences,
    "students_not_matching_their_solved_exercises": unexpected,
    "machine": {"cores": os.cpu_count(), "two_process_ceiling": ceiling, "load_before": load_before, "load_after": load_after,
                "python": platform.python_version(), "platform": platform.platform()},
}
(args.out / "benchmark.json").write_text(json.dumps(report, indent=1) + "\n")
print(f"Numbers: {args.out / 'benchmark.json'}")
sys.exit(1 if differences else 0)
