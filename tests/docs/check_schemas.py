"""Every JSON output has a schema: each command whose --help offers --json
has docs/schema/<command>.schema.json, a valid draft 2020-12 schema that
pins the document's version, and no schema is left without its command.
(The outputs themselves are validated where the tests produce them: the
cli transcripts and every `--json` run of the e2e harness.)

usage: check_schemas.py RELAUNCH SRCDIR
"""
import json
import os
import sys

import jsonschema

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clihelp  # noqa: E402


def main():
    relaunch, srcdir = sys.argv[1:3]
    sys.path.insert(0, os.path.join(srcdir, "tests", "tools"))
    import check_schema

    problems = []
    with_json = {c for c in clihelp.commands(relaunch)
                 if c != "help" and "--json" in clihelp.options(relaunch, c)}
    schema_dir = os.path.join(srcdir, "docs", "schema")
    files = {f[:-len(".schema.json")] for f in os.listdir(schema_dir)
             if f.endswith(".schema.json")}
    for c in sorted(with_json - files):
        problems.append(f"'{c} --json' has no docs/schema/{c}.schema.json")
    for f in sorted(files - with_json):
        problems.append(f"docs/schema/{f}.schema.json: no command '{f}' prints JSON")
    if set(check_schema.NAMES) != files:
        problems.append(f"check_schema.NAMES {sorted(check_schema.NAMES)} != {sorted(files)}")
    for name in sorted(files):
        path = os.path.join(schema_dir, name + ".schema.json")
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as e:
            problems.append(f"{path}: not a valid schema: {e.message}")
            continue
        if schema.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
            problems.append(f"{path}: not draft 2020-12")
        if "const" not in schema.get("properties", {}).get("version", {}) or \
                "version" not in schema.get("required", []):
            problems.append(f"{path}: does not pin a required version")
        if schema.get("additionalProperties") is not False:
            problems.append(f"{path}: allows keys it does not name")
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"{len(files)} schemas, one per JSON output: {', '.join(sorted(files))}")


if __name__ == "__main__":
    main()
