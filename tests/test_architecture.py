"""The package's shape stays readable (ARCHITECTURE.md): no import circles, no module reaching
into another's underscored names, and an import inside a function only to put off a heavy
library (or, in the command line, a command a run does not need), said so on its line."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "mentorsite"
# what an import inside a function may put off: libraries slow to import that many runs never need
HEAVY = ("weasyprint", "pypdf", "pydyf", "babel", "icalendar", "watchdog", "webbrowser", "multiprocessing",
         "concurrent.futures", "selectolax", "snowballstemmer", "markdown_it", "mdit_py_plugins", "importlib.metadata")
COMMANDS = ("mentorsite.commands.",)  # put off by the command line alone (cli.py): a build imports no other command


def modules() -> dict[str, ast.Module]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        out[name] = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return out


def _imported(node: ast.AST, current: str, names: set[str]) -> list[tuple[str, list[str]]]:
    """(module, names taken from it) of an import statement, for the package's own modules."""
    if isinstance(node, ast.Import):
        return [(a.name, []) for a in node.names if a.name.startswith("mentorsite")]
    if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mentorsite"):
        found = []
        for alias in node.names:
            whole = f"{node.module}.{alias.name}"
            found.append((whole, []) if whole in names else (node.module, [alias.name]))
        return found
    return []


def graph() -> dict[str, set[str]]:
    mods = modules()
    names = set(mods)
    edges: dict[str, set[str]] = {name: set() for name in mods}
    for name, tree in mods.items():
        for node in ast.walk(tree):
            for target, _ in _imported(node, name, names):
                while target not in names and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target in names and target != name and target != "mentorsite":
                    edges[name].add(target)
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                out.append(sorted(part))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_import_circles():
    assert circles(graph()) == []


def test_the_circle_finder_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_imports_another_modules_private_names():
    found = []
    mods = modules()
    for name, tree in mods.items():
        for node in ast.walk(tree):
            for target, taken in _imported(node, name, set(mods)):
                found += [f"{name}: {target}.{n}" for n in taken if n.startswith("_") and n != "__version__"]
    assert found == []


def test_imports_inside_functions_only_put_off_heavy_libraries():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(source))
        for func in ast.walk(tree):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(func):
                if not isinstance(node, (ast.Import, ast.ImportFrom)):
                    continue
                module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                heavy = module is not None and (module.split(".")[0] in {h.split(".")[0] for h in HEAVY} or
                                                (path.name == "cli.py" and module.startswith(COMMANDS)))
                commented = "#" in source[node.lineno - 1] or "#" in source[node.lineno - 2]
                if not (heavy and commented):
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {module}")
    assert found == []


def test_no_function_is_longer_than_80_lines():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > 80:
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {node.name}, "
                             f"{node.end_lineno - node.lineno + 1} lines")
    assert found == []
