"""``python -m codegen``: generate and check generated packages; import, diff and vendor (maintainers)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from codegen.maintain import commands as maintain
from codegen.maintain.changes import schema_changes
from codegen.pipeline import diff, discover, render_all, write
from codegen.problems import SchemaError, SchemaErrors


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("generate", "regenerate generated/<vendor>/ from schemas/<vendor>/openapi.json"),
        ("check", "fail with a diff when generated/ is not what the schemas give"),
    ):
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument("vendors", nargs="*", metavar="VENDOR", help="default: every folder of --schemas")
        command.add_argument("--schemas", type=Path, default=Path("schemas"), help="default: %(default)s")
        command.add_argument("--output", type=Path, default=Path("generated"), help="default: %(default)s")
    maintain.add_parsers(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 out of step, 2 bad input)."""
    args = _parser().parse_args(argv)
    if args.command in maintain.COMMANDS:
        return maintain.run(args)
    known = discover(args.schemas)
    unknown = sorted(set(args.vendors) - set(known))
    if unknown:
        print(
            f"error: no schema for {', '.join(unknown)} in {args.schemas} (known: {', '.join(known)})", file=sys.stderr
        )
        return 2
    try:
        rendered = render_all(args.schemas, args.vendors or None)
    except (SchemaError, SchemaErrors) as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("nothing was written", file=sys.stderr)
        return 2
    for warning in rendered.warnings:
        print(warning, file=sys.stderr)
    if args.command == "generate":
        changed = write(rendered, args.output)
        print(f"generated {len(rendered.packages)} package(s) into {args.output}: {len(changed)} file(s) changed")
        return 0
    diffs = diff(rendered, args.output)
    if diffs:
        # What changed in each schema, for a client user, before the code it changes.
        for report in schema_changes(rendered.files, rendered.packages, args.output).values():
            sys.stdout.write(report.text() + "\n")
        sys.stdout.writelines(diffs)
        print(f"\n{len(diffs)} file(s) differ from what the schemas give; run `nox -s generate`.", file=sys.stderr)
        return 1
    print(f"generated/ is in step with schemas/ ({len(rendered.packages)} package(s))")
    return 0
