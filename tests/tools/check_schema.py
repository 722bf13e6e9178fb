"""Validate relaunch's JSON output against its schema in docs/schema/.

    check_schema.py NAME [FILE]     FILE (default stdin) against
                                    docs/schema/NAME.schema.json; prints
                                    "NAME: valid", or each error and exits 1

From Python: `import check_schema; check_schema.validate(doc, "run")`
raises AssertionError naming every place the document breaks the schema.
Uses Debian's python3-jsonschema in the interpreter meson found.
"""
import json
import os
import sys

import jsonschema

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "docs", "schema")
NAMES = ("diff", "jobs", "plan", "run", "status", "log")
_validators = {}


def validator(name):
    if name not in _validators:
        with open(os.path.join(SCHEMA_DIR, name + ".schema.json"), encoding="utf-8") as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        _validators[name] = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return _validators[name]


def errors(doc, name):
    """Every way doc breaks the schema, as 'at <json path>: <message>'."""
    out = []
    for e in sorted(validator(name).iter_errors(doc), key=lambda e: list(e.absolute_path)):
        where = "".join(f"[{p!r}]" for p in e.absolute_path) or "(the document)"
        # oneOf/anyOf: the branch errors say what was wrong.
        why = e.message if not e.context else "; ".join(sorted({c.message for c in e.context}))
        out.append(f"at {where}: {why}")
    return out


def validate(doc, name):
    errs = errors(doc, name)
    if errs:
        raise AssertionError(f"{name} --json breaks docs/schema/{name}.schema.json:\n  "
                             + "\n  ".join(errs[:20]))


def schema_for(args):
    """Which schema the output of `relaunch ARGS... --json` follows, or None."""
    words = [a for a in args if not a.startswith("-")]
    if not words or words[0] not in NAMES:
        return None
    if words[0] == "run" and ("--dry-run" in args or any(
            a.startswith("-") and not a.startswith("--") and "n" in a for a in args)):
        return "plan"
    return words[0]


def main():
    if len(sys.argv) not in (2, 3) or sys.argv[1] not in NAMES:
        sys.exit("usage: check_schema.py diff|jobs|plan|run|status|log [FILE]")
    name = sys.argv[1]
    if len(sys.argv) == 3:
        with open(sys.argv[2], encoding="utf-8") as f:
            text = f.read()
    else:
        text = sys.stdin.read()
    try:
        doc = json.loads(text)
    except ValueError as e:
        sys.exit(f"{name}: not JSON: {e}: {text[:200]!r}")
    errs = errors(doc, name)
    if errs:
        print("\n".join(f"{name}: {e}" for e in errs))
        sys.exit(1)
    print(f"{name}: valid")


if __name__ == "__main__":
    main()
