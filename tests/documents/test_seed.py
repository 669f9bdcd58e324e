"""The loaded plan, rendered, gives the seed Kế hoạch line for line."""
import re
import unicodedata

import pytest

from documents.inspection import open_docx, text_lines
from documents.rendering import render_docx
from workflows.models import Document
from tests.helpers.seed import SEED

pytestmark = pytest.mark.django_db

HEADER_ONLY = {"DỰ THẢO", "ỦY BAN NHÂN DÂN", "XÃ DIỄN CHÂU", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"}
DATE_LINE = re.compile(r"^Diễn Châu, ngày tháng (0[12]|[3-9]|1[0-2]) năm \d{4}$")


def _normal(line):
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", line)).strip()


def seed_lines():
    lines = []
    for raw in SEED.read_text(encoding="utf-8").splitlines():
        line = _normal(raw)
        if not line:
            continue
        line = re.sub(r"^- \+ ", "+ ", line)  # nested bullets of the seed's text export
        line = line.replace("VHXXH", "VHXH")  # typo in the seed, corrected in the data file
        lines.append(line)
    return lines


def generated_lines():
    lines = text_lines(open_docx(render_docx(Document.objects.get(kind="plan"))))
    # The seed's text export lost the header table's first row (issuing body, Quốc hiệu, Tiêu ngữ).
    return [line for line in lines if line not in HEADER_ONLY]


def test_every_line_of_the_seed_in_order():
    seed = seed_lines()
    generated = generated_lines()
    # The draft leaves the day blank and shows the current month; the seed was drafted in May.
    assert DATE_LINE.match(seed[1]) and DATE_LINE.match(generated[1])
    seed[1] = generated[1] = "<ngày>"
    # "./." closes the body right after its last sentence (the seed's text export dropped it).
    end = [i for i, line in enumerate(generated) if line.endswith("./.")]
    assert len(end) == 1 and generated[end[0] + 1] == "Nơi nhận:"
    generated[end[0]] = generated[end[0]][: -len("./.")] + "."
    assert generated == seed


def test_seed_structure_survives():
    lines = generated_lines()
    assert lines[0] == "Số: /KH-UBND"
    assert lines[2] == "KẾ HOẠCH"
    assert lines[3].startswith("Triển khai phong trào thi đua “Đổi mới sáng tạo")
    assert lines[4].startswith("Căn cứ Kế hoạch số 346/KH-UBND ngày 06/5/2026")
    assert sum(1 for line in lines if line.startswith("+ ")) == sum(1 for line in seed_lines() if line.startswith("+ ")) == 29
    assert lines[-4:] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Đào Hồng Thanh"]
