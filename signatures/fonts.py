"""TrueType fonts for pyHanko text (stamps, number and date).

pyHanko's GlyphAccumulator writes glyph widths in the font's own units; PDF glyph space is
1/1000 em, so a TrueType font with 2048 units per em (Times New Roman, Liberation Serif) comes
out letter-spaced. This accumulator shapes at 1000 units per em and writes widths in those units.
"""
from dataclasses import dataclass

from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory

PDF_UNITS = 1000


class PdfUnitsGlyphAccumulator(GlyphAccumulator):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._font_units = self.units_per_em
        self.units_per_em = PDF_UNITS
        self.hb_font.scale = (PDF_UNITS, PDF_UNITS)

    def _get_cid_and_width(self, glyph_id):
        if glyph_id in self._glyphs:
            return self._glyphs[glyph_id]
        cid, width = super()._get_cid_and_width(glyph_id)
        self._glyphs[glyph_id] = result = cid, round(width * PDF_UNITS / self._font_units)
        return result


@dataclass(frozen=True)
class PdfUnitsFontFactory(GlyphAccumulatorFactory):
    def create_font_engine(self, writer, obj_stream=None):
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return PdfUnitsGlyphAccumulator(
            writer=writer,
            font_handle=open(self.font_file, "rb"),  # noqa: SIM115 - pyHanko reads it while writing
            font_size=self.font_size,
            ot_script_tag=self.ot_script_tag,
            ot_language_tag=self.ot_language_tag,
            writing_direction=self.writing_direction,
            bcp47_lang_code=self.bcp47_lang_code,
            obj_stream=obj_stream,
        )
