"""Word to PDF with LibreOffice headless.

Each conversion gets its own temporary directory and LibreOffice profile
(-env:UserInstallation), so parallel conversions never share a lock or a profile.

A profile LibreOffice has to create from nothing costs about 1.5 s of a 3.5 s conversion; so the
profile of the first successful conversion is kept under VAR_DIR (one per LibreOffice installation)
and each later conversion starts from a copy of it. Any problem with that copy falls back to a
fresh profile.
"""
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

DEFAULT_TIMEOUT = 120
HOW_TO_ENABLE = (
    "Máy chủ chưa cài LibreOffice nên chưa xuất được tệp PDF. Quản trị viên cài gói "
    "«libreoffice-writer-nogui» (Debian/Ubuntu: sudo apt-get install libreoffice-writer-nogui "
    "fonts-liberation) hoặc đặt biến môi trường SOFFICE trỏ tới chương trình soffice, rồi thử lại. "
    "Trong khi chờ, hãy tải tệp Word (.docx)."
)


class PdfUnavailable(Exception):
    """The PDF cannot be produced here; `detail` says why and what to do, in Vietnamese."""

    def __init__(self, detail=HOW_TO_ENABLE):
        super().__init__(detail)
        self.detail = detail


def soffice_path():
    configured = getattr(settings, "SOFFICE_PATH", None) or os.environ.get("SOFFICE")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def available():
    return soffice_path() is not None


def docx_to_pdf(data, *, timeout=DEFAULT_TIMEOUT):
    executable = soffice_path()
    if executable is None:
        raise PdfUnavailable()
    template = _profile_template(executable)
    with tempfile.TemporaryDirectory(prefix="congvan-pdf-") as tmp:
        workdir = Path(tmp)
        source = workdir / "van-ban.docx"
        source.write_bytes(data)
        if _copy_profile(template, workdir / "kept-profile"):
            returncode, result = _convert(executable, source, workdir / "kept-profile", timeout)
            if returncode == 0 and result is not None:
                return result
            shutil.rmtree(template, ignore_errors=True)  # a kept profile that fails is not kept
        returncode, result = _convert(executable, source, workdir / "profile", timeout)
        if returncode != 0 or result is None:
            raise PdfUnavailable(
                "LibreOffice không chuyển được tệp sang PDF"
                + (f" (mã lỗi {returncode})" if returncode else "")
                + ". Hãy tải tệp Word (.docx) và báo quản trị viên."
            )
        _keep_profile(workdir / "profile", template)
        return result


def _convert(executable, source, profile, timeout):
    """One LibreOffice run with the given profile: its exit code and the PDF (None if none came out)."""
    workdir = source.parent
    result = workdir / "van-ban.pdf"
    result.unlink(missing_ok=True)
    command = [
        executable,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--nologo",
        "--nolockcheck",
        "--convert-to",
        "pdf:writer_pdf_Export",
        "--outdir",
        str(workdir),
        str(source),
    ]
    env = {**os.environ, "HOME": str(workdir)}
    # A new session lets us kill soffice.bin too, not only the wrapper script.
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=workdir, start_new_session=True
    )
    try:
        process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise PdfUnavailable(
            f"LibreOffice không chuyển xong tệp sang PDF trong {timeout} giây. Hãy thử lại sau hoặc tải tệp Word."
        ) from None
    if not result.exists() or result.stat().st_size == 0:
        return process.returncode, None
    return process.returncode, result.read_bytes()


def _profile_template(executable):
    """Where the kept profile of this LibreOffice installation lives (another installation or
    version gets a profile of its own)."""
    real = Path(executable).resolve()
    try:
        stamp = f"{real}:{real.stat().st_mtime_ns}"
    except OSError:
        stamp = str(real)
    return Path(settings.VAR_DIR) / "soffice-profiles" / hashlib.sha256(stamp.encode()).hexdigest()[:16]


def _copy_profile(template, profile):
    if not template.is_dir():
        return False
    try:
        shutil.copytree(template, profile, symlinks=True)
    except OSError:
        shutil.rmtree(profile, ignore_errors=True)
        return False
    return True


def _keep_profile(profile, template):
    """Keep a profile LibreOffice has just made as the template, unless another conversion did first:
    copied beside the template, then renamed into place in one step, so no reader sees half of it."""
    if template.exists() or not profile.is_dir():
        return
    try:
        template.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=template.parent))
        shutil.copytree(profile, staging / "profile", symlinks=True)
        try:
            os.rename(staging / "profile", template)
        except OSError:
            pass  # another conversion kept its profile first
        shutil.rmtree(staging, ignore_errors=True)
    except OSError:
        pass  # not writable: every conversion makes its own profile, as before
