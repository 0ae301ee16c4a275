"""Citations of docs/algorithms/ in code and docs resolve inside the repository.

* every ``§N.M`` in a ``.py`` or ``.md`` file names a numbered heading of docs/algorithms/ (ranges ``§2.1-2.2``:
  both ends); ``§N.M step 4d`` / ``steps 3-4c`` an item of that section's numbered step list; ``§N.M "Title"`` a
  phrase of that section;
* no text file points outside the repository (into the parent folder's ``shared`` tree, where the old external
  specification lived), and every
  relative Markdown link under docs/ resolves to a file inside the repository.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALGORITHMS = ROOT / "docs" / "algorithms"
SKIP_DIRS = {".git", ".venv", "__pycache__", ".pytest_cache", "build", "dist", "results", "workspace", "tmp",
             "node_modules"}
TEXT_SUFFIXES = {".py", ".md", ".sh", ".bat", ".toml", ".txt", ".cfg", ".ini", ".yml", ".yaml"}

HEADING = re.compile(r"^(#{1,6})\s+(\d+(?:\.\d+)?)\s", re.MULTILINE)
NUM = r"\d+(?:\.\d+)?"
STEP = r"\d+[a-z]?"
CITATION = re.compile(rf"§({NUM})(?:-({NUM}))?(?: \"([^\"\n]+)\")?"
                      rf"(?: steps? ({STEP})(?:-({STEP}|[a-z]))?(?: and ({STEP}))?)?")
# Built from pieces so that this file does not match itself.
OUTSIDE = [re.compile(p) for p in (r"\.\./" + "shared", "shared/" + "reference", "trackers" + r"-spec\.md")]
MD_LINK = re.compile(r"\]\(([^)\s]+)\)")


def text_files(suffixes=TEXT_SUFFIXES):
    """Repository text files (virtual env, caches and outputs left out)."""
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info")]
        for name in filenames:
            path = Path(dirpath) / name
            if path.suffix in suffixes and path.stat().st_size < 2_000_000:
                yield path


def algorithm_sections(folder: Path = ALGORITHMS) -> dict[str, tuple[Path, str]]:
    """``{"1.4": (file, body)}``: each numbered heading of the folder's pages and its text up to the next one."""
    sections: dict[str, tuple[Path, str]] = {}
    for page in sorted(folder.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        heads = list(HEADING.finditer(text))
        for k, m in enumerate(heads):
            end = heads[k + 1].start() if k + 1 < len(heads) else len(text)
            number = m.group(2)
            if number in sections:
                raise AssertionError(f"section {number} is defined twice: {sections[number][0].name} and {page.name}")
            sections[number] = (page, text[m.end():end])
    return sections


def has_step(body: str, step: str) -> bool:
    """The section body holds a numbered item ``step`` ("3." or a bold "**4d.**")."""
    return re.search(rf"^\s*(?:[-*]\s+)?(?:\*\*)?{re.escape(step)}\.(?:\*\*)?\s", body, re.MULTILINE) is not None


def citation_errors(text: str, sections: dict[str, tuple[Path, str]]) -> list[str]:
    """Problems with the ``§`` citations of ``text``; empty when all resolve."""
    errors = []
    for m in CITATION.finditer(text):
        first, last, title, step, step_end, step_and = m.groups()
        for number in (first, last):
            if number is not None and number not in sections:
                errors.append(f"'{m.group(0)}': no heading '{number}' in docs/algorithms/")
        if first not in sections:
            continue
        body = sections[first][1]
        if title is not None and title.lower() not in body.lower():
            errors.append(f"'{m.group(0)}': \"{title}\" does not occur in §{first}")
        steps = [step] if step else []
        if step_end:
            steps.append(re.sub(r"[a-z]$", "", step) + step_end if re.fullmatch(r"[a-z]", step_end) else step_end)
        if step_and:
            steps.append(step_and)
        for s in steps:
            if not has_step(body, s):
                errors.append(f"'{m.group(0)}': §{first} has no step '{s}'")
    return errors


@pytest.fixture(scope="module")
def sections():
    return algorithm_sections()


def test_algorithm_pages_define_the_cited_sections(sections):
    for number in ("1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "2", "2.1", "2.5", "3", "3.2", "4",
                   "4.2", "4.5", "5.1", "5.2", "5.3", "7"):
        assert number in sections, number


def test_every_citation_in_code_and_docs_resolves(sections):
    errors, count = [], 0
    for path in text_files({".py", ".md"}):
        text = path.read_text(encoding="utf-8")
        count += len(CITATION.findall(text))
        errors += [f"{path.relative_to(ROOT)}: {e}" for e in citation_errors(text, sections)]
    assert not errors, "\n".join(errors)
    assert count > 150, f"only {count} citations found: is the citation pattern still the one the code uses?"


def test_no_old_spec_citations_left_in_code():
    pattern = re.compile(r"\b[sS]pec [0-9]")
    hits = [f"{p.relative_to(ROOT)}:{i}" for p in text_files({".py"})
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert not hits, "cite docs/algorithms/ as '§N.M' (docs/algorithms/README.md): " + ", ".join(hits)


def test_no_file_points_outside_the_repository():
    hits = []
    for path in text_files():
        for i, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if any(p.search(line) for p in OUTSIDE):
                hits.append(f"{path.relative_to(ROOT)}:{i}: {line.strip()[:100]}")
    assert not hits, "\n".join(hits)


def test_markdown_links_in_docs_stay_inside_the_repository():
    bad = []
    for page in (ROOT / "docs").rglob("*.md"):
        for target in MD_LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            resolved = (page.parent / target.split("#")[0]).resolve()
            if ROOT not in resolved.parents or not resolved.exists():
                bad.append(f"{page.relative_to(ROOT)}: ({target})")
    assert not bad, "\n".join(bad)


def test_the_checks_can_fail(sections, tmp_path):
    s = "\u00a7"  # written as an escape so that this file's own scan does not see these bad citations
    assert citation_errors(f"({s}1.4, {s}1.8 step 6, {s}1.5 steps 4e-f, {s}1.4 \"Labels\")", sections) == []
    assert citation_errors(f"see {s}9.9", sections)
    assert citation_errors(f"see {s}2.1-9.9", sections)
    assert citation_errors(f"{s}1.8 step 12", sections)
    assert citation_errors(f"{s}1.5 steps 4a-z", sections)
    assert citation_errors(f"{s}1.4 \"No such paragraph\"", sections)
    page = tmp_path / "x.md"
    page.write_text("# Title\n\n## 1.4 One\n\ntext\n\n## 1.4 Again\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="defined twice"):
        algorithm_sections(tmp_path)
    assert any(p.search("see ../" + "shared/x.md") for p in OUTSIDE)
