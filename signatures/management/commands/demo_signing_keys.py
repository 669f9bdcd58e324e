"""Create the demo signing keys (CHỈ DÙNG THỬ): SoftHSM2 token, demo CA, keys for each signer and the commune."""
from django.core.management.base import BaseCommand, CommandError

from signatures import demo, pki


class Command(BaseCommand):
    help = "Tạo khóa ký số thử nghiệm (CHỈ DÙNG THỬ) trong token SoftHSM2 dưới var/ cho người ký và cơ quan."

    def handle(self, *args, **options):
        if not pki.softhsm_available():
            raise CommandError(
                "Máy chưa cài SoftHSM2 nên không tạo được khóa ký số thử nghiệm. "
                "Cài gói «softhsm2» (sudo apt-get install softhsm2) rồi chạy lại."
            )
        rows = demo.ensure_demo_keys()
        for row in rows:
            self.stdout.write(f"{row} – token {row.token_label}, khóa {row.key_label}")
        self.stdout.write(
            f"Các chứng thư trên ghi «{pki.DEMO_MARK}». Mã PIN lấy từ biến môi trường SIGNING_PIN_{pki.DEMO_PIN_NAME}."
        )
