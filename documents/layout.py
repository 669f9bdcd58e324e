"""Page geometry shared by the template builder and the renderer.

All lengths are in millimetres unless a name says otherwise. Widths of text are estimated with
the advance widths of Times New Roman Bold (Adobe metrics, identical to Liberation Serif Bold);
Vietnamese letters are measured as their base letter, which is what §a.4 of the format digest did.
"""
import unicodedata

PAGE_WIDTH = 210
PAGE_HEIGHT = 297
MARGIN_TOP = 20
MARGIN_BOTTOM = 20
MARGIN_LEFT = 30
MARGIN_RIGHT = 15
HEADER_DISTANCE = 10  # the page number sits in the top margin
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # 165

# Header: issuing body | Quốc hiệu. Quốc hiệu in bold 13 pt is 95.7 mm; with Word's default
# cell margins (2 × 1.9 mm) it needs 99.5 mm, so the right column gets 105 mm.
HEADER_LEFT = 60
HEADER_RIGHT = TEXT_WIDTH - HEADER_LEFT
# Footer: Nơi nhận | signature block.
FOOTER_LEFT = 75
FOOTER_RIGHT = TEXT_WIDTH - FOOTER_LEFT
CELL_MARGIN = 1.9  # Word's default left/right cell margin (108 twips)

# Bold widths in 1/1000 em.
_BOLD = {
    " ": 250, "!": 333, '"': 555, "#": 500, "$": 500, "%": 1000, "&": 833, "'": 278, "(": 333,
    ")": 333, "*": 500, "+": 570, ",": 250, "-": 333, ".": 250, "/": 278, ":": 333, ";": 333,
    "<": 570, "=": 570, ">": 570, "?": 500, "@": 930, "–": 500, "—": 1000, "“": 500, "”": 500,
    "A": 722, "B": 667, "C": 722, "D": 722, "E": 667, "F": 611, "G": 778, "H": 778, "I": 389,
    "J": 500, "K": 778, "L": 667, "M": 944, "N": 722, "O": 778, "P": 611, "Q": 778, "R": 722,
    "S": 556, "T": 667, "U": 722, "V": 722, "W": 1000, "X": 722, "Y": 722, "Z": 667,
    "a": 500, "b": 556, "c": 444, "d": 556, "e": 444, "f": 333, "g": 500, "h": 556, "i": 278,
    "j": 333, "k": 556, "l": 278, "m": 833, "n": 556, "o": 500, "p": 556, "q": 556, "r": 444,
    "s": 389, "t": 333, "u": 556, "v": 500, "w": 722, "x": 500, "y": 500, "z": 444,
    "Đ": 722, "đ": 556,
}
POINT_MM = 25.4 / 72


def bold_width(text, size_pt):
    """Width in mm of `text` set in Times New Roman Bold at `size_pt`."""
    total = 0
    for char in text:
        base = char if char in _BOLD else unicodedata.normalize("NFD", char)[:1]
        total += _BOLD.get(base, 500)  # digits and anything unlisted: 500
    return total / 1000 * size_pt * POINT_MM


def centred_rule_indent(cell_width, rule_width):
    """Left/right indent (mm) that makes a paragraph of `rule_width` centred in a cell."""
    inner = cell_width - 2 * CELL_MARGIN
    rule_width = max(4.0, min(rule_width, inner))
    return (inner - rule_width) / 2


def short_rule_width(lines, size_pt, available):
    """The line under an issuing-body name or a trích yếu: 1/3–1/2 of the longest text line.

    We aim at 40 % of the longest line; a line that wraps is as long as the space it has.
    """
    longest = max((min(bold_width(line, size_pt), available) for line in lines if line.strip()), default=available / 2)
    return round(longest * 0.4, 1)
