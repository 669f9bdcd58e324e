"""Recompiling a summary report without losing what the drafter wrote.

The compiled narrative is a draft the drafter may edit. When the figures are compiled again, each
section is merged line by line, three ways: the draft of the previous compile (the base), the text
as the drafter left it (ours) and the new draft (theirs). Lines only the new draft changed take
the new text; lines only the drafter changed or added are kept; where both changed the same lines
the drafter's text is kept and the new draft's lines are reported (a conflict), so nothing the
drafter wrote is ever replaced silently.
"""
from difflib import SequenceMatcher


def _lines(text):
    return [line for line in (text or "").split("\n")]


def _hunks(base, other, side):
    matcher = SequenceMatcher(None, base, other, autojunk=False)
    return [(i1, i2, side, other[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _apply(base, start, end, hunks):
    out, position = [], start
    for s, e, _side, lines in sorted(hunks, key=lambda h: (h[0], h[1])):
        out.extend(base[position:s])
        out.extend(lines)
        position = e
    out.extend(base[position:end])
    return out


def merge_lines(base, ours, theirs):
    """Three-way merge of line lists. Returns (merged lines, [(ours lines, theirs lines)] conflicts)."""
    THEIRS, OURS = 0, 1  # at the same place the new draft comes first, the drafter's additions after it
    events = sorted(_hunks(base, theirs, THEIRS) + _hunks(base, ours, OURS), key=lambda h: (h[0], h[1], h[2]))
    merged, conflicts, position, index = [], [], 0, 0
    while index < len(events):
        start, end, _side, _lines = events[index]
        group, group_end = [events[index]], end
        index += 1
        while index < len(events):
            s, e, _, _ = events[index]
            # Both change lines from the same place on: a conflict. An insertion where the other
            # side's change starts is no conflict: it goes first, as the drafter placed it.
            overlaps = s < group_end or (s == start and e > s and group_end > start)
            if not overlaps:
                break
            group.append(events[index])
            group_end = max(group_end, e)
            index += 1
        merged.extend(base[position:start])
        sides = {h[2] for h in group}
        if len(sides) == 1:
            merged.extend(_apply(base, start, group_end, group))
        else:
            mine = _apply(base, start, group_end, [h for h in group if h[2] == OURS])
            new = _apply(base, start, group_end, [h for h in group if h[2] == THEIRS])
            merged.extend(mine)
            if mine != new:
                conflicts.append((mine, new))
        position = group_end
    merged.extend(base[position:])
    return merged, conflicts


def merge_section(base, ours, theirs):
    """The section's text after recompiling. Returns (text, conflicts).

    base None (never compiled with a recorded draft): an empty section takes the new draft, a
    written one is kept as it is."""
    ours = ours or ""
    if base is None:
        return (theirs if not ours.strip() else ours), []
    if not ours.strip() or ours == base:
        return theirs, []
    lines, conflicts = merge_lines(_lines(base), _lines(ours), _lines(theirs))
    return "\n".join(lines), conflicts


def changed_lines(before, after):
    """(removed, added) lines between two texts, in order."""
    old, new = _lines(before), _lines(after)
    removed, added = [], []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag in ("replace", "delete"):
            removed.extend(line for line in old[i1:i2] if line.strip())
        if tag in ("replace", "insert"):
            added.extend(line for line in new[j1:j2] if line.strip())
    return removed, added
