"""A small bar chart per target, drawn on the server as inline SVG (no JavaScript, no CDN)."""
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 320, 176
LEFT, RIGHT, TOP, BOTTOM = 38, 8, 16, 48
# Type sizes in viewBox units: the chart is drawn about 270 px wide on a 360 px phone, so 11 units
# stay readable (~9.5 px) there and are ~14 px on an office screen.
AXIS_SIZE, VALUE_SIZE, LABEL_SIZE = 11, 10.5, 11


def _number(value):
    if isinstance(value, bool):
        return Decimal(100) if value else Decimal(0)
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    return None


def _fmt(number):
    text = f"{number.quantize(Decimal('0.1')).normalize():f}"
    return text.replace(".", ",")


def bar_chart(points, *, target_value=None, percent=False, title=""):
    """points: [(label, value or None)]; value None draws an empty slot marked "—"."""
    numbers = [_number(v) for _, v in points]
    known = [n for n in numbers if n is not None]
    top = Decimal(100) if percent else max(known + ([Decimal(str(target_value))] if target_value is not None else []) + [Decimal(1)])
    if not percent:
        top = top * Decimal("1.15")
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(points), 1)
    bar_w = max(6, slot * 0.6)
    parts = [
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="#9e9e9e"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end" font-size="{AXIS_SIZE}" fill="#616161">{_fmt(top) if not percent else "100"}</text>',
        f'<text x="{LEFT - 4}" y="{TOP + plot_h}" text-anchor="end" font-size="{AXIS_SIZE}" fill="#616161">0</text>',
    ]
    for index, ((label, _), number) in enumerate(zip(points, numbers)):
        x = LEFT + index * slot + (slot - bar_w) / 2
        cx = x + bar_w / 2
        if number is None:
            parts.append(f'<text x="{cx:.1f}" y="{TOP + plot_h - 4}" text-anchor="middle" font-size="{AXIS_SIZE}" fill="#757575">—</text>')
        else:
            h = float(min(number, top) / top) * plot_h
            parts.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="#1976d2">'
                f"<title>{escape(label)}: {_fmt(number)}</title></rect>"
            )
            parts.append(
                f'<text x="{cx:.1f}" y="{TOP + plot_h - h - 3:.1f}" text-anchor="middle" font-size="{VALUE_SIZE}" fill="#212121">{_fmt(number)}</text>'
            )
        ly = HEIGHT - BOTTOM + 12
        parts.append(
            f'<text x="{cx:.1f}" y="{ly}" text-anchor="end" font-size="{LABEL_SIZE}" fill="#424242" '
            f'transform="rotate(-40 {cx:.1f} {ly})">{escape(label)}</text>'
        )
    if target_value is not None:
        level = Decimal(str(target_value))
        y = TOP + plot_h - float(min(level, top) / top) * plot_h
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#e65100" stroke-width="1.5" stroke-dasharray="5 3"/>'
            f'<text x="{WIDTH - RIGHT}" y="{y - 3:.1f}" text-anchor="end" font-size="{VALUE_SIZE}" fill="#bf360c">Chỉ tiêu {_fmt(level)}</text>'
        )
    label = escape(title)
    return mark_safe(
        f'<svg class="web-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="Roboto, Arial, sans-serif"><title>{label}</title>{"".join(parts)}</svg>'
    )
