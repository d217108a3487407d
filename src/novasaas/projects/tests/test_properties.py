"""Property: whatever finish-to-start links are asked for, the dependency graph stays acyclic, and a
link is refused exactly when an independent oracle (a DFS written here) says it is a self-link, a
duplicate or would close a cycle. Checks why, and that most links were accepted."""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_tenant
from novasaas.projects import actions
from novasaas.projects.models import TaskDependency
from novasaas.projects.tests.helpers import world

N = 7


def _reachable(edges: set[tuple[int, int]], start: int, target: int) -> bool:
    seen, stack = set(), [start]
    while stack:
        node = stack.pop()
        if node == target:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(b for a, b in edges if a == node)
    return False


def test_dependency_graph_stays_acyclic(db):
    outcomes: Counter[str] = Counter()

    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(links=st.lists(st.tuples(st.integers(0, N - 1), st.integers(0, N - 1)), min_size=1, max_size=25))
    @example(links=[(0, 1), (1, 2), (2, 0), (3, 3), (0, 1), (2, 3), (3, 0)])  # cycle, self, duplicate
    def run(links):
        tenant = create_tenant(modules=["PM"])
        with tenant_context(tenant):
            w = world(tenant)
            tasks = [w.task.pk] + [actions.save_task(w.pm, w.project.pk, title=f"T{i}").pk for i in range(1, N)]
            edges: set[tuple[int, int]] = set()
            for pred_i, succ_i in links:
                pred, succ = tasks[pred_i], tasks[succ_i]
                expected = (
                    "self"
                    if pred == succ
                    else "duplicate"
                    if (pred, succ) in edges
                    else "cycle"
                    if _reachable(edges, succ, pred)
                    else "ok"
                )
                try:
                    actions.add_dependency(w.pm, succ, pred)
                    got = "ok"
                except ValidationError as exc:
                    got = exc.error_dict["predecessor_id"][0].code
                assert got == expected, (links, pred_i, succ_i, got)
                outcomes[got] += 1
                if got == "ok":
                    edges.add((pred, succ))
            stored = set(TaskDependency.objects.values_list("predecessor_id", "successor_id"))
            assert stored == edges
            assert not any(_reachable(edges - {(a, b)}, b, a) for a, b in edges)  # no edge lies on a cycle

    run()
    total = sum(outcomes.values())
    assert outcomes["ok"] * 3 >= total and min(outcomes["cycle"], outcomes["self"], outcomes["duplicate"]) >= 1, (
        outcomes
    )
