"""``studio --self-test [--json]``: the install check, printed for people or for scripts.

Not a command of its own (no ``register``): it is an option of the top-level group so
that installers and support can run ``campaign-studio --self-test`` on any build.
"""

from __future__ import annotations

import json

import click

from studio.selftest import Step, run_self_test


def _print_step(step: Step) -> None:
    mark = "ok  " if step.ok else "FAIL"
    click.echo(f"{mark} {step.name:<16} {step.seconds:7.2f} s  {step.detail}")


def run_and_exit(ctx: click.Context, *, as_json: bool) -> None:
    """Run the self-test and end the process: 0 when every step passed, else 1."""
    report = run_self_test(on_step=None if as_json else _print_step)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    elif report.ok:
        first_window = report.timings.get("first_window_s")
        click.echo(
            f"Self-test passed in {report.timings['total_s']} s "
            f"(first window after {first_window} s)."
        )
    else:
        click.echo(f"Self-test FAILED at '{report.failed_step}'.", err=True)
    ctx.exit(0 if report.ok else 1)
