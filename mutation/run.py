"""`make mutate`: mutation-test Tandem's guards with mutmut and print a score per module.

    python -m mutation.run                                     # every configured module
    python -m mutation.run core/transitions.py engagement/     # files, or folders of them
    python -m mutation.run --report                            # print the last run's report again
    python -m mutation.run --again engagement/                 # after adding tests: rerun the
                                                               # mutants the last run left alive

Each run starts from an empty mutants/ folder, so results never come from an older run: mutmut
copies the apps there, mutates the configured functions, runs the whole (non-browser) suite
once to learn which tests call which function, then runs, for each mutant, only those tests.
The report subtracts the explained equivalent mutants listed in mutation/equivalent.toml.

`--again` is the one exception: it keeps mutants/ and reruns only the mutants of the given
modules that the last run did not kill (or did not reach), against the tests as they are now
(mutmut measures the new tests' coverage first). It refuses a module whose source changed since
its full run, because the old results would then describe code that no longer exists.
"""

import argparse
import fnmatch
import hashlib
import json
import os
import shutil
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = Path("mutation/equivalent.toml")
MUTANTS = Path("mutants")
SOURCES = MUTANTS / "tandem-sources.json"
# Embedded mode only: SQLite, in-process tasks, and no test that a missing service would turn
# from a skip into a failure (a failure would count as killing a mutant).
UNSET = ("DATABASE_URL", "REDIS_URL", "REQUIRE_SERVICES")
STATUSES = ("killed", "survived", "no tests", "timeout", "suspicious", "skipped", "not checked")


def mutmut_config() -> dict:
    return tomllib.loads(Path("pyproject.toml").read_text())["tool"]["mutmut"]


def configured_modules(config: dict) -> list[str]:
    """Every file that [tool.mutmut] only_mutate selects, relative to the repository root."""
    found = []
    for source in config["source_paths"]:
        for path in sorted(Path(source).rglob("*.py")):
            name = path.as_posix()
            wanted = any(fnmatch.fnmatch(name, p) for p in config["only_mutate"])
            if wanted and not any(fnmatch.fnmatch(name, p) for p in config["do_not_mutate"]):
                found.append(name)
    return found


def select_modules(requested: list[str], configured: list[str]) -> list[str]:
    if not requested:
        return configured
    chosen = []
    for item in requested:
        item = item.removeprefix("./").rstrip("/")
        matches = [m for m in configured if m == item or m.startswith(item + "/")]
        if not matches:
            sys.exit(
                f"{item} is not a module that [tool.mutmut] only_mutate selects in pyproject.toml;"
                " add it there first."
            )
        chosen += [m for m in matches if m not in chosen]
    return chosen


def dotted(module: str) -> str:
    return module.removesuffix(".py").replace("/", ".")


def function_mutant_counts(modules: list[str]) -> dict[str, int]:
    """How many mutants mutmut will make in each module (cheap: no test runs)."""
    from mutmut.mutation.file_mutation import mutate_file_contents

    return {
        m: len(mutate_file_contents(m, Path(m).read_text(), None, None).mutant_names)
        for m in modules
    }


def _source_hash(module: str) -> str:
    return hashlib.sha256(Path(module).read_bytes()).hexdigest()


def run_mutmut(modules: list[str]) -> None:
    from mutation import predicates_patch

    predicates_patch.apply()
    counts = function_mutant_counts(modules)
    patterns = [f"{dotted(m)}.*" for m in modules if counts[m]]
    if not patterns:
        print("None of these modules has a function for mutmut to mutate.")
        return
    shutil.rmtree(MUTANTS, ignore_errors=True)
    MUTANTS.mkdir()
    SOURCES.write_text(json.dumps({m: _source_hash(m) for m in modules}))
    _mutmut_run(patterns)


def rerun_not_killed(modules: list[str]) -> None:
    """Rerun, in the existing mutants/, each mutant of these modules that is not killed."""
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.stats import status_by_exit_code

    from mutation import predicates_patch

    predicates_patch.apply()
    hashes = json.loads(SOURCES.read_text()) if SOURCES.exists() else {}
    for module in modules:
        if hashes.get(module) != _source_hash(module):
            sys.exit(
                f"{module} was not in the last full run, or changed since: run it without --again."
            )
    names = []
    for module in modules:
        data = SourceFileMutationData(path=Path(module))
        data.load()
        names += [
            name
            for name, code in data.exit_code_by_key.items()
            if status_by_exit_code[code] != "killed"
        ]
    if not names:
        print("Every mutant of these modules is already killed.")
        return
    print(f"Running again the {len(names)} mutants not killed last time.", flush=True)
    _mutmut_run(sorted(names))


def _mutmut_run(arguments: list[str]) -> None:
    for name in UNSET:
        os.environ.pop(name, None)
    os.environ["TANDEM_MUTATION_TEMPLATE_DB"] = str((MUTANTS / "template.sqlite3").resolve())

    from mutmut.__main__ import cli

    try:
        cli.main(["run", *arguments], prog_name="mutmut", standalone_mode=False)
    except SystemExit as stop:
        if stop.code:
            sys.exit(f"mutmut stopped with exit code {stop.code}; see its output above.")


@dataclass
class Equivalent:
    module: str
    function: str
    before: str
    after: str
    reason: str
    matched: list[tuple[str, str]] = field(default_factory=list)


def load_equivalents() -> list[Equivalent]:
    if not EQUIVALENTS.exists():
        return []
    entries = tomllib.loads(EQUIVALENTS.read_text()).get("mutant", [])
    return [
        Equivalent(
            module=e["module"],
            function=e["function"],
            before=_normalise(e["before"]),
            after=_normalise(e["after"]),
            reason=e["reason"],
        )
        for e in entries
    ]


def _normalise(text: str) -> str:
    return "\n".join(line.strip() for line in text.strip().splitlines())


def function_of(mutant: str) -> str:
    """`core.transitions.xǁStateMachineǁpermits__mutmut_3` -> `StateMachine.permits`."""
    from mutmut.utils.format_utils import orig_function_and_class_names_from_key

    name, class_name = orig_function_and_class_names_from_key(mutant)
    return f"{class_name}.{name}" if class_name else name


def mutated_lines(mutant: str, module: str) -> tuple[str, str]:
    """The lines a mutant removes and adds, as `mutmut show` prints them."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    diff = get_diff_for_mutant(mutant, path=module).splitlines()[2:]
    before = [line[1:] for line in diff if line.startswith("-")]
    after = [line[1:] for line in diff if line.startswith("+")]
    return _normalise("\n".join(before)), _normalise("\n".join(after))


def report(modules: list[str]) -> None:
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.stats import status_by_exit_code

    if not (MUTANTS / "mutmut-stats.json").exists():
        sys.exit("No results in mutants/: run `make mutate` first.")
    equivalents = load_equivalents()
    columns = ("mutants", "killed", "survived", "no tests", "timeout", "suspicious", "skipped")
    columns += ("equivalent", "score")
    width = max(len(m) for m in [*modules, "total"])
    print()
    print("Mutation score = killed / (mutants - explained equivalents)")
    print(f"{'module':<{width}}  " + "  ".join(f"{c:>10}" for c in columns))
    totals = dict.fromkeys(("mutants", "killed", "equivalent", *STATUSES), 0)
    not_killed: dict[str, list[str]] = {}
    notes = []
    for module in modules:
        results: dict[str, str] = {}
        if (MUTANTS / f"{module}.meta").exists():
            data = SourceFileMutationData(path=Path(module))
            data.load()
            results = {k: status_by_exit_code[v] for k, v in data.exit_code_by_key.items()}
        row = dict.fromkeys(("mutants", "equivalent", *STATUSES), 0)
        row["mutants"] = len(results)
        listed = [e for e in equivalents if e.module == module]
        for mutant, status in sorted(results.items(), key=_in_order):
            if _match(mutant, module, status, listed) and status != "killed":
                row["equivalent"] += 1
                continue
            row[status if status in STATUSES else "suspicious"] += 1
            if status in ("killed", "not checked"):
                continue
            not_killed.setdefault(module, []).append(f"{mutant}  ({status})")
        if row["not checked"]:
            notes.append(
                f"{module}: {row['not checked']} mutants not checked: the last run did not"
                " include this module, or it was interrupted."
            )
        if not results:
            notes.append(
                f"{module}: no mutants. mutmut mutates the bodies of functions and methods"
                " (undecorated, or @rules.predicate); this module's code runs at import time"
                " (see README.md, Mutation testing)."
            )
        for key in totals:
            totals[key] += row[key]
        print(_row(module, row, width))
    print(_row("total", totals, width))

    for module, names in not_killed.items():
        print(f"\nNot killed in {module} (see one with: .venv/bin/mutmut show NAME):")
        for name in names:
            print(f"  {name}")
    for entry in equivalents:
        if entry.module not in modules:
            continue
        where = f"{EQUIVALENTS}: {entry.module} {entry.function}"
        if not entry.matched:
            notes.append(f"{where}: listed mutant no longer exists: update or remove it")
        for mutant, status in entry.matched:
            if status == "killed":
                notes.append(f"{where}: {mutant} is listed as equivalent but a test kills it")
    for note in notes:
        print(f"\nNOTE {note}")


def _match(mutant: str, module: str, status: str, listed: list[Equivalent]) -> bool:
    """Whether the equivalents file lists this mutant (and remember that it did)."""
    candidates = [e for e in listed if e.function == function_of(mutant)]
    if not candidates:
        return False
    before, after = mutated_lines(mutant, module)
    for entry in candidates:
        if (entry.before, entry.after) == (before, after):
            entry.matched.append((mutant, status))
            return True
    return False


def _in_order(item: tuple[str, str]) -> tuple[str, int]:
    function, _, number = item[0].rpartition("__mutmut_")
    return function, int(number)


def _row(name: str, row: dict, width: int) -> str:
    counted = row["mutants"] - row["equivalent"]
    checked = counted and row["not checked"] < row["mutants"]
    score = f"{row['killed'] / counted:.1%}" if checked else "-"
    cells = [row[c] for c in ("mutants", "killed", "survived", "no tests", "timeout")]
    cells += [row["suspicious"], row["skipped"], row["equivalent"], score]
    return f"{name:<{width}}  " + "  ".join(f"{c:>10}" for c in cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="files or folders (default: all configured)")
    parser.add_argument("--report", action="store_true", help="only print the last run's report")
    parser.add_argument(
        "--again", action="store_true", help="rerun only the mutants the last run did not kill"
    )
    args = parser.parse_args()
    os.chdir(ROOT)
    modules = select_modules(args.modules, configured_modules(mutmut_config()))
    started = time.monotonic()
    if args.again:
        rerun_not_killed(modules)
    elif not args.report:
        print("Mutating:", " ".join(modules), flush=True)
        run_mutmut(modules)
    report(modules)
    if not args.report:
        minutes, seconds = divmod(round(time.monotonic() - started), 60)
        print(f"\nmake mutate took {minutes} min {seconds} s")


if __name__ == "__main__":
    main()
