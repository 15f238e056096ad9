"""Honest packaging: every import is declared, and the test extra is installed.

``pyproject.toml`` is the contract: a third-party module that ``sklmtl/`` or
``benchmarks/`` imports must be a dependency or come with an extra, one that
the tests import must come with ``[test]``, and everything ``[test]`` names
(with its own extras, such as ``dask[distributed]``) must be importable here.
CI installs ``-e ".[test]"``, so an undeclared or uninstalled module fails it.
"""

import ast
import importlib
import importlib.metadata as metadata
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

tomllib = pytest.importorskip("tomllib")  # Python >= 3.11

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
EXTRAS = PROJECT["optional-dependencies"]
IMPORT_TO_DISTS = metadata.packages_distributions()


def _requirements(group):
    names = PROJECT["dependencies"] if group == "core" else EXTRAS[group]
    return [Requirement(text) for text in names]


def _extra_requirements(requirement):
    """What ``name[extra]`` installs besides ``name`` (read from its metadata)."""
    if not requirement.extras:
        return []
    out = []
    for text in metadata.requires(requirement.name) or []:
        req = Requirement(text)
        if req.marker is not None and any(
            req.marker.evaluate({"extra": extra}) for extra in requirement.extras
        ):
            out.append(req)
    return out


def _covered(groups):
    """Canonical distribution names that installing ``groups`` brings in directly."""
    names = set()
    for group in groups:
        for req in _requirements(group):
            names.add(canonicalize_name(req.name))
            try:
                names |= {canonicalize_name(r.name) for r in _extra_requirements(req)}
            except metadata.PackageNotFoundError:
                pass  # not installed here: its extras cannot be read
    return names


def _imported_modules(path):
    """Top-level names a file imports, ``importlib.import_module("x.y")`` too."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module.split(".")[0]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", None) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            yield node.args[0].value.split(".")[0]


def _third_party_imports(folder):
    found = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        for name in _imported_modules(path):
            # sklmtl itself, a sibling module, or a benchmark script that the
            # tests import with benchmarks/ on sys.path.
            local = name == "sklmtl" or any(
                (folder_path / f"{name}.py").exists()
                for folder_path in (path.parent, ROOT / "benchmarks")
            )
            if name not in sys.stdlib_module_names and not local:
                found.setdefault(name, []).append(path.relative_to(ROOT).as_posix())
    return found


def _distributions(module):
    # An import name that is not installed here is assumed to be its own
    # distribution's name (true of psutil, ray, ...).
    return IMPORT_TO_DISTS.get(module, [module])


@pytest.mark.parametrize(
    "folder, groups",
    [
        ("sklmtl", ["core", *EXTRAS]),
        ("benchmarks", ["core", *EXTRAS]),
        # The image tests run beside the vision and timm extras (CI's image
        # stage: pip install -e ".[test,vision,timm]"; pytest -m vision).
        ("tests", ["core", "test", "vision", "timm"]),
        # The documentation's build and its gallery: pip install -e ".[docs]".
        ("docs", ["core", "docs"]),
        ("examples", ["core", "docs"]),
    ],
)
def test_every_third_party_import_is_declared(folder, groups):
    covered = _covered(groups)
    missing = {
        module: files
        for module, files in _third_party_imports(folder).items()
        if not any(canonicalize_name(d) in covered for d in _distributions(module))
    }
    assert not missing, (
        f"{folder}/ imports modules that pyproject.toml does not declare in "
        f"{groups}: {missing}"
    )


def test_core_modules_import_only_core_dependencies_at_module_level():
    """``import sklmtl.io`` must work with the core install alone."""
    covered = _covered(["core"])
    metrics = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("sklmtl/metrics/*.py"))
    assert metrics, "sklmtl/metrics/ has no modules"
    io = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("sklmtl/io/*.py"))
    assert io, "sklmtl/io/ has no modules"
    for path in [*io, *metrics, "sklmtl/classifier.py"]:
        tree = ast.parse((ROOT / path).read_text())
        for node in tree.body:  # module level only: function-level imports are lazy
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module.split(".")[0]]
            else:
                continue
            for name in names:
                if name in sys.stdlib_module_names:
                    continue
                dists = {canonicalize_name(d) for d in _distributions(name)}
                assert dists & covered, f"{path} imports {name} outside the core"


def _test_requirements():
    """``(requirement, extra)``: [test]'s own, then what their extras add."""
    out = []
    for req in _requirements("test"):
        out.append((req, "test"))
        try:
            extra_reqs = _extra_requirements(req)
        except metadata.PackageNotFoundError:
            continue  # reported by the test of ``req`` itself
        out += [(r, extra) for r in extra_reqs for extra in sorted(req.extras)]
    return out


@pytest.mark.parametrize(
    "requirement, extra", _test_requirements(), ids=lambda v: str(v).split(";")[0]
)
def test_the_test_extra_is_installed_and_imports(requirement, extra):
    if requirement.marker is not None and not requirement.marker.evaluate(
        {"extra": extra}
    ):
        pytest.skip(f"{requirement} does not apply to this platform")
    try:
        version = metadata.version(requirement.name)
    except metadata.PackageNotFoundError:
        pytest.fail(
            f"{requirement.name} is declared in [test] but not installed: "
            'run pip install -e ".[test]"'
        )
    assert requirement.specifier.contains(version, prereleases=True), (
        f"{requirement.name} {version} does not satisfy {requirement}"
    )
    modules = [
        module
        for module, dists in IMPORT_TO_DISTS.items()
        if canonicalize_name(requirement.name) in map(canonicalize_name, dists)
        and not module.startswith("_")
        and module.isidentifier()
    ]
    for module in modules:
        importlib.import_module(module)


def test_ci_installs_the_test_extra_and_runs_the_readmes_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    block = readme[readme.index("# the tests\n") :].splitlines()[1]
    assert block.startswith("pip install torch==2.13.0 && pip install -e")
    assert block in ci.splitlines(), "CI must run the README's test command as written"
    lines = [line.strip() for line in ci.splitlines()]
    torch_first = lines.index("pip install --quiet torch==2.13.0")
    assert lines.index('pip install --quiet -e ".[test]"') == torch_first + 1


def _install_page_rows():
    """The install page's extras table: ``{extra: text of its row}``."""
    text = (ROOT / "docs" / "install.rst").read_text()
    table = text[text.index("Optional extras") : text.index("Building this")]
    rows, current = {}, None
    for line in table.splitlines():
        stripped = line.strip()
        if stripped.startswith("* - "):
            current = [name.strip("`") for name in stripped[4:].split(", ")]
            for name in current:
                rows[name] = ""
        elif current and stripped:
            for name in current:
                rows[name] += " " + stripped.removeprefix("- ").lower()
    return rows


# Rows that summarise their extra instead of naming each package.
SUMMARISED_EXTRAS = {"test", "docs"}


@pytest.mark.parametrize("extra", sorted(EXTRAS))
def test_install_page_lists_every_extra_and_its_packages(extra):
    rows = _install_page_rows()
    assert extra in rows, f"docs/install.rst's extras table has no row {extra!r}"
    if extra in SUMMARISED_EXTRAS:
        return
    missing = [
        req.name for req in _requirements(extra) if req.name.lower() not in rows[extra]
    ]
    assert not missing, f"the row of {extra!r} does not name {missing}"
