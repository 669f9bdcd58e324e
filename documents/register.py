"""Numbering in order of issue (Nghị định 30/2020/NĐ-CP, Điều 15 and Phụ lục I).

Numbers start at 01 on 1 January and run to 31 December, one sequence per issuing body per year
(or one per type when the body chooses so). A number is taken inside the `issue` transaction:
if the issue fails, the transaction rolls back and no number is lost.

A unit's report is a document of that unit, numbered in the unit's own register (UnitSequence):
it takes the next number for the year inside the `submit` transaction, the same way, and keeps it
when it is withdrawn or returned and submitted again.
"""
from django.db import transaction

from .models import NumberSequence, RegisterEntry, UnitSequence

TYPE_ABBREVIATIONS = {"plan": "KH", "unit_report": "BC", "summary_report": "BC"}


def format_number(number):
    """Numbers below 10 take a leading zero: 01, 02, ..., 09, 10, 11."""
    return f"{number:02d}"


def symbol(number, type_abbreviation, body_abbreviation):
    number_part = format_number(number) if number else ""
    return f"{number_part}/{type_abbreviation}-{body_abbreviation}"


def sequence_key(commune, type_abbreviation):
    return "" if commune.shared_numbering else type_abbreviation


def _next_number(commune, year, key):
    # Create the row if this is the year's first number; concurrent creators do not collide.
    NumberSequence.objects.bulk_create(
        [NumberSequence(commune=commune, year=year, key=key, last_number=0)], ignore_conflicts=True
    )
    sequence = NumberSequence.objects.select_for_update().get(commune=commune, year=year, key=key)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def peek_number(document, issued_on):
    """The number label the next issue would take now (shown before issuing; nothing is reserved)."""
    type_abbreviation = TYPE_ABBREVIATIONS[document.kind]
    key = sequence_key(document.commune, type_abbreviation)
    sequence = NumberSequence.objects.filter(commune=document.commune, year=issued_on.year, key=key).first()
    return symbol((sequence.last_number if sequence else 0) + 1, type_abbreviation, document.commune.abbreviation)


def assign_number(document, *, issued_on, clerk=None):
    """Give the document its number and write the register line. Must run inside the issue transaction."""
    assert transaction.get_connection().in_atomic_block, "assign_number must run inside a transaction"
    commune = document.commune
    type_abbreviation = TYPE_ABBREVIATIONS[document.kind]
    key = sequence_key(commune, type_abbreviation)
    number = _next_number(commune, issued_on.year, key)
    document.number = number
    document.number_label = symbol(number, type_abbreviation, commune.abbreviation)
    document.issued_on = issued_on
    signer = document.signer
    RegisterEntry.objects.create(
        commune=commune,
        year=issued_on.year,
        sequence_key=key,
        number=number,
        symbol=document.number_label,
        type_abbreviation=type_abbreviation,
        issued_on=issued_on,
        excerpt=document.title,
        signer_name=(signer.full_name or signer.username) if signer else "",
        recipients=recipients_for(document),
        document=document,
        clerk=clerk,
    )
    return number


def unit_symbol(number, unit):
    """"05/BC-TYT": the unit's own number, the type and the unit's abbreviation."""
    return f"{format_number(number)}/{TYPE_ABBREVIATIONS['unit_report']}-{unit.abbreviation}"


def assign_unit_number(document, *, submitted_on):
    """Give a unit report the next number of its unit's register for the year of submission.

    Runs inside the `submit` transaction: the sequence row is locked until it commits, and a
    failed submission rolls the number back. A report that already has a number keeps it.
    """
    assert transaction.get_connection().in_atomic_block, "assign_unit_number must run inside a transaction"
    if document.number is not None:
        return document.number
    unit = document.unit
    year = submitted_on.year
    UnitSequence.objects.bulk_create([UnitSequence(unit=unit, year=year, last_number=0)], ignore_conflicts=True)
    sequence = UnitSequence.objects.select_for_update().get(unit=unit, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    document.number = sequence.last_number
    document.number_label = unit_symbol(sequence.last_number, unit)
    return document.number


def recipients_for(document):
    """Nơi nhận of a numbered document: the plan's list (the summary report goes to the same places)."""
    return list(document.plan.recipients)


def register_entries(commune, year=None):
    qs = RegisterEntry.objects.filter(commune=commune).select_related("document")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("year", "sequence_key", "number")
