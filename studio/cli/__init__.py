"""The ``studio`` command line.

Each area keeps its commands in a module of this package with a ``register(group)``
function. Errors a user can cause are :class:`~studio.core.errors.StudioError`; they are
printed as one line on stderr with exit code 1. Ctrl-C exits with 130 after the command
has rolled back whatever it had not committed.
"""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path

import click

from studio import __version__
from studio.core.errors import Cancelled, StudioError

COMMAND_MODULES = (
    "workspace",
    "segments",
    "copy",
    "visual",
    "variants",
    "campaign",
    "bundle",
    "results",
    "app",
    "quickstart",
    "models",
)


@click.group(
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="Campaign Studio")
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages to stderr.")
@click.option(
    "--self-test",
    is_flag=True,
    help="Check this install end to end (offscreen window, embedded models, a copy, a "
    "creative, a bundle) and exit: 0 when all works.",
)
@click.option("--json", "as_json", is_flag=True, help="With --self-test: print a JSON report.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool, self_test: bool, as_json: bool) -> None:
    """Campaign Studio: segments, recommendations and on-device creative generation.

    Run with no command to open the desktop app.
    """
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if self_test:
        from studio.cli.self_test import run_and_exit

        run_and_exit(ctx, as_json=as_json)
    if ctx.invoked_subcommand is None:
        app_command = cli.get_command(ctx, "app")
        if app_command is None:
            click.echo(ctx.get_help())
            return
        ctx.invoke(app_command)


for _name in COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_name}").register(cli)


def main(argv: list[str] | None = None) -> None:
    if "--json" in (sys.argv[1:] if argv is None else argv):
        _quiet_libraries()
    try:
        # without standalone mode click returns (not raises) a command's ctx.exit(code)
        code = cli.main(args=argv, prog_name="studio", standalone_mode=False)
    except Cancelled as error:
        click.echo(str(error), err=True)
        sys.exit(130)
    except StudioError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    except click.exceptions.Abort:
        click.echo("Interrupted; nothing half-written was kept.", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("Interrupted; nothing half-written was kept.", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Exit as exit_:
        sys.exit(exit_.exit_code)
    except Exception as error:  # a bug: one clear line here, the traceback in the log
        where = _log_unexpected(error)
        click.echo(
            f"Error: an unexpected {type(error).__name__} stopped the command: {error}. "
            f"Nothing half-written was kept. This is a bug in Campaign Studio; the details "
            f"are in {where}.",
            err=True,
        )
        sys.exit(2)
    if isinstance(code, int) and code:
        sys.exit(code)


def _log_unexpected(error: Exception) -> Path:
    """Write the traceback of an unexpected error to the command log; returns its path."""
    import traceback

    from studio.core.paths import log_dir

    path = log_dir() / "studio-cli.log"
    try:
        with open(path, "a", encoding="utf-8") as log:
            log.write(f"--- studio {__version__} {' '.join(sys.argv[1:])}\n")
            log.write("".join(traceback.format_exception(error)))
    except OSError:
        pass  # the message still says what happened
    return path


def _quiet_libraries() -> None:
    """A --json run's stderr carries the studio's own messages only: no progress bars or
    advisory warnings from the model libraries (set before they are imported)."""
    import os
    import warnings

    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    warnings.filterwarnings("ignore", category=FutureWarning)
