"""Word to PDF with LibreOffice headless.

Each conversion gets its own temporary directory and LibreOffice profile
(-env:UserInstallation), so parallel conversions never share a lock or a profile.
"""
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
    with tempfile.TemporaryDirectory(prefix="congvan-pdf-") as tmp:
        workdir = Path(tmp)
        source = workdir / "van-ban.docx"
        source.write_bytes(data)
        profile = workdir / "profile"
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
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise PdfUnavailable(
                f"LibreOffice không chuyển xong tệp sang PDF trong {timeout} giây. Hãy thử lại sau hoặc tải tệp Word."
            ) from None
        result = workdir / "van-ban.pdf"
        if process.returncode != 0 or not result.exists() or result.stat().st_size == 0:
            raise PdfUnavailable(
                "LibreOffice không chuyển được tệp sang PDF"
                + (f" (mã lỗi {process.returncode})" if process.returncode else "")
                + ". Hãy tải tệp Word (.docx) và báo quản trị viên."
            )
        return result.read_bytes()
