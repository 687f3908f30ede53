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
