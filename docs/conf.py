"""Sphinx configuration of the sklmtl documentation.

Build with ``make -C docs html`` (or ``sphinx-build -W --keep-going -b html docs
docs/_build/html``). Nothing here reaches the network: links to scikit-learn,
skorch, PyTorch and NumPy are plain URLs built from the object's name (see
``_external_link``), not intersphinx inventories fetched at build time.
"""

import importlib
import inspect
import logging as std_logging
import os
import pkgutil
import re
import sys
import warnings
from pathlib import Path

from docutils import nodes
from sphinx.util import logging

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

# One torch thread: the gallery's small networks run faster on one, and the
# build shares its cores with whatever else runs on the machine.
os.environ.setdefault("OMP_NUM_THREADS", "1")
# Gallery plots render off-screen.
os.environ.setdefault("MPLBACKEND", "Agg")
# torch's ONNX exporter logs, at warning level, every optional torchvision
# operator it skips; nothing a reader of the saving example needs.
std_logging.getLogger("torch.onnx").setLevel(std_logging.ERROR)

import sklmtl  # noqa: E402

logger = logging.getLogger("sklmtl.docs")

project = "sklmtl"
author = "The sklmtl developers"
copyright = "The sklmtl developers"
release = sklmtl.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "sg_execution_times.rst"]
root_doc = "index"
default_role = "literal"
# Every reference inside sklmtl must resolve; names from other projects that
# have no plain link (see _external_link) are shown as text.
nitpicky = True

# -- autodoc / autosummary / numpydoc ----------------------------------------
autosummary_generate = True
autosummary_imported_members = False
# Inherited members are shown (get_params, set_params, score, ...), except
# those of torch modules, skorch nets and callbacks, and Python's own bases:
# their docstrings document those projects, not sklmtl.
autodoc_default_options = {
    "members": True,
    "inherited-members": (
        "Module,NeuralNet,AccelerateMixin,Callback,Exception,BaseException,dict,"
        "Sequence,Reversible,Collection,Sized,Iterable,Container"
    ),
    # torch's hooks: called through ``module(x)``, documented by PyTorch.
    "exclude-members": "forward,extra_repr",
}
autodoc_member_order = "groupwise"
autodoc_typehints = "none"
# numpydoc writes the member tables; autodoc only renders the members.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = True
# Docstrings are validated by check_docstrings below (numpydoc's validator,
# with a stricter set for classes and functions than for their methods).
numpydoc_validation_checks = set()

# -- sphinx-gallery -----------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "doc_module": ("sklmtl",),
    "reference_url": {"sklmtl": None},
    "backreferences_dir": "generated/backreferences",
    "inspect_global_variables": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "show_memory": False,
    # The timing tables load scripts from CDNs; each example's page still
    # shows its own running time.
    "write_computation_times": False,
    "min_reported_time": 1,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
}
# Torch and scikit-learn may warn from inside a gallery example; what the
# examples themselves call must not warn (they run with warnings as errors
# for sklmtl's own categories, as the test suite does).
warnings.filterwarnings("error", category=UserWarning, module="sklmtl")
warnings.filterwarnings("error", category=FutureWarning, module="sklmtl")
warnings.filterwarnings("error", category=DeprecationWarning, module="sklmtl")

# -- HTML ---------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklmtl {release}"
html_static_path = []
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
    # No external icons or fonts: the build and the pages stay offline.
    "icon_links": [],
}
html_sidebars = {"changes": []}


# -- plain links to other projects' documentation ----------------------------
_EXTERNAL = [
    (r"sklearn\.", "https://scikit-learn.org/stable/modules/generated/{name}.html"),
    (r"torch\.", "https://docs.pytorch.org/docs/stable/generated/{name}.html"),
    (r"numpy\.", "https://numpy.org/doc/stable/reference/generated/{name}.html"),
    (
        r"skorch\.callbacks\.",
        "https://skorch.readthedocs.io/en/stable/callbacks.html#{name}",
    ),
    (r"skorch\.hf\.", "https://skorch.readthedocs.io/en/stable/hf.html#{name}"),
    (r"skorch\.", "https://skorch.readthedocs.io/en/stable/net.html#{name}"),
]


def _external_link(app, env, node, contnode):
    """Resolve a reference to another project to a plain URL (no inventory).

    References into sklmtl are left alone, so a broken one still warns.
    """
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or target.startswith(("sklmtl", "~sklmtl")):
        return None
    target = target.lstrip("~")
    for pattern, url in _EXTERNAL:
        if re.match(pattern, target):
            uri = url.format(name=target)
            ref = nodes.reference("", "", internal=False, refuri=uri)
            ref.append(contnode)
            return ref
    return None


def _missing_reference_is_external(app, domain, node):
    """Names of other projects without a plain link are text, not warnings."""
    target = node.get("reftarget", "").lstrip("~")
    return not target.startswith("sklmtl") and "." in target


# -- every public name is in the API reference --------------------------------
def public_modules():
    """sklmtl and every submodule whose dotted name has no private part."""
    names = ["sklmtl"]
    for info in pkgutil.walk_packages(sklmtl.__path__, "sklmtl."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return names


def documented_names(api_source):
    """Qualified names listed in the autosummary tables of ``api.rst``."""
    names, module = [], None
    in_table = False
    for line in api_source.splitlines():
        stripped = line.strip()
        match = re.match(r"\.\. (?:currentmodule|module):: (\S+)", stripped)
        if match:
            module = match.group(1)
            continue
        if stripped.startswith(".. autosummary::"):
            in_table = True
            continue
        if in_table:
            if not stripped or stripped.startswith(":"):
                continue
            if not line.startswith((" ", "\t")):
                in_table = False
                continue
            names.append(f"{module}.{stripped}")
    return names


def _resolve(qualified):
    module_name, _, attr = qualified.rpartition(".")
    while module_name:
        try:
            obj = importlib.import_module(module_name)
        except ImportError:
            module_name, _, head = module_name.rpartition(".")
            attr = f"{head}.{attr}"
            continue
        for part in attr.split("."):
            obj = getattr(obj, part)
        return obj
    raise ImportError(qualified)


def check_api_coverage(app):
    """Warn (an error with -W) about public names missing from ``api.rst``.

    A public name is in the ``__all__`` of a public module; it is covered when
    ``api.rst`` lists it or the same object under another public path (a
    re-export). Private paths must not be listed.
    """
    listed = documented_names((HERE / "api.rst").read_text())
    objects = {}
    for name in listed:
        parts = name.split(".")
        if any(p.startswith("_") and p != "__version__" for p in parts):
            logger.warning("api.rst lists the private name %s", name)
        try:
            objects[name] = _resolve(name)
        except (ImportError, AttributeError):
            logger.warning("api.rst lists %s, which does not exist", name)
    ids = {id(obj) for obj in objects.values()}
    for module_name in public_modules():
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if id(obj) not in ids:
                logger.warning(
                    "%s.%s is public (in __all__) but missing from docs/api.rst",
                    module_name,
                    name,
                )


# -- docstrings pass numpydoc's validator ------------------------------------
#: Checks for every class and function of the API reference.
OBJECT_CHECKS = {"GL08", "SS01", "PR01", "PR02", "RT01", "EX01"}
#: Checks for the public methods and properties shown on their pages.
MEMBER_CHECKS = {"GL08", "SS01", "PR01", "PR02", "RT01"}
#: Members documented by the projects sklmtl builds on: the ``forward`` and
#: ``extra_repr`` of torch modules, scikit-learn's generated metadata
#: requests.
SKIPPED_MEMBERS = re.compile(r"^(forward|extra_repr|set_\w+_request)$")


def _public_members(cls):
    """Where the docstrings of the public members autodoc shows are written.

    Yields ``module.Class.member`` of the class in the MRO whose member carries
    the docstring autodoc shows (an override without one inherits it). A
    member documented by another project (a skorch hook, a torch method) is
    that project's business and is skipped.
    """
    for name in sorted(dir(cls)):
        if name.startswith("_") or SKIPPED_MEMBERS.match(name):
            continue
        owners = [k for k in cls.__mro__ if name in vars(k)]
        if not owners:
            continue
        member = vars(owners[0])[name]
        if not (callable(member) or isinstance(member, (property, classmethod))):
            continue
        documented = next(
            (k for k in owners if getattr(vars(k)[name], "__doc__", None)), owners[0]
        )
        if documented.__module__.startswith("sklmtl"):
            yield f"{documented.__module__}.{documented.__qualname__}.{name}"


def check_docstrings(app):
    """Warn about docstring problems of the objects listed in ``api.rst``."""
    from numpydoc.validate import validate

    seen = set()
    for name in documented_names((HERE / "api.rst").read_text()):
        try:
            obj = _resolve(name)
        except (ImportError, AttributeError):
            continue  # reported by check_api_coverage
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue  # data (alias tables, the version) are described in api.rst
        targets = [(name, OBJECT_CHECKS)]
        if inspect.isclass(obj):
            targets += [(m, MEMBER_CHECKS) for m in _public_members(obj)]
        for target, checks in targets:
            if target in seen:
                continue
            seen.add(target)
            for code, message in validate(target)["errors"]:
                if code in checks:
                    logger.warning("docstring of %s: %s %s", target, code, message)


def setup(app):
    app.connect("builder-inited", check_api_coverage)
    app.connect("builder-inited", check_docstrings)
    app.connect("missing-reference", _external_link, priority=400)
    app.connect("warn-missing-reference", _missing_reference_is_external)
    return {"parallel_read_safe": True}
