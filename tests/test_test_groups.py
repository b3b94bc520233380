"""The suite's own scheduling: tests that share a Celery broker run on one xdist worker.

pytest-xdist's `--dist loadgroup` (what `make test` uses) keeps an `xdist_group` together by
renaming its tests' ids; pytest 9.2 stopped reading that rename, and the worker tests then ran
on both workers at once, taking each other's tasks. This fails if that happens again."""

import pytest


@pytest.mark.xdist_group("celery_worker")
def test_a_grouped_test_runs_in_its_group_under_loadgroup(request):
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("only under pytest -n … --dist loadgroup")
    assert request.node.nodeid.endswith("@celery_worker")
