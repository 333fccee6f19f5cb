"""The layer rules of docs/architecture.md, checked on the source so they stay true.

An AST walk over app/ (every ``import``, also inside functions) builds the module import graph.
The edge (web/, main.py, cli.py, each domain's api.py and ws.py) may import anything; the core
never imports the edge; common/ imports only itself; realtime/ imports no domain; core packages
form no import cycle; no route module imports another.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"

# Top-level modules that hold plumbing, not a domain: realtime may use them.
INFRASTRUCTURE = frozenset({"app.config", "app.db", "app.metrics", "app.resources"})
NOT_DOMAINS = frozenset({"app.common", "app.realtime", "app.web"})


def module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def load_modules() -> dict[str, ast.Module]:
    return {module_name(p): ast.parse(p.read_text(), str(p)) for p in sorted(APP.rglob("*.py"))}


MODULES = load_modules()


def imported(tree: ast.Module) -> Iterator[str]:
    """The app modules a module imports (``from app.x import y`` is app.x.y when y is one)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.split(".")[0] == "app")
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module.split(".")[0] != "app":
                continue
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                yield full if full in MODULES else node.module


GRAPH: dict[str, set[str]] = {m: set(imported(t)) for m, t in MODULES.items()}


def is_edge(module: str) -> bool:
    parts = module.split(".")
    return (
        module in ("app.main", "app.cli")
        or parts[:2] == ["app", "web"]
        or (len(parts) == 3 and parts[2] in ("api", "ws"))
    )


def package(module: str) -> str:
    """``app.chat.service`` -> ``app.chat``; a top-level module is its own package."""
    return ".".join(module.split(".")[:2])


def is_route_module(module: str) -> bool:
    """A module that declares endpoints: an ``APIRouter``, or the websocket endpoints."""
    if module == "app.web.ws_routes":
        return True
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "APIRouter"
        for node in ast.walk(MODULES[module])
    )


def core_package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, targets in GRAPH.items():
        if is_edge(module) or module == "app":
            continue
        source = package(module)
        graph.setdefault(source, set())
        for target in targets:
            if not is_edge(target) and package(target) not in (source, "app"):
                graph[source].add(package(target))
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def show(graph: dict[str, set[str]]) -> str:
    return "\n".join(f"  {p} -> {', '.join(sorted(graph[p])) or '-'}" for p in sorted(graph))


def violations(rule: str) -> list[str]:
    found = []
    for module, targets in sorted(GRAPH.items()):
        for target in sorted(targets):
            if RULES[rule](module, target):
                found.append(f"{module} imports {target}")
    return found


RULES: dict[str, Callable[[str, str], bool]] = {
    "core never imports the edge": lambda m, t: not is_edge(m) and is_edge(t),
    "common imports only common": lambda m, t: (
        package(m) == "app.common" and package(t) != "app.common"
    ),
    "realtime imports no domain": lambda m, t: (
        package(m) == "app.realtime"
        and package(t) not in ("app.realtime", "app.common")
        and t not in INFRASTRUCTURE
    ),
    "no route module imports another": lambda m, t: (
        m != t and is_route_module(m) and t in MODULES and is_route_module(t)
    ),
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_layer_rule(rule: str) -> None:
    found = violations(rule)
    assert not found, f"{rule}:\n  " + "\n  ".join(found)


def test_core_packages_form_no_cycle() -> None:
    graph = core_package_graph()
    found = cycles(graph)
    assert not found, f"import cycles {found} in the core package graph:\n{show(graph)}"


def test_the_checks_see_the_code() -> None:
    """The walk finds what it must (a broken walk would pass every rule above)."""
    assert "app.routing.assignment" in GRAPH["app.routing.lifecycle"]
    assert is_edge("app.chat.ws")
    assert is_edge("app.web.sockets")
    assert not is_edge("app.chat.service")
    assert is_route_module("app.chat.api")
    assert not is_route_module("app.chat.service")
    assert "app.chat" in core_package_graph()["app.routing"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
