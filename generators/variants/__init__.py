"""Fast visual variants: GAN styles, colourways and the variant matrix of a creative.

Public API (torch loads only when a style runs):

* :func:`apply_style` — restyle one image (any size), keeping a masked product true;
* :func:`list_styles` — the shipped and trained styles (registry specs of kind ``variant``);
* :func:`plan_cells` / :func:`render_cells` — style × colourway × layout × crop × copy
  variants of a creative, with stable variant ids (stored by
  :mod:`studio.services.generation.variants`);
* :func:`train_style` — learn a brand style from product photos and brand images.
"""

from generators.variants.matrix import plan_cells, render_cells
from generators.variants.styles import apply_style, list_styles
from generators.variants.training import train_style

__all__ = ["apply_style", "list_styles", "plan_cells", "render_cells", "train_style"]
