"""Let mutmut 3.8.1 mutate `rules` predicates.

mutmut 3 leaves every decorated function alone (a decorator may have side effects when the
function is copied). Tandem's guards are `@rules.predicate` functions, and that decorator only
wraps the function it is given, so it is safe to copy. Two changes make it work:

- generation: a function whose only decorator is `rules.predicate` (or `predicate`) is
  mutated like an undecorated one;
- trampoline: mutmut's wrapper takes `*args, **kwargs`, and `rules` counts a predicate's
  parameters to decide what to pass it; the wrapper is given the original function's
  signature, so `rules` sees the same parameters as without mutmut.

Applied by mutation/run.py before mutmut generates the mutants, and again by
mutation/pytest_plugin.py in every pytest run, before Django imports the mutated modules.
mutmut is pinned exactly (requirements-dev.txt): check this still holds when upgrading it.
"""

import inspect

import libcst as cst
from mutmut.mutation import file_mutation, trampoline

PREDICATE_DECORATORS = {"rules.predicate", "predicate"}


def _is_predicate(node) -> bool:
    if not isinstance(node, cst.FunctionDef) or len(node.decorators) != 1:
        return False
    decorator = node.decorators[0].decorator
    return cst.Module([]).code_for_node(decorator) in PREDICATE_DECORATORS


def apply() -> None:
    visitor = file_mutation.MutationVisitor
    if getattr(visitor, "_tandem_patched", False):
        return
    skip = visitor._skip_node_and_children

    def skip_node_and_children(self, node):
        if _is_predicate(node):
            # What mutmut checks for an undecorated function: `# pragma: no mutate` on the
            # `def` line, and the names it never mutates.
            position = self.get_metadata(file_mutation.PositionProvider, node, None)
            if position and position.start.line in self._ignored_node_lines:
                self.ignored_functions.add(node.name.value)
                return True
            return node.name.value in file_mutation.NEVER_MUTATE_FUNCTION_NAMES
        return skip(self, node)

    visitor._skip_node_and_children = skip_node_and_children
    visitor._tandem_patched = True

    wrap = trampoline.wrap_in_trampoline

    def wrap_in_trampoline(mutants_dict, is_classmethod=False):
        decorate = wrap(mutants_dict, is_classmethod)

        def mutmut_mutated(function):
            wrapper = decorate(function)
            wrapper.__signature__ = inspect.signature(function)
            return wrapper

        return mutmut_mutated

    trampoline.wrap_in_trampoline = wrap_in_trampoline
