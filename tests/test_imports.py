"""No import cycles among services/ and schemas/, counting imports inside functions; the benchmarks
never import the tests."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ("services", "schemas")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """Every module named by an import anywhere in the tree (top level or inside functions)."""
    package = module if is_package else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)
    return out


def import_graph(packages: tuple[str, ...] = PACKAGES) -> dict[str, set[str]]:
    files = {module_name(p): p for pkg in packages for p in (ROOT / pkg).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        targets = imported(ast.parse(path.read_text()), name, path.name == "__init__.py")
        # `from a.b import c` names module a.b.c when it exists, else the attribute c of a.b
        graph[name] = {t for t in targets if t in files and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_sees_a_cycle_through_a_function_level_import(tmp_path: Path) -> None:
    a = ast.parse("def f():\n    from pkg import b\n")
    assert imported(a, "pkg.a", False) == {"pkg", "pkg.b"}
    assert cycles({"pkg.a": {"pkg.b"}, "pkg.b": {"pkg.a"}, "pkg.c": {"pkg.a"}}) == [["pkg.a", "pkg.b"]]


def test_no_import_cycles_among_services_and_schemas() -> None:
    graph = import_graph()
    assert len(graph) > 50  # the scan found the modules
    assert cycles(graph) == []


def test_benchmarks_never_import_the_tests() -> None:
    offenders = []
    for path in (ROOT / "bench").rglob("*.py"):
        for target in imported(ast.parse(path.read_text()), module_name(path), path.name == "__init__.py"):
            if target == "tests" or target.startswith("tests."):
                offenders.append(f"{path.relative_to(ROOT)}: {target}")
    assert offenders == []
