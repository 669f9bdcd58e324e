"""A stand-in `soffice` (a small script) that counts conversions and writes a PDF naming the SHA-256
of the .docx it was given, so the tests see exactly which file was converted and how often."""
import sys

FAKE_SOFFICE = """#!{python}
import hashlib, pathlib, sys, time
args = sys.argv[1:]
out = pathlib.Path(args[args.index("--outdir") + 1])
source = pathlib.Path(args[-1])
with open({count!r}, "a") as log:
    log.write("x\\n")
time.sleep({delay})
digest = hashlib.sha256(source.read_bytes()).hexdigest()
(out / (source.stem + ".pdf")).write_bytes(b"%PDF-1.4\\n% from docx " + digest.encode() + b"\\n%%EOF\\n")
"""


class Soffice:
    def __init__(self, directory, delay=0):
        self.counter = directory / "conversions.txt"
        self.path = directory / "soffice"
        self.path.write_text(FAKE_SOFFICE.format(python=sys.executable, count=str(self.counter), delay=delay))
        self.path.chmod(0o755)

    def count(self):
        return len(self.counter.read_text().splitlines()) if self.counter.exists() else 0
