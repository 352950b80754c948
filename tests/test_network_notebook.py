"""The analysts' notebook runs from top to bottom with a kernel of this Python (the project's venv)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "network-analysis.ipynb"


@pytest.fixture
def kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A kernel spec that starts this very interpreter, found before any user-wide ``python3``."""
    spec = tmp_path / "jupyter" / "kernels" / "kikg-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "kikg test", "language": "python",
    }), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return "kikg-test"


def _text(cell: nbformat.NotebookNode) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.append(output.get("data", {}).get("text/plain", ""))
    return "".join(parts)


@pytest.mark.slow
def test_notebook_runs_and_shows_its_results(kernel: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    work = tmp_path / "work"
    work.mkdir()
    temporary = tmp_path / "tmp"  # the kernel's temporary directory: the exports land here
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))
    NotebookClient(notebook, kernel_name=kernel, timeout=300, resources={"metadata": {"path": str(work)}}).execute()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    errors = [o for cell in code for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    everything = "\n".join(_text(cell) for cell in code)
    assert "actors," in everything and "largest difference between the engines" in everything
    assert "betweenness_approx" in everything
    pictures = [o for cell in code for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(pictures) == 2  # the network and the bar chart
    assert list(work.iterdir()) == [], "the notebook wrote into its working directory"
    (exported,) = temporary.glob("kikg-network-*")
    assert sorted(p.name for p in exported.iterdir()) == ["centrality.csv", "network.gexf", "network.graphml",
                                                          "network.png"]
    own = re.search(r"joint planning only: (\d+) edges between (\d+) actors", everything)
    assert own and int(own.group(1)) > 0, "the custom projection example finds no edges"
    top_brokers = next(cell for cell in code if 'graph.query("top-brokers", top=5)' in cell.source)
    assert "rank" in _text(top_brokers) and "analysis/collaboration" in _text(top_brokers)


def test_notebook_is_stored_without_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    assert all(not cell.get("outputs") and cell.get("execution_count") is None
               for cell in notebook.cells if cell.cell_type == "code")
