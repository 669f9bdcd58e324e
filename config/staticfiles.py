"""django.contrib.staticfiles, minus the npm leftovers viewflow ships.

viewflow 2.4's wheel contains `node_modules/` copies of the font packages next to the fonts it
actually uses. Their CSS points at files that are not in the wheel
(`roboto-fontface/css/roboto/Roboto-Thin.woff2`), so WhiteNoise's manifest storage refuses to
write a manifest and every page of a DEBUG=0 deployment answers 500. No page links to them; the
fonts the pages use live one level up (`viewflow/fonts/roboto/roboto-fontface.css`).

Its Plotly Dash bundle (`viewflow/js/contrib/dash/`, 22 MB, for viewflow.contrib.plotly, which
this project does not use) is skipped too: it was most of collectstatic's time and disk.
"""
from django.contrib.staticfiles.apps import StaticFilesConfig as DjangoStaticFilesConfig


class StaticFilesConfig(DjangoStaticFilesConfig):
    ignore_patterns = [*DjangoStaticFilesConfig.ignore_patterns, "node_modules", "viewflow/js/contrib/dash/*"]
