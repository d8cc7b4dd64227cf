"""The default model ships inside a real (non-editable) install and works from any directory."""

import subprocess
import sys
from pathlib import Path

import numpy
import typer

from tests.conftest import ARTICLE

ROOT = Path(__file__).parent.parent


def test_wheel_install_cleans_with_the_packaged_default_model(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    py = venv / "bin" / "python"
    purelib = Path(
        subprocess.run(
            [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # Dependencies come from this environment's site-packages, added as a plain path (its .pth files, such
    # as the editable install of this checkout, are not processed), so the test needs no network.
    deps = {str(Path(numpy.__file__).parent.parent), str(Path(typer.__file__).parent.parent)}
    (purelib / "deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    wheel = next(wheels.glob("*.whl"))
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    exe = venv / "bin" / "classifier"
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    info = subprocess.run([exe, "info"], capture_output=True, text=True, cwd=workdir, timeout=60)
    assert info.returncode == 0, info.stderr
    assert str(purelib / "classifier" / "default_model") in info.stdout
    assert (purelib / "classifier" / "py.typed").exists()  # type checkers read the package's hints
    cleaned = subprocess.run([exe, "clean", str(ARTICLE)], capture_output=True, text=True, cwd=workdir, timeout=60)
    assert cleaned.returncode == 0, cleaned.stderr
    assert "wetland park" in cleaned.stdout and "Tags:" not in cleaned.stdout
