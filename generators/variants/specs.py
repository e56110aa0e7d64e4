"""Built-in variant style: the CycleGAN "vintage film" generator shipped by ``vintagify``.

Styles the user trains (``studio train-style``) are added to the registry's user models
with kind ``variant`` and appear next to this one.
"""

from generators.registry import ModelSpec

VINTAGE_FILM = ModelSpec(
    id="vintage-film",
    name="Vintage film",
    kind="variant",
    family="cyclegan-resnet",
    source="package",
    location="vintagify:vintagify/resources/G_A2B_epoch33.pth",
    license="MIT",
    size_bytes=45_588_424,
    sha256="c502cd44ca720d004f89775f593fc403acc6b36d27d65390cbe2f476f771e560",
    description="Warm, faded 'vintage film' look (CycleGAN ResNet generator, 9 blocks).",
    recommended=True,
    # a plain tensor state dict, loaded with torch's weights-only unpickler
    trusted=True,
    extra={"ngf": 64, "n_blocks": 9, "process_size": 512},
)

SPECS = [VINTAGE_FILM]
