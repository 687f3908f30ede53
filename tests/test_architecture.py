"""The package's shape: layers import one way, no circles, no reach-ins to another module's privates.

Layers, left to right (docs/architecture.md)::

    core → ingest → analysis → planning → present → publish → cli

Every import inside ``jxedu`` is read from the source (``import``/``from … import`` anywhere in a
module, including inside functions, and ``importlib.import_module("…")`` strings), so a lazy import
cannot hide a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from jxedu.core import config

LAYERS: tuple[str, ...] = ("core", "ingest", "analysis", "planning", "present", "publish", "cli")
PACKAGE = config.PACKAGE_DIR


def _modules() -> dict[str, Path]:
    out = {}
    for p in PACKAGE.rglob("*.py"):
        parts = p.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts).removesuffix(".__init__")
        out[name] = p
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module, imported names, line) of every import in a module."""
    return _imports_in(name, path.read_text(encoding="utf-8"), package=path.name == "__init__.py")


def _imports_in(name: str, source: str, *, package: bool = False) -> list[tuple[str, list[str], int]]:
    tree = ast.parse(source)
    pkg = name if package else name.rpartition(".")[0]
    found = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Import):
            found += [(a.name, [], n.lineno) for a in n.names]
        elif isinstance(n, ast.ImportFrom):
            base = n.module or ""
            if n.level:
                up = pkg.split(".")[: len(pkg.split(".")) - (n.level - 1)]
                base = ".".join(up + ([base] if base else []))
            found.append((base, [a.name for a in n.names], n.lineno))
        elif (isinstance(n, ast.Call) and getattr(n.func, "attr", getattr(n.func, "id", "")) == "import_module"
              and n.args and isinstance(n.args[0], ast.Constant) and isinstance(n.args[0].value, str)):
            found.append((n.args[0].value, [], n.lineno))
    return found


def _targets(module: str, names: list[str]) -> set[str]:
    """The jxedu modules an import statement depends on (``from jxedu.x import y`` may name module y)."""
    out = {module} if module in MODULES else set()
    out |= {f"{module}.{n}" for n in names if f"{module}.{n}" in MODULES}
    return out


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def _graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    for m, p in MODULES.items():
        for module, names, _ in _imports(m, p):
            edges[m] |= {t for t in _targets(module, names) if t != m and t != "jxedu" and m != "jxedu"}
    return edges


def _circles(edges: dict[str, set[str]]) -> list[str]:
    found, done = set(), set()

    def walk(u: str, path: list[str]) -> None:
        for v in sorted(edges[u]):
            if v in path:
                found.add(" -> ".join(path[path.index(v):] + [v]))
            elif v not in done:
                walk(v, path + [v])
        done.add(u)

    for m in sorted(edges):
        if m not in done:
            walk(m, [m])
    return sorted(found)


def test_every_module_is_in_a_layer():
    loose = [m for m in MODULES if m != "jxedu" and _layer(m) is None]
    assert loose == [], f"modules outside the layer subpackages: {loose}"


def test_no_import_circles():
    assert _circles(_graph()) == []


def test_the_checks_see_circles_lazy_imports_importlib_strings_and_privates():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a -> b -> c -> a"]
    src = ("from . import numeric\n"
           "def f():\n    from jxedu.present import maps\n    import importlib\n"
           "    return importlib.import_module('jxedu.publish.reports')\n"
           "from jxedu.analysis.scenarios_like import _private\n")
    found = _imports_in("jxedu.core.example", src)
    targets = {t for module, names, _ in found for t in _targets(module, names)}
    assert {"jxedu.core.numeric", "jxedu.present.maps", "jxedu.publish.reports"} <= targets
    assert ("jxedu.analysis.scenarios_like", ["_private"], 6) in found


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != "jxedu"))
def test_imports_flow_one_way(module):
    here = _layer(module)
    wrong = []
    for target_module, names, line in _imports(module, MODULES[module]):
        for t in _targets(target_module, names):
            there = _layer(t)
            if there is not None and there > here:
                wrong.append(f"line {line}: {module} ({LAYERS[here]}) imports {t} ({LAYERS[there]})")
    assert wrong == []


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != "jxedu"))
def test_no_private_names_of_other_modules(module):
    reach = []
    for target_module, names, line in _imports(module, MODULES[module]):
        if not target_module.startswith("jxedu") or target_module == module:
            continue
        reach += [f"line {line}: from {target_module} import {n}" for n in names
                  if n.startswith("_") and not n.startswith("__")]
    assert reach == []
