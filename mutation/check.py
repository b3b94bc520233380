"""Check that a test kills one mutant, without another `make mutate` run.

    .venv/bin/python -m mutation.check NAME [NAME...] -- tests/core/test_outbox.py::test_x

After `make mutate` has listed a survivor NAME, write the test, then run this: it puts the
mutant into the working tree's source (the function as mutmut changed it), runs only the tests
given after `--` the way `make mutate` runs them (embedded, a copy of a database migrated once),
then puts the file back exactly as it was, even when interrupted. It prints KILLED when the
tests fail with the mutant in place, SURVIVED when they pass, and ERROR when pytest could not
run them (that is not a kill). Exits 0 only when every NAME was killed.

The mutants come from the last run's `mutants/` folder; the source they are applied to must
still contain the function as it was then (otherwise: "cannot find").
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from mutation.run import MUTANTS, ROOT, UNSET

INDENTS = ("", "    ", "        ", "            ")
PYTEST = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"]
PYTEST += ["-p", "mutation.pytest_plugin", "-p", "no:xdist"]


def _diff_blocks(name: str) -> tuple[str, list[str], list[str]]:
    """The module path and the function's lines before and after the mutation."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    from mutation import predicates_patch

    predicates_patch.apply()
    module = name.partition("__mutmut_")[0].rpartition(".")[0]
    path = module.replace(".", "/") + ".py"
    lines = get_diff_for_mutant(name, path=path).splitlines()[2:]
    body = [line for line in lines if line[:1] in (" ", "-", "+")]
    before = [line[1:] for line in body if line[:1] in (" ", "-")]
    after = [line[1:] for line in body if line[:1] in (" ", "+")]
    return path, before, after


def mutant_source(name: str, source: str) -> str:
    """`source` with the mutant's function swapped in (also when it is an indented method)."""
    path, before, after = _diff_blocks(name)
    lines = source.split("\n")
    for indent in INDENTS:
        want = [indent + line if line else line for line in before]
        for start in range(len(lines) - len(want) + 1):
            if lines[start : start + len(want)] == want:
                lines[start : start + len(want)] = [indent + x if x else x for x in after]
                return "\n".join(lines)
    raise LookupError(f"cannot find the function {name} changes in {path}: did it change?")


def _template_path() -> Path:
    """A migrated database per set of migrations, so a new migration gets a new template."""
    digest = hashlib.sha256()
    for migration in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(migration.read_bytes())
    return (MUTANTS / f"check-template-{digest.hexdigest()[:12]}.sqlite3").resolve()


def check(name: str, tests: list[str]) -> str:
    path, _, _ = _diff_blocks(name)
    file = ROOT / path
    original = file.read_bytes()
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env["TANDEM_MUTATION_TEMPLATE_DB"] = str(_template_path())
    try:
        file.write_text(mutant_source(name, original.decode()))
        # The command is this interpreter running pytest on the tests the developer named.
        result = subprocess.run(  # noqa: S603
            [*PYTEST, *tests],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
    finally:
        file.write_bytes(original)
    last = (result.stdout.strip().splitlines() or [""])[-1]
    if result.returncode == 1:
        return f"KILLED    {name}"
    if result.returncode == 0:
        return f"SURVIVED  {name}  ({last})"
    return f"ERROR     {name}: pytest exited {result.returncode} ({last}); not a kill"


def main() -> None:
    arguments = sys.argv[1:]
    if "--" not in arguments or arguments.index("--") in (0, len(arguments) - 1):
        sys.exit(__doc__.split("\n\n")[1])
    split = arguments.index("--")
    names, tests = arguments[:split], arguments[split + 1 :]
    os.chdir(ROOT)
    if not (MUTANTS / "mutmut-stats.json").exists():
        sys.exit("No mutants/ folder: run `make mutate MODULES=...` first.")
    verdicts = []
    for name in names:
        try:
            verdicts.append(check(name, tests))
        except (LookupError, FileNotFoundError) as error:
            verdicts.append(f"ERROR     {error}")
        print(verdicts[-1], flush=True)
    sys.exit(0 if all(v.startswith("KILLED") for v in verdicts) else 1)


if __name__ == "__main__":
    main()
