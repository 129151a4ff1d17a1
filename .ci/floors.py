#!/usr/bin/env python3
"""The dependency floors of pyproject.toml, as pip constraints: `pkg==floor` for every runtime
dependency that declares a lower bound (`>=`). The test extra's tools are not held back.

    python3 .ci/floors.py > floors.txt          # the constraints
    python3 .ci/floors.py --check PYTHON        # is every runtime dependency at its floor in
                                                # PYTHON's environment? (exit 1 if not)

.ci/run installs the project with these constraints in a venv of its own and runs the tests
that exercise the dependencies there, so a floor that is declared is a floor that works.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;]*)(;.*)?$")


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def floors(requirements: list[str]) -> dict[str, str]:
    """Name -> its '>=' bound, for each requirement that has one."""
    out = {}
    for requirement in requirements:
        m = _REQUIREMENT.match(requirement)
        if not m:
            raise SystemExit(f"floors.py: cannot read the requirement {requirement!r}")
        for spec in m.group(3).split(","):
            spec = spec.strip()
            if spec.startswith(">="):
                out[_name(m.group(1))] = spec[2:].strip()
    return out


def declared() -> dict[str, str]:
    """The runtime dependencies' floors."""
    return floors(tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"].get("dependencies", []))


def _same(installed: str | None, floor: str) -> bool:
    """installed is floor, as PEP 440 compares releases ('5' is '5.0.0')."""
    def release(v: str) -> tuple:
        parts = [int(p) if p.isdigit() else p for p in v.split(".")]
        while parts and parts[-1] == 0:
            parts.pop()
        return tuple(parts)

    return installed is not None and release(installed) == release(floor)


def main(argv: list[str]) -> int:
    runtime = declared()
    if argv[:1] == ["--check"] and len(argv) == 2:
        script = "import importlib.metadata as m, json; print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
        import json

        installed = {_name(k): v for k, v in json.loads(subprocess.run([argv[1], "-c", script], check=True,
                                                                       capture_output=True, text=True).stdout).items()}
        wrong = [f"{name}: {installed.get(name, 'not installed')}, not {floor}"
                 for name, floor in sorted(runtime.items()) if not _same(installed.get(name), floor)]
        for name, floor in sorted(runtime.items()):
            print(f"{name}=={installed.get(name, '(missing)')}  (floor {floor})")
        if wrong:
            print("floors.py: not at the floor: " + "; ".join(wrong), file=sys.stderr)
            return 1
        return 0
    if argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    for name, floor in sorted(runtime.items()):
        print(f"{name}=={floor}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
