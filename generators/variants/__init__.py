"""Fast visual variants: GAN styles, colourways and the variant matrix of a creative.

Public API (torch loads only when a style runs):

* :func:`apply_style` — restyle one image (any size), keeping a masked product true;
* :func:`list_styles` — the shipped and trained styles (registry specs of kind ``variant``);
* :func:`make_variants` — style × colourway × layout × crop × copy variants of a creative,
  stored as ``variant`` assets with stable variant ids;
* :func:`train_style` — learn a brand style from product photos and brand images.
"""

from generators.variants.matrix import make_variants
from generators.variants.styles import apply_style, list_styles
from generators.variants.training import train_style

__all__ = ["apply_style", "list_styles", "make_variants", "train_style"]
