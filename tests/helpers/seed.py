"""The commune's plan as published (the seed text), kept with the tests so that a bare clone has it."""
from pathlib import Path

SEED = Path(__file__).resolve().parents[1] / "data" / "ke-hoach-dien-chau-2026-2030.txt"
