"""The lifecycle of a document as a small inline SVG, the current state highlighted.

Two layouts of the same picture: a row for office screens and a column for phones; the page
shows one of them by CSS. Drawn on the server, no JavaScript, no external library.
"""
from django.utils.html import escape
from django.utils.safestring import mark_safe

from workflows import policy
from workflows.models import State

MAIN = [State.DRAFT, State.SUBMITTED, State.UNDER_REVIEW, State.APPROVED, State.SIGNED, State.ISSUED]
LABELS = dict(State.choices)

BOX_W, BOX_H = 112, 40
CURRENT = ("#1565c0", "#ffffff")
DONE = ("#e3f2fd", "#0d47a1")
TODO = ("#f5f5f5", "#616161")
RETURNED = ("#fff3e0", "#e65100")


def states_for(kind):
    return MAIN if kind in policy.SIGNED_KINDS else MAIN[:4]


def _box(x, y, state, current, passed):
    if state == current:
        fill, ink = CURRENT
    elif state == State.RETURNED:
        fill, ink = RETURNED
    elif passed:
        fill, ink = DONE
    else:
        fill, ink = TODO
    stroke = "#0d47a1" if state == current else "#bdbdbd"
    width = 3 if state == current else 1
    label = escape(LABELS[state])
    weight = ' font-weight="bold"' if state == current else ""
    return (
        f'<g><rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="8" fill="{fill}" stroke="{stroke}" stroke-width="{width}"/>'
        f'<text x="{x + BOX_W / 2}" y="{y + BOX_H / 2 + 5}" text-anchor="middle" font-size="14" fill="{ink}"'
        f'{weight}>{label}</text></g>'
    )


def _arrow(x1, y1, x2, y2, dashed=False):
    dash = ' stroke-dasharray="5 4"' if dashed else ""
    return f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#757575" stroke-width="1.5" marker-end="url(#arr)"{dash}/>'


def _svg(width, height, body, current, css_class):
    label = escape(f"Các bước xử lý văn bản; hiện đang ở bước «{LABELS[current]}»")
    return (
        f'<svg class="{css_class}" viewBox="0 0 {width} {height}" role="img" aria-label="{label}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="Roboto, Arial, sans-serif">'
        '<defs><marker id="arr" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#757575"/></marker></defs>'
        f"<title>{label}</title>{body}</svg>"
    )


def lifecycle_svg(kind, current):
    states = states_for(kind)
    order = {s: i for i, s in enumerate(states)}
    reached = order.get(current, order[State.SUBMITTED] if current == State.RETURNED else 0)
    gap = 28

    # Row layout.
    parts = []
    for i, state in enumerate(states):
        x = 10 + i * (BOX_W + gap)
        parts.append(_box(x, 10, state, current, i < reached))
        if i:
            parts.append(_arrow(x - gap + 2, 30, x - 2, 30))
    review_x = 10 + order[State.UNDER_REVIEW] * (BOX_W + gap)
    ret_x = review_x
    parts.append(_box(ret_x, 90, State.RETURNED, current, False))
    parts.append(_arrow(review_x + BOX_W / 2, 52, ret_x + BOX_W / 2, 88))
    submitted_x = 10 + order[State.SUBMITTED] * (BOX_W + gap)
    parts.append(_arrow(ret_x - 2, 110, submitted_x + BOX_W / 2, 52, dashed=True))
    if State.SIGNED in order:
        approved_x = 10 + order[State.APPROVED] * (BOX_W + gap)
        parts.append(_arrow(approved_x + BOX_W / 2, 52, ret_x + BOX_W + 2, 110, dashed=True))
    if kind == policy.SUMMARY_REPORT:
        # A signed compiled report goes back when its figures went out of date before issue.
        signed_x = 10 + order[State.SIGNED] * (BOX_W + gap)
        parts.append(_arrow(signed_x + BOX_W / 2, 52, ret_x + BOX_W + 2, 118, dashed=True))
    row_width = 20 + len(states) * BOX_W + (len(states) - 1) * gap
    row = _svg(row_width, 140, "".join(parts), current, "vf-lifecycle vf-lifecycle--row")

    # Column layout for narrow screens.
    parts = []
    vgap = 22
    for i, state in enumerate(states):
        y = 10 + i * (BOX_H + vgap)
        parts.append(_box(10, y, state, current, i < reached))
        if i:
            parts.append(_arrow(10 + BOX_W / 2, y - vgap + 2, 10 + BOX_W / 2, y - 2))
    review_y = 10 + order[State.UNDER_REVIEW] * (BOX_H + vgap)
    parts.append(_box(170, review_y, State.RETURNED, current, False))
    parts.append(_arrow(10 + BOX_W + 2, review_y + BOX_H / 2, 168, review_y + BOX_H / 2))
    submitted_y = 10 + order[State.SUBMITTED] * (BOX_H + vgap)
    parts.append(_arrow(170 + BOX_W / 2, review_y - 2, 10 + BOX_W + 2, submitted_y + BOX_H / 2, dashed=True))
    col_height = 20 + len(states) * BOX_H + (len(states) - 1) * vgap
    column = _svg(300, col_height, "".join(parts), current, "vf-lifecycle vf-lifecycle--column")
    return mark_safe(row + column)
