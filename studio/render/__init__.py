"""The compositor: channel-size creatives with brand fonts, colours, logo and fitted text.

Public API::

    compose_creative(image_format=..., brand=..., copy=..., product_image=...) -> Creative
    render_visual_layer(...) -> VisualLayer        # picture only (variants restyle this)
    composite_text_layers(visual, brand=..., copy=...) -> Creative
    design_background(brand, size, seed, style) -> PIL.Image
    BrandKit, demo_brand_kit(), available_layouts(), image_formats()
"""

from studio.render.background import STYLES as BACKGROUND_STYLES
from studio.render.background import design_background
from studio.render.brand import BrandKit, demo_brand_kit
from studio.render.compositor import (
    Creative,
    VisualLayer,
    compose_creative,
    composite_text_layers,
    encode_within_limit,
    render_visual_layer,
)
from studio.render.contact_sheet import contact_sheet
from studio.render.crop import smart_crop
from studio.render.formats import ImageFormat, get_image_format, image_formats
from studio.render.layout import available_layouts
from studio.render.product import cut_out, open_product_photo, place_product

__all__ = [
    "BACKGROUND_STYLES",
    "BrandKit",
    "Creative",
    "ImageFormat",
    "VisualLayer",
    "available_layouts",
    "compose_creative",
    "composite_text_layers",
    "contact_sheet",
    "cut_out",
    "demo_brand_kit",
    "design_background",
    "encode_within_limit",
    "get_image_format",
    "image_formats",
    "open_product_photo",
    "place_product",
    "render_visual_layer",
    "smart_crop",
]
