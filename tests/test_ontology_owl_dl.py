"""The ontology is in the OWL 2 DL profile, as the OWL API (Debian's libowlapi-java) checks it.

A small Java program (``tests/data/owl/ProfileCheck.java``) loads the file with the OWL API, without
resolving any IRI or following imports, and prints the violations of ``Profiles.OWL2_DL``. A fixture
with the defects the ontology once had shows that the check fails where it should.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from kg._resources import ONTOLOGY_DIR

OWLAPI = Path("/usr/share/java/owlapi-distribution.jar")
CHECKER = Path(__file__).parent / "data" / "owl" / "ProfileCheck.java"

pytestmark = pytest.mark.slow
if not OWLAPI.is_file() or not shutil.which("javac") or not shutil.which("java"):
    pytest.skip("Debian's libowlapi-java and a JDK are not installed (make test installs the OWL API with "
                "scripts/install-owlapi.sh)", allow_module_level=True)


@pytest.fixture(scope="module")
def checker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    classes = tmp_path_factory.mktemp("owl-profile")
    subprocess.run(["javac", "-cp", "/usr/share/java/*", "-d", str(classes), str(CHECKER)], check=True, timeout=300)
    return classes


def _check(classes: Path, ontology: Path) -> tuple[int, list[str]]:
    done = subprocess.run(["java", "-cp", f"{classes}:/usr/share/java/*", "ProfileCheck", str(ontology)],
                          capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout.splitlines()


def test_the_ontology_is_owl_2_dl(checker: Path) -> None:
    (ontology,) = ONTOLOGY_DIR.glob("*.ttl")
    assert "owl:imports" not in ontology.read_text(encoding="utf-8")  # the check reads this file alone
    code, lines = _check(checker, ontology)
    assert (code, lines) == (0, ["IN PROFILE"]), "\n".join(lines)


def test_the_check_finds_what_breaks_the_profile(checker: Path) -> None:
    code, lines = _check(checker, Path(__file__).parent / "data" / "owl" / "not-dl.ttl")
    assert code == 1 and lines[-1] == "NOT IN PROFILE"
    text = "\n".join(lines)
    assert "gYear" in text and "<http://schema.org/Thing>" in text
    assert "https://example.org/def#short" in text
