"""The import contracts of pyproject.toml ([tool.importlinter]) hold, and they see imports inside functions."""
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def run_lint_imports(cwd, *args):
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_apps_keep_their_layers_and_have_no_import_circles():
    result = run_lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_an_import_inside_a_function_breaks_the_layers(tmp_path):
    # The same kind of contract on a two-app project whose lower app imports the higher one only
    # inside a function, as organizations.admin once imported documents.models.
    (tmp_path / "low").mkdir()
    (tmp_path / "high").mkdir()
    (tmp_path / "low" / "__init__.py").write_text("")
    (tmp_path / "high" / "__init__.py").write_text("")
    (tmp_path / "high" / "models.py").write_text("VALUE = 1\n")
    (tmp_path / "low" / "admin.py").write_text("def check():\n    from high.models import VALUE\n\n    return VALUE\n")
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [tool.importlinter]
            root_packages = ["low", "high"]

            [[tool.importlinter.contracts]]
            name = "layers"
            type = "layers"
            layers = ["high", "low"]
            """
        )
    )
    result = run_lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "low.admin -> high.models" in result.stdout
