"""The plan's sections as the editable text of the `plan` document.

Line conventions shared with the Word renderer: "1. …" khoản heading, "a) …" điểm, "- …" dash
item, "+ …" plus item, anything else a paragraph.
"""


def plan_sections(plan):
    content = plan.content
    areas = list(plan.areas.prefetch_related("targets").order_by("number"))
    assignments = list(plan.assignments.order_by("number"))
    phases = list(plan.phases.order_by("number"))

    purposes = ["1. Mục đích", *[f"- {line}" for line in content["purposes"]]]
    purposes += ["2. Yêu cầu", *[f"- {line}" for line in content["requirements"]]]

    contents = []
    for area in areas:
        contents.append(f"{area.number}. {area.title}")
        contents.append("- Nội dung thực hiện")
        contents += [f"+ {line}" for line in area.activities]
        contents.append("- Chỉ tiêu")
        contents += [f"+ {t.text}" for t in sorted(area.targets.all(), key=lambda t: t.order)]

    tasks = []
    for assignment in assignments:
        tasks.append(f"{assignment.number}. {assignment.heading}")
        tasks += [f"- {line}" for line in assignment.tasks]

    timeline = []
    for phase in phases:
        timeline.append(f"{phase.number}. {phase.name}")
        timeline += [f"- {line}" for line in phase.items]

    return {
        "preamble": "\n".join(content["basis"]),
        "purposes": "\n".join(purposes),
        "contents": "\n".join(contents),
        "assignments": "\n".join(tasks),
        "solutions": "\n".join(f"- {line}" for line in content["solutions"]),
        "timeline": "\n".join(timeline),
        "organisation": "\n".join(content["organisation"]),
    }
