"""Run every Python code block of the README and of the documentation pages.

What runs
---------
``README.md`` and every ``.rst``/``.md`` page under ``docs/`` (the generated
``_build``/``auto_examples``/``generated`` folders left out) are read, and
their Python blocks are collected:

- reStructuredText ``.. code-block:: python`` and ``.. code:: python``
  (``py`` and ``pycon`` too), and doctest blocks (a paragraph that starts
  with ``>>>``);
- Markdown fences opened with ```` ```python ```` (or ``py``/``pycon``).

Each page is one pytest item (its id is the page's path). Its blocks run in
the order of the page, in **one fresh namespace** (a later block may use the
names an earlier one defined, as a reader going down the page would), in a
temporary working directory, with matplotlib's ``Agg`` backend, under
``sklearn.config_context()`` (a ``set_config`` on one page does not leak into
the next), with the global numpy and torch RNGs seeded, and on one torch
thread, as ``docs/conf.py`` runs the gallery: on a 2-core machine shared with
other jobs, the README's example took 5.6 s on one thread and 45 s on two. A block whose
first line is ``>>>`` is run as a doctest: the output shown must match (with
``ELLIPSIS`` and ``NORMALIZE_WHITESPACE``). Other blocks run as written; a
failing block fails its page with the page's path and the block's first line
number, and the traceback points at the line of the page.

Blocks that are not run inline
------------------------------
A block may start with one marker comment (it stays readable in the page):

``# file: train.py``
    A separate script, started by a launcher the page shows (for example
    ``python -m torch.distributed.run --nproc_per_node 2 train.py``). The
    runner writes the block to ``train.py`` in the working directory and runs
    it as ``python train.py`` in a subprocess (``__name__ == "__main__"``,
    one process on one thread: the launcher itself is not what is tested).
    The file stays there, so later blocks of the page can read or import it.

``# requires: cuda``
    The block needs hardware or access that CI does not have. It runs inline
    where the requirement holds (``cuda``: ``torch.cuda.is_available()``);
    elsewhere it is left out of its page and reported as a separate skipped
    item, ``test_doc_block_requirement[<page>:<line>]``, whose reason names
    the requirement, so every block that did not run shows in ``pytest -ra``.
    Known requirements: ``cuda``, ``torchvision`` (importable). Use it only
    for what cannot run on a CPU machine without network; make a block
    smaller instead of skipping it for its run time.

Code that is deliberately not runnable (a shell command, an output, an
excerpt of a file) belongs in a ``bash``/``text``/``none`` block, which is
not collected.
"""

import doctest
import os
import re
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import sklearn
import torch

ROOT = Path(__file__).resolve().parent.parent
GENERATED = {"_build", "auto_examples", "generated", "_templates"}
PYTHON_LANGS = {"python", "py", "python3", "pycon"}
MARKER = re.compile(r"^#\s*(file|requires)\s*:\s*(\S.*?)\s*$")


def _importable(name):
    try:
        __import__(name)
    except Exception:  # absent, or a build that fails at import (torch 2.13)
        return False
    return True


REQUIREMENTS = {
    "cuda": lambda: torch.cuda.is_available(),
    "torchvision": lambda: _importable("torchvision"),
}


@dataclass
class Block:
    page: str
    lineno: int  # 1-based line of the block's first code line in the page
    code: str
    marker: tuple = field(default=None)

    @property
    def is_doctest(self):
        return self.code.lstrip().startswith(">>>")


def _doc_pages():
    pages = [ROOT / "README.md"]
    for path in sorted((ROOT / "docs").rglob("*")):
        if path.suffix in {".rst", ".md"} and not GENERATED.intersection(
            path.relative_to(ROOT / "docs").parts
        ):
            pages.append(path)
    return pages


def _indent(line):
    return len(line) - len(line.lstrip())


def _rst_blocks(lines):
    """(lineno, code) of the Python directives and doctest blocks of an rst page."""
    directive = re.compile(r"^(\s*)\.\.\s+(?:code-block|code|sourcecode)::\s*(\S*)")
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        match = directive.match(line)
        if match:
            base = len(match.group(1))
            lang = match.group(2).lower()
            i += 1
            # directive options (":caption: ...") and the blank line after them
            while i < n and (
                not lines[i].strip()
                or (_indent(lines[i]) > base and lines[i].strip().startswith(":"))
            ):
                i += 1
            start = i
            while i < n and (not lines[i].strip() or _indent(lines[i]) > base):
                i += 1
            body = lines[start:i]
            while body and not body[-1].strip():
                body.pop()
            if lang in PYTHON_LANGS and body:
                yield start + 1, textwrap.dedent("\n".join(body))
            continue
        if line.strip().startswith(">>>") and (i == 0 or not lines[i - 1].strip()):
            start = i
            while i < n and lines[i].strip():
                i += 1
            yield start + 1, textwrap.dedent("\n".join(lines[start:i]))
            continue
        i += 1


def _md_blocks(lines):
    fence = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w+-]*)")
    i, n = 0, len(lines)
    while i < n:
        match = fence.match(lines[i])
        if not match:
            i += 1
            continue
        ticks, lang = match.group(2), match.group(3).lower()
        i += 1
        start = i
        while i < n and not lines[i].strip().startswith(ticks):
            i += 1
        if lang in PYTHON_LANGS:
            yield start + 1, textwrap.dedent("\n".join(lines[start:i]))
        i += 1


def collect_blocks(path):
    """Every Python block of one page, in the order of the page."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = _md_blocks(lines) if path.suffix == ".md" else _rst_blocks(lines)
    page = path.relative_to(ROOT).as_posix()
    blocks = []
    for lineno, code in found:
        first = code.lstrip().splitlines()[0] if code.strip() else ""
        match = MARKER.match(first)
        marker = (match.group(1), match.group(2)) if match else None
        if marker and marker[0] == "requires" and marker[1] not in REQUIREMENTS:
            raise ValueError(
                f"{page}:{lineno}: unknown requirement {marker[1]!r}; known: "
                f"{sorted(REQUIREMENTS)}"
            )
        blocks.append(Block(page, lineno, code, marker))
    return blocks


PAGES = {path.relative_to(ROOT).as_posix(): path for path in _doc_pages()}
PAGES_WITH_BLOCKS = [page for page, path in PAGES.items() if collect_blocks(path)]
UNMET = [
    block
    for path in PAGES.values()
    for block in collect_blocks(path)
    if block.marker
    and block.marker[0] == "requires"
    and not REQUIREMENTS[block.marker[1]]()
]


class DocBlockError(AssertionError):
    """A block of a page failed; the message names the page and the line."""


def _run_inline(block, namespace):
    path = str(ROOT / block.page)
    if block.is_doctest:
        parser = doctest.DocTestParser()
        test = parser.get_doctest(
            block.code, namespace, block.page, path, block.lineno - 1
        )
        runner = doctest.DocTestRunner(
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
        )
        output = []
        runner.run(test, out=output.append, clear_globs=False)
        namespace.update(test.globs)  # DocTest ran in a copy of the namespace
        if runner.failures:
            raise DocBlockError(f"{block.page}:{block.lineno}:\n" + "".join(output))
        return
    # Blank lines in front, so that tracebacks give the page's line numbers.
    code = "\n" * (block.lineno - 1) + block.code
    exec(compile(code, path, "exec"), namespace)


def _run_file(block, workdir):
    name = block.marker[1]
    (workdir / name).write_text(block.code + "\n", encoding="utf-8")
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(ROOT), str(workdir)]),
        OMP_NUM_THREADS="1",
    )
    result = subprocess.run(
        [sys.executable, name],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise DocBlockError(
            f"{block.page}:{block.lineno}: python {name} exited with "
            f"{result.returncode}\n{result.stdout}\n{result.stderr}"
        )


def run_blocks(blocks, workdir):
    """Run a page's blocks in order in one namespace; seconds per block run."""
    namespace = {"__name__": "__main__"}
    seconds = {}
    with sklearn.config_context():
        for block in blocks:
            kind, value = block.marker or (None, None)
            if kind == "requires" and not REQUIREMENTS[value]():
                continue  # reported by test_doc_block_requirement
            start = time.perf_counter()
            if kind == "file":
                _run_file(block, workdir)
            else:
                _run_inline(block, namespace)
            seconds[block.lineno] = time.perf_counter() - start
    return seconds


def _page_param(page):
    """A page with a ``# requires: torchvision`` block is also marked
    ``vision``: CI's image stage (``pytest -m vision``, beside torchvision)
    runs the whole page, as the main stage cannot."""
    needs_vision = any(
        block.marker == ("requires", "torchvision")
        for block in collect_blocks(PAGES[page])
    )
    return pytest.param(page, marks=pytest.mark.vision) if needs_vision else page


@pytest.mark.parametrize("page", [_page_param(page) for page in PAGES_WITH_BLOCKS])
def test_doc_page_blocks(page, tmp_path, monkeypatch):
    """The page's Python blocks run as written, in order, in one namespace."""
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    np.random.seed(0)  # noqa: NPY002 (the global RNG a reader starts from)
    torch.manual_seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the docs build runs the gallery (docs/conf.py)
    try:
        seconds = run_blocks(collect_blocks(PAGES[page]), tmp_path)
    finally:
        torch.set_num_threads(threads)
    for lineno, value in seconds.items():
        print(f"{page}:{lineno}: {value:.1f} s")
    print(f"{page}: {sum(seconds.values()):.1f} s")


@pytest.mark.skipif(not UNMET, reason="every block's requirement holds here")
@pytest.mark.parametrize(
    "block", UNMET, ids=[f"{block.page}:{block.lineno}" for block in UNMET]
)
def test_doc_block_requirement(block):
    """A block that needs what this machine lacks shows as a skip with a reason."""
    pytest.skip(f"{block.page}:{block.lineno} needs {block.marker[1]}")


def test_collector_finds_every_kind_of_block(tmp_path, monkeypatch):
    """The collector sees rst directives, doctest blocks and Markdown fences."""
    rst = tmp_path / "page.rst"
    rst.write_text(
        "Title\n=====\n\n.. code-block:: python\n   :caption: x\n\n   a = 1\n\n"
        "   b = a + 1\n\ntext\n\n.. code:: bash\n\n   ls\n\n"
        ">>> a + b\n3\n\n.. code-block:: python\n\n   # requires: cuda\n   c = 1\n",
        encoding="utf-8",
    )
    md = tmp_path / "page.md"
    md.write_text("x\n\n```python\n# file: t.py\nprint(1)\n```\n\n```bash\nls\n```\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    rst_blocks = collect_blocks(rst)
    md_blocks = collect_blocks(md)
    assert [(b.lineno, b.code, b.marker) for b in rst_blocks] == [
        (7, "a = 1\n\nb = a + 1", None),
        (17, ">>> a + b\n3", None),
        (22, "# requires: cuda\nc = 1", ("requires", "cuda")),
    ]
    assert rst_blocks[1].is_doctest
    assert [(b.lineno, b.code, b.marker) for b in md_blocks] == [
        (4, "# file: t.py\nprint(1)", ("file", "t.py"))
    ]


def test_runner_runs_files_checks_doctests_and_names_the_failing_line(
    tmp_path, monkeypatch
):
    """The runner does what the module docstring says.

    Blocks share one namespace, a ``# file:`` block runs as a ``__main__``
    script, and a doctest's wrong output, a raising block and a failing script
    each fail with the page and the block's line.
    """
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.chdir(tmp_path)
    page = tmp_path / "page.rst"
    page.write_text(
        ".. code-block:: python\n\n   a = 2\n\n"
        ">>> a * 2\n4\n\n"
        ".. code-block:: python\n\n   # file: job.py\n"
        "   import sys\n   if __name__ == '__main__':\n"
        "       open('done.txt', 'w').write(sys.argv[0])\n\n"
        ".. code-block:: python\n\n   assert open('done.txt').read() == 'job.py'\n",
        encoding="utf-8",
    )
    assert sorted(run_blocks(collect_blocks(page), tmp_path)) == [3, 5, 10, 17]

    page.write_text(">>> 1 + 1\n3\n", encoding="utf-8")
    with pytest.raises(DocBlockError, match=r"page.rst:1:"):
        run_blocks(collect_blocks(page), tmp_path)

    page.write_text(".. code-block:: python\n\n   x = 1\n   1 / 0\n")
    with pytest.raises(ZeroDivisionError) as info:
        run_blocks(collect_blocks(page), tmp_path)
    frame = info.traceback[-1]
    assert (Path(frame.path).name, frame.lineno + 1) == ("page.rst", 4)

    page.write_text(
        ".. code-block:: python\n\n   # file: bad.py\n   raise SystemExit(3)\n"
    )
    with pytest.raises(DocBlockError, match=r"page.rst:3: python bad.py exited with 3"):
        run_blocks(collect_blocks(page), tmp_path)


def test_a_block_runs_only_where_its_requirement_holds(tmp_path, monkeypatch):
    """A ``# requires:`` block skips where it fails and runs where it holds."""
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    page = tmp_path / "page.rst"
    page.write_text(
        ".. code-block:: python\n\n   # requires: cuda\n   raise RuntimeError\n",
        encoding="utf-8",
    )
    monkeypatch.setitem(REQUIREMENTS, "cuda", lambda: False)
    assert run_blocks(collect_blocks(page), tmp_path) == {}
    monkeypatch.setitem(REQUIREMENTS, "cuda", lambda: True)
    with pytest.raises(RuntimeError):
        run_blocks(collect_blocks(page), tmp_path)
    page.write_text(".. code-block:: python\n\n   # requires: tpu\n   x = 1\n")
    with pytest.raises(ValueError, match="unknown requirement 'tpu'"):
        collect_blocks(page)
