"""The shared folder is found beside the repository, also from a git worktree
(the folder beside the main checkout), never by an absolute path."""

from tests import shared_files


def test_a_worktree_finds_the_shared_folder_beside_the_main_checkout(tmp_path):
    main = tmp_path / "projects" / "main"
    (main / ".git" / "worktrees" / "mine").mkdir(parents=True)
    (main / ".git" / "worktrees" / "mine" / "commondir").write_text("../..\n")
    worktree = tmp_path / "elsewhere" / "mine"
    worktree.mkdir(parents=True)
    (worktree / ".git").write_text(f"gitdir: {main}/.git/worktrees/mine\n")

    assert shared_files._main_checkout(worktree) == main


def test_the_environment_variable_overrides_the_guess(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.csv").write_text("a\n")
    monkeypatch.setenv("NGUONQUE_SHARED_DIR", str(tmp_path))

    assert shared_files.shared_file("data", "x.csv") == tmp_path / "data" / "x.csv"
    missing = shared_files.shared_file("data", "y.csv")
    assert not missing.exists()
    assert str(missing) in shared_files.missing_reason(missing)
