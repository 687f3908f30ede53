"""Repository environment checks: conda vs pip dependencies, and notebook conventions.

environment.yml (conda) and pyproject.toml (pip) must list the same dependencies.

Both files are parsed; package names are compared after normalisation (case, ``-``/``_``/``.``,
pip extras dropped) and a conda name is translated to its pip name where the two differ
(:data:`CONDA_TO_PIP`). Lower bounds must agree too. Adding a package to one file only fails here.
"""

from __future__ import annotations

import re
import tomllib

import yaml

from jxedu.core import config

#: Conda-forge package name -> PyPI name, where they differ. Extend when adding such a package.
#: (e.g. conda ``pytables`` is pip ``tables``; ``matplotlib-base`` is matplotlib without Qt.)
CONDA_TO_PIP: dict[str, str] = {
    "pytables": "tables",
    "matplotlib-base": "matplotlib",
    "dask-core": "dask",
}
#: Conda entries that are tools of the environment, not dependencies of the package.
CONDA_ONLY: frozenset[str] = frozenset({"python", "pip"})

_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*?)\s*$")


def normalise(name: str) -> str:
    """PEP 503 normalised name: lower case, runs of ``-_.`` become ``-``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_requirement(spec: str) -> tuple[str, str]:
    """``"dask[distributed]>=2024.1"`` -> ``("dask", ">=2024.1")`` (name normalised, extras dropped)."""
    m = _REQ.match(spec.split(";")[0])
    assert m, f"cannot parse requirement {spec!r}"
    return normalise(m.group(1)), m.group(3).replace(" ", "")


def pip_requirements(pyproject: dict) -> dict[str, str]:
    """Runtime and optional (test …) dependencies of pyproject.toml: name -> version spec."""
    project = pyproject["project"]
    specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        specs.extend(extra)
    return dict(parse_requirement(s) for s in specs)


def conda_requirements(env: dict) -> dict[str, str]:
    """Conda and pip entries of environment.yml as PyPI names: name -> version spec."""
    out: dict[str, str] = {}
    for item in env["dependencies"]:
        if isinstance(item, dict):
            for spec in item.get("pip", []):
                if spec.startswith("-"):  # "-e ." installs jxedu itself
                    continue
                name, version = parse_requirement(spec)
                out[name] = version
            continue
        name, version = parse_requirement(str(item))
        if name in CONDA_ONLY:
            continue
        out[normalise(CONDA_TO_PIP.get(name, name))] = version
    return out


def differences(pip: dict[str, str], conda: dict[str, str]) -> list[str]:
    """Human-readable list of every disagreement (empty when the files agree)."""
    problems = [f"only in pyproject.toml: {n}" for n in sorted(set(pip) - set(conda))]
    problems += [f"only in environment.yml: {n}" for n in sorted(set(conda) - set(pip))]
    problems += [
        f"version differs for {n}: pyproject {pip[n]!r} vs environment.yml {conda[n]!r}"
        for n in sorted(set(pip) & set(conda))
        if pip[n] != conda[n]
    ]
    return problems


def _load() -> tuple[dict, dict]:
    pyproject = tomllib.loads((config.ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    env = yaml.safe_load((config.ROOT / "environment.yml").read_text(encoding="utf-8"))
    return pyproject, env


def test_environment_yml_matches_pyproject():
    pyproject, env = _load()
    pip, conda = pip_requirements(pyproject), conda_requirements(env)
    assert len(pip) >= 25  # sanity: the parser found the dependency lists
    assert differences(pip, conda) == []


def test_environment_uses_conda_forge_and_same_python():
    pyproject, env = _load()
    assert env["channels"] == ["conda-forge"]
    pythons = [d for d in env["dependencies"] if isinstance(d, str) and parse_requirement(d)[0] == "python"]
    assert pythons == [f"python{pyproject['project']['requires-python']}"]


def test_check_fails_when_a_dependency_is_added_to_one_file_only():
    pyproject, env = _load()
    pyproject["project"]["dependencies"].append("Some_New.Package>=1.0")
    pip, conda = pip_requirements(pyproject), conda_requirements(env)
    assert differences(pip, conda) == ["only in pyproject.toml: some-new-package"]

    pyproject, env = _load()
    env["dependencies"].insert(2, "pytables>=3.9")
    pip, conda = pip_requirements(pyproject), conda_requirements(env)
    assert differences(pip, conda) == ["only in environment.yml: tables"]


def test_check_fails_on_different_lower_bounds():
    pip = {"numpy": ">=2.0"}
    assert differences(pip, {"numpy": ">=1.26"}) == [
        "version differs for numpy: pyproject '>=2.0' vs environment.yml '>=1.26'"
    ]


def test_parse_requirement_normalises_names_and_drops_extras():
    assert parse_requirement("dask[distributed]>=2024.1") == ("dask", ">=2024.1")
    assert parse_requirement("gtfs_kit >= 10.0") == ("gtfs-kit", ">=10.0")
    assert parse_requirement("PyYAML") == ("pyyaml", "")


# --- the tested versions (requirements/constraints.txt) -----------------------------------------

CONSTRAINTS = config.ROOT / "requirements" / "constraints.txt"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][A-Za-z0-9.+!-]*)$")


def constraints(text: str) -> dict[str, str]:
    """``name==version`` lines of a constraints file (comments and blanks skipped): name -> version."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = _PIN.match(line)
        assert m, f"not an exact pin: {line!r}"
        name = normalise(m.group(1))
        assert name not in out, f"pinned twice: {name}"
        out[name] = m.group(2)
    return out


def unmet(pins: dict[str, str], wanted: dict[str, str]) -> list[str]:
    """Every dependency the pins leave out or pin below its lower bound (empty when all are met)."""
    from packaging.specifiers import SpecifierSet

    problems = []
    for name, spec in sorted(wanted.items()):
        if name not in pins:
            problems.append(f"not pinned: {name}")
        elif spec and pins[name] not in SpecifierSet(spec):
            problems.append(f"{name}=={pins[name]} does not satisfy {spec}")
    return problems


def test_constraints_pin_every_dependency_within_its_bounds():
    pyproject, env = _load()
    pins = constraints(CONSTRAINTS.read_text(encoding="utf-8"))
    assert len(pins) >= 100  # the whole installed tree, not only the direct dependencies
    assert unmet(pins, pip_requirements(pyproject)) == []
    assert unmet(pins, conda_requirements(env)) == []  # environment.yml's bounds hold the tested versions
    assert "jxedu" not in pins  # the package itself is installed editable, never pinned


def test_constraint_check_catches_a_missing_or_too_old_pin():
    assert unmet({"numpy": "1.26.4"}, {"numpy": ">=2.0", "pandas": ">=2.2"}) == [
        "numpy==1.26.4 does not satisfy >=2.0", "not pinned: pandas"]


def test_setup_installs_with_the_constraints_by_default():
    setup = (config.ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    assert 'CONSTRAINTS="${JXEDU_CONSTRAINTS:-$ROOT/requirements/constraints.txt}"' in setup
    assert '-m pip install --no-input --progress-bar off -c "$CONSTRAINTS" -e "$ROOT[test]"' in setup
    makefile = (config.ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(STAMP): pyproject.toml requirements/constraints.txt scripts/setup.sh" in makefile
