"""Where the project's shared folder (standards, sample data) is: `../shared`
beside the repository.

A git worktree lives elsewhere than the main checkout, so the folder beside
the main checkout counts too. `NGUONQUE_SHARED_DIR` overrides both. Tests that
need a file from it skip with one line saying where they looked.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _main_checkout(repo: Path) -> Path | None:
    # In a worktree `.git` is a file: "gitdir: <main>/.git/worktrees/<name>".
    git = repo / ".git"
    if not git.is_file():
        return None
    gitdir = git.read_text(encoding="utf-8").partition("gitdir:")[2].strip()
    if not gitdir:
        return None
    worktree_dir = (repo / gitdir).resolve()
    common = worktree_dir / "commondir"
    if common.is_file():
        common_dir = (worktree_dir / common.read_text().strip()).resolve()
    else:
        common_dir = worktree_dir.parent.parent
    return common_dir.parent


def shared_dirs() -> list[Path]:
    """The folders that may be the shared folder, most specific first."""
    if os.environ.get("NGUONQUE_SHARED_DIR"):
        return [Path(os.environ["NGUONQUE_SHARED_DIR"])]
    candidates = [REPO.parent / "shared"]
    main = _main_checkout(REPO)
    if main is not None and main != REPO:
        candidates.append(main.parent / "shared")
    return candidates


def shared_file(*parts: str) -> Path:
    """The first existing `shared/<parts>`, else the first candidate's path
    (which does not exist: check `.exists()` and skip)."""
    for folder in shared_dirs():
        path = folder.joinpath(*parts)
        if path.exists():
            return path
    return shared_dirs()[0].joinpath(*parts)


def missing_reason(path: Path) -> str:
    return f"{path} is absent (../shared beside the repository, or NGUONQUE_SHARED_DIR)"
