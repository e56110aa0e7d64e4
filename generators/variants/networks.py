"""CycleGAN networks: the ResNet generator, its lighter separable form, the PatchGAN critic.

:class:`ResnetGenerator` reproduces the layer order of the CycleGAN ResNet generator
(reflection padding, instance norm with affine parameters, ``model.<index>`` names), so the
``vintagify`` state dict loads into it key for key. ``separable=True`` swaps each residual
block's 3x3 convolutions for depthwise + pointwise pairs (MobileNet style): roughly a
seventh of the block's arithmetic, which is what makes training a brand style on a CPU
practical. Builders are functions so ``torch`` is imported only when a network is built.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class GeneratorConfig:
    """Shape of a ResNet generator; stored with every trained style."""

    ngf: int = 64
    n_blocks: int = 9
    separable: bool = False

    def as_metadata(self) -> dict[str, str]:
        return {key: str(value).lower() for key, value in asdict(self).items()}

    @classmethod
    def from_metadata(cls, meta: dict[str, Any]) -> GeneratorConfig:
        def flag(value: Any) -> bool:
            return str(value).lower() in ("1", "true", "yes")

        return cls(
            ngf=int(meta.get("ngf", 64)),
            n_blocks=int(meta.get("n_blocks", 9)),
            separable=flag(meta.get("separable", False)),
        )


#: the CycleGAN paper's generator (the shipped vintage style uses it)
FULL = GeneratorConfig(ngf=64, n_blocks=9)
#: the default for styles trained in the studio: about 25x less arithmetic than FULL
LITE = GeneratorConfig(ngf=32, n_blocks=6, separable=True)


def build_generator(config: GeneratorConfig) -> Any:
    """A ResNet generator: 7x7 stem, two stride-2 downsamples, residual blocks, two
    transposed-conv upsamples, 7x7 head with tanh. Input and output are in [-1, 1]."""
    from torch import nn

    class ResnetBlock(nn.Module):
        def __init__(self, dim: int) -> None:
            super().__init__()
            self.block = nn.Sequential(
                *_block_conv(nn, dim, config.separable),
                nn.InstanceNorm2d(dim, affine=True),
                nn.ReLU(),
                *_block_conv(nn, dim, config.separable),
                nn.InstanceNorm2d(dim, affine=True),
            )

        def forward(self, x: Any) -> Any:
            return x + self.block(x)

    class ResnetGenerator(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            ngf = config.ngf
            layers: list[nn.Module] = [
                nn.ReflectionPad2d(3),
                nn.Conv2d(3, ngf, kernel_size=7),
                nn.InstanceNorm2d(ngf, affine=True),
                nn.ReLU(),
            ]
            channels = ngf
            for _ in range(2):
                layers += [
                    nn.Conv2d(channels, channels * 2, kernel_size=3, stride=2, padding=1),
                    nn.InstanceNorm2d(channels * 2, affine=True),
                    nn.ReLU(),
                ]
                channels *= 2
            layers += [ResnetBlock(channels) for _ in range(config.n_blocks)]
            for _ in range(2):
                layers += [
                    nn.ConvTranspose2d(
                        channels,
                        channels // 2,
                        kernel_size=3,
                        stride=2,
                        padding=1,
                        output_padding=1,
                    ),
                    nn.InstanceNorm2d(channels // 2, affine=True),
                    nn.ReLU(),
                ]
                channels //= 2
            layers += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, 3, kernel_size=7), nn.Tanh()]
            self.model = nn.Sequential(*layers)

        def forward(self, x: Any) -> Any:
            return self.model(x)

    return ResnetGenerator()


def _block_conv(nn: Any, dim: int, separable: bool) -> list[Any]:
    if not separable:
        return [nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, kernel_size=3)]
    return [
        nn.ReflectionPad2d(1),
        nn.Conv2d(dim, dim, kernel_size=3, groups=dim),
        nn.Conv2d(dim, dim, kernel_size=1),
    ]


def build_discriminator(ndf: int = 64, n_layers: int = 3) -> Any:
    """PatchGAN critic (70x70 receptive field at n_layers=3): a real/fake map, not a scalar."""
    from torch import nn

    layers: list[nn.Module] = [
        nn.Conv2d(3, ndf, kernel_size=4, stride=2, padding=1),
        nn.LeakyReLU(0.2),
    ]
    channels = ndf
    for index in range(1, n_layers + 1):
        out = ndf * min(2**index, 8)
        stride = 2 if index < n_layers else 1
        layers += [
            nn.Conv2d(channels, out, kernel_size=4, stride=stride, padding=1),
            nn.InstanceNorm2d(out, affine=True),
            nn.LeakyReLU(0.2),
        ]
        channels = out
    layers.append(nn.Conv2d(channels, 1, kernel_size=4, stride=1, padding=1))
    return nn.Sequential(*layers)
